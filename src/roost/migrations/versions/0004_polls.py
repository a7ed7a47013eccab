"""polls and scheduled posts

Revision ID: 0004_polls
Revises: 0003_conversations
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_polls"
down_revision: str | None = "0003_conversations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("multiple", sa.Boolean(), nullable=False),
        sa.Column("hide_totals", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voters_count", sa.BigInteger(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_polls_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_polls_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
        sa.UniqueConstraint("status_id", name=op.f("uq_polls_status_id")),
    )
    op.create_table(
        "poll_tallies",
        sa.Column("poll_id", sa.BigInteger(), nullable=False),
        sa.Column("choice", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("votes_count", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name=op.f("fk_poll_tallies_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", "choice", name=op.f("pk_poll_tallies")),
    )
    op.create_table(
        "poll_votes",
        sa.Column("poll_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_poll_votes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"],
            ["polls.id"],
            name=op.f("fk_poll_votes_poll_id_polls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("poll_id", "account_id", name=op.f("pk_poll_votes")),
    )
    with op.batch_alter_table("poll_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_votes_account_id"), ["account_id"], unique=False)
    op.create_table(
        "scheduled_statuses",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=True),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_scheduled_statuses_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["oauth_apps.id"],
            name=op.f("fk_scheduled_statuses_application_id_oauth_apps"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_statuses")),
    )
    with op.batch_alter_table("scheduled_statuses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_scheduled_statuses_account_id_id", ["account_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_scheduled_statuses_scheduled_at"), ["scheduled_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("scheduled_statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scheduled_statuses_scheduled_at"))
        batch_op.drop_index("ix_scheduled_statuses_account_id_id")
    op.drop_table("scheduled_statuses")
    with op.batch_alter_table("poll_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_votes_account_id"))
    op.drop_table("poll_votes")
    op.drop_table("poll_tallies")
    op.drop_table("polls")
