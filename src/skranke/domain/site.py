"""A site (municipality or centre) as its configuration file describes it.

The values are validated here; reading the file is done by `skranke.sites`.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from skranke.domain.vocabulary import CLOSING_STATUSES, PARAGRAPHS

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
    guarantee_days: int = Field(default=14, ge=1, le=90)
    warning_days: int = Field(default=3, ge=0, le=30)
    guarantee_paragraphs: tuple[str, ...] = ("SEL101", "SUL142", "SUL141")
    clock_start: str = "første personlige henvendelse"
    follow_up_months: tuple[int, ...] = (1, 6)
    follow_up_statuses: tuple[str, ...] = (
        "færdigbehandlet",
        "andet tilbud",
        "hospital",
        "anden årsag",
    )
    plan_review_months: int = Field(default=6, ge=1, le=24)

    @field_validator("guarantee_paragraphs")
    @classmethod
    def _known_paragraphs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [p for p in value if p not in PARAGRAPHS]
        if unknown:
            raise ValueError(f"unknown paragraph(s) {unknown}; known: {sorted(PARAGRAPHS)}")
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


# DESIGN §1: heroin is given only under supervision on the clinic's premises, never taken home
# or delivered; a site file cannot say otherwise.
SUPERVISED_ONLY_PREPARATIONS = frozenset({"diacetylmorfin"})


class Preparation(_Strict):
    """A preparation and its dispensing settings at the site (DESIGN §1 "Medication dispensing").

    No seed gives these numbers: each site file writes its values with their `source`, and the
    centre's doctor confirms them. `skranke.domain.dispensing` applies them.
    """

    id: str = Field(pattern=SLUG)
    name: str
    # Missed days after which a dose waits for a doctor's reassessment (tolerance falls).
    missed_days_before_reassessment: int = Field(ge=1, le=30)
    # Dose 2 of a twice-daily order: not before this many minutes after dose 1 was given.
    min_interval_minutes: int = Field(ge=0, le=24 * 60)
    # The most days one pickup may send home (take-home, delivery); 0 without take-home.
    max_take_home_days: int = Field(ge=0, le=31)
    # An order warns "renewal due" from this many days before its last day (0: on the last day).
    ends_soon_days: int = Field(default=3, ge=0, le=30)
    # False: only ever given under supervision at the clinic (no take-home, no delivery).
    take_home_allowed: bool = True
    # Where the numbers come from: a published practice, or that the centre's doctor set them.
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _take_home_consistent(self) -> Preparation:
        if self.id in SUPERVISED_ONLY_PREPARATIONS and self.take_home_allowed:
            raise ValueError(
                f"preparation {self.id!r}: take_home_allowed must be false "
                "(heroin is never taken home or delivered, DESIGN §1)"
            )
        if not self.take_home_allowed and self.max_take_home_days != 0:
            raise ValueError(f"preparation {self.id!r}: max_take_home_days must be 0 when take_home_allowed is false")
        if self.take_home_allowed and self.max_take_home_days < 1:
            raise ValueError(
                f"preparation {self.id!r}: max_take_home_days must be at least 1 when take_home_allowed is true"
            )
        return self


# The rules `skranke.domain.dispensing` reads: the site's setting for one preparation.
PreparationRules = Preparation


class Site(_Strict):
    id: str = Field(pattern=SLUG)
    name: str
    municipality: str
    source: str = ""
    # The desk locks after this many idle minutes (DESIGN §1; default 5): the screen faces the waiting room.
    idle_lock_minutes: int = Field(default=5, ge=1, le=120)
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
