"""A site (municipality or centre) as its configuration file describes it.

The values are validated here (`parse_site`); reading the file is done by `skranke.sites`.

The classes are plain frozen dataclasses, so that a site validated once (and cached by
`skranke.sites`) is used without importing pydantic: its import alone would cost about half
of a bare Textual app's first frame (benchmarks/startup.py). pydantic validates them when a
site file is read anew: the field constraints are written as `Annotated[..., Constraint(...)]`,
which pydantic reads (and nothing else does); rules that span fields are in `__post_init__`,
so they hold however an instance is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from skranke.domain.vocabulary import APPOINTMENT_KINDS, CLOSING_STATUSES, PARAGRAPHS, SUBSTANCES, TASK_KINDS

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydantic import TypeAdapter

SLUG = r"^[a-z0-9][a-z0-9-]*$"
T = TypeVar("T")


class Constraint:
    """What pydantic checks on a field when a site file is validated: pydantic.Field's
    constraints (pattern, ge, le, min_length) and a check of the value (`after`, which
    returns the value or raises ValueError). pydantic is imported only when it asks."""

    def __init__(self, after: Callable[[Any], Any] | None = None, **constraints: Any) -> None:
        self.after = after
        self.constraints = constraints

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic import AfterValidator, Field

        metadata: list[object] = [Field(**self.constraints)] if self.constraints else []
        if self.after is not None:
            metadata.append(AfterValidator(self.after))
        return handler(Annotated[(source, *metadata)])


Slug = Annotated[str, Constraint(pattern=SLUG)]
Text = Annotated[str, Constraint(min_length=1)]  # must not be empty (sources, labels)
Age = Annotated[int, Constraint(ge=0, le=130)]


_adapters: dict[type, TypeAdapter[Any]] = {}  # built on first use: pydantic's schema takes a while


def parse(kind: type[T], data: object) -> T:
    """`data` (a site file's table) validated as `kind`; pydantic.ValidationError names each problem."""
    from pydantic import TypeAdapter

    adapter = _adapters.get(kind)
    if adapter is None:
        adapter = _adapters[kind] = TypeAdapter(kind)
    result: T = adapter.validate_python(data)
    return result


def parse_site(data: object) -> Site:
    return parse(Site, data)


class _Strict:
    # pydantic's config for the dataclasses below: a key the class does not know is an error.
    __pydantic_config__ = {"extra": "forbid"}


@dataclass(frozen=True, kw_only=True)
class Service(_Strict):
    """A service inside a department with hours of its own (e.g. a café, a clinic)."""

    id: Slug
    name: str
    hours: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Department(_Strict):
    id: Slug
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


@dataclass(frozen=True, kw_only=True)
class HoursException(_Strict):
    """A dated change: a closure (hours "off") or other hours, for some or all departments."""

    date: date
    reason: str
    hours: str = "off"
    departments: tuple[str, ...] = ()  # empty: every department and service


def _known_paragraphs(value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [p for p in value if p not in PARAGRAPHS]
    if unknown:
        raise ValueError(f"unknown paragraph(s) {unknown}; known: {sorted(PARAGRAPHS)}")
    return value


def _known_appointment_kinds(value: tuple[str, ...]) -> tuple[str, ...]:
    known = {normalise_key(kind) for kind in APPOINTMENT_KINDS}
    unknown = [k for k in value if normalise_key(k) not in known]
    if unknown:
        raise ValueError(f"unknown appointment kind(s) {unknown}; known: {sorted(APPOINTMENT_KINDS)}")
    return value


def _known_statuses(value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [s for s in value if s not in CLOSING_STATUSES]
    if unknown:
        raise ValueError(f"unknown closing status(es) {unknown}; known: {sorted(CLOSING_STATUSES)}")
    return value


def _positive_months(value: tuple[int, ...]) -> tuple[int, ...]:
    if any(m < 1 for m in value) or list(value) != sorted(set(value)):
        raise ValueError("follow-up months must be positive and increasing, e.g. [1, 6]")
    return value


Paragraphs = Annotated[tuple[str, ...], Constraint(after=_known_paragraphs)]


@dataclass(frozen=True, kw_only=True)
class MedicalReview(_Strict):
    """A medical review due every `months` for running treatments in `departments`, under
    `paragraphs` or shared with one of `partners` (`samarbejde`; any one matches); the first
    matching entry of a site applies."""

    id: Slug
    months: Annotated[int, Constraint(ge=1, le=24)]
    departments: tuple[str, ...] = ()
    paragraphs: Paragraphs = ()
    partners: tuple[str, ...] = ()
    source: Text


@dataclass(frozen=True, kw_only=True)
class Rules(_Strict):
    """The deadline rules that differ between municipalities, each beside the seed it comes from.

    Every setting `x` has a sibling `x_source`: the seed and section it is read from (or why no
    seed gives it), written in the site file and shown with the explanations on screen.
    """

    guarantee_days: Annotated[int, Constraint(ge=1, le=90)] = 14
    guarantee_days_source: str = ""
    warning_days: Annotated[int, Constraint(ge=0, le=30)] = 3
    warning_days_source: str = ""
    # Which paragraphs carry the 14 days; SEL101a (anonymous) never does, whatever is listed.
    guarantee_paragraphs: Paragraphs = ("SEL101", "SUL142", "SUL141")
    guarantee_paragraphs_source: str = ""
    clock_start: str = "første personlige henvendelse"
    clock_start_source: str = ""
    # Appointment kinds (aftaler `type`) that must lie within the guarantee; empty: the site's
    # seed names none, so no appointment flags are raised.
    guarantee_appointment_kinds: Annotated[tuple[str, ...], Constraint(after=_known_appointment_kinds)] = (
        "visitation",
        "læge",
    )
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
    follow_up_months: Annotated[tuple[int, ...], Constraint(after=_positive_months)] = (1, 6)
    follow_up_months_source: str = ""
    follow_up_statuses: Annotated[tuple[str, ...], Constraint(after=_known_statuses)] = (
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
    follow_up_paragraphs: Paragraphs = ("SEL101", "SEL101a", "SUL142", "SUL141")
    follow_up_paragraphs_source: str = ""
    plan_review_months: Annotated[int, Constraint(ge=1, le=24)] = 6
    plan_review_months_source: str = ""
    # The longest interval a plan agreed for the citizen (`plan_interval_mdr`) may set: Gladsaxe
    # "minimum hver sjette måned" (003 § 3.4); None: the agreed interval stands (004, 000 § 4.1).
    plan_review_max_months: Annotated[int, Constraint(ge=1, le=24)] | None = None
    plan_review_max_months_source: str = ""
    # Which event starts the guarantee's clock: the request itself, or the first personal
    # attendance (Odsherred, 004 "Behandlingsgaranti"); clock_start above says it in words.
    clock_start_event: Literal["request", "personal_attendance"] = "request"
    clock_start_event_source: str = ""
    # Medical reviews (lægelig gennemgang) per group of cases, counted from the last one.
    medical_reviews: tuple[MedicalReview, ...] = ()
    medical_reviews_source: str = ""
    # Days to answer a complaint and working days to answer a request for access to records;
    # None: the site's standard gives no deadline (the screen says "ingen kilde").
    complaint_answer_days: Annotated[int, Constraint(ge=1, le=90)] | None = None
    complaint_answer_days_source: str = ""
    access_answer_working_days: Annotated[int, Constraint(ge=1, le=60)] | None = None
    access_answer_working_days_source: str = ""

    @cached_property
    def appointment_kind_keys(self) -> frozenset[str]:
        """The guarantee's appointment kinds as normalise_key gives them ("læge" → "laege")."""
        return frozenset(normalise_key(kind) for kind in self.guarantee_appointment_kinds)


# DESIGN §1: heroin is given only under supervision on the clinic's premises, never taken home
# or delivered; a site file cannot say otherwise.
SUPERVISED_ONLY_PREPARATIONS = frozenset({"diacetylmorfin"})

# Said beside every number no seed gives (issue 24): the site file and the screen both say it.
NO_SOURCE = "ingen kilde i kommunens standard"


def _min_interval_removed(value: object) -> object:
    """`min_interval_minutes` was an invented number (no seed gives a minimum interval): a site
    file that still has it is refused with what to do, rather than read as if it meant something."""
    if value is not None:
        raise ValueError(
            "min_interval_minutes is no longer a setting: no seed gives a minimum number of minutes. "
            "Dose 2 of a twice-daily order belongs to the service's second opening interval "
            "(001 afsnit 5: 'fremmøde 1-2 gange dagligt'). Delete the line."
        )
    return value


@dataclass(frozen=True, kw_only=True)
class Preparation(_Strict):
    """A preparation and its dispensing settings at the site (DESIGN §1 "Medication dispensing").

    No seed gives these numbers: each site file writes its values, each beside `<setting>_source`
    ("ingen kilde i kommunens standard" and the published practice it follows), and the centre's
    doctor confirms them. `skranke.domain.dispensing` applies them.
    """

    id: Slug
    name: str
    # Missed days after which a dose waits for a doctor's reassessment (tolerance falls).
    missed_days_before_reassessment: Annotated[int, Constraint(ge=1, le=30)]
    missed_days_before_reassessment_source: str = ""
    # The most days one pickup may send home (take-home, delivery); 0 without take-home.
    max_take_home_days: Annotated[int, Constraint(ge=0, le=31)]
    max_take_home_days_source: str = ""
    # An order warns "renewal due" from this many days before its last day (0: on the last day).
    ends_soon_days: Annotated[int, Constraint(ge=0, le=30)] = 3
    ends_soon_days_source: str = ""
    # False: only ever given under supervision at the clinic (no take-home, no delivery).
    take_home_allowed: bool = True
    # The strength as a label and the ledger print it ("1 mg/ml"); empty: not given.
    strength: str = ""
    # A liquid's concentration: the ledger shows ml beside mg (domain.stock.ml_of). None: a tablet.
    mg_per_ml: Annotated[Decimal, Constraint(gt=0)] | None = None
    # Where the numbers come from: a published practice, or that the centre's doctor set them.
    source: Text
    # Removed (issue 24): refused when a site file still gives it, see _min_interval_removed.
    min_interval_minutes: Annotated[object, Constraint(after=_min_interval_removed)] = None

    def __post_init__(self) -> None:
        _min_interval_removed(self.min_interval_minutes)
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


# What may need the visitation committee's approval before medicine leaves the window.
AWAY_KINDS = ("delivery", "take_home")


def _away_kinds(value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [kind for kind in value if kind not in AWAY_KINDS]
    if unknown:
        raise ValueError(f"unknown kinds {unknown}: use {list(AWAY_KINDS)}")
    return value


@dataclass(frozen=True, kw_only=True)
class Dispensing(_Strict):
    """The dispensing rules that differ between sites (the `[dispensing]` table), each beside
    the seed sentence it comes from (DESIGN §1 "Medication dispensing")."""

    # Preparations given only under supervision at the heroin clinic (beside heroin itself,
    # which is so everywhere): no take-home, no delivery. Odense: 000 § 5.4.
    supervised_at_heroin_clinic: tuple[Slug, ...] = ()
    supervised_at_heroin_clinic_source: str = ""
    # Medicine that leaves the window this way needs an approval date (`udlevering_godkendt`)
    # before it is handed out. Gladsaxe: delivery (003 § 3.2.1).
    approval_required_for: Annotated[tuple[str, ...], Constraint(after=_away_kinds)] = ()
    approval_required_for_source: str = ""


# The rules `skranke.domain.dispensing` reads: the site's setting for one preparation.
PreparationRules = Preparation


@dataclass(frozen=True, kw_only=True)
class StockTolerance(_Strict):
    """A count tolerance of its own for one preparation (the `[[stock.tolerances]]` entries)."""

    preparation: Slug
    count_tolerance_mg: Annotated[Decimal, Constraint(ge=0)]
    source: Text


@dataclass(frozen=True, kw_only=True)
class Stock(_Strict):
    """The controlled-substance accounts' settings (the `[stock]` table; DESIGN §1
    "Controlled-substance accounts"), each beside its source. No seed gives these numbers: BEK
    1457/2021 (pharmacies) is the model for a count at least monthly and a difference
    investigated at once; the tolerance is the centre's own, which its doctor confirms."""

    # A count differing from the ledger by more than this (mg) raises a task for the doctor or
    # leader; any difference at all needs a reason and a witness (domain.stock.count_rules).
    count_tolerance_mg: Annotated[Decimal, Constraint(ge=0)] = Decimal(0)
    count_tolerance_mg_source: str = ""
    tolerances: tuple[StockTolerance, ...] = ()
    # Days between counts before the reminder (BEK 1457/2021: at least monthly).
    count_every_days: Annotated[int, Constraint(ge=1, le=92)] = 31
    count_every_days_source: str = ""

    def tolerance_mg(self, preparation: str) -> Decimal:
        """The count tolerance of one preparation: its own, else the default."""
        for tolerance in self.tolerances:
            if tolerance.preparation == preparation:
                return tolerance.count_tolerance_mg
        return self.count_tolerance_mg


@dataclass(frozen=True, kw_only=True)
class Serve(_Strict):
    """`skranke serve`, the window in a browser (the `[serve]` table; DESIGN §4 "The browser at
    the window"), each setting beside its source. No seed gives these numbers: they are the
    centre's own, chosen by its IT beside the number of tablets at the counter."""

    # Browser tabs at once, each a skranke process of its own; one more gets a page saying so.
    max_sessions: Annotated[int, Constraint(ge=1, le=100)] = 4
    max_sessions_source: str = ""
    # A tab without a key or a click this long ends its process (the idle lock came long before).
    close_idle_minutes: Annotated[int, Constraint(ge=1, le=1440)] = 30
    close_idle_minutes_source: str = ""


# What a target measures (DESIGN §1 "Key figures and reporting"), each a share of the
# discharges in the period (`domain.figures`):
# goals_reached             maal_opnaaet = ja, of those with maal_opnaaet given (002 § 2)
# drug_free                 udfald = stoffri, of those with udfald given (004 "clean og/eller ædru")
# reduced                   udfald = reduceret, of those with udfald given (004)
# returned_within_12_months a new request within 12 months of the discharge (002 § 2, 004)
TargetMeasure = Literal["goals_reached", "drug_free", "reduced", "returned_within_12_months"]


@dataclass(frozen=True, kw_only=True)
class Target(_Strict):
    """A target the site has set itself, in percent of the discharges it counts, beside the seed
    sentence it comes from (the `[[targets]]` entries)."""

    id: Slug
    name: Text  # as the report shows it, in Danish
    measure: TargetMeasure
    comparison: Literal["at_least", "at_most"]
    percent: Annotated[int, Constraint(ge=0, le=100)]
    # Which discharges count; empty: all. Assens counts returns after "færdigbehandlet" only (002 § 2).
    closing_statuses: Annotated[tuple[str, ...], Constraint(after=_known_statuses)] = ()
    paragraphs: Paragraphs = ()
    source: Text

    def met_by(self, percent: float) -> bool:
        return percent >= self.percent if self.comparison == "at_least" else percent <= self.percent


@dataclass(frozen=True, kw_only=True)
class Site(_Strict):
    id: Slug
    name: str
    municipality: str
    source: str = ""
    # The desk locks after this many idle minutes (DESIGN §1; default 5): the screen faces the waiting room.
    idle_lock_minutes: Annotated[int, Constraint(ge=1, le=120)] = 5
    # Unfinished intake drafts hold a citizen's answers: removed after this many days (privacy).
    draft_keep_days: Annotated[int, Constraint(ge=1, le=90)] = 7
    departments: tuple[Department, ...]
    exceptions: tuple[HoursException, ...] = ()
    rules: Rules = Rules()
    preparations: tuple[Preparation, ...] = ()
    dispensing: Dispensing = Dispensing()
    stock: Stock = Stock()
    serve: Serve = Serve()
    # Intake (DESIGN §1 "Routing and tasks at intake"): ordered rules, checklists, tasks.
    routing: tuple[RoutingRule, ...] = ()
    eligibility: tuple[EligibilityCheck, ...] = ()
    intake_tasks: tuple[IntakeTaskRule, ...] = ()
    guarantee_appointments: tuple[GuaranteeAppointment, ...] = ()
    # The key figures' targets (DESIGN §1 "Key figures and reporting"), each with its source;
    # `targets_source` says where they come from, or why a site has none.
    targets: tuple[Target, ...] = ()
    targets_source: str = ""

    def __post_init__(self) -> None:
        self._intake_references_resolve()
        self._references_resolve()
        target_ids = [target.id for target in self.targets]
        if len(set(target_ids)) != len(target_ids):
            raise ValueError(f"target ids used twice: {target_ids}")

    def partners(self) -> tuple[str, ...]:
        """The partners a course may be shared with (`samarbejde`): those the routing names and
        those a medical review rule names, in file order."""
        named = [rule.together_with for rule in self.routing if rule.together_with]
        named += [partner for review in self.rules.medical_reviews for partner in review.partners]
        return tuple(dict.fromkeys(named))

    def _intake_references_resolve(self) -> None:
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

    def _references_resolve(self) -> None:
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
        preparations = {p.id for p in self.preparations}
        unknown = [p for p in self.dispensing.supervised_at_heroin_clinic if p not in preparations]
        if unknown:
            raise ValueError(f"dispensing.supervised_at_heroin_clinic names unknown preparations {unknown}")
        unknown = [t.preparation for t in self.stock.tolerances if t.preparation not in preparations]
        if unknown:
            raise ValueError(f"stock.tolerances names unknown preparations {unknown}")
        for review in self.rules.medical_reviews:
            unknown = [d for d in review.departments if d not in ids]
            if unknown:
                raise ValueError(f"rules.medical_reviews {review.id!r} names unknown departments {unknown}")

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
    "has_children",
    "children_concern",
    "pregnant",
    "self_supporting",
    "has_housing",
    "free_choice",
    "significant_alcohol_or_benzo",
    "stable_benzo_treatment",
]


def _known_substances(value: tuple[str, ...]) -> tuple[str, ...]:
    unknown = [s for s in value if s not in SUBSTANCES]
    if unknown:
        raise ValueError(f"unknown substance(s) {unknown}; known: {list(SUBSTANCES)}")
    return value


Substances = Annotated[tuple[str, ...], Constraint(after=_known_substances)]


def _known_task_kind(value: str) -> str:
    if value not in TASK_KINDS:
        raise ValueError(f"unknown task kind {value!r}; known: {sorted(TASK_KINDS)}")
    return value


def _known_appointment_kind(value: str) -> str:
    if value not in APPOINTMENT_KINDS:
        raise ValueError(f"unknown appointment kind {value!r}; known: {sorted(APPOINTMENT_KINDS)}")
    return value


@dataclass(frozen=True, kw_only=True)
class IntakeCondition(_Strict):
    """Conditions on an intake's answers; all that are given must hold (none given: always).

    Ages are inclusive (max_age = 17: under 18). substances_any: at least one of them is
    used; substances_only: nothing else is used (["alkohol"]: alcohol only); main_substance:
    the main substance is one of them. A yes/no condition holds when the answer is that
    value; an unanswered question counts as no.
    """

    min_age: Age | None = None
    max_age: Age | None = None
    substances_any: Substances = ()
    substances_only: Substances = ()
    main_substance: Substances = ()
    anonymous: bool | None = None
    severe_mental_illness: bool | None = None
    wants_substitution: bool | None = None
    pregnant: bool | None = None
    children_under_18_at_home: bool | None = None
    has_children: bool | None = None  # true also when children_under_18_at_home is answered yes
    children_concern: bool | None = None

    def __post_init__(self) -> None:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"min_age {self.min_age} is above max_age {self.max_age}")


@dataclass(frozen=True, kw_only=True)
class RoutingRule(IntakeCondition):
    """One routing rule: the first rule (in file order) whose conditions hold decides."""

    id: Slug
    department: str | None = None
    # Other departments the receptionist may choose instead (e.g. Stoffrihed, 000 § 5.3).
    alternatives: tuple[str, ...] = ()
    # Not a case here: the citizen is referred elsewhere (e.g. "Alkoholbehandlingen").
    referral: str | None = None
    together_with: str = ""  # a partner the treatment is shared with (e.g. Vista Balboa)
    source: Text
    explanation: Text  # the sentence the form shows (Danish)

    def __post_init__(self) -> None:
        super().__post_init__()
        if (self.department is None) == (self.referral is None):
            raise ValueError(f"routing rule {self.id!r} must name either a department or a referral")
        if self.alternatives and self.department is None:
            raise ValueError(f"routing rule {self.id!r}: alternatives need a department")


@dataclass(frozen=True, kw_only=True)
class EligibilityCriterion(_Strict):
    """One line of a checklist: met, not met, not answered or the doctor's judgement. Exactly
    one test is given: min_age; answer (+ meets: the answer that meets it); substances_present
    (one of them is used); substances_absent (none of them is used); asked (the form has no
    question: staff ask, so it stays not answered); doctor alone (always the doctor's judgement).

    Modifiers: doctor = true with a test: "not met" becomes the doctor's judgement (a seed's
    "kontraindicerer", 000 § 5.4); doctor_if: when that answer is yes, anything but "met" is the
    doctor's judgement; met_if_none_used: met when none of these substances is used at all."""

    id: Annotated[str, Constraint(pattern=r"^[a-z][a-z0-9_]*$")]
    label: Text
    source: Text
    min_age: Age | None = None
    answer: BoolAnswer | None = None
    meets: bool = True
    substances_present: Substances = ()
    substances_absent: Substances = ()
    asked: bool = False
    doctor: bool = False
    doctor_if: BoolAnswer | None = None
    met_if_none_used: Substances = ()

    def __post_init__(self) -> None:
        tests = [
            self.min_age is not None,
            self.answer is not None,
            bool(self.substances_present),
            bool(self.substances_absent),
            self.asked,
        ]
        if sum(tests) > 1 or (sum(tests) == 0 and not self.doctor):
            raise ValueError(
                f"criterion {self.id!r} needs exactly one of min_age, answer, substances_present, "
                "substances_absent, asked (or doctor alone)"
            )


@dataclass(frozen=True, kw_only=True)
class EligibilityCheck(_Strict):
    """A checklist, e.g. anonymous treatment (§ 101a) or the heroin clinic's entry criteria."""

    id: Annotated[str, Constraint(pattern=r"^[a-z][a-z0-9_]*$")]
    name: str
    source: Text
    department: str | None = None
    criteria: Annotated[tuple[EligibilityCriterion, ...], Constraint(min_length=1)]


@dataclass(frozen=True, kw_only=True)
class IntakeTaskRule(IntakeCondition):
    """A task an intake raises when its conditions hold; due = the anchor + due_days."""

    kind: Annotated[str, Constraint(after=_known_task_kind)]
    due_from: Literal["contact", "deadline"] = "contact"  # deadline: contact + guarantee days
    due_days: Annotated[int, Constraint(ge=-60, le=365)] = 0
    # True: only when the routing opens a case here (not for a referral elsewhere).
    case: bool | None = None
    source: Text
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class GuaranteeAppointment(_Strict):
    """An appointment that must be booked before the guarantee's deadline (a site setting)."""

    kind: Annotated[str, Constraint(after=_known_appointment_kind)]
    source: Text


def normalise_key(text: str) -> str:
    """Fold Danish letters to their ASCII spellings and case, for vocabulary look-ups."""
    folded = text.strip().lower()
    for danish, ascii_ in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("é", "e")):
        folded = folded.replace(danish, ascii_)
    return re.sub(r"[\s_]+", " ", folded)
