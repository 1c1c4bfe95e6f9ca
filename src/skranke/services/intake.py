"""Intake (Ny henvendelse): read the form's answers, say what is wrong in the interface language,
and assess them by the site's rules at `--now` (DESIGN §1 "Intake", §3 `skranke intake`).

Assessing writes nothing and needs no database: it is what the form shows as it is filled and
what `skranke intake --dry-run` prints. Registering (citizen, case, tasks, audit, outbox) needs
a signed-in staff member and lives with the sign-in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from skranke.clock import to_local
from skranke.domain import intake as rules
from skranke.domain.intake import IntakeAnswers, IntakeAssessment, evaluate_intake
from skranke.i18n import _, ngettext
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
        raise IntakeRejected(_("{path} cannot be read: {reason}").format(path=path, reason=error.strerror)) from None
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
    }
    return labels.get(kind, kind)


def criterion_state_label(state: str) -> str:
    return {"met": _("met"), "not_met": _("not met"), "not_answered": _("not answered")}.get(state, state)


def eligible_label(eligible: bool | None) -> str:
    if eligible is None:
        return _("not decided: some criteria are not answered")
    return _("eligible") if eligible else _("not eligible")
