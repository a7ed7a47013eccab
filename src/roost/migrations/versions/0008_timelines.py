"""lists with their timelines, and followed hashtags

Revision ID: 0008_timelines
Revises: 0007_follows
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_timelines"
down_revision: str | None = "0007_follows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "lists",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("replies_policy", sa.String(length=10), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("lists", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lists")),
    )
    with op.batch_alter_table("lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lists_account_id"), ["account_id"], unique=False)

    op.create_table(
        "list_accounts",
        sa.Column("list_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("id", sa.BigInteger(), nullable=False),
        _fk("list_accounts", "list_id", "lists"),
        _fk("list_accounts", "account_id", "accounts"),
        sa.PrimaryKeyConstraint("list_id", "account_id", name=op.f("pk_list_accounts")),
        sa.UniqueConstraint("id", name=op.f("uq_list_accounts_id")),
    )
    with op.batch_alter_table("list_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_list_accounts_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "list_feeds",
        sa.Column("owner_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        _fk("list_feeds", "owner_id", "lists"),
        sa.PrimaryKeyConstraint("owner_id", name=op.f("pk_list_feeds")),
    )

    op.create_table(
        "list_entries",
        sa.Column("owner_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("reblog_of_id", sa.BigInteger(), nullable=True),
        _fk("list_entries", "owner_id", "lists"),
        _fk("list_entries", "status_id", "statuses"),
        sa.PrimaryKeyConstraint("owner_id", "seq", name=op.f("pk_list_entries")),
        sa.UniqueConstraint(
            "owner_id", "status_id", name=op.f("uq_list_entries_owner_id_status_id")
        ),
    )
    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_list_entries_status_id"), ["status_id"], unique=False)

    op.create_table(
        "tag_follows",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("tag_follows", "account_id", "accounts"),
        _fk("tag_follows", "tag_id", "tags"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_follows")),
        sa.UniqueConstraint("account_id", "tag_id", name=op.f("uq_tag_follows_account_id_tag_id")),
    )
    with op.batch_alter_table("tag_follows", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tag_follows_tag_id"), ["tag_id"], unique=False)


def downgrade() -> None:
    op.drop_table("tag_follows")
    op.drop_table("list_entries")
    op.drop_table("list_feeds")
    op.drop_table("list_accounts")
    op.drop_table("lists")
