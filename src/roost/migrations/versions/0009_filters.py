"""filters: filter groups, their keywords and statuses

Revision ID: 0009_filters
Revises: 0008_timelines
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_filters"
down_revision: str | None = "0008_timelines"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "filters",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("context", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_filters_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filters")),
    )
    with op.batch_alter_table("filters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_filters_account_id"), ["account_id"], unique=False)
    op.create_table(
        "filter_keywords",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("filter_id", sa.BigInteger(), nullable=False),
        sa.Column("keyword", sa.String(length=256), nullable=False),
        sa.Column("whole_word", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filter_id"],
            ["filters.id"],
            name=op.f("fk_filter_keywords_filter_id_filters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filter_keywords")),
    )
    with op.batch_alter_table("filter_keywords", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_filter_keywords_filter_id"), ["filter_id"], unique=False
        )
    op.create_table(
        "filter_statuses",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("filter_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filter_id"],
            ["filters.id"],
            name=op.f("fk_filter_statuses_filter_id_filters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_filter_statuses_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_filter_statuses")),
        sa.UniqueConstraint(
            "filter_id", "status_id", name=op.f("uq_filter_statuses_filter_id_status_id")
        ),
    )
    with op.batch_alter_table("filter_statuses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_filter_statuses_status_id"), ["status_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("filter_statuses")
    op.drop_table("filter_keywords")
    op.drop_table("filters")
