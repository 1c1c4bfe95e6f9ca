"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_at", ["at"], unique=False)

    op.create_table(
        "citizens",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("cpr", sa.String(length=10), nullable=True),
        sa.Column("first_name", sa.String(length=200), nullable=False),
        sa.Column("last_name", sa.String(length=200), nullable=False),
        sa.Column("alias", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("cpr IS NULL OR length(cpr) = 10", name=op.f("ck_citizens_cpr_ten_digits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizens")),
        sa.UniqueConstraint("cpr", name=op.f("uq_citizens_cpr")),
    )
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.create_index("ix_citizens_alias", ["alias"], unique=False)
        batch_op.create_index("ix_citizens_last_name", ["last_name"], unique=False)

    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
    )
    op.create_table(
        "outbox_watermark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("last_file", sa.String(length=255), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_outbox_watermark_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_watermark")),
    )
    op.create_table(
        "sync_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("inserted", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected_rows", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("report_path", sa.String(length=1000), nullable=False),
        sa.Column("first_errors", sa.JSON(), nullable=False),
        sa.CheckConstraint("outcome IN ('imported', 'unchanged', 'rejected')", name=op.f("ck_sync_log_outcome_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_log")),
    )
    with op.batch_alter_table("sync_log", schema=None) as batch_op:
        batch_op.create_index("ix_sync_log_finished_at", ["finished_at"], unique=False)
        batch_op.create_index("ix_sync_log_sha256", ["sha256"], unique=False)

    op.create_table(
        "appointments",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("clinician", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('læge', 'samtale', 'visitation')", name=op.f("ck_appointments_kind_known")),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_appointments_citizen_id_citizens"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index("ix_appointments_citizen_starts", ["citizen_id", "starts_at"], unique=False)
        batch_op.create_index("ix_appointments_starts_at", ["starts_at"], unique=False)

    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("paragraph", sa.String(length=8), nullable=False),
        sa.Column("contact_date", sa.Date(), nullable=False),
        sa.Column("treatment_start", sa.Date(), nullable=True),
        sa.Column("free_choice", sa.Boolean(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closing_status", sa.String(length=32), nullable=True),
        sa.Column("plan_reviewed_on", sa.Date(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "closing_status IS NULL OR closing_status IN ('anden årsag', 'andet tilbud', 'eget ønske', 'færdigbehandlet', 'hospital', 'udeblevet')",
            name=op.f("ck_cases_closing_status_known"),
        ),
        sa.CheckConstraint(
            "paragraph IN ('SEL101', 'SEL101a', 'SUL141', 'SUL142')", name=op.f("ck_cases_paragraph_known")
        ),
        sa.CheckConstraint("(closed_on IS NULL) = (closing_status IS NULL)", name=op.f("ck_cases_closed_with_status")),
        sa.CheckConstraint(
            "treatment_start IS NULL OR treatment_start >= contact_date", name=op.f("ck_cases_start_after_contact")
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_cases_citizen_id_citizens"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_citizen_id", ["citizen_id"], unique=False)
        batch_op.create_index("ix_cases_closed_on", ["closed_on"], unique=False)
        batch_op.create_index("ix_cases_open_requests", ["treatment_start", "closed_on", "contact_date"], unique=False)

    op.create_table(
        "check_ins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("citizen_id", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=64), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(), nullable=False),
        sa.Column("workstation", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_check_ins_citizen_id_citizens"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_ins")),
    )
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.create_index("ix_check_ins_checked_in_at", ["checked_in_at"], unique=False)

    op.create_table(
        "intakes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("citizen_id", sa.String(length=64), nullable=True),
        sa.Column("contact_date", sa.Date(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'registered', 'discarded')", name=op.f("ck_intakes_status_known")),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_intakes_citizen_id_citizens"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intakes")),
    )
    op.create_table(
        "prescriptions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.String(length=64), nullable=False),
        sa.Column("preparation", sa.String(length=64), nullable=False),
        sa.Column("dose_mg", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("doses_per_day", sa.Integer(), nullable=False),
        sa.Column("pickup_rule", sa.String(length=200), nullable=False),
        sa.Column("supervised", sa.Boolean(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("prescribed_by", sa.String(length=200), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("dose_mg > 0", name=op.f("ck_prescriptions_dose_positive")),
        sa.CheckConstraint("doses_per_day IN (1, 2)", name=op.f("ck_prescriptions_doses_per_day_one_or_two")),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_prescriptions_valid_period")),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_prescriptions_citizen_id_citizens"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescriptions")),
    )
    with op.batch_alter_table("prescriptions", schema=None) as batch_op:
        batch_op.create_index("ix_prescriptions_citizen_id", ["citizen_id"], unique=False)

    op.create_table(
        "dispensings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("prescription_id", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.String(length=64), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("dose_number", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("dose_mg", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("nurse", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("outcome IN ('given', 'missed', 'refused')", name=op.f("ck_dispensings_outcome_known")),
        sa.CheckConstraint("dose_number IN (1, 2)", name=op.f("ck_dispensings_dose_number_one_or_two")),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_dispensings_citizen_id_citizens"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["prescription_id"],
            ["prescriptions.id"],
            name=op.f("fk_dispensings_prescription_id_prescriptions"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispensings")),
        sa.UniqueConstraint("prescription_id", "service_date", "dose_number", name="uq_dispensings_once"),
    )
    with op.batch_alter_table("dispensings", schema=None) as batch_op:
        batch_op.create_index("ix_dispensings_citizen_date", ["citizen_id", "service_date"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("dispensings", schema=None) as batch_op:
        batch_op.drop_index("ix_dispensings_citizen_date")

    op.drop_table("dispensings")
    with op.batch_alter_table("prescriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_prescriptions_citizen_id")

    op.drop_table("prescriptions")
    op.drop_table("intakes")
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("ix_check_ins_checked_in_at")

    op.drop_table("check_ins")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_open_requests")
        batch_op.drop_index("ix_cases_closed_on")
        batch_op.drop_index("ix_cases_citizen_id")

    op.drop_table("cases")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index("ix_appointments_starts_at")
        batch_op.drop_index("ix_appointments_citizen_starts")

    op.drop_table("appointments")
    with op.batch_alter_table("sync_log", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_log_sha256")
        batch_op.drop_index("ix_sync_log_finished_at")

    op.drop_table("sync_log")
    op.drop_table("outbox_watermark")
    op.drop_table("outbox_events")
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.drop_index("ix_citizens_last_name")
        batch_op.drop_index("ix_citizens_alias")

    op.drop_table("citizens")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_at")

    op.drop_table("audit_events")
