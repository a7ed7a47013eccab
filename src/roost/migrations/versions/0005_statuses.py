"""statuses: edits with their history, bookmarks, pins, conversation mutes

Revision ID: 0005_statuses
Revises: 0004_polls
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_statuses"
down_revision: str | None = "0004_polls"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _account_and_status(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f(f"fk_{table}_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f(f"fk_{table}_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint(
            "account_id", "status_id", name=op.f(f"uq_{table}_account_id_status_id")
        ),
    ]


def upgrade() -> None:
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("thread_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f("ix_statuses_thread_id"), ["thread_id"], unique=False)
    _backfill_threads()

    op.create_table(
        "status_edits",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("spoiler_text", sa.Text(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_status_edits_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_edits")),
    )
    op.create_index(
        "ix_status_edits_status_id_id", "status_edits", ["status_id", "id"], unique=False
    )
    for table in ("bookmarks", "status_pins"):
        op.create_table(table, *_account_and_status(table))
        op.create_index(f"ix_{table}_account_id_id", table, ["account_id", "id"], unique=False)
        op.create_index(op.f(f"ix_{table}_status_id"), table, ["status_id"], unique=False)
    op.create_table(
        "conversation_mutes",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_conversation_mutes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_mutes")),
        sa.UniqueConstraint(
            "account_id", "thread_id", name=op.f("uq_conversation_mutes_account_id_thread_id")
        ),
    )
    op.create_index(
        op.f("ix_conversation_mutes_thread_id"), "conversation_mutes", ["thread_id"], unique=False
    )


def _backfill_threads() -> None:
    """Each existing post's thread: a post that replies to nothing starts its own; a
    reply takes its parent's, one level of the threads per pass; a reply whose parent
    is gone starts its own."""
    op.execute("UPDATE statuses SET thread_id = id WHERE in_reply_to_id IS NULL")
    bind = op.get_bind()
    while True:
        moved = bind.execute(
            sa.text(
                "UPDATE statuses SET thread_id = ("
                " SELECT parent.thread_id FROM statuses AS parent"
                " WHERE parent.id = statuses.in_reply_to_id)"
                " WHERE thread_id IS NULL AND EXISTS ("
                " SELECT 1 FROM statuses AS parent"
                " WHERE parent.id = statuses.in_reply_to_id AND parent.thread_id IS NOT NULL)"
            )
        )
        if not moved.rowcount:
            break
    op.execute("UPDATE statuses SET thread_id = id WHERE thread_id IS NULL")


def downgrade() -> None:
    op.drop_table("conversation_mutes")
    op.drop_table("status_pins")
    op.drop_table("bookmarks")
    op.drop_table("status_edits")
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statuses_thread_id"))
        batch_op.drop_column("thread_id")
        batch_op.drop_column("edited_at")
