"""the outcome at discharge (udfald, maal_opnaaet): what the sites' targets are measured by

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-10

Assens aims for at least 75 % reaching their goals (002 § 2), Odsherred for 35 % drug-free or
sober and 35 % reduced (004 "Monitorering af indsatsen"). The journal says both at discharge;
`sager*.csv` carries them as `udfald` (stoffri, reduceret, uaendret) and `maal_opnaaet` (ja,
delvist, nej), both optional (DESIGN §1 "Key figures and reporting", §3).
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable columns with a column CHECK: a plain ALTER TABLE ... ADD COLUMN on both databases
    # (a batch copy of `cases` would drop the expression index ix_cases_plan_review on SQLite).
    op.execute(
        "ALTER TABLE cases ADD COLUMN outcome VARCHAR(16) CONSTRAINT ck_cases_outcome_known "
        "CHECK (outcome IS NULL OR outcome IN ('reduceret', 'stoffri', 'uaendret'))"
    )
    op.execute(
        "ALTER TABLE cases ADD COLUMN goals_reached VARCHAR(16) CONSTRAINT ck_cases_goals_reached_known "
        "CHECK (goals_reached IS NULL OR goals_reached IN ('delvist', 'ja', 'nej'))"
    )


def downgrade() -> None:
    # SQLite 3.35 and newer drop a column with its own CHECK in place, as PostgreSQL does.
    op.drop_column("cases", "goals_reached")
    op.drop_column("cases", "outcome")
