"""A site (municipality or centre) as its configuration file describes it.

The values are validated here; reading the file is done by `skranke.sites`.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from skranke.domain.vocabulary import APPOINTMENT_KINDS, CLOSING_STATUSES, PARAGRAPHS, SUBSTANCES, TASK_KINDS

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
    # Unfinished intake drafts hold a citizen's answers: removed after this many days (privacy).
    draft_keep_days: int = Field(default=7, ge=1, le=90)
    departments: tuple[Department, ...]
    exceptions: tuple[HoursException, ...] = ()
    rules: Rules = Rules()
    preparations: tuple[Preparation, ...] = ()
    # Intake (DESIGN §1 "Routing and tasks at intake"): ordered rules, checklists, tasks.
    routing: tuple[RoutingRule, ...] = ()
    eligibility: tuple[EligibilityCheck, ...] = ()
    intake_tasks: tuple[IntakeTaskRule, ...] = ()
    guarantee_appointments: tuple[GuaranteeAppointment, ...] = ()

    @model_validator(mode="after")
    def _intake_references_resolve(self) -> Site:
        ids = {d.id for d in self.all_departments()}
        rule_ids = [rule.id for rule in self.routing]
        duplicates = sorted({i for i in rule_ids if rule_ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"routing rule ids used twice: {duplicates}")
        for rule in self.routing:
            unknown = [d for d in (rule.department, *rule.alternatives) if d is not None and d not in ids]
            if unknown:
                raise ValueError(f"routing rule {rule.id!r} names unknown departments {unknown}")
        check_ids = [check.id for check in self.eligibility]
        if len(set(check_ids)) != len(check_ids):
            raise ValueError(f"eligibility checks used twice: {check_ids}")
        for check in self.eligibility:
            if check.department is not None and check.department not in ids:
                raise ValueError(f"eligibility {check.id!r} names unknown department {check.department!r}")
        return self

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


# --- intake: routing, eligibility, tasks (site data with their seed sources) ---------------

# Yes/no answers of the intake form that rules and checklists may test.
BoolAnswer = Literal[
    "anonymous",
    "wants_substitution",
    "severe_mental_illness",
    "children_under_18_at_home",
    "pregnant",
    "self_supporting",
    "has_housing",
    "free_choice",
]


def _known_substances(value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [s for s in value if s not in SUBSTANCES]
    if unknown:
        raise ValueError(f"unknown substance(s) {unknown}; known: {list(SUBSTANCES)}")
    return value


class IntakeCondition(_Strict):
    """Conditions on an intake's answers; all that are given must hold (none given: always).

    Ages are inclusive (max_age = 17: under 18). substances_any: at least one of them is
    used; substances_only: nothing else is used (["alkohol"]: alcohol only); main_substance:
    the main substance is one of them. A yes/no condition holds when the answer is that
    value; an unanswered question counts as no.
    """

    min_age: int | None = Field(default=None, ge=0, le=130)
    max_age: int | None = Field(default=None, ge=0, le=130)
    substances_any: tuple[str, ...] = ()
    substances_only: tuple[str, ...] = ()
    main_substance: tuple[str, ...] = ()
    anonymous: bool | None = None
    severe_mental_illness: bool | None = None
    wants_substitution: bool | None = None
    pregnant: bool | None = None
    children_under_18_at_home: bool | None = None

    _substances = field_validator("substances_any", "substances_only", "main_substance")(_known_substances)

    @model_validator(mode="after")
    def _age_range(self) -> IntakeCondition:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"min_age {self.min_age} is above max_age {self.max_age}")
        return self


class RoutingRule(IntakeCondition):
    """One routing rule: the first rule (in file order) whose conditions hold decides."""

    id: str = Field(pattern=SLUG)
    department: str | None = None
    # Other departments the receptionist may choose instead (e.g. Stoffrihed, 000 § 5.3).
    alternatives: tuple[str, ...] = ()
    # Not a case here: the citizen is referred elsewhere (e.g. "Alkoholbehandlingen").
    referral: str | None = None
    together_with: str = ""  # a partner the treatment is shared with (e.g. Vista Balboa)
    source: str = Field(min_length=1)
    explanation: str = Field(min_length=1)  # the sentence the form shows (Danish)

    @model_validator(mode="after")
    def _one_target(self) -> RoutingRule:
        if (self.department is None) == (self.referral is None):
            raise ValueError(f"routing rule {self.id!r} must name either a department or a referral")
        if self.alternatives and self.department is None:
            raise ValueError(f"routing rule {self.id!r}: alternatives need a department")
        return self


class EligibilityCriterion(_Strict):
    """One line of a checklist: met, not met or not answered. Exactly one test is given:
    min_age; answer (+ meets: the answer that meets it); substances_present (one of them is
    used); substances_absent (none of them is used); asked (the form has no question: staff
    ask, so it stays not answered)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1)
    source: str = Field(min_length=1)
    min_age: int | None = Field(default=None, ge=0, le=130)
    answer: BoolAnswer | None = None
    meets: bool = True
    substances_present: tuple[str, ...] = ()
    substances_absent: tuple[str, ...] = ()
    asked: bool = False

    _substances = field_validator("substances_present", "substances_absent")(_known_substances)

    @model_validator(mode="after")
    def _one_test(self) -> EligibilityCriterion:
        tests = [
            self.min_age is not None,
            self.answer is not None,
            bool(self.substances_present),
            bool(self.substances_absent),
            self.asked,
        ]
        if sum(tests) != 1:
            raise ValueError(
                f"criterion {self.id!r} needs exactly one of min_age, answer, substances_present, "
                "substances_absent, asked"
            )
        return self


class EligibilityCheck(_Strict):
    """A checklist, e.g. anonymous treatment (§ 101a) or the heroin clinic's entry criteria."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    source: str = Field(min_length=1)
    department: str | None = None
    criteria: tuple[EligibilityCriterion, ...] = Field(min_length=1)


class IntakeTaskRule(IntakeCondition):
    """A task an intake raises when its conditions hold; due = the anchor + due_days."""

    kind: str
    due_from: Literal["contact", "deadline"] = "contact"  # deadline: contact + guarantee days
    due_days: int = Field(default=0, ge=-60, le=365)
    # True: only when the routing opens a case here (not for a referral elsewhere).
    case: bool | None = None
    source: str = Field(min_length=1)
    note: str = ""

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in TASK_KINDS:
            raise ValueError(f"unknown task kind {value!r}; known: {sorted(TASK_KINDS)}")
        return value


class GuaranteeAppointment(_Strict):
    """An appointment that must be booked before the guarantee's deadline (a site setting)."""

    kind: str
    source: str = Field(min_length=1)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str) -> str:
        if value not in APPOINTMENT_KINDS:
            raise ValueError(f"unknown appointment kind {value!r}; known: {sorted(APPOINTMENT_KINDS)}")
        return value


def normalise_key(text: str) -> str:
    """Fold Danish letters to their ASCII spellings and case, for vocabulary look-ups."""
    folded = text.strip().lower()
    for danish, ascii_ in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e")):
        folded = folded.replace(danish, ascii_)
    return re.sub(r"[\s_]+", " ", folded)


Site.model_rebuild()  # its intake fields name classes defined below it
