"""reports_admin: handling reports (rules, assignment, who resolved them) and the
admin.report notification's report

Revision ID: 0013_reports_admin
Revises: 0012_media
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_reports_admin"
down_revision: str | None = "0012_media"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reports") as batch:
        batch.add_column(sa.Column("rule_ids", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("action_taken_by_account_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("assigned_account_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_reports_action_taken_by_account_id_accounts"),
            "accounts",
            ["action_taken_by_account_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            batch.f("fk_reports_assigned_account_id_accounts"),
            "accounts",
            ["assigned_account_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # A report filed before this migration was last touched when it was filed.
    op.execute("UPDATE reports SET updated_at = created_at")
    with op.batch_alter_table("reports") as batch:
        batch.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)

    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("report_id", sa.BigInteger(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_notifications_report_id_reports"),
            "reports",
            ["report_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(batch.f("ix_notifications_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_index(batch.f("ix_notifications_report_id"))
        batch.drop_constraint(batch.f("fk_notifications_report_id_reports"), type_="foreignkey")
        batch.drop_column("report_id")
    with op.batch_alter_table("reports") as batch:
        batch.drop_constraint(
            batch.f("fk_reports_assigned_account_id_accounts"), type_="foreignkey"
        )
        batch.drop_constraint(
            batch.f("fk_reports_action_taken_by_account_id_accounts"), type_="foreignkey"
        )
        batch.drop_column("updated_at")
        batch.drop_column("assigned_account_id")
        batch.drop_column("action_taken_by_account_id")
        batch.drop_column("rule_ids")
