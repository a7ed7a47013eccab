"""direct conversations, notification groups and the notification policy

Revision ID: 0003_conversations
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_conversations"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_statuses",
        sa.Column("status_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_conversation_statuses_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("status_id", name=op.f("pk_conversation_statuses")),
    )
    op.create_index(
        "ix_conversation_statuses_conversation_id",
        "conversation_statuses",
        ["conversation_id"],
        unique=False,
    )
    op.create_table(
        "account_conversations",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("participant_ids", sa.Text(), nullable=False),
        sa.Column("participants_key", sa.String(length=40), nullable=False),
        sa.Column("last_status_id", sa.BigInteger(), nullable=False),
        sa.Column("unread", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_conversations_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_conversations")),
        sa.UniqueConstraint(
            "account_id",
            "conversation_id",
            "participants_key",
            name="uq_account_conversations_thread",
        ),
    )
    op.create_index(
        "ix_account_conversations_account_id_last_status_id",
        "account_conversations",
        ["account_id", "last_status_id"],
        unique=False,
    )
    op.create_table(
        "notification_policies",
        sa.Column("account_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("for_not_following", sa.String(length=10), nullable=False),
        sa.Column("for_not_followers", sa.String(length=10), nullable=False),
        sa.Column("for_new_accounts", sa.String(length=10), nullable=False),
        sa.Column("for_private_mentions", sa.String(length=10), nullable=False),
        sa.Column("for_limited_accounts", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notification_policies_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_notification_policies")),
    )
    op.create_table(
        "notification_permissions",
        sa.Column("account_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("from_account_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_notification_permissions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_account_id"],
            ["accounts.id"],
            name=op.f("fk_notification_permissions_from_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "from_account_id", name=op.f("pk_notification_permissions")
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("group_key", sa.String(length=80), nullable=True))
        batch_op.add_column(
            sa.Column("filtered", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            "ix_notifications_account_id_group_key", ["account_id", "group_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_account_id_group_key")
        batch_op.drop_column("filtered")
        batch_op.drop_column("group_key")
    op.drop_table("notification_permissions")
    op.drop_table("notification_policies")
    op.drop_index(
        "ix_account_conversations_account_id_last_status_id", table_name="account_conversations"
    )
    op.drop_table("account_conversations")
    op.drop_index("ix_conversation_statuses_conversation_id", table_name="conversation_statuses")
    op.drop_table("conversation_statuses")
