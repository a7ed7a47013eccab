"""admin_api: the audit log, sign-up blocks, and what sign-up records for moderators

Revision ID: 0016_admin_api
Revises: 0015_people
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_admin_api"
down_revision: str | None = "0015_people"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("sign_up_ip", sa.String(length=45), nullable=True))
        batch.add_column(sa.Column("locale", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("sign_up_reason", sa.Text(), nullable=True))
        batch.create_index(batch.f("ix_accounts_sign_up_ip"), ["sign_up_ip"], unique=False)
    op.create_table(
        "admin_action_logs",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_type", sa.String(length=32), nullable=False),
        sa.Column("target_id", sa.BigInteger(), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_admin_action_logs_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_action_logs")),
    )
    with op.batch_alter_table("admin_action_logs") as batch:
        batch.create_index(batch.f("ix_admin_action_logs_account_id"), ["account_id"])
        batch.create_index(
            "ix_admin_action_logs_target_type_target_id", ["target_type", "target_id"]
        )
    op.create_table(
        "email_domain_blocks",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_domain_blocks")),
        sa.UniqueConstraint("domain", name=op.f("uq_email_domain_blocks_domain")),
    )
    op.create_table(
        "ip_blocks",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("ip", sa.String(length=49), nullable=False),
        sa.Column("severity", sa.String(length=32), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ip_blocks")),
        sa.UniqueConstraint("ip", name=op.f("uq_ip_blocks_ip")),
    )


def downgrade() -> None:
    op.drop_table("ip_blocks")
    op.drop_table("email_domain_blocks")
    op.drop_table("admin_action_logs")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_index(batch.f("ix_accounts_sign_up_ip"))
        batch.drop_column("sign_up_reason")
        batch.drop_column("locale")
        batch.drop_column("sign_up_ip")
