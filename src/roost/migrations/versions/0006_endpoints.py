"""endpoints: trends, suggestions, featured tags, preferences, announcements, domain blocks

Revision ID: 0006_endpoints
Revises: 0005_statuses
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_endpoints"
down_revision: str | None = "0005_statuses"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "announcements",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("all_day", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    op.create_table(
        "account_domain_blocks",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_domain_blocks_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_domain_blocks")),
        sa.UniqueConstraint(
            "account_id", "domain", name=op.f("uq_account_domain_blocks_account_id_domain")
        ),
    )
    op.create_table(
        "announcement_reactions",
        sa.Column("announcement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_announcement_reactions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_reactions_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "announcement_id", "account_id", "name", name=op.f("pk_announcement_reactions")
        ),
    )
    op.create_table(
        "announcement_reads",
        sa.Column("announcement_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_announcement_reads_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_reads_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "announcement_id", "account_id", name=op.f("pk_announcement_reads")
        ),
    )
    op.create_table(
        "featured_tags",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("tag_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_featured_tags_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_featured_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_featured_tags")),
        sa.UniqueConstraint(
            "account_id", "tag_id", name=op.f("uq_featured_tags_account_id_tag_id")
        ),
    )
    with op.batch_alter_table("featured_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_featured_tags_tag_id"), ["tag_id"], unique=False)

    op.create_table(
        "suggestion_dismissals",
        sa.Column("account_id", sa.BigInteger(), nullable=False),
        sa.Column("target_account_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_suggestion_dismissals_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_account_id"],
            ["accounts.id"],
            name=op.f("fk_suggestion_dismissals_target_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "account_id", "target_account_id", name=op.f("pk_suggestion_dismissals")
        ),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "default_privacy", sa.String(length=10), nullable=False, server_default="public"
            )
        )
        batch_op.add_column(
            sa.Column("default_sensitive", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("default_language", sa.String(length=16), nullable=True))
        batch_op.add_column(
            sa.Column(
                "expand_media", sa.String(length=10), nullable=False, server_default="default"
            )
        )
        batch_op.add_column(
            sa.Column("expand_spoilers", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_column("expand_spoilers")
        batch_op.drop_column("expand_media")
        batch_op.drop_column("default_language")
        batch_op.drop_column("default_sensitive")
        batch_op.drop_column("default_privacy")

    op.drop_table("suggestion_dismissals")
    with op.batch_alter_table("featured_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_featured_tags_tag_id"))

    op.drop_table("featured_tags")
    op.drop_table("announcement_reads")
    op.drop_table("announcement_reactions")
    op.drop_table("account_domain_blocks")
    op.drop_table("announcements")
