"""Email through an SMTP server: confirming the address at sign-up and resetting a
forgotten password (switched on by ROOST_SMTP_URL)."""
