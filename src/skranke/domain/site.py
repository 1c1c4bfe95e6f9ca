"""A site (municipality or centre) as its configuration file describes it.

The values are validated here; reading the file is done by `skranke.sites`.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from skranke.domain.vocabulary import APPOINTMENT_KINDS, CLOSING_STATUSES, PARAGRAPHS

SLUG = r"^[a-z0-9][a-z0-9-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Service(_Strict):
    """A service inside a department with hours of its own (e.g. a café, a clinic)."""

    id: str = Field(pattern=SLUG)
    name: str
    hours: str
    note: str = ""


class Department(_Strict):
    id: str = Field(pattern=SLUG)
    name: str
    kind: Literal["department", "service"] = "department"
    address: str = ""
    phone: str = ""
    email: str = ""
    hours: str
    note: str = ""
    source: str = ""
    services: tuple[Service, ...] = ()
    # Set when this entry was flattened out of a parent department's services.
    parent: str | None = None


class HoursException(_Strict):
    """A dated change: a closure (hours "off") or other hours, for some or all departments."""

    date: date
    reason: str
    hours: str = "off"
    departments: tuple[str, ...] = ()  # empty: every department and service


class Rules(_Strict):
    """The deadline rules that differ between municipalities, each beside the seed it comes from.

    Every setting `x` has a sibling `x_source`: the seed and section it is read from (or why no
    seed gives it), written in the site file and shown with the explanations on screen.
    """

    guarantee_days: int = Field(default=14, ge=1, le=90)
    guarantee_days_source: str = ""
    warning_days: int = Field(default=3, ge=0, le=30)
    warning_days_source: str = ""
    # Which paragraphs carry the 14 days; SEL101a (anonymous) never does, whatever is listed.
    guarantee_paragraphs: tuple[str, ...] = ("SEL101", "SUL142", "SUL141")
    guarantee_paragraphs_source: str = ""
    clock_start: str = "første personlige henvendelse"
    clock_start_source: str = ""
    # Appointment kinds (aftaler `type`) that must lie within the guarantee; empty: the site's
    # seed names none, so no appointment flags are raised.
    guarantee_appointment_kinds: tuple[str, ...] = ("visitation", "læge")
    guarantee_appointment_kinds_source: str = ""
    # True where the seed offers times outside the opening hours by agreement: such an
    # appointment is then not flagged.
    appointments_outside_hours_by_agreement: bool = False
    appointments_outside_hours_by_agreement_source: str = ""
    # Where free choice may waive the deadline (000 § 3.2, 002 afsnit 8, 004).
    free_choice_source: str = ""
    # Departments giving heroin (diacetylmorfin) treatment: no free choice there (SUL § 142
    # stk. 7), so a case there marked frit valg keeps its guarantee.
    heroin_departments: tuple[str, ...] = ()
    heroin_departments_source: str = ""
    # Whether the seed makes it a duty to offer another approved provider when the deadline
    # cannot be kept (000 § 3.2): an overdue request then says so.
    offer_other_provider_when_overdue: bool = False
    offer_other_provider_when_overdue_source: str = ""
    follow_up_months: tuple[int, ...] = (1, 6)
    follow_up_months_source: str = ""
    follow_up_statuses: tuple[str, ...] = (
        "færdigbehandlet",
        "andet tilbud",
        "hospital",
        "anden årsag",
    )
    follow_up_statuses_source: str = ""
    # Follow up only with the citizen's consent (Gladsaxe, 003 § 2.7): consent "nej" drops the
    # follow-up, an unknown consent is listed with a flag.
    follow_up_requires_consent: bool = False
    follow_up_requires_consent_source: str = ""
    # Which paragraphs follow-up covers (Odsherred: drug treatment only).
    follow_up_paragraphs: tuple[str, ...] = ("SEL101", "SEL101a", "SUL142", "SUL141")
    follow_up_paragraphs_source: str = ""
    plan_review_months: int = Field(default=6, ge=1, le=24)
    plan_review_months_source: str = ""

    @field_validator("guarantee_paragraphs", "follow_up_paragraphs")
    @classmethod
    def _known_paragraphs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [p for p in value if p not in PARAGRAPHS]
        if unknown:
            raise ValueError(f"unknown paragraph(s) {unknown}; known: {sorted(PARAGRAPHS)}")
        return value

    @field_validator("guarantee_appointment_kinds")
    @classmethod
    def _known_kinds(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = {normalise_key(kind) for kind in APPOINTMENT_KINDS}
        unknown = [k for k in value if normalise_key(k) not in known]
        if unknown:
            raise ValueError(f"unknown appointment kind(s) {unknown}; known: {sorted(APPOINTMENT_KINDS)}")
        return value

    @field_validator("follow_up_statuses")
    @classmethod
    def _known_statuses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in value if s not in CLOSING_STATUSES]
        if unknown:
            raise ValueError(f"unknown closing status(es) {unknown}; known: {sorted(CLOSING_STATUSES)}")
        return value

    @field_validator("follow_up_months")
    @classmethod
    def _positive_months(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(m < 1 for m in value) or list(value) != sorted(set(value)):
            raise ValueError("follow-up months must be positive and increasing, e.g. [1, 6]")
        return value

    @cached_property
    def appointment_kind_keys(self) -> frozenset[str]:
        """The guarantee's appointment kinds as normalise_key gives them ("læge" → "laege")."""
        return frozenset(normalise_key(kind) for kind in self.guarantee_appointment_kinds)


class Preparation(_Strict):
    id: str = Field(pattern=SLUG)
    name: str
    # Missed days after which a dose waits for a doctor's reassessment (tolerance falls).
    missed_days_before_reassessment: int = Field(ge=1, le=30)


class Site(_Strict):
    id: str = Field(pattern=SLUG)
    name: str
    municipality: str
    source: str = ""
    departments: tuple[Department, ...]
    exceptions: tuple[HoursException, ...] = ()
    rules: Rules = Rules()
    preparations: tuple[Preparation, ...] = ()

    @model_validator(mode="after")
    def _references_resolve(self) -> Site:
        ids = [d.id for d in self.all_departments()]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"department or service ids used twice: {duplicates}")
        for index, exception in enumerate(self.exceptions):
            unknown = [d for d in exception.departments if d not in ids]
            if unknown:
                raise ValueError(f"exceptions[{index}] ({exception.date}) names unknown departments {unknown}")
        unknown = [d for d in self.rules.heroin_departments if d not in ids]
        if unknown:
            raise ValueError(f"rules.heroin_departments names unknown departments {unknown}")
        return self

    @cached_property
    def _flattened(self) -> tuple[Department, ...]:
        return self._flatten()

    def all_departments(self) -> tuple[Department, ...]:
        """Departments and their services, flattened in file order (a service after its parent)."""
        return self._flattened

    @cached_property
    def _by_id(self) -> dict[str, Department]:
        return {department.id: department for department in self._flattened}

    def _flatten(self) -> tuple[Department, ...]:
        flat: list[Department] = []
        for department in self.departments:
            flat.append(department)
            for service in department.services:
                flat.append(
                    Department(
                        id=service.id,
                        name=service.name,
                        kind="service",
                        address=department.address,
                        phone=department.phone,
                        email=department.email,
                        hours=service.hours,
                        note=service.note,
                        source=department.source,
                        parent=department.id,
                    )
                )
        return tuple(flat)

    def department(self, department_id: str) -> Department:
        return self._by_id[department_id]

    def preparation(self, preparation_id: str) -> Preparation:
        for preparation in self.preparations:
            if preparation.id == preparation_id:
                return preparation
        raise KeyError(preparation_id)


def normalise_key(text: str) -> str:
    """Fold Danish letters to their ASCII spellings and case, for vocabulary look-ups."""
    folded = text.strip().lower()
    for danish, ascii_ in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e")):
        folded = folded.replace(danish, ascii_)
    return re.sub(r"[\s_]+", " ", folded)
