"""cards: link preview cards, shared by URL, and which post shows which

Revision ID: 0014_cards
Revises: 0013_reports_admin
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_cards"
down_revision: str | None = "0013_reports_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "preview_cards",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("author_name", sa.Text(), nullable=False),
        sa.Column("author_url", sa.Text(), nullable=False),
        sa.Column("provider_name", sa.Text(), nullable=False),
        sa.Column("provider_url", sa.Text(), nullable=False),
        sa.Column("image_key", sa.String(length=255), nullable=True),
        sa.Column("width", sa.BigInteger(), nullable=False),
        sa.Column("height", sa.BigInteger(), nullable=False),
        sa.Column("blurhash", sa.String(length=64), nullable=True),
        sa.Column("image_description", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preview_cards")),
        sa.UniqueConstraint("url_hash", name=op.f("uq_preview_cards_url_hash")),
    )
    op.create_table(
        "status_cards",
        sa.Column("status_id", sa.BigInteger(), nullable=False),
        sa.Column("card_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["statuses.id"],
            name=op.f("fk_status_cards_status_id_statuses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["preview_cards.id"],
            name=op.f("fk_status_cards_card_id_preview_cards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("status_id", name=op.f("pk_status_cards")),
    )
    op.create_index(op.f("ix_status_cards_card_id"), "status_cards", ["card_id"], unique=False)


def downgrade() -> None:
    op.drop_table("status_cards")
    op.drop_table("preview_cards")
