"""a course shared with a partner (samarbejde): Odense's course with Vista Balboa

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

Odense treats citizens with severe mental illness and extensive abuse "i et samarbejde mellem
Behandlingscenter Odense og rehabiliteringstilbuddet Vista Balboa", with "lægelig opfølgning
hver tredje måned" (000 § 2.1). Neither a department nor a paragraph tells such a course apart,
so the case carries the partner (`samarbejde` in `sager*.csv`, or the routing's partner when
the desk registers the request), and a medical review rule can name it (docs/design.md §1).

Frister pages each medical review rule by the day its review counts from, as it pages plan
reviews: ix_cases_medical_review, of running treatments, with the rules' tests in it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


COUNTED_FROM = "(CASE WHEN medical_reviewed_on > treatment_start THEN medical_reviewed_on ELSE treatment_start END)"
RUNNING_TREATMENT = "closed_on IS NULL AND treatment_start IS NOT NULL"


def upgrade() -> None:
    # A nullable column: a plain ALTER TABLE on both databases (no batch copy of `cases`, which
    # would drop the expression index ix_cases_plan_review on SQLite).
    op.add_column("cases", sa.Column("partner", sa.String(length=100), nullable=True))
    op.create_index(
        "ix_cases_medical_review",
        "cases",
        [sa.text(COUNTED_FROM), "id", "department", "paragraph", "partner"],
        unique=False,
        sqlite_where=sa.text(RUNNING_TREATMENT),
        postgresql_where=sa.text(RUNNING_TREATMENT),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_medical_review", table_name="cases")
    # SQLite 3.35 and newer drop a column in place, as PostgreSQL does: the other indexes stay.
    op.drop_column("cases", "partner")
