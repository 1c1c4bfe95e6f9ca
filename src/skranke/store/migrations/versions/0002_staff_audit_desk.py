"""staff, audit, desk records, tasks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Staff and their roles; audit events with workstation and citizen, append-only by triggers;
check-ins once a day per place; dispensings with preparation, take-home, staff and a void
(never twice: a partial unique index over citizen, preparation, day and dose number);
hold releases and day closings; tasks; intake drafts with their staff; follow-up consent on
cases; delivery and last dispensed date on prescriptions.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("failed_attempts >= 0", name=op.f("ck_staff_failed_attempts_not_negative")),
        sa.CheckConstraint("length(id) BETWEEN 2 AND 16 AND id = upper(id)", name=op.f("ck_staff_id_initials")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
    )
    op.create_table(
        "day_closings",
        sa.Column("service", sa.String(length=64), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.String(length=16), nullable=True),
        sa.Column("missed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_day_closings_staff_id_staff"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("service", "service_date", name=op.f("pk_day_closings")),
    )
    op.create_table(
        "staff_roles",
        sa.Column("staff_id", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.CheckConstraint("role IN ('admin', 'doctor', 'nurse', 'reception')", name=op.f("ck_staff_roles_role_known")),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_staff_roles_staff_id_staff"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("staff_id", "role", name=op.f("pk_staff_roles")),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("citizen_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=16), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.String(length=16), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("follow_up_month", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('doctor_talk', 'familieambulatoriet', 'follow_up', 'notify_children_services', 'parental_consent', 'tell_doctor')",
            name=op.f("ck_tasks_kind_known"),
        ),
        sa.CheckConstraint("(done_at IS NULL) = (done_by IS NULL)", name=op.f("ck_tasks_done_with_who")),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_tasks_citizen_id_citizens"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff.id"], name=op.f("fk_tasks_created_by_staff"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(["done_by"], ["staff.id"], name=op.f("fk_tasks_done_by_staff"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index("ix_tasks_citizen_id", ["citizen_id"], unique=False)
        batch_op.create_index("ix_tasks_open_due", ["done_at", "due"], unique=False)
        batch_op.create_index(
            "uq_tasks_one_follow_up",
            ["case_id", "follow_up_month"],
            unique=True,
            sqlite_where=sa.text("kind = 'follow_up'"),
            postgresql_where=sa.text("kind = 'follow_up'"),
        )

    op.create_table(
        "hold_releases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("prescription_id", sa.String(length=64), nullable=False),
        sa.Column("citizen_id", sa.String(length=64), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=False),
        sa.Column("staff_id", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("dose_mg", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.CheckConstraint("dose_mg IS NULL OR dose_mg > 0", name=op.f("ck_hold_releases_dose_positive")),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_hold_releases_with_reason")),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_hold_releases_citizen_id_citizens"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["prescription_id"],
            ["prescriptions.id"],
            name=op.f("fk_hold_releases_prescription_id_prescriptions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_hold_releases_staff_id_staff"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hold_releases")),
        sa.UniqueConstraint("prescription_id", "service_date", name="uq_hold_releases_once_a_day"),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workstation", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("citizen_id", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_audit_events_actor_at", ["actor", "at"], unique=False)
        batch_op.create_index("ix_audit_events_citizen_at", ["citizen_id", "at"], unique=False)

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_consent", sa.Boolean(), nullable=True))

    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("service_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("staff_id", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_check_ins_service_date", ["service_date", "department"], unique=False)
        batch_op.create_unique_constraint("uq_check_ins_once_a_day", ["citizen_id", "department", "service_date"])
        batch_op.create_foreign_key(
            batch_op.f("fk_check_ins_staff_id_staff"), "staff", ["staff_id"], ["id"], ondelete="RESTRICT"
        )

    with op.batch_alter_table("dispensings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("preparation", sa.String(length=64), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("take_home_mg", sa.Numeric(precision=8, scale=2), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("covers_days", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("staff_id", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("workstation", sa.String(length=100), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.Text(), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_dispensings_once"), type_="unique")
        batch_op.create_index("ix_dispensings_prescription_date", ["prescription_id", "service_date"], unique=False)
        batch_op.create_index("ix_dispensings_service_date", ["service_date"], unique=False)
        batch_op.create_index(
            "uq_dispensings_one_dose",
            ["citizen_id", "preparation", "service_date", "dose_number"],
            unique=True,
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_dispensings_staff_id_staff"), "staff", ["staff_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_dispensings_voided_by_staff"), "staff", ["voided_by"], ["id"], ondelete="RESTRICT"
        )
        batch_op.drop_column("note")
        batch_op.drop_column("nurse")
        batch_op.create_check_constraint("covers_at_least_the_day", "covers_days >= 1")
        batch_op.create_check_constraint("take_home_not_negative", "take_home_mg >= 0")
        batch_op.create_check_constraint("given_with_dose", "outcome <> 'given' OR dose_mg > 0")
        batch_op.create_check_constraint("refused_with_reason", "outcome <> 'refused' OR length(reason) > 0")
        batch_op.create_check_constraint(
            "voided_with_who_and_why",
            "(voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL) OR "
            "(voided_at IS NOT NULL AND voided_by IS NOT NULL AND length(void_reason) > 0)",
        )

    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("staff_id", sa.String(length=16), nullable=True))
        batch_op.create_index("ix_intakes_status_updated", ["status", "updated_at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_intakes_staff_id_staff"), "staff", ["staff_id"], ["id"], ondelete="RESTRICT"
        )

    with op.batch_alter_table("prescriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("last_dispensed_on", sa.Date(), nullable=True))

    # Rows recorded before this revision (none were written by earlier versions, but a store
    # may hold some): their day and preparation from what they already say.
    bind = op.get_bind()
    day = "date(checked_in_at)" if bind.dialect.name == "sqlite" else "CAST(checked_in_at AS DATE)"
    op.execute(f"UPDATE check_ins SET service_date = {day} WHERE service_date IS NULL")
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.alter_column("service_date", existing_type=sa.Date(), nullable=False)
    op.execute(
        "UPDATE dispensings SET preparation = "
        "(SELECT preparation FROM prescriptions WHERE prescriptions.id = dispensings.prescription_id) "
        "WHERE preparation = ''"
    )
    create_append_only_triggers(bind.dialect.name)


# What a record says once written is never changed: the audit log refuses UPDATE and DELETE;
# a dispensing refuses DELETE, and UPDATE except setting its void once.
_DISPENSING_FIXED = (
    "prescription_id",
    "citizen_id",
    "preparation",
    "service_date",
    "dose_number",
    "recorded_at",
    "outcome",
    "dose_mg",
    "take_home_mg",
    "covers_days",
    "staff_id",
    "reason",
)


def create_append_only_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        for table in ("audit_events",):
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
                )
        op.execute(
            "CREATE TRIGGER dispensings_no_delete BEFORE DELETE ON dispensings "
            "BEGIN SELECT RAISE(ABORT, 'dispensings are append-only: DELETE refused'); END"
        )
        changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in _DISPENSING_FIXED)
        op.execute(
            "CREATE TRIGGER dispensings_void_only BEFORE UPDATE ON dispensings "
            f"WHEN OLD.voided_at IS NOT NULL OR NEW.voided_at IS NULL OR {changed} "
            "BEGIN SELECT RAISE(ABORT, 'dispensings are append-only: only a void may be added'); END"
        )
        return
    op.execute(
        "CREATE FUNCTION skranke_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION skranke_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION skranke_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER dispensings_no_delete BEFORE DELETE OR TRUNCATE ON dispensings "
        "FOR EACH STATEMENT EXECUTE FUNCTION skranke_refuse_change()"
    )
    changed = " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in _DISPENSING_FIXED)
    op.execute(
        "CREATE FUNCTION skranke_dispensing_void_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF OLD.voided_at IS NOT NULL OR NEW.voided_at IS NULL OR {changed} THEN "
        "RAISE EXCEPTION 'dispensings are append-only: only a void may be added'; END IF; "
        "RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER dispensings_void_only BEFORE UPDATE ON dispensings "
        "FOR EACH ROW EXECUTE FUNCTION skranke_dispensing_void_only()"
    )


def drop_append_only_triggers(dialect: str) -> None:
    if dialect == "sqlite":
        for name in (
            "audit_events_no_update",
            "audit_events_no_delete",
            "dispensings_no_delete",
            "dispensings_void_only",
        ):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
    op.execute("DROP TRIGGER IF EXISTS dispensings_no_delete ON dispensings")
    op.execute("DROP TRIGGER IF EXISTS dispensings_void_only ON dispensings")
    op.execute("DROP FUNCTION IF EXISTS skranke_dispensing_void_only()")
    op.execute("DROP FUNCTION IF EXISTS skranke_refuse_change()")


def downgrade() -> None:
    drop_append_only_triggers(op.get_bind().dialect.name)
    with op.batch_alter_table("prescriptions", schema=None) as batch_op:
        batch_op.drop_column("last_dispensed_on")
        batch_op.drop_column("delivery")

    with op.batch_alter_table("intakes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_intakes_staff_id_staff"), type_="foreignkey")
        batch_op.drop_index("ix_intakes_status_updated")
        batch_op.drop_column("staff_id")
        batch_op.drop_column("case_id")

    with op.batch_alter_table("dispensings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nurse", sa.VARCHAR(length=200), nullable=False))
        batch_op.add_column(sa.Column("note", sa.TEXT(), nullable=False))
        batch_op.drop_constraint(batch_op.f("fk_dispensings_voided_by_staff"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_dispensings_staff_id_staff"), type_="foreignkey")
        batch_op.drop_index(
            "uq_dispensings_one_dose",
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )
        batch_op.drop_index("ix_dispensings_service_date")
        batch_op.drop_index("ix_dispensings_prescription_date")
        batch_op.create_unique_constraint(
            batch_op.f("uq_dispensings_once"), ["prescription_id", "service_date", "dose_number"]
        )
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_by")
        batch_op.drop_column("voided_at")
        batch_op.drop_column("reason")
        batch_op.drop_column("workstation")
        batch_op.drop_column("staff_id")
        batch_op.drop_column("covers_days")
        batch_op.drop_column("take_home_mg")
        batch_op.drop_column("preparation")

    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_check_ins_staff_id_staff"), type_="foreignkey")
        batch_op.drop_constraint("uq_check_ins_once_a_day", type_="unique")
        batch_op.drop_index("ix_check_ins_service_date")
        batch_op.drop_column("staff_id")
        batch_op.drop_column("service_date")

    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("follow_up_consent")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_citizen_at")
        batch_op.drop_index("ix_audit_events_actor_at")
        batch_op.drop_column("citizen_id")
        batch_op.drop_column("workstation")

    op.drop_table("hold_releases")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tasks_one_follow_up",
            sqlite_where=sa.text("kind = 'follow_up'"),
            postgresql_where=sa.text("kind = 'follow_up'"),
        )
        batch_op.drop_index("ix_tasks_open_due")
        batch_op.drop_index("ix_tasks_citizen_id")

    op.drop_table("tasks")
    op.drop_table("staff_roles")
    op.drop_table("day_closings")
    op.drop_table("staff")
