"""moderation: each account's role and the states a moderator can put it in

Revision ID: 0011_moderation
Revises: 0010_reports
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_moderation"
down_revision: str | None = "0010_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ("suspended_at", "silenced_at", "sensitized_at", "disabled_at")


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=16), server_default="user", nullable=False)
        )
        for state in STATES:
            batch.add_column(sa.Column(state, sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        for state in STATES:
            batch.drop_column(state)
        batch.drop_column("role")
