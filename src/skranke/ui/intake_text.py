"""What Ny henvendelse says beside the form, without Textual: the summary (deadline, department,
last open day, tasks), the routing with its rule and source and the eligibility checklists,
the review of every answer, the known citizen picked, a draft's line in the drafts dialog."""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

from rich.text import Text

from skranke.domain.intake import AREAS, age_on
from skranke.domain.site import Site
from skranke.i18n import _, clock_time, short_date
from skranke.services.intake import (
    Draft,
    IntakePreview,
    PickedCitizen,
    area_answer_label,
    criterion_state_label,
    eligible_label,
    flag_label,
    task_kind_label,
)
from skranke.ui.intake_form import STEP_FIELDS, STEPS, choice_label, field_label, step_title


def summary_text(preview: IntakePreview, site: Site) -> Text:
    """Beside every step: the deadline as soon as the date of the request gives it, then what
    follows from complete answers."""
    text = Text()
    assessment = preview.assessment
    if preview.deadline is not None:
        text.append(_("Deadline: {date}").format(date=short_date(preview.deadline)) + "\n", "bold")
    elif preview.awaiting_attendance:
        text.append(_("Deadline: awaiting the personal attendance") + "\n", "bold")
    else:
        text.append(_("Deadline: when the date of the request is given") + "\n", "dim")
    if assessment is None:
        text.append(_("Last open day: when the answers are complete") + "\n", "dim")
        return text
    if assessment.department is not None:
        name = site.department(assessment.department).name
        text.append(_("Department: {name}").format(name=name) + "\n")
    elif assessment.referral is not None:
        text.append(_("Referral: {referral} (not a case here)").format(referral=assessment.referral) + "\n", "yellow")
    if assessment.paragraph:
        text.append(_("Paragraph: {paragraph}").format(paragraph=assessment.paragraph) + "\n")
    if assessment.guarantee == "open":
        text.append(
            _("Last open day: {date}").format(
                date=short_date(assessment.last_open_day) if assessment.last_open_day else "–"
            )
            + "\n",
            "bold",
        )
        for book in assessment.book_before_deadline:
            text.append(
                _("Book before the deadline: {kind} ({source})").format(kind=book.kind, source=book.source) + "\n"
            )
        for flag in assessment.flags:
            text.append(f"· {flag_label(flag)}\n", "yellow")
    elif assessment.guarantee == "awaiting_attendance":
        text.append(
            _("No deadline yet: the 14 days count from the citizen's first personal attendance ({source})").format(
                source=site.rules.clock_start_event_source
            )
            + "\n",
            "bold",
        )
    elif assessment.exempt_reason == "anonymous":
        text.append(_("No treatment guarantee: anonymous treatment (SEL § 101a)") + "\n")
    elif assessment.exempt_reason:
        text.append(_("The deadline may be waived: the citizen chooses another provider") + "\n")
    if assessment.tasks:
        text.append(_("Tasks:") + "\n", "bold")
        for task in assessment.tasks:
            text.append(f"· {short_date(task.due)} {task_kind_label(task.kind)}\n")
    return text


def routing_text(preview: IntakePreview, site: Site) -> Text:
    """The routing step: the rule that holds, its source, the alternatives, each eligibility
    checklist with the state of every criterion."""
    assessment = preview.assessment
    if assessment is None:
        return Text(_("The routing is shown when the answers are complete."), "dim")
    text = Text()
    routing = assessment.routing
    if routing is None:
        text.append(
            _("No routing rule of the site fits these answers: choose the department by hand.") + "\n", "yellow"
        )
        return text
    text.append(routing.explanation + "\n", "bold")
    text.append(_("Rule {rule}, source {source}").format(rule=routing.rule, source=routing.source) + "\n", "dim")
    if routing.alternatives:
        names = ", ".join(site.department(d).name for d in routing.alternatives)
        text.append(_("Or: {departments}").format(departments=names) + "\n")
    if routing.together_with:
        text.append(_("Together with: {partner}").format(partner=routing.together_with) + "\n")
    for check in assessment.eligibility:
        text.append(f"{check.name}: {eligible_label(check.eligible)} ({check.source})\n")
        # The column fits the longest state shown ("vurderes af lægen" where the doctor judges).
        width = max(14, *(len(criterion_state_label(c.state)) for c in check.criteria))
        for criterion in check.criteria:
            text.append(f"  {criterion_state_label(criterion.state):<{width}} {criterion.label}\n", "dim")
    return text


def review_text(answers: dict[str, Any], preview: IntakePreview, picked: PickedCitizen | None) -> Text:
    """Every answer step by step (a picked citizen's CPR masked), then what is still wrong or
    that Ctrl+R registers."""
    text = Text()
    for step in STEPS[:5]:
        text.append(step_title(step) + "\n", "bold underline")
        if step == "identity" and picked is not None:
            text.append("  " + _("Known citizen") + ": ", "dim")
            text.append(f"{picked.citizen_id}\n")
        if step == "areas":
            _review_areas(text, answers["areas"])
            continue
        for field in STEP_FIELDS[step]:
            value: Any = answers.get(field)
            if field == "cpr" and picked is not None:
                value = picked.masked_cpr
            if isinstance(value, bool):
                value = _("Yes") if value else _("No")
            elif field in ("channel", "requested_by") and isinstance(value, str):
                value = choice_label(value)
            elif isinstance(value, list):
                value = ", ".join(value)
            if value in (None, ""):
                value = "–"
            text.append(f"  {field_label(field)}: ", "dim")
            text.append(f"{value}\n")
    if preview.problems:
        text.append(_("Not ready: {count} wrong fields").format(count=len(preview.problems)) + "\n", "bold red")
        for problem in preview.problems:
            text.append(f"  {field_label(problem.field)}: {problem.message}\n", "red")
    else:
        text.append(_("Ready: Ctrl+R registers the request.") + "\n", "bold green")
    return text


def _review_areas(text: Text, areas: dict[str, dict[str, Any]]) -> None:
    """Each area: its short answer, then its note."""
    for area in AREAS:
        given = areas[area]
        text.append(f"  {field_label(f'areas.{area}')}: ", "dim")
        if given["answer"]:
            text.append(area_answer_label(given["answer"]), "bold")
        else:
            text.append(_("not assessed"), "dim italic")
        note = given["note"].strip()
        text.append(f" · {note}\n" if note else "\n")


def picked_text(picked: PickedCitizen, contact_date: date) -> Text:
    """Under the CPR field: the known citizen the request is added to, their age on the day of
    the request, never the full CPR."""
    text = Text(style="green")
    if picked.anonymous:
        who = _("{display}, anonymous").format(display=picked.display)
    elif picked.birth_date is not None:
        age = age_on(picked.birth_date, contact_date)
        who = _("{display}, {cpr}, born {birth}, {age} years").format(
            display=picked.display, cpr=picked.masked_cpr, birth=short_date(picked.birth_date), age=age
        )
    else:
        who = f"{picked.display}, {picked.masked_cpr}"
    text.append(
        _("Known citizen {id} ({who}): the request is added to them, no new citizen.").format(
            id=picked.citizen_id, who=who
        )
    )
    text.append(" " + _("Ctrl+O: another citizen."), "dim")
    return text


def known_text(citizen_id: str | None) -> Text | str:
    """Under the CPR field when a typed CPR is a known citizen's."""
    if not citizen_id:
        return ""
    return Text(_("Known citizen {id}: the request is added to them, no new citizen.").format(id=citizen_id), "green")


def draft_line(draft: Draft, tz: tzinfo | None) -> str:
    """A draft in the drafts dialog: who, the step it was left on, when."""
    moment = draft.updated_at.astimezone(tz)
    step = step_title(draft.step) if draft.step in STEPS else draft.step
    return f"{draft.label}  ·  {step}  ·  {short_date(moment.date())} {clock_time(moment)}"
