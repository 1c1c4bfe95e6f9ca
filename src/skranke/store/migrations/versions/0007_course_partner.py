"""a course shared with a partner (samarbejde): Odense's course with Vista Balboa

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

Odense treats citizens with severe mental illness and extensive abuse "i et samarbejde mellem
Behandlingscenter Odense og rehabiliteringstilbuddet Vista Balboa", with "lægelig opfølgning
hver tredje måned" (000 § 2.1). Neither a department nor a paragraph tells such a course apart,
so the case carries the partner (`samarbejde` in `sager*.csv`, or the routing's partner when
the desk registers the request), and a medical review rule can name it (docs/design.md §1).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A nullable column: a plain ALTER TABLE on both databases (no batch copy of `cases`, which
    # would drop the expression index ix_cases_plan_review on SQLite).
    op.add_column("cases", sa.Column("partner", sa.String(length=100), nullable=True))


def downgrade() -> None:
    # SQLite 3.35 and newer drop a column in place, as PostgreSQL does: the index stays.
    op.drop_column("cases", "partner")
