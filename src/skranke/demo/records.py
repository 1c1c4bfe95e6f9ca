"""The demo's rows as values, each giving its cells by the importer's field names.

`skranke.demo.files.file_row` puts the cells in the file's column order, so the records say
what they hold, never where it goes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from skranke.demo.files import file_row, format_bool, format_date, format_datetime, format_decimal


@dataclass(frozen=True)
class DemoCitizen:
    KIND: ClassVar[str] = "borgere"

    id: str
    cpr: str  # "" for anonymous (§ 101a)
    first_name: str
    last_name: str
    alias: str
    phone: str

    def cells(self) -> dict[str, str]:
        return {
            "id": self.id,
            "cpr": self.cpr,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "alias": self.alias,
            "phone": self.phone,
        }


@dataclass(frozen=True)
class DemoCase:
    KIND: ClassVar[str] = "sager"

    id: str
    citizen_id: str
    department: str
    paragraph: str
    contact: date
    start: date | None = None
    free_choice: bool = False
    closed: date | None = None
    closing_status: str | None = None
    plan_reviewed: date | None = None
    follow_up_consent: bool | None = None  # None: the journal did not record it
    plan_interval: int | None = None  # plan_interval_mdr: agreed in the plan
    medical_reviewed: date | None = None  # laege_gennemgang
    attended: date | None = None  # personligt_fremmoede
    partner: str | None = None  # samarbejde
    outcome: str | None = None  # udfald
    goals_reached: str | None = None  # maal_opnaaet

    def cells(self) -> dict[str, str]:
        return {
            "id": self.id,
            "citizen_id": self.citizen_id,
            "department": self.department,
            "paragraph": self.paragraph,
            "contact_date": format_date(self.contact),
            "treatment_start": format_date(self.start),
            "free_choice": format_bool(self.free_choice),
            "closed_on": format_date(self.closed),
            "closing_status": self.closing_status or "",
            "plan_reviewed_on": format_date(self.plan_reviewed),
            "follow_up_consent": "" if self.follow_up_consent is None else format_bool(self.follow_up_consent),
            "plan_interval_months": "" if self.plan_interval is None else str(self.plan_interval),
            "medical_reviewed_on": format_date(self.medical_reviewed),
            "personal_attendance_on": format_date(self.attended),
            "partner": self.partner or "",
            "outcome": self.outcome or "",
            "goals_reached": self.goals_reached or "",
        }


# The outcome at discharge, drawn by the case's number (no random draw: the demo's other draws
# stay as they were): a planned ending mostly drug-free or reduced with its goals reached, a
# citizen who stayed away mostly unchanged; every seventh left empty, as journals do.
_PLANNED = (("stoffri", "ja"), ("reduceret", "ja"), ("reduceret", "delvist"), ("stoffri", "ja"), ("uaendret", "nej"))
_OTHER = (("uaendret", "nej"), ("reduceret", "delvist"), ("uaendret", "nej"), ("stoffri", "delvist"))


def discharge_outcome(number: int, status: str | None) -> tuple[str | None, str | None]:
    """(udfald, maal_opnaaet) of the demo's case `number` closed with `status`."""
    if status is None or number % 7 == 6:
        return None, None
    choices = _PLANNED if status in ("færdigbehandlet", "andet tilbud") else _OTHER
    return choices[number % len(choices)]


@dataclass(frozen=True)
class DemoPrescription:
    KIND: ClassVar[str] = "ordinationer"

    id: str
    citizen_id: str
    preparation: str
    dose_mg: Decimal
    doses_per_day: int
    pickup_rule: str
    supervised: bool
    valid_from: date
    valid_to: date | None
    prescribed_by: str
    delivery: bool = False
    last_dispensed_on: date | None = None  # the journal's last dose given of this preparation

    def cells(self) -> dict[str, str]:
        return {
            "id": self.id,
            "citizen_id": self.citizen_id,
            "preparation": self.preparation,
            "dose_mg": format_decimal(self.dose_mg),
            "doses_per_day": str(self.doses_per_day),
            "pickup_rule": self.pickup_rule,
            "supervised": format_bool(self.supervised),
            "valid_from": format_date(self.valid_from),
            "valid_to": format_date(self.valid_to),
            "prescribed_by": self.prescribed_by,
            "delivery": format_bool(self.delivery),
            "last_dispensed_on": format_date(self.last_dispensed_on),
        }


@dataclass(frozen=True)
class DemoAppointment:
    KIND: ClassVar[str] = "aftaler"

    id: str
    citizen_id: str
    department: str
    starts_at: datetime  # aware, Europe/Copenhagen
    kind: str  # visitation, læge, samtale
    clinician: str

    def cells(self) -> dict[str, str]:
        return {
            "id": self.id,
            "citizen_id": self.citizen_id,
            "department": self.department,
            "starts_at": format_datetime(self.starts_at),
            "kind": self.kind,
            "clinician": self.clinician,
        }


DemoRecord = DemoCitizen | DemoCase | DemoPrescription | DemoAppointment


@dataclass
class DemoExports:
    citizens: list[DemoCitizen] = field(default_factory=list)
    cases: list[DemoCase] = field(default_factory=list)
    prescriptions: list[DemoPrescription] = field(default_factory=list)
    appointments: list[DemoAppointment] = field(default_factory=list)

    def rows(self, kind: str) -> list[list[str]]:
        by_kind: dict[str, Sequence[DemoRecord]] = {
            DemoCitizen.KIND: self.citizens,
            DemoCase.KIND: self.cases,
            DemoPrescription.KIND: self.prescriptions,
            DemoAppointment.KIND: self.appointments,
        }
        return [file_row(kind, record.cells()) for record in by_kind[kind]]
