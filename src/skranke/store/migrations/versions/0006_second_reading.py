"""the seeds' second reading: reviews, attendance, approval, complaints, new task kinds

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06

What a second reading of the seeds needs to be stored (docs/design.md §1, §3):
- cases: the agreed plan-review interval (`plan_interval_mdr`, 000 § 4.1, 004), the last medical
  review (`laege_gennemgang`: Gladsaxe 003 § 3.4, Vista Balboa 000 § 2.1, the heroin clinic 001),
  and the first personal attendance (`personligt_fremmoede`: Odsherred's clock starts there, 004);
- prescriptions: the visitation committee's approval of take-home or delivery
  (`udlevering_godkendt`, Gladsaxe 003 § 3.2.1);
- complaints and requests for access to records, with the day received and answered
  (answers within 4 weeks, 000 § 8.1 and 004; access within 7 working days, 003 § 4.7);
- the task kinds an intake may now leave (child assessment, detention contract offer,
  infection screening, cooperation with children's services).
"""

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_OLD_TASK_KINDS = (
    "'doctor_talk', 'familieambulatoriet', 'follow_up', 'notify_children_services', 'parental_consent', 'tell_doctor'"
)
_NEW_TASK_KINDS = (
    "'child_assessment', 'cooperate_children_services', 'detention_contract_offer', 'doctor_talk', "
    "'familieambulatoriet', 'follow_up', 'infection_screening', 'notify_children_services', "
    "'parental_consent', 'tell_doctor'"
)


# As 0003 made it: SQLite's batch mode copies the table and cannot carry an index on an
# expression over, so it is made again after the copy.
COUNTED_FROM = "(CASE WHEN plan_reviewed_on > treatment_start THEN plan_reviewed_on ELSE treatment_start END)"
RUNNING_TREATMENT = "closed_on IS NULL AND treatment_start IS NOT NULL"


def _plan_review_index_again() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL alters the table in place: the index stays
    op.execute("DROP INDEX IF EXISTS ix_cases_plan_review")
    op.create_index(
        "ix_cases_plan_review",
        "cases",
        [sa.text(COUNTED_FROM), "id", "department"],
        unique=False,
        sqlite_where=sa.text(RUNNING_TREATMENT),
    )


def upgrade() -> None:
    # The rebuild reflects `cases` and skips its expression index, saying so (SQLite 3.53, as
    # SQLCipher 4.19 bundles it): the index is made again just below, so the warning is noise
    # on a command line's stderr.
    with (
        warnings.catch_warnings(),
        op.batch_alter_table("cases", schema=None) as batch_op,
    ):
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        batch_op.add_column(sa.Column("plan_interval_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("medical_reviewed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("personal_attendance_on", sa.Date(), nullable=True))
        batch_op.create_check_constraint(
            "plan_interval_positive", "plan_interval_months IS NULL OR plan_interval_months > 0"
        )
    _plan_review_index_again()
    with op.batch_alter_table("prescriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_on", sa.Date(), nullable=True))
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_tasks_kind_known"), type_="check")
        batch_op.create_check_constraint("kind_known", f"kind IN ({_NEW_TASK_KINDS})")
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=16), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("answered_by", sa.String(length=16), nullable=True),
        sa.CheckConstraint("kind IN ('access', 'complaint')", name=op.f("ck_complaints_kind_known")),
        sa.CheckConstraint(
            "(answered_on IS NULL) = (answered_by IS NULL)", name=op.f("ck_complaints_answered_with_who")
        ),
        sa.CheckConstraint(
            "answered_on IS NULL OR answered_on >= received_on", name=op.f("ck_complaints_answered_after_received")
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_complaints_citizen_id_citizens"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["staff.id"], name=op.f("fk_complaints_recorded_by_staff"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["answered_by"], ["staff.id"], name=op.f("fk_complaints_answered_by_staff"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index("ix_complaints_open", ["answered_on", "received_on"], unique=False)
        batch_op.create_index("ix_complaints_citizen_id", ["citizen_id"], unique=False)


def downgrade() -> None:
    op.drop_table("complaints")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_tasks_kind_known"), type_="check")
        batch_op.create_check_constraint("kind_known", f"kind IN ({_OLD_TASK_KINDS})")
    with op.batch_alter_table("prescriptions", schema=None) as batch_op:
        batch_op.drop_column("approved_on")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_cases_plan_interval_positive"), type_="check")
        batch_op.drop_column("personal_attendance_on")
        batch_op.drop_column("medical_reviewed_on")
        batch_op.drop_column("plan_interval_months")
    _plan_review_index_again()
