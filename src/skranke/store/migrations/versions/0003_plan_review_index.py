"""Frister's indexes: running, waiting and closed cases in the order each tab lists them

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Frister counts each list and shows its most pressing rows first; at a large clinic (tens of
thousands of running treatments) it reads them from partial indexes in the tab's order, with
the columns the counts group by, instead of sorting every case: running treatments by the day
their plan review counts from (store.models.PLAN_REVIEW_COUNTED_FROM), waiting cases by contact
day, closed cases by closing day (ix_cases_closed_on, now of closed cases only).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COUNTED_FROM = "(CASE WHEN plan_reviewed_on > treatment_start THEN plan_reviewed_on ELSE treatment_start END)"
RUNNING_TREATMENT = "closed_on IS NULL AND treatment_start IS NOT NULL"
WAITING_CASE = "treatment_start IS NULL AND closed_on IS NULL"


def upgrade() -> None:
    # ix_cases_closed_on now holds closed cases only: whole, SQLite (without statistics) walked it
    # for closed_on IS NULL and sorted every running treatment instead of using the index below.
    op.drop_index("ix_cases_closed_on", table_name="cases")
    op.create_index(
        "ix_cases_closed_on",
        "cases",
        ["closed_on", "id", "closing_status", "paragraph", "follow_up_consent", "department"],
        unique=False,
        sqlite_where=sa.text("closed_on IS NOT NULL"),
        postgresql_where=sa.text("closed_on IS NOT NULL"),
    )
    # Replaced by ix_cases_waiting (SQLite preferred its two equalities to the covering index).
    op.drop_index("ix_cases_open_requests", table_name="cases")
    op.create_index(
        "ix_cases_waiting",
        "cases",
        ["contact_date", "id", "paragraph", "free_choice", "department"],
        unique=False,
        sqlite_where=sa.text(WAITING_CASE),
        postgresql_where=sa.text(WAITING_CASE),
    )
    op.create_index(
        "ix_cases_plan_review",
        "cases",
        [sa.text(COUNTED_FROM), "id", "department"],
        unique=False,
        sqlite_where=sa.text(RUNNING_TREATMENT),
        postgresql_where=sa.text(RUNNING_TREATMENT),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_waiting", table_name="cases")
    op.create_index("ix_cases_open_requests", "cases", ["treatment_start", "closed_on", "contact_date"], unique=False)
    op.drop_index("ix_cases_plan_review", table_name="cases")
    op.drop_index("ix_cases_closed_on", table_name="cases")
    op.create_index("ix_cases_closed_on", "cases", ["closed_on"], unique=False)
