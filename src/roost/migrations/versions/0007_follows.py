"""follow graph: follow requests, private account notes, timed mutes

Revision ID: 0007_follows
Revises: 0006_endpoints
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_follows"
down_revision: str | None = "0006_endpoints"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _pair_table(name: str, *columns: sa.Column[object]) -> None:
    """A table of one account's relation to another, shaped like ``follows``."""
    op.create_table(
        name,
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        *columns,
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f(f"fk_{name}_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f(f"fk_{name}_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint(
            "account_id",
            "target_account_id",
            name=op.f(f"uq_{name}_account_id_target_account_id"),
        ),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f(f"ix_{name}_target_account_id"), ["target_account_id"], unique=False
        )


def upgrade() -> None:
    _pair_table(
        "follow_requests",
        sa.Column("show_reblogs", sa.Boolean(), nullable=False),
        sa.Column("notify", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    _pair_table(
        "account_notes",
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("mutes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mutes", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
    op.drop_table("account_notes")
    op.drop_table("follow_requests")
