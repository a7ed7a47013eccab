"""people: email confirmation, password reset tokens, self-deleted accounts, imports

Revision ID: 0015_people
Revises: 0014_cards
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_people"
down_revision: str | None = "0014_cards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("created_by_application_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_accounts_created_by_application_id_oauth_apps"),
            "oauth_apps",
            ["created_by_application_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Every account made before email confirmation existed counts as confirmed.
    op.execute("UPDATE accounts SET confirmed_at = created_at")
    op.create_table(
        "mail_tokens",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_mail_tokens_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_mail_tokens_token_hash")),
    )
    with op.batch_alter_table("mail_tokens") as batch:
        batch.create_index(batch.f("ix_mail_tokens_account_id"), ["account_id"], unique=False)
    op.create_table(
        "account_imports",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("imported", sa.BigInteger(), nullable=False),
        sa.Column("failures", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_imports_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_imports")),
    )
    with op.batch_alter_table("account_imports") as batch:
        batch.create_index(batch.f("ix_account_imports_account_id"), ["account_id"], unique=False)


def downgrade() -> None:
    op.drop_table("account_imports")
    op.drop_table("mail_tokens")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint(
            batch.f("fk_accounts_created_by_application_id_oauth_apps"), type_="foreignkey"
        )
        batch.drop_column("deleted_at")
        batch.drop_column("created_by_application_id")
        batch.drop_column("confirmed_at")
