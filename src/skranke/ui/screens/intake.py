""" "Ny henvendelse": the guided intake form, step by step, kept as a draft after every change.

Each step is checked as it is left, every wrong field named beside it. What follows from the
answers (routing with its rule and source, deadline, last open day, what to book before it)
is shown as soon as it can be computed. The form is saved as a draft within a second of every
change, in its own transaction, so a crash, kill -9 or a lock loses nothing: the drafts are
offered when the form opens.

The screen is the glue: the widgets, the timers and the workers. The steps, their fields and
the rules a step is left by are `ui.intake_form`, the words beside the form `ui.intake_text`,
the search for a known citizen `ui.widgets.citizen_search`.
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

from skranke.domain.intake import AREA_ANSWERS, AREAS
from skranke.i18n import _, parse_date, short_date
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
    discard_draft,
    known_citizen,
    list_drafts,
    pick_citizen,
    picked_citizen,
    preview_intake,
    read_answers,
    register_intake,
    save_draft,
)
from skranke.services.reception import CitizenHit, search_citizens
from skranke.ui.intake_form import (
    INPUT_FIELDS,
    PICKED_FIELDS,
    SELECT_FIELDS,
    STEPS,
    SUBSTANCES,
    YES_NO,
    answers_from_form,
    field_label,
    form_values,
    is_blank,
    resumed_step,
    routing_error,
    step_after,
    step_before,
    step_errors,
    step_title,
)
from skranke.ui.intake_text import draft_line, known_text, picked_text, review_text, routing_text, summary_text
from skranke.ui.widgets.citizen_search import CitizenSearch, HitsTable, SearchField
from skranke.ui.widgets.database import DatabaseBanner, DatabaseScreen, NotFetched
from skranke.ui.widgets.field import Field
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar

SAVE_AFTER_SECONDS = 0.5  # debounced: the draft is in the store within a second of a change


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
        return [Option(draft_line(draft, self._tz), id=str(draft.draft_id)) for draft in self._drafts]

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
        self._citizen_search: CitizenSearch | None = None  # made in compose

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
                        self._citizen_search = CitizenSearch(
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
                        yield self._citizen_search
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
                        yield Field(id="f-reason", compact=True)
                        yield Static(id="e-department", classes="field-error")
                    with VerticalScroll(id="step-review"):
                        yield Static(id="review")
                yield Static(id="intake-summary")
            yield NotFetched(_("The form"))
        yield SkrankeFooter()

    def _text_field(self, field: str, placeholder: str = "") -> ComposeResult:
        yield Label(field_label(field))
        yield Field(id=_id(field), placeholder=placeholder, compact=True)
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
            yield Field(id=_id(note), placeholder=_("short note"), compact=True)
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
        # Asked after every key: the search kept at hand, not looked up among the form's widgets.
        search = self._citizen_search
        return self.loaded and not (search is not None and search.holding_keys)

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
        self.step = resumed_step(draft)
        self._show_step()
        # After the dialog has gone: the screen's own focus is restored as it comes back.
        self.call_after_refresh(self._focus_step)
        self.notify(_("Draft resumed: {label}").format(label=draft.label), timeout=3)

    def _fill(self, draft: Draft) -> None:
        answers = draft.answers
        self._filling = True
        self._let_go()
        self._write_form(form_values(answers))
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
        return answers_from_form(self._read_form(), self._picked)

    def _read_form(self) -> dict[str, Any]:
        """Each field's value (ui.intake_form: a select not answered is None)."""
        form: dict[str, Any] = {
            "anonymous": self.query_one(_selector("anonymous"), Checkbox).value,
            "substances": list(self.query_one(_selector("substances"), SelectionList).selected),
        }
        for field in INPUT_FIELDS:
            form[field] = self.query_one(_selector(field), Input).value
        for field in SELECT_FIELDS:
            value = self.query_one(_selector(field), Select).value
            form[field] = value if isinstance(value, str) else None
        return form

    def _write_form(self, form: dict[str, Any]) -> None:
        self.query_one(_selector("anonymous"), Checkbox).value = form["anonymous"]
        for field in INPUT_FIELDS:
            self.query_one(_selector(field), Input).value = form[field]
        for field in SELECT_FIELDS:
            self._set_select(field, form[field])
        chosen = self.query_one(_selector("substances"), SelectionList)
        chosen.deselect_all()
        for substance in form["substances"]:
            chosen.select(substance)

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
        today = self.app.skranke.clock.now().date()
        if self.draft_id is not None or not is_blank(answers, today, self.department(), self.reason(), self._picked):
            self.save(answers, self.step, self.department(), self.reason(), self.picked_citizen_id)
        self.refresh_preview()

    @property
    def picked_citizen_id(self) -> str | None:
        return None if self._picked is None else self._picked.citizen_id

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
        _show(known, picked_text(picked, self._contact_date()) if picked is not None else known_text(citizen_id))

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
        site = self.app.skranke.site
        _show(self.query_one("#intake-summary", Static), summary_text(preview, site))
        _show(self.query_one("#routing-suggestion", Static), routing_text(preview, site))
        if self.step == "review":
            _show(self.query_one("#review", Static), review_text(self.answers(), preview, self._picked))

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
        _show(self.query_one("#intake-progress", Static), progress)
        self.refresh_preview()

    def _focus_step(self) -> None:
        container = self.query_one(f"#step-{self.step}")
        for widget in container.query("Input, Select, Checkbox, SelectionList"):
            if widget.focusable:
                widget.focus()
                return

    def _check_step(self) -> bool:
        """Every wrong field of this step beside it (ui.intake_form.step_errors); True when there is none."""
        today = self.app.skranke.clock.now().date()
        words = step_errors(self.step, self._problems(), self._typed("contact_date"), today)
        for field, said in words.items():
            # By id (Textual keeps those it has found): a query of every widget per field was
            # most of what leaving a step cost.
            error = self.query_one_optional(f"#{_error_id(field)}", Static)
            if error is None:
                continue
            _show(error, Text(said, "bold red"))
            error.display = bool(said)
        if self.step == "routing":
            return self._check_routing()
        return not any(words.values())

    def _check_routing(self) -> bool:
        chosen = self.department()
        # What the routing suggests by itself: assessed again without the choice.
        routed = preview_intake(self.app.skranke, self.answers()).assessment if chosen is not None else None
        wrong = routing_error(self._preview, routed, chosen, self.reason())
        error = self.query_one("#e-department", Static)
        _show(error, Text(wrong, "bold red"))
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
        after = step_after(self.step)
        if after is not None:
            self.step = after
            self._show_step()
            self._focus_step()
            self._schedule_save()

    async def action_leave(self) -> None:
        """Esc: back to I dag. The form stays as it is (n opens it again) and is saved as a
        draft now, so a lock meanwhile offers it again."""
        self.flush_draft()
        await self.app.switch_mode("today")

    def action_back(self) -> None:
        before = step_before(self.step)
        if before is not None:
            self.step = before
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


def _selector(field: str) -> str:
    return f"#{_id(field)}"


def _show(static: Static, content: Text | str) -> None:
    """`static.update(content)` unless it shows those words already: an update lays the whole
    screen out again, and the preview, the errors and the line under the CPR are put anew after
    every change and every step, mostly as they were."""
    if not _same_words(static.content, content):
        static.update(content)


def _same_words(shown: object, content: Text | str) -> bool:
    if isinstance(shown, str) and isinstance(content, str):
        return shown == content
    if isinstance(shown, Text) and isinstance(content, Text):
        # Text's == compares the characters and spans only, not the style of the whole.
        return (shown.plain, shown.spans, shown.style, shown.justify, shown.overflow, shown.no_wrap, shown.end) == (
            content.plain,
            content.spans,
            content.style,
            content.justify,
            content.overflow,
            content.no_wrap,
            content.end,
        )
    return False
