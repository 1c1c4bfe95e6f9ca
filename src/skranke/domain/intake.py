"""A request for treatment (henvendelse): the form's answers, and what follows from them.

`IntakeAnswers` is the model of DESIGN §3 that the intake form fills and `skranke intake
FILE.json` reads. It checks itself and reports every failing field at once, each with a
stable error code (`type`) that the services translate; the domain speaks no language.

`evaluate_intake()` applies the site's own rules (data/sites/<id>.toml: `[[routing]]`,
`[[eligibility]]`, `[[intake_tasks]]`, `[[guarantee_appointments]]`, each with its seed
source) and the guarantee of domain/deadlines.py: where the citizen belongs and why, the
paragraph, the deadline and the last open day, the checklists and the tasks. Pure: `today`
is passed in, nothing reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, cast, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import ValidationError as StdnumError

from skranke.domain.deadlines import CaseFacts, evaluate_guarantee, guarantee_deadline, request_for_case
from skranke.domain.hours import SiteHours
from skranke.domain.site import (
    EligibilityCheck,
    EligibilityCriterion,
    IntakeCondition,
    IntakeTaskRule,
    RoutingRule,
    Rules,
    Site,
)

Channel = Literal["personal", "phone", "written"]
RequestedBy = Literal["citizen", "relative", "professional"]
Substance = Literal[
    "alkohol", "hash", "kokain", "amfetamin", "ecstasy", "heroin", "opioider", "benzodiazepiner", "andet"
]

# "doctor": a doctor's judgement (000 § 5.4 "kontraindicerer"): never "not met" from a yes/no box.
CriterionState = Literal["met", "not_met", "not_answered", "doctor"]
# awaiting_attendance: the site's clock starts at the first personal attendance (Odsherred,
# 004) and the request came by phone or in writing: no deadline until the citizen comes in.
GuaranteeState = Literal["open", "exempt", "not_covered", "no_case", "awaiting_attendance"]

# Error codes (pydantic `type`) beside pydantic's own (missing, literal_error, ...).
CPR_FORMAT = "cpr_format"  # not 10 digits (DDMMYY-SSSS)
CPR_DATE = "cpr_date"  # the first six digits are no date
CPR_FUTURE = "cpr_future"  # born after the contact date
CPR_WHEN_ANONYMOUS = "cpr_when_anonymous"
REQUIRED = "required"
REQUIRED_WHEN_ANONYMOUS = "required_when_anonymous"
AGE_MISMATCH = "age_mismatch"
MAIN_NOT_IN_SUBSTANCES = "main_not_in_substances"
SUBSTANCE_TWICE = "substance_twice"
CONTACT_DATE_FUTURE = "contact_date_future"
AREA_TYPE = "area_type"  # an assessment area that is neither a note nor {answer, note}

# Required fields have no default: a placeholder stands in for a wrong one while the other
# fields are checked against each other, so every problem is reported in one go.
_PLACEHOLDERS: dict[str, Any] = {"contact_date": date(2000, 1, 1), "channel": "personal", "substances": ["andet"]}


def _problem(field: str, code: str, message: str, value: Any, **context: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(code, message, context), loc=(field,), input=value)


def _reraisable(found: Any) -> InitErrorDetails:
    """One of pydantic's reported errors, as a detail `ValidationError.from_exception_data` takes
    (it knows only its own error types by name; the message is kept as it was written)."""
    context = {k: v if isinstance(v, str | int | float) else str(v) for k, v in (found.get("ctx") or {}).items()}
    message = found["msg"].replace("{", "{{").replace("}", "}}")
    return InitErrorDetails(
        type=PydanticCustomError(found["type"], message, context), loc=found["loc"], input=found.get("input")
    )


def cpr_birth_date(number: str) -> date:
    """The birth date in a CPR number (10 digits); stdnum gives the century from digit 7."""
    return stdnum_cpr.get_birth_date(number)


def age_on(birth_date: date, day: date) -> int:
    """Whole years on `day`: the birthday itself counts (18 on the 18th birthday)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


# The short structured answer of each assessment area (000 § 3.1), one closed choice each; None
# (JSON null, or the area given as plain text) is "not assessed". Codes in English, labels in the
# catalogues (services/intake.area_answer_label).
UseFrequency = Literal["daily", "weekly", "less_often", "not_using"]  # 1. the substances: how often
Network = Literal["supportive_network", "limited_network", "no_network"]  # 2. social: network, family
HealthProblems = Literal["no_known_problems", "physical", "mental", "physical_and_mental"]  # 3. health
Occupation = Literal["employed", "in_education", "unemployed", "on_benefits", "pension"]  # 4. 000 § 1: job,
# education, "aktiv offentlig forsørgelse" or pension
Housing = Literal["own_home", "with_family", "temporary", "homeless"]  # 5. housing
OtherHelp = Literal["no_other_help", "municipal_support", "psychiatry", "probation_service", "other_help"]  # 6.


class _Area(BaseModel):
    """One assessment area: a short structured answer (None: not assessed) and a note.

    A plain string is the note alone (the JSON of earlier versions: `"social": "Bor alene"`);
    null, or an answer of "", is not assessed.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    answer: str | None = None  # narrowed to the area's codes by each subclass
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="before")
    @classmethod
    def _note_alone(cls, data: Any) -> Any:
        if data is None:
            return {}
        if isinstance(data, str):
            return {"note": data}
        if isinstance(data, dict):
            return {**data, "answer": None} if data.get("answer") == "" else data
        if isinstance(data, BaseModel):
            return data
        raise PydanticCustomError(AREA_TYPE, "must be a note (text) or an object with answer and note")


class SubstanceUseArea(_Area):
    answer: UseFrequency | None = None


class SocialArea(_Area):
    answer: Network | None = None


class HealthArea(_Area):
    answer: HealthProblems | None = None


class WorkArea(_Area):
    answer: Occupation | None = None


class HousingArea(_Area):
    answer: Housing | None = None


class OtherArea(_Area):
    answer: OtherHelp | None = None


class AssessmentAreas(BaseModel):
    """The six areas of the assessment (afdækning), 000 § 3.1, each `{"answer": code | null,
    "note": text}`; a plain string still means the note alone. Codes: `AREA_ANSWERS`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    substances: SubstanceUseArea = SubstanceUseArea()
    social: SocialArea = SocialArea()
    health: HealthArea = HealthArea()
    work: WorkArea = WorkArea()
    housing: HousingArea = HousingArea()
    other: OtherArea = OtherArea()

    def area(self, name: str) -> _Area:
        value = getattr(self, name)
        assert isinstance(value, _Area), name
        return value


AREAS: tuple[str, ...] = tuple(AssessmentAreas.model_fields)
# Each area's codes, in the order the form offers them.
AREA_ANSWERS: dict[str, tuple[str, ...]] = {
    "substances": get_args(UseFrequency),
    "social": get_args(Network),
    "health": get_args(HealthProblems),
    "work": get_args(Occupation),
    "housing": get_args(Housing),
    "other": get_args(OtherHelp),
}


class IntakeAnswers(BaseModel):
    """The intake form (DESIGN §3). Yes/no circumstances are None until answered.

    Validate with `IntakeAnswers.parse(data, today)` (or `model_validate(data, context={"today":
    today})`): `today` refuses a contact date in the future; without it only the answers are
    checked against each other (a CPR born after the contact date is refused either way, so
    stdnum's own check against the system date is never used).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    contact_date: date
    channel: Channel
    requested_by: RequestedBy = "citizen"
    cpr: str = ""  # null or absent: no CPR number (anonymous)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    alias: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=40)
    age: int | None = Field(default=None, ge=0, le=120)
    anonymous: bool = False
    substances: tuple[Substance, ...] = Field(min_length=1)
    main_substance: Substance | None = None
    wants_substitution: bool | None = None
    severe_mental_illness: bool | None = None
    children_under_18_at_home: bool | None = None
    # Has children, at home or not (000 § 7.3 "en borger, der har børn"); children at home imply it.
    has_children: bool | None = None
    # Concern for a child's wellbeing (002 § 7, 003 § 3.3.2, 004), where the site's task depends on it.
    children_concern: bool | None = None
    pregnant: bool | None = None
    # The heroin clinic (000 § 5.4): "betydende misbrug af benzodiazepiner og alkohol", and
    # "stabil behandling med benzodiazepiner" (which does not exclude).
    significant_alcohol_or_benzo: bool | None = None
    stable_benzo_treatment: bool | None = None
    self_supporting: bool | None = None
    has_housing: bool | None = None
    free_choice: bool | None = None
    areas: AssessmentAreas = AssessmentAreas()

    @classmethod
    def parse(cls, data: Any, today: date | None = None) -> IntakeAnswers:
        return cls.model_validate(data, context={"today": today})

    @field_validator("cpr", mode="before")
    @classmethod
    def _no_cpr(cls, value: Any) -> Any:
        return "" if value is None else value  # JSON null: no CPR number (DESIGN §3)

    @field_validator("cpr")
    @classmethod
    def _cpr(cls, value: str) -> str:
        if not value:
            return ""
        number = stdnum_cpr.compact(value)
        if len(number) != 10 or not number.isdigit() or not number.isascii():
            raise PydanticCustomError(CPR_FORMAT, "a CPR number is 10 digits: DDMMYY-SSSS")
        try:
            cpr_birth_date(number)
        except StdnumError:
            raise PydanticCustomError(CPR_DATE, "the CPR number holds no valid birth date (DDMMYY)") from None
        return number

    @field_validator("substances")
    @classmethod
    def _each_once(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        twice = sorted({s for s in value if value.count(s) > 1})
        if twice:
            raise PydanticCustomError(SUBSTANCE_TWICE, "named more than once: {twice}", {"twice": ", ".join(twice)})
        return value

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem_at_once(cls, data: Any, handler: Any, info: ValidationInfo) -> IntakeAnswers:
        if isinstance(data, cls):
            return data
        if isinstance(data, dict):
            data = dict(data)
            substances = data.get("substances")
            # One substance is the main one; "" is no answer.
            if data.get("main_substance") in ("", None):
                data["main_substance"] = (
                    substances[0] if isinstance(substances, list | tuple) and len(substances) == 1 else None
                )
        problems: list[Any] = []
        failed: set[str] = set()
        try:
            model = handler(data)
        except ValidationError as error:
            if not isinstance(data, dict):
                raise
            problems = [_reraisable(e) for e in error.errors()]
            failed = {str(e["loc"][0]) for e in problems if e["loc"]}
            salvage = {k: v for k, v in data.items() if k not in failed}
            for key, placeholder in _PLACEHOLDERS.items():
                if key not in salvage:
                    salvage[key] = placeholder
                    failed.add(key)
            try:
                model = handler(salvage)
            except ValidationError:  # cannot happen: every failing field was taken out
                raise error from None
        today = (info.context or {}).get("today")
        problems.extend(model._cross_field_problems(failed, today))
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems)
        return cast("IntakeAnswers", model)

    def _cross_field_problems(self, failed: set[str], today: date | None) -> list[InitErrorDetails]:
        found: list[InitErrorDetails] = []
        contact_ok = "contact_date" not in failed
        if contact_ok and today is not None and self.contact_date > today:
            found.append(
                _problem(
                    "contact_date",
                    CONTACT_DATE_FUTURE,
                    "the request is dated after today ({today})",
                    self.contact_date,
                    today=today.isoformat(),
                )
            )
        if self.anonymous:
            # Anonymous treatment (SEL § 101a): an alias and an age, no CPR.
            for field in ("alias", "age"):
                if field not in failed and getattr(self, field) in ("", None):
                    found.append(_problem(field, REQUIRED_WHEN_ANONYMOUS, "needed for anonymous treatment", None))
            if self.cpr and "cpr" not in failed:
                found.append(_problem("cpr", CPR_WHEN_ANONYMOUS, "no CPR number for anonymous treatment", self.cpr))
        else:
            for field in ("cpr", "first_name", "last_name"):
                if field not in failed and not getattr(self, field):
                    found.append(_problem(field, REQUIRED, "needed", None))
        birth = self.birth_date if "cpr" not in failed else None
        if birth is not None and contact_ok:
            if birth > self.contact_date:
                found.append(
                    _problem(
                        "cpr",
                        CPR_FUTURE,
                        "born after the request ({contact_date})",
                        self.cpr,
                        contact_date=self.contact_date.isoformat(),
                    )
                )
            elif self.age is not None and "age" not in failed and self.age != age_on(birth, self.contact_date):
                found.append(
                    _problem(
                        "age",
                        AGE_MISMATCH,
                        "the CPR number gives {cpr_age} years",
                        self.age,
                        cpr_age=age_on(birth, self.contact_date),
                    )
                )
        if "main_substance" not in failed and "substances" not in failed:
            if self.main_substance is None:
                found.append(_problem("main_substance", REQUIRED, "needed", None))
            elif self.main_substance not in self.substances:
                found.append(
                    _problem(
                        "main_substance",
                        MAIN_NOT_IN_SUBSTANCES,
                        "must be one of the substances: {substances}",
                        self.main_substance,
                        substances=", ".join(self.substances),
                    )
                )
        return found

    @property
    def birth_date(self) -> date | None:
        return cpr_birth_date(self.cpr) if self.cpr else None

    @property
    def age_on_contact(self) -> int:
        """Age on the contact date: from the CPR number, else the age given (anonymous)."""
        birth = self.birth_date
        if birth is not None:
            return age_on(birth, self.contact_date)
        assert self.age is not None  # the model requires an age when there is no CPR
        return self.age

    def answer(self, name: str) -> bool | None:
        if name == "has_children" and self.children_under_18_at_home:
            return True  # children at home are children the citizen has
        value = getattr(self, name)
        assert value is None or isinstance(value, bool), name
        return value


# --- the site's rules applied ---------------------------------------------------------------

_YES_NO_CONDITIONS = (
    "anonymous",
    "severe_mental_illness",
    "wants_substitution",
    "pregnant",
    "children_under_18_at_home",
    "has_children",
    "children_concern",
)


def condition_holds(condition: IntakeCondition, answers: IntakeAnswers) -> bool:
    """Every condition the rule gives holds; an unanswered yes/no question counts as no."""
    age = answers.age_on_contact
    if condition.min_age is not None and age < condition.min_age:
        return False
    if condition.max_age is not None and age > condition.max_age:
        return False
    used = set(answers.substances)
    if condition.substances_any and not used & set(condition.substances_any):
        return False
    if condition.substances_only and not used <= set(condition.substances_only):
        return False
    if condition.main_substance and answers.main_substance not in condition.main_substance:
        return False
    for name in _YES_NO_CONDITIONS:
        wanted = getattr(condition, name)
        if wanted is not None and (answers.answer(name) is True) != wanted:
            return False
    return True


def route(answers: IntakeAnswers, site: Site) -> RoutingRule | None:
    """The first of the site's routing rules that holds (None: the rules leave a gap)."""
    return next((rule for rule in site.routing if condition_holds(rule, answers)), None)


# Flags of an anonymous request that cannot be treated anonymously (DESIGN §1, §3).
ANONYMOUS_NOT_ELIGIBLE = "anonymous_not_eligible"
ANONYMOUS_ELIGIBILITY_NOT_ANSWERED = "anonymous_eligibility_not_answered"
# A site's children's task depends on concern for the child, and concern is not answered.
CHILDREN_CONCERN_NOT_ANSWERED = "children_concern_not_answered"
ANONYMOUS_CHECK = "anonymous"  # the id of the site's § 101a checklist


def alcohol_only(answers: IntakeAnswers) -> bool:
    return set(answers.substances) == {"alkohol"}


def anonymity_blocked(answers: IntakeAnswers, eligibility: tuple[EligibilityResult, ...]) -> str | None:
    """Why an anonymous request is not anonymous treatment (a flag), or None when it may be.

    SEL § 101a is for citizens with no other social problems (000 § 1.4.2, 002 § 9, 003 § 5,
    004): only a checklist that is met takes the request out of the guarantee. Not met keeps
    the ordinary paragraph and deadline; not answered too, until it is answered: a citizen does
    not lose the 14 days on criteria nobody has asked about. Alcohol only is anonymous under
    SUL § 141 stk. 7 ("skal ydes anonymt, hvis alkoholmisbrugeren ønsker det", quoted in 004),
    with no criteria and with the guarantee.
    """
    if not answers.anonymous or alcohol_only(answers):
        return None
    check = next((e for e in eligibility if e.id == ANONYMOUS_CHECK), None)
    if check is not None and check.eligible:
        return None
    if check is not None and check.eligible is False:
        return ANONYMOUS_NOT_ELIGIBLE
    return ANONYMOUS_ELIGIBILITY_NOT_ANSWERED


def children_concern_unanswered(answers: IntakeAnswers, site: Site, opens_case: bool) -> bool:
    """A task of the site waits on concern for a child (002 § 7, 003 § 3.3.2, 004) that is not
    answered while the rest of its conditions hold: the form says to assess it; no task is
    raised on an unasked question, and none is silently dropped."""
    if answers.children_concern is not None:
        return False
    assumed = answers.model_copy(update={"children_concern": True})
    return any(
        rule.children_concern is True
        and (rule.case is None or rule.case == opens_case)
        and condition_holds(rule, assumed)
        for rule in site.intake_tasks
    )


def awaits_attendance(channel: object, rules: Rules) -> bool:
    """The site's clock waits for the first personal attendance (004) and the request was not
    made in person: no deadline yet."""
    return rules.clock_start_event == "personal_attendance" and channel in ("phone", "written")


def personal_attendance(answers: IntakeAnswers) -> date | None:
    """The first personal attendance the request itself is: the contact date when the citizen
    came in person, else None (a phone call or a letter is not one; 004 "Behandlingsgaranti")."""
    return answers.contact_date if answers.channel == "personal" else None


def partner_of(rule: RoutingRule | Routing | None) -> str | None:
    """The partner the routing shares the course with (Odense: Vista Balboa, 000 § 2.1: "i et
    samarbejde mellem Behandlingscenter Odense og rehabiliteringstilbuddet Vista Balboa"), which
    holds whatever department the receptionist picks: the whole centre shares it."""
    return (rule.together_with or None) if rule is not None else None


def intake_paragraph(answers: IntakeAnswers, opens_case: bool) -> str | None:
    """The legal basis of the case, or None when no case opens here (a referral elsewhere).

    Alcohol only → SUL § 141 (alcohol treatment; anonymity there is § 141 stk. 7, not § 101a);
    anonymous → SEL § 101a; substitution asked for → SUL § 142; else SEL § 101 (DESIGN §1).
    """
    if not opens_case:
        return None
    if alcohol_only(answers):
        return "SUL141"
    if answers.anonymous:
        return "SEL101a"
    if answers.wants_substitution:
        return "SUL142"
    return "SEL101"


@dataclass(frozen=True, slots=True)
class CriterionResult:
    id: str
    label: str
    source: str
    state: CriterionState

    def to_json_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "source": self.source, "state": self.state}


@dataclass(frozen=True, slots=True)
class EligibilityResult:
    id: str
    name: str
    source: str
    department: str | None
    eligible: bool | None  # None: nothing is not met, but something is not answered or the doctor's
    criteria: tuple[CriterionResult, ...]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "department": self.department,
            "eligible": self.eligible,
            "criteria": [c.to_json_dict() for c in self.criteria],
        }


def criterion_state(criterion: EligibilityCriterion, answers: IntakeAnswers) -> CriterionState:
    """Met, not met, not answered, or the doctor's judgement (`doctor`): a criterion the seed
    makes a medical judgement ("kontraindicerer", 000 § 5.4) is never "not met" from the form."""
    used = set(answers.substances)
    if criterion.met_if_none_used and not used & set(criterion.met_if_none_used):
        return "met"  # no use of them at all, so no (significant) abuse of them either
    if criterion.asked:
        return "not_answered"  # the form has no question for it: staff ask
    state: CriterionState
    if criterion.min_age is not None:
        state = "met" if answers.age_on_contact >= criterion.min_age else "not_met"
    elif criterion.answer is not None:
        value = answers.answer(criterion.answer)
        state = "not_answered" if value is None else ("met" if value == criterion.meets else "not_met")
    elif criterion.substances_present:
        state = "met" if used & set(criterion.substances_present) else "not_met"
    elif criterion.substances_absent:
        state = "met" if not used & set(criterion.substances_absent) else "not_met"
    else:
        return "doctor"  # `doctor` alone: always the doctor's judgement
    if state == "not_met" and criterion.doctor:
        return "doctor"
    if state != "met" and criterion.doctor_if is not None and answers.answer(criterion.doctor_if) is True:
        return "doctor"
    return state


def check_eligibility(check: EligibilityCheck, answers: IntakeAnswers) -> EligibilityResult:
    results = tuple(CriterionResult(c.id, c.label, c.source, criterion_state(c, answers)) for c in check.criteria)
    states = {r.state for r in results}
    eligible = False if "not_met" in states else (True if states == {"met"} else None)
    return EligibilityResult(check.id, check.name, check.source, check.department, eligible, results)


@dataclass(frozen=True, slots=True)
class IntakeTask:
    kind: str
    due: date
    source: str
    note: str

    def to_json_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "due": self.due.isoformat(), "source": self.source, "note": self.note}


def intake_tasks(answers: IntakeAnswers, site: Site, opens_case: bool) -> tuple[IntakeTask, ...]:
    """The tasks the site's `[[intake_tasks]]` raise for these answers, in file order; one per
    kind (the first rule that holds: e.g. Gladsaxe's cooperation for children and pregnancy)."""
    tasks: list[IntakeTask] = []
    for rule in site.intake_tasks:
        if rule.case is not None and rule.case != opens_case:
            continue
        if any(t.kind == rule.kind for t in tasks):
            continue
        if condition_holds(rule, answers):
            tasks.append(IntakeTask(rule.kind, _task_due(rule, answers, site), rule.source, rule.note))
    return tuple(tasks)


def _task_due(rule: IntakeTaskRule, answers: IntakeAnswers, site: Site) -> date:
    if rule.due_from == "deadline":
        # Day 14 even when the case has no guarantee (anonymous, free choice): the site's pace.
        anchor = guarantee_deadline(answers.contact_date, site.rules)
    else:
        anchor = answers.contact_date
    return anchor + timedelta(days=rule.due_days)


@dataclass(frozen=True, slots=True)
class Routing:
    rule: str
    source: str
    explanation: str
    alternatives: tuple[str, ...]
    together_with: str

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "source": self.source,
            "explanation": self.explanation,
            "alternatives": list(self.alternatives),
            "together_with": self.together_with or None,
        }


@dataclass(frozen=True, slots=True)
class BookBefore:
    kind: str  # an appointment kind: visitation, læge
    source: str


@dataclass(frozen=True, slots=True)
class IntakeAssessment:
    """What the answers lead to; `to_json_dict()` is the answer of `skranke intake` (DESIGN §3)
    without citizen_id and case_id, which only registering gives."""

    paragraph: str | None
    department: str | None
    referral: str | None
    routing: Routing | None  # None: no rule holds (the site's rules have a gap)
    age: int
    guarantee: GuaranteeState
    exempt_reason: str | None  # anonymous, free_choice_may_waive
    deadline: date | None
    days_left: int | None
    last_open_day: date | None
    flags: tuple[str, ...]
    book_before_deadline: tuple[BookBefore, ...]
    eligibility: tuple[EligibilityResult, ...]
    tasks: tuple[IntakeTask, ...]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "paragraph": self.paragraph,
            "department": self.department,
            "referral": self.referral,
            "routing": None if self.routing is None else self.routing.to_json_dict(),
            "age": self.age,
            "guarantee": self.guarantee,
            "exempt_reason": self.exempt_reason,
            "deadline": None if self.deadline is None else self.deadline.isoformat(),
            "days_left": self.days_left,
            "last_open_day": None if self.last_open_day is None else self.last_open_day.isoformat(),
            "flags": list(self.flags),
            "book_before_deadline": [{"kind": b.kind, "source": b.source} for b in self.book_before_deadline],
            "eligibility": {e.id: e.to_json_dict() for e in self.eligibility},
            "tasks": [t.to_json_dict() for t in self.tasks],
        }


def evaluate_intake(
    answers: IntakeAnswers,
    site: Site,
    hours: SiteHours,
    today: date,
    department: str | None = None,
) -> IntakeAssessment:
    """Route, check and schedule an intake by the site's rules.

    `department` is the receptionist's own choice instead of the routing's (it must be one of
    the site's departments); the deadline's last open day then follows that department.
    """
    eligibility = tuple(check_eligibility(check, answers) for check in site.eligibility)
    anonymity_flag = anonymity_blocked(answers, eligibility)
    if anonymity_flag is not None:
        # The wish for anonymity changes nothing (DESIGN §1): routed, paragraph and deadline as
        # for any request; registering then needs the CPR number.
        answers = answers.model_copy(update={"anonymous": False})
    rule = route(answers, site)
    chosen = department
    if chosen is not None:
        site.department(chosen)  # KeyError for a department the site does not have
    elif rule is not None:
        chosen = rule.department
    opens_case = chosen is not None
    # A department chosen over a referral opens a case here after all.
    paragraph = intake_paragraph(answers, opens_case)
    guarantee: GuaranteeState = "no_case"
    exempt_reason = None
    deadline = last_open_day = None
    days_left = None
    flags: tuple[str, ...] = ()
    if chosen is not None and paragraph is not None:
        case = CaseFacts(
            case_id="",
            citizen_id="",
            department=chosen,
            paragraph=paragraph,
            contact_date=answers.contact_date,
            free_choice=bool(answers.free_choice),
            personal_attendance_on=personal_attendance(answers),
            partner=partner_of(rule),
        )
        state = evaluate_guarantee(case, site.rules)
        if state.state == "exempt":
            guarantee, exempt_reason = "exempt", state.exempt_reason
        elif state.state == "not_covered":
            guarantee = "not_covered"
        elif state.state == "awaiting_attendance":
            guarantee = "awaiting_attendance"
        else:
            guarantee = "open"
            request = request_for_case(case, (), site, hours, today)
            deadline = state.deadline
            if request is not None:
                last_open_day, days_left, flags = request.last_open_day, request.days_left, request.flags
    if anonymity_flag is not None:
        flags = (anonymity_flag, *flags)
    concern = children_concern_unanswered(answers, site, opens_case)
    if concern:
        flags = (*flags, CHILDREN_CONCERN_NOT_ANSWERED)
    book_before = (
        tuple(BookBefore(a.kind, a.source) for a in site.guarantee_appointments) if guarantee == "open" else ()
    )
    return IntakeAssessment(
        paragraph=paragraph,
        department=chosen,
        referral=rule.referral if rule is not None and department is None else None,
        routing=None
        if rule is None
        else Routing(rule.id, rule.source, rule.explanation, rule.alternatives, rule.together_with),
        age=answers.age_on_contact,
        guarantee=guarantee,
        exempt_reason=exempt_reason,
        deadline=deadline,
        days_left=days_left,
        last_open_day=last_open_day,
        flags=flags,
        book_before_deadline=book_before,
        eligibility=eligibility,
        tasks=intake_tasks(answers, site, opens_case),
    )
