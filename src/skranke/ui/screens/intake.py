""" "Ny henvendelse": the guided intake form, step by step, kept as a draft after every change.

Each step is checked as it is left, every wrong field named beside it. What follows from the
answers (routing with its rule and source, deadline, last open day, what to book before it)
is shown as soon as it can be computed. The form is saved as a draft within a second of every
change, in its own transaction, so a crash, kill -9 or a lock loses nothing: the drafts are
offered when the form opens.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import (
    Checkbox,
    ContentSwitcher,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option

from skranke.domain.intake import AREA_ANSWERS, AREAS, age_on
from skranke.i18n import _, clock_time, parse_date, short_date
from skranke.services.access import AccessError
from skranke.services.errors import DatabaseUnavailable
from skranke.services.intake import (
    Draft,
    FieldProblem,
    IntakePreview,
    IntakeRefused,
    IntakeRejected,
    PickedCitizen,
    RegisteredIntake,
    area_answer_label,
    criterion_state_label,
    discard_draft,
    eligible_label,
    flag_label,
    known_citizen,
    list_drafts,
    pick_citizen,
    picked_citizen,
    preview_intake,
    read_answers,
    register_intake,
    save_draft,
    task_kind_label,
)
from skranke.services.reception import CitizenHit, search_citizens
from skranke.ui.widgets.citizen_search import CitizenSearch, HitsTable, SearchField
from skranke.ui.widgets.database import DatabaseBanner, DatabaseScreen, NotFetched
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar

SAVE_AFTER_SECONDS = 0.5  # debounced: the draft is in the store within a second of a change

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


def _id(field: str) -> str:
    return "f-" + field.replace(".", "-")


def _error_id(field: str) -> str:
    return "e-" + field.replace(".", "-")


class DraftsDialog(ModalScreen[int | None]):
    """The unfinished forms: resume one (Enter), discard one (x), or start a new request (Esc)."""

    BINDINGS = [
        Binding("x", "discard", _("Discard draft")),
        Binding("escape", "new", _("New request")),
    ]

    def __init__(self, drafts: list[Draft], tz: Any) -> None:
        super().__init__()
        self._drafts = drafts
        self._tz = tz

    def compose(self) -> ComposeResult:
        with Vertical(id="drafts-dialog"):
            yield Static(_("Unfinished requests: Enter resumes, x discards, Esc starts a new one."), id="drafts-help")
            yield OptionList(*self._options(), id="drafts")

    def _options(self) -> list[Option]:
        options = []
        for draft in self._drafts:
            moment = draft.updated_at.astimezone(self._tz)
            step = step_title(draft.step) if draft.step in STEPS else draft.step
            text = f"{draft.label}  ·  {step}  ·  {short_date(moment.date())} {clock_time(moment)}"
            options.append(Option(text, id=str(draft.draft_id)))
        return options

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        assert event.option.id is not None
        self.dismiss(int(event.option.id))

    def action_new(self) -> None:
        self.dismiss(None)

    def action_discard(self) -> None:
        options = self.query_one("#drafts", OptionList)
        index = options.highlighted
        if index is None:
            return
        draft = self._drafts.pop(index)
        screen = self.app.screen_stack[-2]
        if isinstance(screen, IntakeScreen):
            screen.discard(draft.draft_id)
        options.remove_option_at_index(index)
        if not self._drafts:
            self.dismiss(None)


class KnownCitizenSearch(SearchField):
    """Find a known citizen in the identity step; Down or Enter moves into the results."""

    # Not in the footer: the line under the search says it, and the footer is full at 80 columns.
    BINDINGS = [Binding("down", "to_hits", _("Results"), key_display="↓", id="intake.to_hits", show=False)]


class KnownCitizenHits(HitsTable):
    """The citizens found: Enter picks one."""

    BINDINGS = [
        Binding("enter", "select_cursor", _("Pick"), id="intake.pick", tooltip=_("Fill the form from this citizen"))
    ]


class IntakeScreen(DatabaseScreen[None]):
    DEFAULT_CSS = """
    #citizen-hits {
        height: auto;
        max-height: 7;
    }
    #citizen-found {
        height: auto;
        color: $text-muted;
    }
    #citizen-found.-nothing {
        color: $warning;
    }
    .area-row {
        height: 1;
    }
    .area-row Select {
        width: 26;
        margin-right: 1;
    }
    .area-row Input {
        width: 1fr;
    }
    """

    BINDINGS = [
        Binding("ctrl+n,pagedown", "next", _("Next step"), id="intake.next", key_display="^n"),
        Binding("ctrl+b,pageup", "back", _("Previous step"), id="intake.back", key_display="^b"),
        Binding("ctrl+r", "register", _("Register"), id="intake.register", key_display="^r"),
        # The draft is saved first and offered again when the form is opened.
        Binding("escape", "leave", _("Leave"), id="intake.leave", tooltip=_("Back to I dag; the draft is kept")),
        Binding(
            "ctrl+o",
            "release_citizen",
            _("Another citizen"),
            id="intake.release",
            key_display="^o",
            tooltip=_("Let go of the known citizen picked: type or find another"),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.step = STEPS[0]
        self.draft_id: int | None = None
        self.loaded = False
        self._save_timer: Timer | None = None
        self._save_lock = threading.Lock()
        self._known: str | None = None
        self._preview: IntakePreview | None = None
        self._filling = False
        self._picked: PickedCitizen | None = None  # the known citizen the request is about

    # --- building the form ---------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="intake"):
            yield DatabaseBanner()
            yield Static(id="intake-progress")
            with Horizontal(id="intake-body", classes="fetched"):
                with ContentSwitcher(initial="step-identity", id="intake-steps"):
                    with VerticalScroll(id="step-identity"):
                        yield Label(_("Find a known citizen (name, alias, CPR)"))
                        yield CitizenSearch(
                            self._search,
                            KnownCitizenSearch(
                                id="f-citizen-search", placeholder=_("e.g. Jens Hansen or 010190"), compact=True
                            ),
                            KnownCitizenHits(id="citizen-hits"),
                            found_id="citizen-found",
                            # No birth date column, as Borger has: the masked CPR gives it, and 80 columns hold three.
                            columns="brief",
                            how_to_choose=_("↓ and Enter picks"),
                            enter_chooses=False,
                        )
                        yield Checkbox(field_label("anonymous"), id=_id("anonymous"), compact=True)
                        yield from self._text_field("cpr", placeholder="DDMMÅÅ-XXXX")
                        yield Static(id="known-citizen")
                        yield from self._text_field("first_name")
                        yield from self._text_field("last_name")
                        yield from self._text_field("alias")
                        yield from self._text_field("age", placeholder=_("years"))
                        yield from self._text_field("phone")
                    with VerticalScroll(id="step-request"):
                        yield from self._text_field("contact_date", placeholder="DD.MM.ÅÅÅÅ")
                        yield from self._select_field(
                            "channel",
                            [(_("In person"), "personal"), (_("By phone"), "phone"), (_("In writing"), "written")],
                        )
                        yield from self._select_field(
                            "requested_by",
                            [
                                (_("The citizen"), "citizen"),
                                (_("A relative"), "relative"),
                                (_("A professional"), "professional"),
                            ],
                        )
                    with VerticalScroll(id="step-substances"):
                        yield Label(field_label("substances"))
                        yield SelectionList[str](*((s, s) for s in SUBSTANCES), id=_id("substances"))
                        yield Static(id=_error_id("substances"), classes="field-error")
                        yield from self._select_field("main_substance", [(s, s) for s in SUBSTANCES])
                    with VerticalScroll(id="step-areas"):
                        for area in AREAS:
                            yield from self._area_field(area)
                    with VerticalScroll(id="step-circumstances"):
                        for question in YES_NO:
                            yield from self._select_field(question, [(_("Yes"), "yes"), (_("No"), "no")])
                    with VerticalScroll(id="step-routing"):
                        yield Static(id="routing-suggestion")
                        yield Label(_("Another department (leave empty to follow the routing)"))
                        yield Select[str](
                            [(d.name, d.id) for d in self.app.skranke.site.departments],
                            id="f-department",
                            prompt=_("As the routing suggests"),
                            compact=True,
                        )
                        yield Label(_("Why another department"))
                        yield Input(id="f-reason", compact=True)
                        yield Static(id="e-department", classes="field-error")
                    with VerticalScroll(id="step-review"):
                        yield Static(id="review")
                yield Static(id="intake-summary")
            yield NotFetched(_("The form"))
        yield SkrankeFooter()

    def _text_field(self, field: str, placeholder: str = "") -> ComposeResult:
        yield Label(field_label(field))
        yield Input(id=_id(field), placeholder=placeholder, compact=True)
        yield Static(id=_error_id(field), classes="field-error")

    def _area_field(self, area: str) -> ComposeResult:
        """The area's short answer (one closed choice; blank: not assessed) beside its note."""
        answer, note = f"areas.{area}.answer", f"areas.{area}.note"
        yield Label(field_label(f"areas.{area}"))
        with Horizontal(classes="area-row"):
            yield Select[str](
                [(area_answer_label(code), code) for code in AREA_ANSWERS[area]],
                id=_id(answer),
                prompt=_("not assessed"),
                compact=True,
            )
            yield Input(id=_id(note), placeholder=_("short note"), compact=True)
        yield Static(id=_error_id(answer), classes="field-error")
        yield Static(id=_error_id(note), classes="field-error")

    def _select_field(self, field: str, options: list[tuple[str, str]]) -> ComposeResult:
        yield Label(field_label(field))
        yield Select[str](options, id=_id(field), prompt=_("not answered"), compact=True)
        yield Static(id=_error_id(field), classes="field-error")

    def on_mount(self) -> None:
        self.query_one(_selector("contact_date"), Input).value = short_date(self.app.skranke.clock.now().date())
        for error in self.query(".field-error"):
            error.display = False
        self._show_step()
        self.load_drafts()

    def show_unavailable(self, fault: DatabaseUnavailable) -> None:
        pass  # the banner says it; the answers stay in the widgets and are saved when it answers

    def reload(self) -> None:
        self._schedule_save()

    # --- the drafts ------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="intake-drafts")
    def load_drafts(self) -> None:
        drafts = list_drafts(self.app.skranke, self.app.actor)
        self.app.call_from_thread(self._offer_drafts, drafts)

    @property
    def ready_for_input(self) -> bool:
        """Keys typed before the drafts are read wait (SkrankeApp's type-ahead): they are for
        the drafts dialog or the first field, whichever comes; so do keys after a Down that
        waits for its search."""
        return self.loaded and not any(search.holding_keys for search in self.query(CitizenSearch))

    def _offer_drafts(self, drafts: list[Draft]) -> None:
        self.loaded = True
        self._drafts = {d.draft_id: d for d in drafts}
        if drafts:
            tz = self.app.skranke.clock.now().tzinfo
            self.app.push_screen(DraftsDialog(drafts, tz), callback=self._resume)
        else:
            self._focus_step()
        self.app.input_ready()

    def _resume(self, draft_id: int | None) -> None:
        draft = self._drafts.get(draft_id) if draft_id is not None else None
        if draft is None:
            self._focus_step()
            return
        self.draft_id = draft.draft_id
        self._fill(draft)
        self.step = draft.step if draft.step in STEPS else STEPS[0]
        self._show_step()
        # After the dialog has gone: the screen's own focus is restored as it comes back.
        self.call_after_refresh(self._focus_step)
        self.notify(_("Draft resumed: {label}").format(label=draft.label), timeout=3)

    def _fill(self, draft: Draft) -> None:
        answers = draft.answers
        self._filling = True
        self._let_go()
        self.query_one(_selector("anonymous"), Checkbox).value = bool(answers.get("anonymous"))
        for field in TEXT_FIELDS:
            value = answers.get(field)
            if field == "contact_date" and value and (shown := parse_date(str(value))) is not None:
                value = short_date(shown)
            self.query_one(_selector(field), Input).value = "" if value is None else str(value)
        for field in ("channel", "requested_by", "main_substance"):
            self._set_select(field, answers.get(field))
        chosen = self.query_one(_selector("substances"), SelectionList)
        chosen.deselect_all()
        for substance in answers.get("substances") or []:
            if substance in SUBSTANCES:
                chosen.select(substance)
        areas = answers.get("areas") or {}
        for area in AREAS:
            given = areas.get(area)
            # A draft of an earlier version kept the note alone, as text.
            given = given if isinstance(given, dict) else {"note": given}
            answer = given.get("answer")
            self._set_select(f"areas.{area}.answer", answer if answer in AREA_ANSWERS[area] else None)
            self.query_one(_selector(f"areas.{area}.note"), Input).value = str(given.get("note") or "")
        for question in YES_NO:
            value = answers.get(question)
            self._set_select(question, None if value is None else ("yes" if value else "no"))
        self._set_select("department", draft.department)
        self.query_one("#f-reason", Input).value = draft.reason
        if draft.citizen_id:
            # Picked again from what the draft kept: no second look at the register.
            self._hold(
                picked_citizen(
                    draft.citizen_id,
                    str(answers.get("cpr") or ""),
                    str(answers.get("first_name") or ""),
                    str(answers.get("last_name") or ""),
                    str(answers.get("alias") or ""),
                    str(answers.get("phone") or ""),
                )
            )
        self._filling = False

    def _set_select(self, field: str, value: Any) -> None:
        select = self.query_one(_selector(field), Select)
        if value is None or value == "":
            select.clear()
        else:
            select.value = value

    def discard(self, draft_id: int) -> None:
        self.discard_in_store(draft_id)

    @work(thread=True, exit_on_error=False, group="intake-discard")
    def discard_in_store(self, draft_id: int) -> None:
        discard_draft(self.app.skranke, self.app.actor, draft_id)

    # --- the answers -----------------------------------------------------------------------

    def answers(self) -> dict[str, Any]:
        """The form as typed, in the model's keys (DESIGN §3); empty fields left out."""
        data: dict[str, Any] = {}
        data["anonymous"] = self.query_one(_selector("anonymous"), Checkbox).value
        for field in TEXT_FIELDS:
            value = self.query_one(_selector(field), Input).value.strip()
            if value:
                data[field] = value
        # Typed and shown the Danish way (07.12.2026); the model and the draft keep ISO. What is
        # no date goes on as typed, so the field gets its error.
        typed_date = parse_date(data.get("contact_date", ""))
        if typed_date is not None:
            data["contact_date"] = typed_date.isoformat()
        if self._picked is not None:
            # The CPR field shows the masked number; the answers hold the register's.
            data.pop("cpr", None)
            if self._picked.cpr:
                data["cpr"] = self._picked.cpr
        for field in ("channel", "requested_by", "main_substance"):
            chosen = self.query_one(_selector(field), Select).value
            if isinstance(chosen, str):
                data[field] = chosen
        data["substances"] = list(self.query_one(_selector("substances"), SelectionList).selected)
        data["areas"] = {}
        for area in AREAS:
            answer = self.query_one(_selector(f"areas.{area}.answer"), Select).value
            data["areas"][area] = {
                "answer": answer if isinstance(answer, str) else None,
                "note": self.query_one(_selector(f"areas.{area}.note"), Input).value,
            }
        for question in YES_NO:
            answer = self.query_one(_selector(question), Select).value
            if isinstance(answer, str):
                data[question] = answer == "yes"
        return data

    def _typed(self, field: str) -> str:
        return self.query_one(_selector(field), Input).value.strip()

    def department(self) -> str | None:
        value = self.query_one("#f-department", Select).value
        return value if isinstance(value, str) else None

    def reason(self) -> str:
        return self.query_one("#f-reason", Input).value.strip()

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(SelectionList.SelectedChanged)
    def _changed(self, event: Any) -> None:
        changed = getattr(event, "input", None)
        if changed is not None and changed.id == _id("cpr") and self._picked is None:
            self._check_known(event.value)
        self._schedule_save()

    def _schedule_save(self) -> None:
        if not self.loaded:
            return  # nothing typed yet: the drafts are still being offered
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_AFTER_SECONDS, self._save_now)

    def _save_now(self) -> None:
        self._save_timer = None
        answers = self.answers()
        if self.draft_id is not None or not self._blank(answers):
            self.save(answers, self.step, self.department(), self.reason(), self.picked_citizen_id)
        self.refresh_preview()

    @property
    def picked_citizen_id(self) -> str | None:
        return None if self._picked is None else self._picked.citizen_id

    def _blank(self, answers: dict[str, Any]) -> bool:
        """Nothing typed yet (the date of the request is filled in by itself): no draft."""
        today = self.app.skranke.clock.now().date().isoformat()
        typed = {k: v for k, v in answers.items() if k not in ("anonymous", "substances", "areas", "contact_date")}
        return (
            not typed
            and not answers["anonymous"]
            and not answers["substances"]
            and not any(area["answer"] or area["note"] for area in answers["areas"].values())
            and answers.get("contact_date", today) == today
            and self.department() is None
            and not self.reason()
            and self._picked is None
        )

    @work(thread=True, exit_on_error=False, group="intake-save")
    def save(
        self, answers: dict[str, Any], step: str, department: str | None, reason: str, citizen_id: str | None
    ) -> None:
        # One save at a time, so the first one's new id is used by the next.
        with self._save_lock:
            self.draft_id = save_draft(
                self.app.skranke, self.app.actor, self.draft_id, answers, step, department, reason, citizen_id
            )

    def flush_draft(self) -> None:
        """Save now (a step left, a lock coming): the debounce timer does not wait."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_now()

    def _check_known(self, cpr: str) -> None:
        digits = cpr.replace("-", "").strip()
        if len(digits) == 10 and digits.isdigit():
            self.look_up_citizen(digits)
        else:
            self._show_known(None)

    @work(thread=True, exclusive=True, exit_on_error=False, group="intake-known")
    def look_up_citizen(self, cpr: str) -> None:
        self.app.call_from_thread(self._show_known, known_citizen(self.app.skranke, self.app.actor, cpr))

    def _show_known(self, citizen_id: str | None) -> None:
        self._known = citizen_id
        known = self.query_one("#known-citizen", Static)
        picked = self._picked
        if picked is not None:
            known.update(self._picked_text(picked))
            return
        known.update(
            Text(_("Known citizen {id}: the request is added to them, no new citizen.").format(id=citizen_id), "green")
            if citizen_id
            else ""
        )

    def _picked_text(self, picked: PickedCitizen) -> Text:
        text = Text(style="green")
        if picked.anonymous:
            who = _("{display}, anonymous").format(display=picked.display)
        elif picked.birth_date is not None:
            age = age_on(picked.birth_date, self._contact_date())
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

    def _contact_date(self) -> date:
        typed = parse_date(self.query_one(_selector("contact_date"), Input).value)
        return typed if typed is not None else self.app.skranke.clock.now().date()

    # --- a known citizen, found by name or part of the CPR ---------------------------------

    def _search(self, query: str) -> list[CitizenHit]:
        """In the search's worker: services.reception logs every citizen shown as a look, as
        Borger's search does."""
        return search_citizens(self.app.skranke, self.app.actor, query)

    @property
    def shown_query(self) -> str:
        """The search whose results are on screen."""
        return self.query_one(CitizenSearch).shown_query

    @on(CitizenSearch.Chosen)
    def _hit_chosen(self, event: CitizenSearch.Chosen) -> None:
        self.fetch_citizen(event.hit.citizen_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="intake-pick")
    def fetch_citizen(self, citizen_id: str) -> None:
        picked = pick_citizen(self.app.skranke, self.app.actor, citizen_id)
        if picked is not None:
            self.app.call_from_thread(self._picked_one, picked)

    def _picked_one(self, picked: PickedCitizen) -> None:
        self._hold(picked)
        self.query_one(CitizenSearch).clear()
        # What is left to answer here: the age of an anonymous citizen, else the phone.
        self.query_one(_selector("age" if picked.anonymous else "phone"), Input).focus()
        self._schedule_save()

    def _hold(self, picked: PickedCitizen) -> None:
        """Fill the identity step from the register and keep it so; the CPR shown masked."""
        self._picked = picked
        self.query_one(_selector("anonymous"), Checkbox).value = picked.anonymous
        values = {
            "cpr": picked.masked_cpr,
            "first_name": picked.first_name,
            "last_name": picked.last_name,
            "alias": picked.alias,
        }
        for field, value in values.items():
            self.query_one(_selector(field), Input).value = value
        phone = self.query_one(_selector("phone"), Input)
        if picked.phone and not phone.value.strip():
            phone.value = picked.phone
        for field in PICKED_FIELDS:
            self.query_one(_selector(field)).disabled = True
        self._show_known(picked.citizen_id)
        self.refresh_bindings()

    def _let_go(self) -> None:
        """No known citizen picked: the identity fields are the receptionist's again."""
        if self._picked is None:
            return
        self._picked = None
        for field in PICKED_FIELDS:
            self.query_one(_selector(field)).disabled = False
        self._show_known(None)
        self.refresh_bindings()

    def action_release_citizen(self) -> None:
        picked = self._picked
        if picked is None:
            return
        self._let_go()
        self.query_one(_selector("anonymous"), Checkbox).value = False
        for field in ("cpr", "first_name", "last_name", "alias"):
            self.query_one(_selector(field), Input).value = ""
        phone = self.query_one(_selector("phone"), Input)
        if phone.value.strip() == picked.phone:
            phone.value = ""  # the register's, not typed here
        self.query_one("#f-citizen-search", Input).focus()
        self._schedule_save()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "release_citizen":
            return self._picked is not None and self.step == "identity"
        return super().check_action(action, parameters)

    # --- preview: routing, deadline, last open day ---------------------------------------

    def refresh_preview(self) -> None:
        preview = preview_intake(self.app.skranke, self.answers(), self.department())
        self._preview = preview
        self.query_one("#intake-summary", Static).update(self._summary(preview))
        self.query_one("#routing-suggestion", Static).update(self._routing_text(preview))
        if self.step == "review":
            self.query_one("#review", Static).update(self._review_text(preview))

    def _summary(self, preview: IntakePreview) -> Text:
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
            name = self.app.skranke.site.department(assessment.department).name
            text.append(_("Department: {name}").format(name=name) + "\n")
        elif assessment.referral is not None:
            text.append(
                _("Referral: {referral} (not a case here)").format(referral=assessment.referral) + "\n", "yellow"
            )
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
                    source=self.app.skranke.site.rules.clock_start_event_source
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

    def _routing_text(self, preview: IntakePreview) -> Text:
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
            names = ", ".join(self.app.skranke.site.department(d).name for d in routing.alternatives)
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

    def _review_text(self, preview: IntakePreview) -> Text:
        data = self.answers()
        text = Text()
        for step in STEPS[:5]:
            text.append(step_title(step) + "\n", "bold underline")
            if step == "identity" and self._picked is not None:
                text.append("  " + _("Known citizen") + ": ", "dim")
                text.append(f"{self._picked.citizen_id}\n")
            if step == "areas":
                self._review_areas(text, data["areas"])
                continue
            for field in STEP_FIELDS[step]:
                value: Any = data.get(field)
                if field == "cpr" and self._picked is not None:
                    value = self._picked.masked_cpr
                if isinstance(value, bool):
                    value = _("Yes") if value else _("No")
                elif field in ("channel", "requested_by") and isinstance(value, str):
                    value = _choice_label(value)
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

    def _review_areas(self, text: Text, areas: dict[str, dict[str, Any]]) -> None:
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

    # --- steps -----------------------------------------------------------------------------

    def _show_step(self) -> None:
        self.query_one("#intake-steps", ContentSwitcher).current = f"step-{self.step}"
        self.refresh_bindings()
        progress = Text()
        for number, step in enumerate(STEPS, start=1):
            if progress:
                progress.append(" › ", "dim")
            style = (
                "bold reverse" if step == self.step else ("" if STEPS.index(step) < STEPS.index(self.step) else "dim")
            )
            progress.append(f"{number} {step_title(step)}", style)
        self.query_one("#intake-progress", Static).update(progress)
        self.refresh_preview()

    def _focus_step(self) -> None:
        container = self.query_one(f"#step-{self.step}")
        for widget in container.query("Input, Select, Checkbox, SelectionList"):
            if widget.focusable:
                widget.focus()
                return

    def _check_step(self) -> bool:
        """Every wrong field of this step beside it; True when there is none."""
        fields = STEP_FIELDS[self.step]
        problems = [p for p in self._problems() if p.field in fields]
        by_field: dict[str, list[FieldProblem]] = {}
        for problem in problems:
            by_field.setdefault(problem.field, []).append(problem)
        for field in fields:
            shown = self.query(f"#{_error_id(field)}")
            if not shown:
                continue
            error = shown.first(Static)
            found = by_field.get(field, [])
            words = [p.message for p in found]
            if field == "contact_date" and found and parse_date(self._typed("contact_date")) is None:
                words = [
                    _("{field}: write the date as DD.MM.ÅÅÅÅ, e.g. {example}").format(
                        field=field_label(field), example=short_date(self.app.skranke.clock.now().date())
                    )
                ]
            error.update(Text("; ".join(words), "bold red"))
            error.display = bool(found)
        if self.step == "routing":
            return self._check_routing()
        return not problems

    def _check_routing(self) -> bool:
        error = self.query_one("#e-department", Static)
        preview = self._preview
        chosen = self.department()
        wrong = ""
        if preview is not None and preview.assessment is not None and chosen is not None:
            routing = preview.assessment.routing
            routed = preview_intake(self.app.skranke, self.answers()).assessment
            suggested = {routed.department if routed else None, *(routing.alternatives if routing else ())}
            if chosen not in suggested and not self.reason():
                wrong = _("Say why the citizen goes to another department than the routing suggests.")
        error.update(Text(wrong, "bold red"))
        error.display = bool(wrong)
        return not wrong

    def _problems(self) -> tuple[FieldProblem, ...]:
        try:
            read_answers(self.app.skranke, self.answers())
        except IntakeRejected as rejected:
            return rejected.problems
        return ()

    def action_next(self) -> None:
        if not self._check_step():
            self.notify(_("Correct the fields marked in red first."), severity="warning", timeout=4)
            return
        index = STEPS.index(self.step)
        if index + 1 < len(STEPS):
            self.step = STEPS[index + 1]
            self._show_step()
            self._focus_step()
            self._schedule_save()

    async def action_leave(self) -> None:
        """Esc: back to I dag. The form stays as it is (n opens it again) and is saved as a
        draft now, so a lock meanwhile offers it again."""
        self.flush_draft()
        await self.app.switch_mode("today")

    def action_back(self) -> None:
        index = STEPS.index(self.step)
        if index > 0:
            self.step = STEPS[index - 1]
            self._show_step()
            self._focus_step()
            self._schedule_save()

    # --- registering -------------------------------------------------------------------------

    def action_register(self) -> None:
        if self.step != "review":
            self.notify(_("Go through the steps to the review first (Ctrl+N)."), timeout=4)
            return
        try:
            answers = read_answers(self.app.skranke, self.answers())
        except IntakeRejected as rejected:
            self.notify(_("Not ready: {count} wrong fields").format(count=len(rejected.problems)), severity="error")
            return
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        self.register(answers, self.department(), self.reason(), self.picked_citizen_id)

    @work(thread=True, exit_on_error=False, group="intake-register")
    def register(self, answers: Any, department: str | None, reason: str, citizen_id: str | None) -> None:
        with self._save_lock:
            try:
                result = register_intake(
                    self.app.skranke, self.app.actor, answers, department, reason, self.draft_id, citizen_id
                )
            except (IntakeRefused, AccessError) as refused:
                self.app.call_from_thread(self.notify, str(refused), severity="error", timeout=8)
                return
            except DatabaseUnavailable as fault:
                self.app.call_from_thread(
                    self.notify, _("Not registered: {fault}").format(fault=fault), severity="error", timeout=8
                )
                self.app.call_from_thread(self.app.report_database_fault, fault)
                return
            self.draft_id = None
        self.app.call_from_thread(self._registered, result)

    def _registered(self, result: RegisteredIntake) -> None:
        self.notify(
            _("Registered: citizen {citizen}, case {case}.").format(citizen=result.citizen_id, case=result.case_id),
            timeout=8,
        )
        self._clear()

    def _clear(self) -> None:
        self._filling = True
        self._let_go()
        for widget in self.query(Input):
            widget.value = ""
        for select in self.query(Select):
            select.clear()
        self.query_one(_selector("anonymous"), Checkbox).value = False
        self.query_one(_selector("substances"), SelectionList).deselect_all()
        self.query_one(_selector("contact_date"), Input).value = short_date(self.app.skranke.clock.now().date())
        self._filling = False
        self.step = STEPS[0]
        self._show_step()
        self._focus_step()


def _choice_label(value: str) -> str:
    return {
        "personal": _("In person"),
        "phone": _("By phone"),
        "written": _("In writing"),
        "citizen": _("The citizen"),
        "relative": _("A relative"),
        "professional": _("A professional"),
    }.get(value, value)


def _selector(field: str) -> str:
    return f"#{_id(field)}"
