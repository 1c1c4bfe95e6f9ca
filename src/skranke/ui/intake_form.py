"""Ny henvendelse's wizard without Textual: the steps, which field is on which, the rules a
step is checked by as it is left, and the form's values to and from the model's answers.

The form's values (`form_values`, `answers_from_form`) are keyed by field as the screen's
widgets are: "anonymous" a bool, the text fields and the areas' notes as typed, a choice, an
area's short answer and a yes/no question a code or None (not answered), "substances" the
codes marked. The answers are the model's (DESIGN §3): what was not given is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from skranke.domain.intake import AREA_ANSWERS, AREAS, IntakeAssessment
from skranke.i18n import _, parse_date, short_date
from skranke.services.intake import Draft, FieldProblem, IntakePreview, PickedCitizen

STEPS = ("identity", "request", "substances", "areas", "circumstances", "routing", "review")
SUBSTANCES = ("hash", "kokain", "amfetamin", "ecstasy", "heroin", "opioider", "benzodiazepiner", "alkohol", "andet")
# Children first (at home, then any elsewhere, then concern: the sites' children's tasks), then
# health, the heroin clinic's benzodiazepine and alcohol questions (000 § 5.4) beside substitution.
YES_NO = (
    "children_under_18_at_home",
    "has_children",
    "children_concern",
    "pregnant",
    "severe_mental_illness",
    "significant_alcohol_or_benzo",
    "stable_benzo_treatment",
    "wants_substitution",
    "self_supporting",
    "has_housing",
    "free_choice",
)
TEXT_FIELDS = ("cpr", "first_name", "last_name", "alias", "age", "phone", "contact_date")
CHOICE_FIELDS = ("channel", "requested_by", "main_substance")
# What a picked known citizen fills in and keeps: the register's, not the form's to change.
PICKED_FIELDS = ("anonymous", "cpr", "first_name", "last_name", "alias")
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "identity": ("anonymous", "cpr", "first_name", "last_name", "alias", "age", "phone"),
    "request": ("contact_date", "channel", "requested_by"),
    "substances": ("substances", "main_substance"),
    "areas": tuple(f"areas.{area}.{part}" for area in AREAS for part in ("answer", "note")),
    "circumstances": YES_NO,
    "routing": (),
    "review": (),
}
# The widgets of the form's values: typed, chosen from a list.
INPUT_FIELDS = (*TEXT_FIELDS, *(f"areas.{area}.note" for area in AREAS))
SELECT_FIELDS = (*CHOICE_FIELDS, *(f"areas.{area}.answer" for area in AREAS), *YES_NO)


def step_after(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def step_before(step: str) -> str | None:
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


def resumed_step(draft: Draft) -> str:
    """The step a draft was left on (a draft of another version of the form: the first)."""
    return draft.step if draft.step in STEPS else STEPS[0]


def step_title(step: str) -> str:
    return {
        "identity": _("Identity"),
        "request": _("The request"),
        "substances": _("Substances"),
        "areas": _("Assessment"),
        "circumstances": _("Circumstances"),
        "routing": _("Routing"),
        "review": _("Review"),
    }[step]


def field_label(field: str) -> str:
    if field.startswith("areas.") and field.count(".") == 2:
        field = field.rsplit(".", 1)[0]  # an area's answer or note: the area's name
    return {
        "anonymous": _("Anonymous treatment (SEL § 101a)"),
        "cpr": _("CPR number"),
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "alias": _("Alias"),
        "age": _("Age"),
        "phone": _("Phone"),
        "contact_date": _("Date of the request"),
        "channel": _("How"),
        "requested_by": _("Asked by"),
        "substances": _("Substances (space marks)"),
        "main_substance": _("Main substance"),
        "areas.substances": _("1. Use of substances, drugs and alcohol"),
        "areas.social": _("2. Social conditions, network and family"),
        "areas.health": _("3. Physical and mental health"),
        "areas.work": _("4. Work and/or education"),
        "areas.housing": _("5. Housing"),
        "areas.other": _("6. Other conditions, other help received"),
        "children_under_18_at_home": _("Children under 18 living at home"),
        "has_children": _("Has children (also children not living at home)"),
        "children_concern": _("Concern for a child's wellbeing"),
        "pregnant": _("Pregnant"),
        "severe_mental_illness": _("Severe mental illness"),
        "significant_alcohol_or_benzo": _("Significant abuse of alcohol or benzodiazepines"),
        "stable_benzo_treatment": _("In stable treatment with benzodiazepines"),
        "wants_substitution": _("Wants substitution treatment"),
        "self_supporting": _("Self-supporting"),
        "has_housing": _("Has housing"),
        "free_choice": _("Wants free choice of another provider"),
    }.get(field, field)


def choice_label(value: str) -> str:
    return {
        "personal": _("In person"),
        "phone": _("By phone"),
        "written": _("In writing"),
        "citizen": _("The citizen"),
        "relative": _("A relative"),
        "professional": _("A professional"),
    }.get(value, value)


# --- checking a step as it is left ------------------------------------------------------------


def step_errors(step: str, problems: Iterable[FieldProblem], typed_contact_date: str, today: date) -> dict[str, str]:
    """What each field of the step says beside it ("" when it is right), from the model's
    problems with the answers: every problem of the field, "; " between them. A date of the
    request that is no date says how to write one, with today's as the example."""
    by_field: dict[str, list[str]] = {field: [] for field in STEP_FIELDS[step]}
    for problem in problems:
        if problem.field in by_field:
            by_field[problem.field].append(problem.message)
    words = {field: "; ".join(messages) for field, messages in by_field.items()}
    if words.get("contact_date") and parse_date(typed_contact_date) is None:
        words["contact_date"] = _("{field}: write the date as DD.MM.ÅÅÅÅ, e.g. {example}").format(
            field=field_label("contact_date"), example=short_date(today)
        )
    return words


def routing_error(
    preview: IntakePreview | None, routed: IntakeAssessment | None, chosen: str | None, reason: str
) -> str:
    """Another department than the routing suggests (`routed`: the answers assessed without a
    choice) needs a reason; "" when none is needed or one is given."""
    if preview is None or preview.assessment is None or chosen is None:
        return ""
    routing = preview.assessment.routing
    suggested = {routed.department if routed else None, *(routing.alternatives if routing else ())}
    if chosen not in suggested and not reason:
        return _("Say why the citizen goes to another department than the routing suggests.")
    return ""


# --- the form's values and the model's answers ------------------------------------------------


def answers_from_form(form: Mapping[str, Any], picked: PickedCitizen | None) -> dict[str, Any]:
    """The form as typed, in the model's keys (DESIGN §3); empty fields left out."""
    data: dict[str, Any] = {"anonymous": bool(form["anonymous"])}
    for field in TEXT_FIELDS:
        value = str(form[field]).strip()
        if value:
            data[field] = value
    # Typed and shown the Danish way (07.12.2026); the model and the draft keep ISO. What is
    # no date goes on as typed, so the field gets its error.
    typed_date = parse_date(data.get("contact_date", ""))
    if typed_date is not None:
        data["contact_date"] = typed_date.isoformat()
    if picked is not None:
        # The CPR field shows the masked number; the answers hold the register's.
        data.pop("cpr", None)
        if picked.cpr:
            data["cpr"] = picked.cpr
    for field in CHOICE_FIELDS:
        if isinstance(form[field], str):
            data[field] = form[field]
    data["substances"] = list(form["substances"])
    data["areas"] = {
        area: {"answer": form[f"areas.{area}.answer"], "note": form[f"areas.{area}.note"]} for area in AREAS
    }
    for question in YES_NO:
        if isinstance(form[question], str):
            data[question] = form[question] == "yes"
    return data


def form_values(answers: Mapping[str, Any]) -> dict[str, Any]:
    """What a draft's answers put in each field (`answers_from_form`'s keys)."""
    form: dict[str, Any] = {"anonymous": bool(answers.get("anonymous"))}
    for field in TEXT_FIELDS:
        value = answers.get(field)
        if field == "contact_date" and value and (shown := parse_date(str(value))) is not None:
            value = short_date(shown)
        form[field] = "" if value is None else str(value)
    for field in CHOICE_FIELDS:
        form[field] = answers.get(field) or None
    form["substances"] = [s for s in answers.get("substances") or [] if s in SUBSTANCES]
    areas = answers.get("areas") or {}
    for area in AREAS:
        given = areas.get(area)
        # A draft of an earlier version kept the note alone, as text.
        given = given if isinstance(given, dict) else {"note": given}
        answer = given.get("answer")
        form[f"areas.{area}.answer"] = answer if answer in AREA_ANSWERS[area] else None
        form[f"areas.{area}.note"] = str(given.get("note") or "")
    for question in YES_NO:
        value = answers.get(question)
        form[question] = None if value is None else ("yes" if value else "no")
    return form


def is_blank(
    answers: Mapping[str, Any], today: date, department: str | None, reason: str, picked: PickedCitizen | None
) -> bool:
    """Nothing typed yet (the date of the request is filled in by itself): no draft."""
    typed = {k: v for k, v in answers.items() if k not in ("anonymous", "substances", "areas", "contact_date")}
    return (
        not typed
        and not answers["anonymous"]
        and not answers["substances"]
        and not any(area["answer"] or area["note"] for area in answers["areas"].values())
        and answers.get("contact_date", today.isoformat()) == today.isoformat()
        and department is None
        and not reason
        and picked is None
    )
