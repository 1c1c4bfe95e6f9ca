"""Intake (Ny henvendelse): read the form's answers, say what is wrong in the interface language,
and assess them by the site's rules at `--now` (DESIGN §1 "Intake", §3 `skranke intake`).

Assessing writes nothing and needs no database: it is what the form shows as it is filled and
what `skranke intake --dry-run` prints. Registering (citizen, case, tasks, audit, outbox) needs
a signed-in staff member and lives with the sign-in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from skranke.clock import to_local
from skranke.domain import intake as rules
from skranke.domain.deadlines import guarantee_deadline
from skranke.domain.intake import (
    IntakeAnswers,
    IntakeAssessment,
    awaits_attendance,
    evaluate_intake,
    partner_of,
    personal_attendance,
)
from skranke.i18n import _, file_fault, ngettext
from skranke.services.access import Actor, require
from skranke.services.context import Skranke


@dataclass(frozen=True, slots=True)
class FieldProblem:
    field: str  # the JSON key, dotted for nested ones: "areas.social", "substances.1"
    code: str  # the stable error code (pydantic's `type` or the domain's own)
    message: str  # in the interface language

    def to_json_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class IntakeRejected(ValueError):
    """The answers cannot be taken; `problems` names every wrong field (empty: the file itself)."""

    def __init__(self, message: str, problems: tuple[FieldProblem, ...] = ()) -> None:
        super().__init__(message)
        self.problems = problems


_DATE_ERRORS = {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
_BOOL_ERRORS = {"bool_type", "bool_parsing"}
_INT_ERRORS = {"int_type", "int_parsing", "int_from_float", "int_parsing_size"}


def _message(code: str, context: dict[str, Any]) -> str:
    """The sentence for one error code, translated, with its context filled in."""
    if code in ("missing", rules.REQUIRED):
        return _("must be filled in")
    if code == rules.REQUIRED_WHEN_ANONYMOUS:
        return _("must be filled in for anonymous treatment")
    if code == rules.CPR_FORMAT:
        return _("must be 10 digits: DDMMYY-SSSS")
    if code == rules.CPR_DATE:
        return _("holds no valid birth date (DDMMYY)")
    if code == rules.CPR_FUTURE:
        return _("gives a birth date after the request ({contact_date})").format(**context)
    if code == rules.CPR_WHEN_ANONYMOUS:
        return _("must be empty for anonymous treatment")
    if code == rules.AGE_MISMATCH:
        return _("does not match the CPR number ({cpr_age} years)").format(**context)
    if code == rules.MAIN_NOT_IN_SUBSTANCES:
        return _("must be one of the substances given: {substances}").format(**context)
    if code == rules.SUBSTANCE_TWICE:
        return _("names a substance twice: {twice}").format(**context)
    if code == rules.CONTACT_DATE_FUTURE:
        return _("is after today ({today})").format(**context)
    if code == rules.AREA_TYPE:
        return _("must be a note (text) or an object with answer and note")
    if code == "literal_error":
        # pydantic writes "'a', 'b' or 'c'" in English; a list reads the same in both languages.
        expected = str(context.get("expected", "")).replace(" or ", ", ")
        return _("must be one of {expected}").format(expected=expected)
    if code == "extra_forbidden":
        return _("is not a field of the intake form")
    if code == "too_short":
        return _("must name at least one")
    if code in _DATE_ERRORS:
        return _("must be a date: YYYY-MM-DD")
    if code in _BOOL_ERRORS:
        return _("must be true or false")
    if code in _INT_ERRORS:
        return _("must be a whole number")
    if code == "greater_than_equal":
        return _("must be at least {ge}").format(**context)
    if code == "less_than_equal":
        return _("must be at most {le}").format(**context)
    if code == "string_type":
        return _("must be text")
    if code == "string_too_long":
        return _("is too long: at most {max_length} characters").format(**context)
    if code in ("tuple_type", "list_type"):
        return _("must be a list")
    if code in ("model_type", "model_attributes_type", "dict_type"):
        return _("must be an object")
    return _("is not valid")


def field_problems(error: ValidationError) -> tuple[FieldProblem, ...]:
    """Every problem pydantic and the domain found, each named by its field, translated."""
    problems = []
    for found in error.errors():
        field = ".".join(str(step) for step in found["loc"]) or _("(the whole file)")
        problems.append(FieldProblem(field, found["type"], _message(found["type"], dict(found.get("ctx") or {}))))
    return tuple(problems)


def today(skranke: Skranke) -> date:
    return to_local(skranke.clock.now()).date()


def read_answers(skranke: Skranke, data: Any) -> IntakeAnswers:
    """The form's answers, checked against each other and against today; IntakeRejected names
    every wrong field."""
    try:
        return IntakeAnswers.parse(data, today=today(skranke))
    except ValidationError as error:
        problems = field_problems(error)
        count = len(problems)
        raise IntakeRejected(
            ngettext("{count} wrong field", "{count} wrong fields", count).format(count=count), problems
        ) from None


def read_answers_file(skranke: Skranke, path: Path) -> IntakeAnswers:
    """`skranke intake FILE.json`: the file as the form's model (DESIGN §3)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise IntakeRejected(_("{path} cannot be read: {reason}").format(path=path, reason=file_fault(error))) from None
    except UnicodeDecodeError:
        raise IntakeRejected(_("{path} is not UTF-8 text").format(path=path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise IntakeRejected(
            _("{path} is not valid JSON: line {line}, column {column}").format(
                path=path, line=error.lineno, column=error.colno
            )
        ) from None
    return read_answers(skranke, data)


def assess_intake(skranke: Skranke, answers: IntakeAnswers, department: str | None = None) -> IntakeAssessment:
    """Routing, paragraph, deadline, checklists and tasks by the site's rules, at `--now`.

    `department` is the receptionist's own choice instead of the routing's.
    """
    return evaluate_intake(answers, skranke.site, skranke.hours, today(skranke), department)


def task_kind_label(kind: str) -> str:
    labels = {
        "notify_children_services": _("Notify the children's services"),
        "familieambulatoriet": _("Familieambulatoriet"),
        "parental_consent": _("Parents' consent"),
        "doctor_talk": _("Doctor's talk"),
        "tell_doctor": _("Tell the doctor"),
        "follow_up": _("Follow-up"),
        "child_assessment": _("Child assessment"),
        "detention_contract_offer": _("Offer a detention contract"),
        "infection_screening": _("HIV and hepatitis screening"),
        "cooperate_children_services": _("Cooperate with the children's services"),
    }
    return labels.get(kind, kind)


def area_answer_label(code: str) -> str:
    """The short answer of an assessment area (domain/intake.AREA_ANSWERS), as the form reads it."""
    labels = {
        # 1. the substances: how often
        "daily": _("Daily"),
        "weekly": _("Weekly"),
        "less_often": _("Less often"),
        "not_using": _("Not using now"),
        # 2. social conditions, network and family
        "supportive_network": _("Supportive network"),
        "limited_network": _("Limited network"),
        "no_network": _("No network"),
        # 3. physical and mental health
        "no_known_problems": _("No known problems"),
        "physical": _("Physical problems"),
        "mental": _("Mental problems"),
        "physical_and_mental": _("Physical and mental"),
        # 4. work and/or education
        "employed": _("Employed"),
        "in_education": _("In education"),
        "unemployed": _("Unemployed"),
        "on_benefits": _("Other public benefits"),
        "pension": _("Pensioner"),
        # 5. housing
        "own_home": _("Own home"),
        "with_family": _("Lives with family"),
        "temporary": _("Temporary"),
        "homeless": _("Homeless"),
        # 6. other conditions, other help received
        "no_other_help": _("No other help"),
        "municipal_support": _("Municipal support"),
        "psychiatry": _("Psychiatry"),
        "probation_service": _("Probation service"),
        "other_help": _("Other help"),
    }
    return labels.get(code, code)


def criterion_state_label(state: str) -> str:
    return {
        "met": _("met"),
        "not_met": _("not met"),
        "not_answered": _("not answered"),
        "doctor": _("the doctor assesses"),
    }.get(state, state)


def eligible_label(eligible: bool | None) -> str:
    if eligible is None:
        return _("not decided: some criteria are not answered")
    return _("eligible") if eligible else _("not eligible")


# --- registering, and the drafts that keep an unfinished form ------------------------------


class IntakeRefused(ValueError):
    """The answers are valid but open no case here (a referral, no department): exit code 1."""


@dataclass(frozen=True, slots=True)
class RegisteredIntake:
    intake_id: int
    citizen_id: str
    case_id: str
    new_citizen: bool
    assessment: IntakeAssessment

    def to_json_dict(self) -> dict[str, Any]:
        return {"citizen_id": self.citizen_id, "case_id": self.case_id, **self.assessment.to_json_dict()}


def _stored(answers: IntakeAnswers, department: str | None, reason: str | None, step: str) -> dict[str, Any]:
    return {
        "answers": answers.model_dump(mode="json"),
        "step": step,
        "department": department,
        "reason": reason or "",
    }


def _refuse_anonymity_not_possible(assessment: IntakeAssessment) -> None:
    """An anonymous request that is not anonymous treatment is registered with the CPR number
    (DESIGN §3: refused without it, naming the criteria not met or not answered)."""
    flags = set(assessment.flags)
    if not flags & {rules.ANONYMOUS_NOT_ELIGIBLE, rules.ANONYMOUS_ELIGIBILITY_NOT_ANSWERED}:
        return
    check = next((e for e in assessment.eligibility if e.id == rules.ANONYMOUS_CHECK), None)
    criteria = check.criteria if check is not None else ()
    if rules.ANONYMOUS_NOT_ELIGIBLE in flags:
        names = ", ".join(c.label for c in criteria if c.state == "not_met")
        message = _(
            "Anonymous treatment is not possible, criteria not met: {criteria}. "
            "Register the request with the CPR number."
        )
        raise IntakeRefused(message.format(criteria=names))
    names = ", ".join(c.label for c in criteria if c.state != "met") or _("no checklist for anonymous treatment")
    message = _(
        "Anonymous treatment needs every criterion answered, not answered: {criteria}. "
        "Answer them, or register the request with the CPR number."
    )
    raise IntakeRefused(message.format(criteria=names))


def register_intake(
    skranke: Skranke,
    actor: Actor | None,
    answers: IntakeAnswers,
    department: str | None = None,
    reason: str | None = None,
    draft_id: int | None = None,
    citizen_id: str | None = None,
) -> RegisteredIntake:
    """Register a request in one transaction: the citizen (reused by CPR, never doubled), the
    case (on Frister at once), the intake's answers with the receptionist's own choice and reason,
    the tasks of the assessment, the audit event and the outbox event.

    `department` overrides the routing (the reason is kept with the answers); `draft_id` is the
    draft the form filled, which becomes the registered intake; `citizen_id` is the known citizen
    picked in the form (`pick_citizen`), reused when the answers' CPR is theirs (none for an
    anonymous one).
    """
    from skranke.services.audit import record
    from skranke.store.imports import record_event
    from skranke.store.intake import citizen_by_cpr, draft_for_update
    from skranke.store.models import Case, Citizen, Intake, Task

    signed_in = require(actor, "intake")
    if department is not None and department not in {d.id for d in skranke.site.departments}:
        raise IntakeRefused(_("Unknown department '{department}'.").format(department=department))
    assessment = assess_intake(skranke, answers, department)
    if assessment.department is None or assessment.paragraph is None:
        if assessment.referral is not None:
            raise IntakeRefused(
                _("Not a case here: refer to {referral}, or choose a department with a reason.").format(
                    referral=assessment.referral
                )
            )
        raise IntakeRefused(_("No routing rule fits these answers: choose the department."))
    _refuse_anonymity_not_possible(assessment)
    routed = assess_intake(skranke, answers).department if department is not None else assessment.department
    suggested = {routed, *(assessment.routing.alternatives if assessment.routing is not None else ())}
    if department is not None and department not in suggested and not (reason or "").strip():
        raise IntakeRefused(_("Say why the citizen goes to another department than the routing suggests."))
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        intake = draft_for_update(session, draft_id) if draft_id is not None else None
        if intake is None or intake.status != "draft":
            intake = Intake(status="draft", answers={}, created_at=now, updated_at=now)
            session.add(intake)
            session.flush()
        if citizen_id is not None:
            person = session.get(Citizen, citizen_id)
            if person is None:
                raise IntakeRefused(_("Citizen {id} is not in the register.").format(id=citizen_id))
            if (person.cpr or "") != answers.cpr:
                raise IntakeRefused(
                    _("The CPR number is not that of citizen {id}, who was picked.").format(id=citizen_id)
                )
        else:
            person = citizen_by_cpr(session, answers.cpr) if answers.cpr else None
        new_citizen = person is None
        if person is None:
            person = Citizen(
                id=f"H{intake.id:05d}",
                cpr=answers.cpr or None,
                first_name=answers.first_name,
                last_name=answers.last_name,
                alias=answers.alias,
                phone=answers.phone,
            )
            session.add(person)
        elif answers.phone and not person.phone:
            person.phone = answers.phone
        case = Case(
            id=f"HS{intake.id:05d}",
            citizen_id=person.id,
            department=assessment.department,
            paragraph=assessment.paragraph,
            contact_date=answers.contact_date,
            free_choice=bool(answers.free_choice),
            personal_attendance_on=personal_attendance(answers),
            partner=partner_of(assessment.routing),
        )
        session.add(case)
        intake.status = "registered"
        intake.citizen_id = person.id
        intake.case_id = case.id
        intake.staff_id = signed_in.staff_id
        intake.contact_date = answers.contact_date
        intake.answers = _stored(answers, department, reason, "registered")
        intake.updated_at = now
        for task in assessment.tasks:
            session.add(
                Task(
                    kind=task.kind,
                    citizen_id=person.id,
                    case_id=case.id,
                    due=task.due,
                    source=task.source,
                    note=task.note,
                    created_at=now,
                    created_by=signed_in.staff_id,
                )
            )
        session.flush()
        detail = {"department": assessment.department, "paragraph": assessment.paragraph, "new_citizen": new_citizen}
        if department is not None and department != routed:
            detail["routed"] = routed
        record(session, signed_in, now, "intake", citizen_id=person.id, entity="case", entity_id=case.id, detail=detail)
        record_event(
            session,
            "intake",
            now,
            {
                "citizen_id": person.id,
                "case_id": case.id,
                "department": assessment.department,
                "paragraph": assessment.paragraph,
                "contact_date": answers.contact_date.isoformat(),
                "free_choice": bool(answers.free_choice),
                "staff": signed_in.staff_id,
            },
        )
        result = RegisteredIntake(intake.id, person.id, case.id, new_citizen, assessment)
    return result


@dataclass(frozen=True, slots=True)
class Draft:
    draft_id: int
    answers: dict[str, Any]  # the form as typed: may not validate yet
    step: str
    department: str | None
    reason: str
    updated_at: datetime
    label: str  # who it is about, as a list at the counter shows it: alias or initials
    citizen_id: str | None = None  # the known citizen picked in the form


def _draft(row: Any) -> Draft:
    stored = row.answers or {}
    answers = dict(stored.get("answers") or {})
    alias = str(answers.get("alias") or "")
    initials = "".join(str(part)[:1] for part in (answers.get("first_name"), answers.get("last_name")) if part)
    return Draft(
        draft_id=row.id,
        answers=answers,
        step=str(stored.get("step") or ""),
        department=stored.get("department"),
        reason=str(stored.get("reason") or ""),
        updated_at=row.updated_at,
        label=alias or initials.upper() or _("(no name yet)"),
        citizen_id=stored.get("citizen_id") or None,
    )


def save_draft(
    skranke: Skranke,
    actor: Actor | None,
    draft_id: int | None,
    answers: dict[str, Any],
    step: str,
    department: str | None = None,
    reason: str | None = None,
    citizen_id: str | None = None,
) -> int:
    """Keep the form as typed, in its own transaction: nothing is lost to a crash or a lock.
    A draft that is gone (removed, registered, discarded) is started again under a new id.
    `citizen_id`: the known citizen picked in the form, picked again on resume."""
    from skranke.store.intake import draft_for_update
    from skranke.store.models import Intake

    signed_in = require(actor, "intake")
    now = skranke.clock.now()
    stored = {
        "answers": dict(answers),
        "step": step,
        "department": department,
        "reason": reason or "",
        "citizen_id": citizen_id,
    }
    contact = _contact_date(answers.get("contact_date"))
    with skranke.database.transaction() as session:
        row = draft_for_update(session, draft_id) if draft_id is not None else None
        if row is None or row.status != "draft":
            row = Intake(status="draft", created_at=now)
            session.add(row)
        row.answers = stored
        row.contact_date = contact
        row.staff_id = signed_in.staff_id
        row.updated_at = now
        session.flush()
        return row.id


def _contact_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def remove_old_drafts(skranke: Skranke) -> int:
    """Drafts untouched for the site's `draft_keep_days` are deleted (they hold a citizen's answers)."""
    from datetime import timedelta

    from skranke.store.intake import remove_drafts_before

    before = skranke.clock.now() - timedelta(days=skranke.site.draft_keep_days)
    with skranke.database.transaction() as session:
        return remove_drafts_before(session, before)


def list_drafts(skranke: Skranke, actor: Actor | None) -> list[Draft]:
    """The unfinished forms, newest first, after removing those older than the site's limit."""
    from skranke.store.intake import drafts

    require(actor, "intake")
    remove_old_drafts(skranke)
    with skranke.database.reading() as session:
        return [_draft(row) for row in drafts(session)]


def resume_draft(skranke: Skranke, actor: Actor | None, draft_id: int) -> Draft | None:
    from skranke.store.models import Intake

    require(actor, "intake")
    with skranke.database.reading() as session:
        row = session.get(Intake, draft_id)
        return _draft(row) if row is not None and row.status == "draft" else None


def discard_draft(skranke: Skranke, actor: Actor | None, draft_id: int) -> None:
    """A discarded draft keeps no answers."""
    from skranke.store.intake import draft_for_update

    require(actor, "intake")
    with skranke.database.transaction() as session:
        row = draft_for_update(session, draft_id)
        if row is not None and row.status == "draft":
            row.status = "discarded"
            row.answers = {}
            row.updated_at = skranke.clock.now()


def known_citizen(skranke: Skranke, actor: Actor | None, cpr: str) -> str | None:
    """The id of the citizen with this CPR number, if the store has one (the form reuses it)."""
    from skranke.store.intake import citizen_by_cpr

    require(actor, "intake")
    with skranke.database.reading() as session:
        person = citizen_by_cpr(session, cpr)
        return None if person is None else person.id


@dataclass(frozen=True, slots=True)
class PickedCitizen:
    """A known citizen picked in the form (found with services.reception.search_citizens): what the
    identity step is filled with. `cpr` goes into the answers, since the age follows from it,
    but the form shows `masked_cpr` only: reception may not read a stored CPR (reveal_cpr)."""

    citizen_id: str
    cpr: str  # "" for an anonymous citizen
    first_name: str
    last_name: str
    alias: str
    phone: str
    display: str  # alias, else initials, as lists at the counter show a citizen
    masked_cpr: str
    birth_date: date | None

    @property
    def anonymous(self) -> bool:
        return not self.cpr


def picked_citizen(citizen_id: str, cpr: str, first_name: str, last_name: str, alias: str, phone: str) -> PickedCitizen:
    from skranke.services.citizens import mask_cpr
    from skranke.services.identity import birth_date_of, display_name

    return PickedCitizen(
        citizen_id=citizen_id,
        cpr=cpr,
        first_name=first_name,
        last_name=last_name,
        alias=alias,
        phone=phone,
        display=display_name(first_name, last_name, alias, citizen_id),
        masked_cpr=mask_cpr(cpr),
        birth_date=birth_date_of(cpr),
    )


def pick_citizen(skranke: Skranke, actor: Actor | None, citizen_id: str) -> PickedCitizen | None:
    """The known citizen the request is about, to fill the form with; the look at their record
    is in the audit log (`open_citizen`, as the card), in the same transaction."""
    from skranke.services.audit import record
    from skranke.store.models import Citizen

    signed_in = require(actor, "intake")
    with skranke.database.transaction() as session:
        person = session.get(Citizen, citizen_id)
        if person is None:
            return None
        record(
            session,
            signed_in,
            skranke.clock.now(),
            "open_citizen",
            citizen_id=person.id,
            entity="citizen",
            entity_id=person.id,
            detail={"for": "intake"},
        )
        return picked_citizen(
            person.id, person.cpr or "", person.first_name, person.last_name, person.alias, person.phone
        )


@dataclass(frozen=True, slots=True)
class IntakePreview:
    """What the form shows while it is filled: every problem, and what can be computed yet."""

    problems: tuple[FieldProblem, ...]
    assessment: IntakeAssessment | None  # None until the answers hold together
    deadline: date | None  # from the contact date alone, before the rest is known
    # The site's clock waits for a personal attendance and the request was not made in person
    # (004): no deadline, whatever else is known yet.
    awaiting_attendance: bool = False


def preview_intake(skranke: Skranke, data: dict[str, Any], department: str | None = None) -> IntakePreview:
    try:
        answers = read_answers(skranke, data)
    except IntakeRejected as rejected:
        contact = _contact_date(data.get("contact_date"))
        awaiting = awaits_attendance(data.get("channel"), skranke.site.rules)
        deadline = None if contact is None or awaiting else guarantee_deadline(contact, skranke.site.rules)
        return IntakePreview(rejected.problems, None, deadline, awaiting)
    assessment = assess_intake(skranke, answers, department)
    return IntakePreview((), assessment, assessment.deadline, assessment.guarantee == "awaiting_attendance")


def flag_label(flag: str) -> str:
    return {
        "deadline_on_closed_day": _("the deadline falls on a closed day"),
        "no_open_day_before_deadline": _("no open day before the deadline"),
        "no_appointment": _("no appointment booked yet"),
        "hours_unknown": _("opening hours not given"),
        rules.ANONYMOUS_NOT_ELIGIBLE: _("anonymous treatment not possible: criteria not met"),
        rules.ANONYMOUS_ELIGIBILITY_NOT_ANSWERED: _("anonymous treatment not decided: criteria not answered"),
        rules.CHILDREN_CONCERN_NOT_ANSWERED: _("concern for the children not assessed"),
    }.get(flag, flag)
