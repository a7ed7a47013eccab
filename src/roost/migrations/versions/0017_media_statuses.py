"""media_statuses: pictures on posts, scheduled posts and each version of an edit

Revision ID: 0017_media_statuses
Revises: 0016_admin_api
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_media_statuses"
down_revision: str | None = "0016_admin_api"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("media_attachments") as batch:
        # Held by a scheduled post until it is published (or cancelled: then unattached).
        batch.add_column(sa.Column("scheduled_status_id", sa.BigInteger(), nullable=True))
        # Set when an edit took it out of its post: the history still shows it.
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_media_attachments_scheduled_status_id_scheduled_statuses"),
            "scheduled_statuses",
            ["scheduled_status_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(
            batch.f("ix_media_attachments_scheduled_status_id"),
            ["scheduled_status_id"],
            unique=False,
        )
    with op.batch_alter_table("status_edits") as batch:
        # The version's media: [{"id": "...", "description": "..."}], in order.
        batch.add_column(sa.Column("media", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("status_edits") as batch:
        batch.drop_column("media")
    with op.batch_alter_table("media_attachments") as batch:
        batch.drop_index(batch.f("ix_media_attachments_scheduled_status_id"))
        batch.drop_constraint(
            batch.f("fk_media_attachments_scheduled_status_id_scheduled_statuses"),
            type_="foreignkey",
        )
        batch.drop_column("removed_at")
        batch.drop_column("scheduled_status_id")
