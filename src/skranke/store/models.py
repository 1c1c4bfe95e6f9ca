"""The schema: SQLAlchemy 2 typed models. Constraints live here, in the database.

Rows imported from the journal system's exports (citizens, cases, prescriptions,
appointments) carry the export's key as primary key. Rows recorded at the desk (check-ins,
dispensings, intakes) have their own ids and are never touched by an import; each of them
writes an outbox event in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    case,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from skranke.domain import vocabulary

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC, so SQLite and PostgreSQL sort and compare alike."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value} cannot be stored: give a time zone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def _in(column: str, values: list[str]) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"{column} IN ({quoted})"


PARAGRAPHS = sorted(vocabulary.PARAGRAPHS)
CLOSING_STATUSES = sorted(vocabulary.CLOSING_STATUSES)
APPOINTMENT_KINDS = sorted(vocabulary.APPOINTMENT_KINDS)
DISPENSING_OUTCOMES = sorted(vocabulary.DISPENSING_OUTCOMES)
STAFF_ROLES = sorted(vocabulary.STAFF_ROLES)
TASK_KINDS = sorted(vocabulary.TASK_KINDS | vocabulary.STOCK_TASK_KINDS)
STOCK_TASK_KINDS = sorted(vocabulary.STOCK_TASK_KINDS)
OUTCOMES = sorted(vocabulary.OUTCOMES)
GOALS_REACHED = sorted(vocabulary.GOALS_REACHED)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# Danish letters as their ASCII spellings, in SQL as `normalise_key` folds the typed words in
# Python: "soeren" finds Søren, "aase" Åse. Both cases: SQLite's lower() folds only ASCII.
SEARCH_FOLDS = (("Æ", "ae"), ("æ", "ae"), ("Ø", "oe"), ("ø", "oe"), ("Å", "aa"), ("å", "aa"), ("É", "e"), ("é", "e"))


def folded_sql(expression: str) -> str:
    """SQL (SQLite and PostgreSQL alike) for `expression` with SEARCH_FOLDS applied, lower-cased."""
    for danish, ascii_ in SEARCH_FOLDS:
        expression = f"replace({expression}, '{danish}', '{ascii_}')"
    return f"lower({expression})"


# What a citizen search matches: id, names and alias in one text, folded. A stored generated
# column: the database keeps it with every write, and a search reads it instead of folding every
# citizen anew (at 100,000 citizens ~130 ms a keystroke).
CITIZEN_SEARCH_TEXT = folded_sql("first_name || ' ' || last_name || ' ' || alias || ' ' || id")


class Citizen(Base):
    __tablename__ = "citizens"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # borger_id
    cpr: Mapped[str | None] = mapped_column(String(10), unique=True)  # NULL for anonymous
    first_name: Mapped[str] = mapped_column(String(200), default="")
    last_name: Mapped[str] = mapped_column(String(200), default="")
    alias: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    search_text: Mapped[str | None] = mapped_column(Text, Computed(CITIZEN_SEARCH_TEXT, persisted=True))

    cases: Mapped[list[Case]] = relationship(back_populates="citizen")

    __table_args__ = (
        CheckConstraint("cpr IS NULL OR length(cpr) = 10", name="cpr_ten_digits"),
        Index("ix_citizens_alias", "alias"),
        Index("ix_citizens_last_name", "last_name"),
    )


WAITING_CASE = "treatment_start IS NULL AND closed_on IS NULL"


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sag_id
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="RESTRICT"))
    department: Mapped[str] = mapped_column(String(64))
    paragraph: Mapped[str] = mapped_column(String(8))
    contact_date: Mapped[date] = mapped_column(Date)  # henvendelse: the guarantee's clock start
    treatment_start: Mapped[date | None] = mapped_column(Date)
    free_choice: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closing_status: Mapped[str | None] = mapped_column(String(32))
    # Gladsaxe follows up a planned ending only with the citizen's consent (003 § 2.7);
    # NULL: the export did not say.
    follow_up_consent: Mapped[bool | None] = mapped_column(Boolean)
    plan_reviewed_on: Mapped[date | None] = mapped_column(Date)
    # plan_interval_mdr: the review interval agreed in the plan (000 § 4.1, 004); NULL: the site's.
    plan_interval_months: Mapped[int | None] = mapped_column(Integer)
    # laege_gennemgang: the last medical review (003 § 3.4, 000 § 2.1, 001).
    medical_reviewed_on: Mapped[date | None] = mapped_column(Date)
    # personligt_fremmoede: the first personal attendance, where the site's clock starts there (004).
    personal_attendance_on: Mapped[date | None] = mapped_column(Date)
    # samarbejde: the partner the course is shared with (Odense: Vista Balboa, 000 § 2.1); NULL: none.
    partner: Mapped[str | None] = mapped_column(String(100))
    # udfald, maal_opnaaet: the outcome at discharge from the journal (DESIGN §1 "Key figures");
    # NULL: the export did not say. The CHECKs are the columns' own (migration 0010).
    outcome: Mapped[str | None] = mapped_column(
        String(16), CheckConstraint("outcome IS NULL OR " + _in("outcome", OUTCOMES), name="outcome_known")
    )
    goals_reached: Mapped[str | None] = mapped_column(
        String(16),
        CheckConstraint("goals_reached IS NULL OR " + _in("goals_reached", GOALS_REACHED), name="goals_reached_known"),
    )
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    citizen: Mapped[Citizen] = relationship(back_populates="cases")

    __table_args__ = (
        CheckConstraint(_in("paragraph", PARAGRAPHS), name="paragraph_known"),
        CheckConstraint(
            "closing_status IS NULL OR " + _in("closing_status", CLOSING_STATUSES),
            name="closing_status_known",
        ),
        CheckConstraint("(closed_on IS NULL) = (closing_status IS NULL)", name="closed_with_status"),
        CheckConstraint("treatment_start IS NULL OR treatment_start >= contact_date", name="start_after_contact"),
        CheckConstraint("plan_interval_months IS NULL OR plan_interval_months > 0", name="plan_interval_positive"),
        # Closed cases only (a running treatment is read from ix_cases_plan_review: with this index
        # whole, SQLite, without statistics, walked it for closed_on IS NULL instead), in Frister's
        # order, with what decides whether a case follows up: counted without reading the table.
        Index(
            "ix_cases_closed_on",
            "closed_on",
            "id",
            "closing_status",
            "paragraph",
            "follow_up_consent",
            "department",
            sqlite_where=text("closed_on IS NOT NULL"),
            postgresql_where=text("closed_on IS NOT NULL"),
        ),
        # Waiting cases in Frister's order, with what decides their tab: counted without the table.
        Index(
            "ix_cases_waiting",
            "contact_date",
            "id",
            "paragraph",
            "free_choice",
            "department",
            sqlite_where=text(WAITING_CASE),
            postgresql_where=text(WAITING_CASE),
        ),
        Index("ix_cases_citizen_id", "citizen_id"),
    )


# The day a running treatment's plan review counts from: its last review when after the start,
# else the start (`domain.deadlines.plan_review_due`). Frister counts and pages plan reviews by
# it: an index on the expression, of running treatments only, ordered as the tab lists them.
PLAN_REVIEW_COUNTED_FROM = case(
    (Case.plan_reviewed_on > Case.treatment_start, Case.plan_reviewed_on), else_=Case.treatment_start
)
RUNNING_TREATMENT = "closed_on IS NULL AND treatment_start IS NOT NULL"
Index(
    "ix_cases_plan_review",
    PLAN_REVIEW_COUNTED_FROM,
    Case.id,
    Case.department,
    sqlite_where=text(RUNNING_TREATMENT),
    postgresql_where=text(RUNNING_TREATMENT),
)

# The day a running treatment's medical review counts from (`domain.deadlines.medical_review_due`):
# its last medical review when after the start, else the start. Frister pages each medical review
# rule by it; the rules' tests (department, paragraph, partner) are read from the index too.
MEDICAL_REVIEW_COUNTED_FROM = case(
    (Case.medical_reviewed_on > Case.treatment_start, Case.medical_reviewed_on), else_=Case.treatment_start
)
Index(
    "ix_cases_medical_review",
    MEDICAL_REVIEW_COUNTED_FROM,
    Case.id,
    Case.department,
    Case.paragraph,
    Case.partner,
    sqlite_where=text(RUNNING_TREATMENT),
    postgresql_where=text(RUNNING_TREATMENT),
)


class Prescription(Base):
    __tablename__ = "prescriptions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # ordination_id
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="RESTRICT"))
    preparation: Mapped[str] = mapped_column(String(64))
    dose_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    doses_per_day: Mapped[int] = mapped_column(Integer, default=1)
    pickup_rule: Mapped[str] = mapped_column(String(200))  # RFC 5545 RRULE
    supervised: Mapped[bool] = mapped_column(Boolean, default=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    prescribed_by: Mapped[str] = mapped_column(String(200), default="")
    # udbringning: delivered to the citizen's home or care home, not picked up (001 § 3.2.1).
    delivery: Mapped[bool] = mapped_column(Boolean, default=False)
    # sidst_udleveret: the last dose given as the journal knows it, before skranke's own records.
    last_dispensed_on: Mapped[date | None] = mapped_column(Date)
    # udlevering_godkendt: the visitation committee approved dispensing away from the centre
    # (Gladsaxe, 003 § 3.2.1: delivery; the seed does not name take-home).
    approved_on: Mapped[date | None] = mapped_column(Date)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("dose_mg > 0", name="dose_positive"),
        CheckConstraint("doses_per_day IN (1, 2)", name="doses_per_day_one_or_two"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_period"),
        Index("ix_prescriptions_citizen_id", "citizen_id"),
    )


class Appointment(Base):
    __tablename__ = "appointments"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # aftale_id
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="RESTRICT"))
    department: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(16), default="samtale")
    clinician: Mapped[str] = mapped_column(String(200), default="")
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(_in("kind", APPOINTMENT_KINDS), name="kind_known"),
        Index("ix_appointments_citizen_starts", "citizen_id", "starts_at"),
        Index("ix_appointments_starts_at", "starts_at"),
    )


# --- recorded at the desk: never written by an import ---------------------------------


class Staff(Base):
    """A person who signs in: initials as id, roles, a PIN kept only as an Argon2 hash."""

    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)  # initials, upper case
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    roles: Mapped[list[StaffRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    __table_args__ = (
        CheckConstraint("length(id) BETWEEN 2 AND 16 AND id = upper(id)", name="id_initials"),
        CheckConstraint("failed_attempts >= 0", name="failed_attempts_not_negative"),
    )


class StaffRole(Base):
    __tablename__ = "staff_roles"

    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    __table_args__ = (CheckConstraint(_in("role", STAFF_ROLES), name="role_known"),)


class CheckIn(Base):
    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="RESTRICT"))
    department: Mapped[str] = mapped_column(String(64))
    service_date: Mapped[date] = mapped_column(Date)  # the local day of the check-in
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    workstation: Mapped[str] = mapped_column(String(100), default="")
    # An undo, the same day and before a dose on it: recorded here, never a delete (triggers of
    # migration 0005 refuse DELETE and any other UPDATE).
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    undone_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    undo_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(
            "(undone_at IS NULL AND undone_by IS NULL AND undo_reason IS NULL) OR "
            "(undone_at IS NOT NULL AND undone_by IS NOT NULL AND length(undo_reason) > 0)",
            name="undone_with_who_and_why",
        ),
        # One check-in per citizen, place and day: a second one is refused by the database; an
        # undone one frees the day for a new check-in.
        Index(
            "uq_check_ins_once_a_day",
            "citizen_id",
            "department",
            "service_date",
            unique=True,
            sqlite_where=text("undone_at IS NULL"),
            postgresql_where=text("undone_at IS NULL"),
        ),
        Index("ix_check_ins_checked_in_at", "checked_in_at"),
        Index("ix_check_ins_service_date", "service_date", "department"),
    )


class Dispensing(Base):
    """One dose given, refused or missed. Never deleted; a mistake is voided (once) with a reason."""

    __tablename__ = "dispensings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prescription_id: Mapped[str] = mapped_column(ForeignKey("prescriptions.id", ondelete="RESTRICT"))
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="RESTRICT"))
    preparation: Mapped[str] = mapped_column(String(64))
    service_date: Mapped[date] = mapped_column(Date)
    dose_number: Mapped[int] = mapped_column(Integer, default=1)  # 1 or 2 on twice-daily orders
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(String(16))
    dose_mg: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    take_home_mg: Mapped[Decimal] = mapped_column(Numeric(8, 2), default=Decimal(0))
    covers_days: Mapped[int] = mapped_column(Integer, default=1)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    workstation: Mapped[str] = mapped_column(String(100), default="")
    reason: Mapped[str] = mapped_column(Text, default="")  # refusal reason, or the release note
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    void_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(_in("outcome", DISPENSING_OUTCOMES), name="outcome_known"),
        CheckConstraint("dose_number IN (1, 2)", name="dose_number_one_or_two"),
        CheckConstraint("covers_days >= 1", name="covers_at_least_the_day"),
        CheckConstraint("take_home_mg >= 0", name="take_home_not_negative"),
        CheckConstraint("outcome <> 'given' OR dose_mg > 0", name="given_with_dose"),
        CheckConstraint("outcome <> 'refused' OR length(reason) > 0", name="refused_with_reason"),
        CheckConstraint(
            "(voided_at IS NULL AND voided_by IS NULL AND void_reason IS NULL) OR "
            "(voided_at IS NOT NULL AND voided_by IS NOT NULL AND length(void_reason) > 0)",
            name="voided_with_who_and_why",
        ),
        # Never twice: one dose per citizen, preparation, day and dose number, whatever the
        # order id (a changed order gets a new id); a voided record frees the slot.
        Index(
            "uq_dispensings_one_dose",
            "citizen_id",
            "preparation",
            "service_date",
            "dose_number",
            unique=True,
            sqlite_where=text("voided_at IS NULL"),
            postgresql_where=text("voided_at IS NULL"),
        ),
        Index("ix_dispensings_citizen_date", "citizen_id", "service_date"),
        Index("ix_dispensings_service_date", "service_date"),
        Index("ix_dispensings_prescription_date", "prescription_id", "service_date"),
    )


class HoldRelease(Base):
    """A doctor lifts a missed-days hold for one day, with a note, optionally a reduced dose."""

    __tablename__ = "hold_releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prescription_id: Mapped[str] = mapped_column(ForeignKey("prescriptions.id", ondelete="RESTRICT"))
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="RESTRICT"))
    service_date: Mapped[date] = mapped_column(Date)
    released_at: Mapped[datetime] = mapped_column(UTCDateTime())
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(Text)
    dose_mg: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))  # reduced dose for that day

    __table_args__ = (
        UniqueConstraint("prescription_id", "service_date", name="uq_hold_releases_once_a_day"),
        CheckConstraint("length(reason) > 0", name="with_reason"),
        CheckConstraint("dose_mg IS NULL OR dose_mg > 0", name="dose_positive"),
    )


class DayClosing(Base):
    """A service's day closed: due doses not given were recorded as missed."""

    __tablename__ = "day_closings"

    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_date: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    missed: Mapped[int] = mapped_column(Integer, default=0)


class Intake(Base):
    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    citizen_id: Mapped[str | None] = mapped_column(ForeignKey("citizens.id", ondelete="RESTRICT"))
    case_id: Mapped[str | None] = mapped_column(String(64))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    contact_date: Mapped[date | None] = mapped_column(Date)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint(_in("status", ["draft", "registered", "discarded"]), name="status_known"),
        Index("ix_intakes_status_updated", "status", "updated_at"),
    )


class Task(Base):
    """Something the law or a rule requires someone to do: notify, refer, consent, call back."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    # NULL only for a stock task (about a service's stock, not a citizen: migration 0009).
    citizen_id: Mapped[str | None] = mapped_column(ForeignKey("citizens.id", ondelete="RESTRICT"))
    case_id: Mapped[str | None] = mapped_column(String(64))
    due: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    outcome: Mapped[str | None] = mapped_column(String(32))  # e.g. reached, not_reached, declined
    # A follow-up task names the month of the site's schedule it answers (1, 6, ...).
    follow_up_month: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint(_in("kind", TASK_KINDS), name="kind_known"),
        CheckConstraint("citizen_id IS NOT NULL OR " + _in("kind", STOCK_TASK_KINDS), name="citizen_unless_stock"),
        CheckConstraint("(done_at IS NULL) = (done_by IS NULL)", name="done_with_who"),
        Index("ix_tasks_open_due", "done_at", "due"),
        Index("ix_tasks_citizen_id", "citizen_id"),
        Index(
            "uq_tasks_one_follow_up",
            "case_id",
            "follow_up_month",
            unique=True,
            sqlite_where=text("kind = 'follow_up'"),
            postgresql_where=text("kind = 'follow_up'"),
        ),
    )


class Complaint(Base):
    """A complaint or a request for access to records, with the day it came and was answered.

    Answered within 4 weeks (000 § 8.1, 004); access to records within 7 working days (003 § 4.7).
    """

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    citizen_id: Mapped[str] = mapped_column(ForeignKey("citizens.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))  # complaint, access
    received_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    answered_on: Mapped[date | None] = mapped_column(Date)
    answered_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))

    __table_args__ = (
        CheckConstraint("kind IN ('access', 'complaint')", name="kind_known"),
        CheckConstraint("(answered_on IS NULL) = (answered_by IS NULL)", name="answered_with_who"),
        CheckConstraint("answered_on IS NULL OR answered_on >= received_on", name="answered_after_received"),
        Index("ix_complaints_open", "answered_on", "received_on"),
        Index("ix_complaints_citizen_id", "citizen_id"),
    )


# --- the controlled-substance accounts (narkotikaregnskab, migration 0009) ------------------

STOCK_ENTRY_KINDS = ["count", "issue", "receipt", "reversal", "transfer_in", "transfer_out", "waste"]
# The CHECKs of stock_entries, shared with migration 0009 (domain.stock says why each holds).
STOCK_ENTRY_CHECKS: dict[str, str] = {
    "kind_known": _in("kind", STOCK_ENTRY_KINDS),
    # mg is what the balance changes by: its sign follows the kind; a count's is its difference.
    "mg_signed_by_kind": "(kind IN ('receipt', 'reversal', 'transfer_in') AND mg > 0) OR "
    "(kind IN ('issue', 'waste', 'transfer_out') AND mg < 0) OR "
    "(kind = 'count' AND counted_mg IS NOT NULL AND expected_mg IS NOT NULL AND counted_mg >= 0 "
    "AND mg = counted_mg - expected_mg)",
    "counted_only_on_count": "kind = 'count' OR (counted_mg IS NULL AND expected_mg IS NULL)",
    # A dose's issue and its reversal name the dose; nothing else does.
    "dose_entries_name_the_dose": "(kind IN ('issue', 'reversal')) = (dispensing_id IS NOT NULL)",
    "transfer_names_the_other_service": "(kind IN ('transfer_in', 'transfer_out')) = (other_service IS NOT NULL)",
    "witness_is_another": "witness_id IS NULL OR witness_id <> staff_id",
    # DESIGN §1: a receipt, a waste, a transfer out and a count that differs are witnessed.
    "witnessed": "witness_id IS NOT NULL OR kind IN ('issue', 'reversal', 'transfer_in') "
    "OR (kind = 'count' AND mg = 0)",
    "waste_and_difference_with_reason": "length(reason) > 0 OR NOT (kind = 'waste' OR (kind = 'count' AND mg <> 0))",
    "receipt_link_only_on_receipt": "pending_receipt_id IS NULL OR kind = 'receipt'",
}


class StockEntry(Base):
    """One entry of a service's ledger of a preparation (BEK 2446/2021 §§ 20-21). Append-only:
    triggers refuse UPDATE and DELETE (migration 0009); a mistake is corrected by a new entry.
    The balance is the sum of `mg` over the account, never a stored number."""

    __tablename__ = "stock_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    service: Mapped[str] = mapped_column(String(64))
    preparation: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    mg: Mapped[Decimal] = mapped_column(Numeric(12, 2))  # signed: what the balance changes by
    counted_mg: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    expected_mg: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    reason: Mapped[str] = mapped_column(Text, default="")
    supplier: Mapped[str] = mapped_column(String(200), default="")
    invoice: Mapped[str] = mapped_column(String(100), default="")
    lot: Mapped[str] = mapped_column(String(100), default="")
    other_service: Mapped[str | None] = mapped_column(String(64))  # a transfer's other end
    dispensing_id: Mapped[int | None] = mapped_column(ForeignKey("dispensings.id", ondelete="RESTRICT"))
    pending_receipt_id: Mapped[str | None] = mapped_column(
        ForeignKey("pending_receipts.id", ondelete="RESTRICT"), unique=True
    )
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    witness_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    workstation: Mapped[str] = mapped_column(String(100), default="")

    __table_args__ = (
        *(CheckConstraint(sql, name=name) for name, sql in STOCK_ENTRY_CHECKS.items()),
        # One issue per dose and at most one reversal.
        UniqueConstraint("dispensing_id", "kind", name="uq_stock_entries_one_per_dose"),
        # The balance (a sum of mg per account) and the ledger (in id order) read this index only.
        Index("ix_stock_entries_account", "service", "preparation", "id", "mg"),
        Index("ix_stock_entries_recorded_at", "recorded_at"),
        Index(
            "ix_stock_entries_counts",
            "service",
            "preparation",
            "recorded_at",
            sqlite_where=text("kind = 'count'"),
            postgresql_where=text("kind = 'count'"),
        ),
    )


class PendingReceipt(Base):
    """A receipt from the pharmacy system (`lager*.csv`), waiting for a witness at the window. The
    witnessed receipt is the stock entry naming it (`stock_entries.pending_receipt_id`); an import
    never changes one that is witnessed."""

    __tablename__ = "pending_receipts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # bevaegelse_id
    preparation: Mapped[str] = mapped_column(String(64))
    strength: Mapped[str] = mapped_column(String(64), default="")
    mg: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    lot: Mapped[str] = mapped_column(String(100), default="")
    supplier: Mapped[str] = mapped_column(String(200), default="")
    invoice: Mapped[str] = mapped_column(String(100), default="")
    received_on: Mapped[date | None] = mapped_column(Date)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("mg > 0", name="mg_positive"),)


class AuditEvent(Base):
    """Who did or looked at what, when, where. Append-only: triggers refuse UPDATE and DELETE.

    Tamper-evident: each event's `hash` is a SHA-256 over `prev_hash` (the event before it) and
    its own content (domain.audit_chain); ids are given by the chain, in its order.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A staff id, or "workstation" for what a scheduled task did without a person.
    staff: Mapped[str] = mapped_column("actor", String(100), default="")
    workstation: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(64))
    citizen_id: Mapped[str | None] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64), default="")
    entity_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_citizen_at", "citizen_id", "at"),
        Index("ix_audit_events_actor_at", "actor", "at"),
    )


class AuditChainHead(Base):
    """The audit chain's last event and its hash (one row). Every transaction that writes events
    updates it first: two workstations never chain onto the same event (PostgreSQL waits on the
    row's lock, SQLite on its write lock)."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


# --- sync bookkeeping ------------------------------------------------------------------


class SyncRun(Base):
    """One file taken in by a sync: what it was, what came of it."""

    __tablename__ = "sync_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rows: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected_rows: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str] = mapped_column(String(16))
    report_path: Mapped[str] = mapped_column(String(1000), default="")
    first_errors: Mapped[list[Any]] = mapped_column(JSON, default=list)

    __table_args__ = (
        CheckConstraint(_in("outcome", ["imported", "unchanged", "rejected"]), name="outcome_known"),
        Index("ix_sync_log_sha256", "sha256"),
        Index("ix_sync_log_finished_at", "finished_at"),
    )


class OutboxEvent(Base):
    """A locally recorded event waiting for (or already in) the outbox folder."""

    __tablename__ = "outbox_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))  # check_in, dispensing, void, release, intake
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class OutboxWatermark(Base):
    """The id of the last event written to the outbox folder (one row)."""

    __tablename__ = "outbox_watermark"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    last_file: Mapped[str] = mapped_column(String(255), default="")
    written_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)
