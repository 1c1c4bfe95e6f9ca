"""The dose dialog (DESIGN §1 "Safe at the window", "The window's keys").

Two identifiers before a dose: the dialog names the citizen in full (name and alias, masked
CPR) and the birth-date field has focus; six digits and Enter give the dose only when they are
the citizen's birth date (a mismatch records nothing and is logged). A citizen without a birth
date (anonymous) is confirmed by the alias: `a` says the citizen gave it, then Enter gives.
The field takes digits only, so the dialog's letters stay its commands: `r` refuses (reasons
in focus, 1-3 pick, Tab reaches the note, Enter saves from any field), `u` records missed
(confirmed in a dialog naming the citizen; the service refuses it before the interval ends),
`h` releases a hold (a doctor). None of them is an app key (d f b m n o s l q). Esc records
nothing. What another workstation records on this dose is shown at once (`overtaken`). A dose
given with take-home gets its label at once: printed when the workstation has a `label_printer`,
else saved, and the toast says which (`label_words`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from skranke.i18n import _, parse_decimal_text
from skranke.services.access import AccessError, Actor
from skranke.services.context import Skranke
from skranke.services.dispensing import confirm_identity, dispense, release, void
from skranke.services.errors import DatabaseUnavailable, DeskRefusal
from skranke.services.queue import DoneRow, DueRow, Person
from skranke.services.wording import alert_text, format_mg, outcome_word, refusal_text, refusal_word, threshold_source
from skranke.ui.app_base import SkrankeModalScreen
from skranke.ui.screens.confirm import ConfirmDialog

REFUSALS = {"1": "intoxicated", "2": "declined", "3": "other"}


def label_words(skranke: Skranke, actor: Actor | None, dispensing_id: int) -> str:
    """The take-home label of a dose given: printed (`label_printer`) or saved, in words. Run in a
    worker after the dose is recorded; a label that fails is said, and the dose stands."""
    from skranke.services.labels import deliver_label, take_home_label

    try:
        return deliver_label(skranke, dispensing_id, take_home_label(skranke, actor, dispensing_id)).words()
    except (DeskRefusal, AccessError) as refused:
        return str(refused)
    except DatabaseUnavailable as fault:
        return _("The label could not be made: {fault}").format(fault=fault)


def person_words(person: Person) -> str:
    """'Søren Ågård (Maagen)' / 'Maagen' / 'SÅ': the full name first, then the alias."""
    if person.name and person.alias:
        return f"{person.name} ({person.alias})"
    return person.name or person.alias or person.display


def person_line(person: Person) -> Text:
    """The citizen as the dialog names them: full name, alias, id and masked CPR."""
    cpr = person.masked_cpr or _("anonymous")
    return Text.assemble((person_words(person), "bold"), f"  ·  {person.citizen_id}  ·  {cpr}")


class BirthDateInput(Input):
    """Digits only, and a letter is not swallowed: it goes on to the dialog's keys (r, u, h…).

    Textual's Input claims every printable key for itself (`check_consume_key` takes them out
    of the binding chain) and stops it, even one its `restrict` then refuses; here only digits
    are claimed, and another key is handed on without its character, so the binding chain
    (the dialog's keys) sees it as it would with no field in focus.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(restrict=r"[0-9]*", max_length=6, **kwargs)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character is not None and character.isdigit()

    async def _on_key(self, event: events.Key) -> None:
        if event.character is not None and event.is_printable and not event.character.isdigit():
            event.character = None  # Input._on_key (run after this) then leaves it alone


class _Dialog(SkrankeModalScreen[bool]):
    """Dismissed with True when something was recorded."""

    def _error(self, message: str) -> None:
        self.query_one(".dialog-error", Static).update(Text(message, style="bold red"))

    def _run(self, act: Callable[[], str | None]) -> None:
        self._record(act)

    @work(thread=True, exclusive=True, exit_on_error=False, group="record")
    def _record(self, act: Callable[[], str | None]) -> None:
        try:
            message = act()
        except (DeskRefusal, AccessError) as refused:
            self.app.call_from_thread(self._error, str(refused))
            return
        except DatabaseUnavailable as fault:
            self.app.call_from_thread(self._error, _("Not recorded: {fault}").format(fault=fault))
            self.app.call_from_thread(self.app.report_database_fault, fault)
            return
        if message is None:
            return  # the act said what happened in the dialog itself
        self.app.call_from_thread(self.app.notify, message, timeout=6)
        self.app.call_from_thread(self.dismiss, True)


class DoseDialog(_Dialog):
    DEFAULT_CSS = """
    DoseDialog { align: center middle; }
    DoseDialog #dose-body { width: 80; }
    DoseDialog #dose-ask { margin-top: 1; }
    DoseDialog #dose-identity { height: auto; }
    DoseDialog #dose-birth { width: 16; }
    DoseDialog #dose-refusal, DoseDialog #dose-release { height: auto; display: none; }
    DoseDialog.-refuse #dose-refusal { display: block; }
    DoseDialog.-release #dose-release { display: block; }
    DoseDialog.-refuse #dose-identity, DoseDialog.-release #dose-identity { display: none; }
    DoseDialog #dose-reasons { height: auto; max-height: 5; }
    DoseDialog #dose-overtaken { height: auto; display: none; }
    DoseDialog #dose-state { height: auto; }
    DoseDialog #dose-state.-empty { display: none; }
    DoseDialog.-overtaken #dose-overtaken { display: block; }
    DoseDialog.-overtaken #dose-identity { display: none; }
    """

    BINDINGS = [
        Binding("r", "refuse", _("Refuse"), id="dose.refuse"),
        Binding("u", "missed", _("Missed"), id="dose.missed"),
        Binding("h", "release", _("Release hold"), id="dose.release"),
        Binding("a", "alias_confirmed", _("Alias confirmed"), id="dose.alias", show=False),
        Binding("enter", "enter", _("Give / save"), id="dose.enter", show=False),
        Binding("1", "reason('1')", show=False),
        Binding("2", "reason('2')", show=False),
        Binding("3", "reason('3')", show=False),
        Binding("escape", "back", _("Back"), id="dose.back"),
    ]

    def __init__(self, row: DueRow) -> None:
        super().__init__()
        self.row = row
        self._mode = "choose"
        self._alias_confirmed = False
        self._overtaken = False

    @property
    def key(self) -> str:
        return f"due|{self.row.dose.order.id}|{self.row.dose.dose_number}"

    def compose(self) -> ComposeResult:
        row, dose = self.row, self.row.dose
        with Vertical(id="dose-body", classes="dialog"):
            yield Static(Text(_("Dose"), style="bold"), id="dose-title")
            yield Static(person_line(row.person), id="dose-person")
            number = _(" · dose {number} of 2").format(number=dose.dose_number) if dose.order.doses_per_day == 2 else ""
            yield Static(
                Text.assemble(
                    (f"{self._preparation()} {format_mg(dose.dose_mg)} mg", "bold"), number, "  ", self._home()
                )
            )
            alerts = Text()
            for alert in dose.alerts:
                if alerts:
                    alerts.append("\n")
                alerts.append("! " + alert_text(alert), style="bold red" if alert.blocks else "yellow")
                source = threshold_source(alert)
                if source:  # no seed gives the threshold: say so where it shows (issue 24)
                    alerts.append("\n  " + source, style="dim")
            yield Static(alerts, id="dose-alerts")
            state = self._state_words()
            yield Static(state, id="dose-state", classes="" if state else "-empty")
            yield Static(id="dose-overtaken")
            with Vertical(id="dose-identity"):
                yield Static(self._ask(), id="dose-ask")
                if row.person.birth_date is not None:
                    yield BirthDateInput(id="dose-birth", placeholder=_("DDMMYY"))
            with Vertical(id="dose-refusal"):
                yield Label(_("Why is the dose refused? (1-3 picks, Tab: note, Enter saves)"))
                yield OptionList(
                    Option(_("1 intoxicated (the doctor gets a task)"), id="intoxicated"),
                    Option(_("2 citizen declined"), id="declined"),
                    Option(_("3 other (write why in the note)"), id="other"),
                    id="dose-reasons",
                )
                yield Input(id="dose-note", placeholder=_("note (required for 'other')"))
            with Vertical(id="dose-release"):
                yield Label(_("Reason for releasing the hold (required)"))
                yield Input(id="dose-release-reason")
                yield Label(_("Reduced dose for today (mg, optional)"))
                yield Input(id="dose-mg", restrict=r"[0-9.,]*")
            yield Static(self._keys(), id="dose-choices")
            yield Static(classes="dialog-error")

    def on_mount(self) -> None:
        birth = self.query(BirthDateInput)
        if birth:
            birth.first().focus()
        else:
            self.set_focus(None)

    # --- what the dialog says -------------------------------------------------------------

    def _preparation(self) -> str:
        preparation = self.row.dose.order.preparation
        try:
            return self.app.skranke.site.preparation(preparation).name
        except KeyError:
            return preparation

    def _home(self) -> str:
        dose = self.row.dose
        if dose.take_home_days:
            return _("+ {days} days home: {mg} mg").format(days=dose.take_home_days, mg=format_mg(dose.take_home_mg))
        return _("supervised, nothing home") if dose.order.supervised else ""

    def _ask(self) -> Text:
        person = self.row.person
        if person.birth_date is not None:
            return Text(_("Ask the citizen for the birth date and type it (DDMMYY), then Enter:"), style="bold yellow")
        if self._alias_confirmed:
            return Text(_("The alias is confirmed: Enter gives the dose."), style="bold green")
        return Text(
            _("No birth date on record: ask for the alias. If the citizen says '{alias}', press a, then Enter.").format(
                alias=person.alias or person.display
            ),
            style="bold yellow",
        )

    def _state_words(self) -> Text:
        dose = self.row.dose
        actor = self.app.actor
        if dose.state == "hold":
            who = _("A doctor may release it.")
            if actor is not None and actor.may("release"):
                who = _("h releases the hold for today (a reason, optionally a reduced dose).")
            return Text.assemble((_("Held for a doctor's reassessment: cannot be given."), "bold red"), " ", who)
        if dose.state == "blocked":
            return Text(_("This dose cannot be given now."), style="bold yellow")
        return Text()

    def _keys(self) -> Text:
        if self._overtaken:
            return Text(_("Esc back"))
        if self._mode == "refuse":
            return Text(_("1-3 pick the reason · Tab: note · Enter saves · Esc records nothing"))
        if self._mode == "release":
            return Text(_("Enter releases · Esc records nothing"))
        give = _("Enter gives") if self.row.dose.state == "due" else ""
        parts = [give, _("r refuses"), _("u missed")]
        if self.row.dose.state == "hold":
            parts.append(_("h releases (doctor)"))
        return Text(" · ".join(p for p in [*parts, _("Esc back")] if p))

    def _show_keys(self) -> None:
        self.query_one("#dose-choices", Static).update(self._keys())

    def _citizen(self) -> str:
        return person_words(self.row.person)

    # --- told from outside: another workstation's record -----------------------------------

    def overtaken(self, message: str) -> None:
        """This dose was recorded (or voided, held) elsewhere: say so, offer nothing more."""
        self._overtaken = True
        self.add_class("-overtaken")
        self.remove_class("-refuse", "-release")
        self._mode = "overtaken"
        self.query_one("#dose-overtaken", Static).update(Text(message, style="bold red"))
        self._show_keys()
        self.set_focus(None)

    def changed(self, row: DueRow, message: str) -> None:
        """The dose is still due but its state changed elsewhere (held, released, blocked)."""
        self.row = row
        self.query_one("#dose-state", Static).update(self._state_words())
        self.query_one("#dose-state").set_class(not self._state_words(), "-empty")
        self.query_one("#dose-overtaken", Static).update(Text(message, style="bold red"))
        self.query_one("#dose-overtaken").display = True
        self._show_keys()

    # --- the keys ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self._overtaken and action not in ("back",):
            return False
        if action in ("refuse", "missed", "release", "alias_confirmed") and self._mode != "choose":
            return False
        if action == "release":
            return self.row.dose.state == "hold"
        return True

    def action_back(self) -> None:
        if self._mode in ("refuse", "release"):
            # Esc leaves the refusal or release: nothing recorded, the dialog as it was.
            self.remove_class("-refuse", "-release")
            self._mode = "choose"
            self._show_keys()
            self.query_one(".dialog-error", Static).update("")
            birth = self.query(BirthDateInput)
            if birth:
                birth.first().focus()
            self.refresh_bindings()
            return
        self.dismiss(False)

    def action_enter(self) -> None:
        if self._mode == "refuse":
            self._save_refusal()
        elif self._mode == "release":
            self._save_release()
        elif self._mode == "choose" and self.row.person.birth_date is None:
            if not self._alias_confirmed:
                self._error(_("Ask for the alias first: a confirms it, then Enter gives."))
                return
            self._give(None)

    @on(Input.Submitted, "#dose-birth")
    def _birth_typed(self, event: Input.Submitted) -> None:
        event.stop()
        if self._mode != "choose":
            return
        typed = event.value.strip()
        if len(typed) != 6:
            self._error(_("Type the birth date as six digits: DDMMYY."))
            return
        self._give(typed)

    @on(Input.Submitted, "#dose-note, #dose-release-reason, #dose-mg")
    def _field_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_enter()

    @on(OptionList.OptionSelected, "#dose-reasons")
    def _reason_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._save_refusal()

    def action_alias_confirmed(self) -> None:
        if self.row.person.birth_date is not None:
            return
        self._alias_confirmed = True
        self.query_one("#dose-ask", Static).update(self._ask())

    def _give(self, typed: str | None) -> None:
        if self.row.dose.state != "due":
            blocking = next((a for a in self.row.dose.alerts if a.blocks), None)
            self._error(alert_text(blocking) if blocking else _("This dose cannot be given now."))
            return
        order, number = self.row.dose.order.id, self.row.dose.dose_number
        skranke, actor, citizen = self.app.skranke, self.app.actor, self._citizen()

        def act() -> str | None:
            if typed is not None and not confirm_identity(skranke, actor, order, number, typed):
                self.app.call_from_thread(self._mismatch)
                return None
            result = dispense(skranke, actor, order, "given", number)
            given = _("Given: {citizen}, {preparation} {mg} mg.").format(
                citizen=citizen, preparation=self._preparation(), mg=format_mg(result.dose_mg or 0)
            )
            if result.take_home_mg > 0:  # the label goes with what goes home (issue 27)
                return f"{given}\n{label_words(skranke, actor, result.dispensing_id)}"
            return given

        self._run(act)

    def _mismatch(self) -> None:
        self._error(
            _("The birth date does not match {citizen}: no dose recorded. Ask again, or refuse.").format(
                citizen=self._citizen()
            )
        )
        birth = self.query(BirthDateInput)
        if birth:
            birth.first().value = ""
            birth.first().focus()

    def action_missed(self) -> None:
        dose = self.row.dose
        title = _("Record the dose as missed (udeblevet)?")
        details = _("{preparation} {mg} mg, dose {number}. Recorded only after the dose's interval has ended.").format(
            preparation=self._preparation(), mg=format_mg(dose.dose_mg), number=dose.dose_number
        )
        self.app.push_screen(ConfirmDialog(title, self._citizen(), details), callback=self._missed_confirmed)

    def _missed_confirmed(self, confirmed: bool | None) -> None:
        if not confirmed or self._overtaken:
            return
        order, number = self.row.dose.order.id, self.row.dose.dose_number
        skranke, actor, citizen = self.app.skranke, self.app.actor, self._citizen()

        def act() -> str:
            dispense(skranke, actor, order, "missed", number)
            return _("Recorded as missed: {citizen}.").format(citizen=citizen)

        self._run(act)

    def action_refuse(self) -> None:
        self._mode = "refuse"
        self.add_class("-refuse")
        self.query_one(".dialog-error", Static).update("")
        reasons = self.query_one("#dose-reasons", OptionList)
        reasons.highlighted = None
        reasons.focus()
        self._show_keys()
        self.refresh_bindings()

    def action_reason(self, key: str) -> None:
        # Reached only while the options (not the note) have focus: the note takes digits as text.
        if self._mode != "refuse":
            return
        reasons = self.query_one("#dose-reasons", OptionList)
        reasons.highlighted = int(key) - 1

    def _save_refusal(self) -> None:
        reasons = self.query_one("#dose-reasons", OptionList)
        if reasons.highlighted is None:
            self._error(_("Pick a reason: 1, 2 or 3."))
            reasons.focus()
            return
        refusal = REFUSALS[str(reasons.highlighted + 1)]
        note = self.query_one("#dose-note", Input).value.strip()
        if refusal == "other" and not note:
            self._error(_("Write the reason for 'other' in the note."))
            self.query_one("#dose-note", Input).focus()
            return
        order, number = self.row.dose.order.id, self.row.dose.dose_number
        skranke, actor, citizen = self.app.skranke, self.app.actor, self._citizen()

        def act() -> str:
            dispense(skranke, actor, order, "refused", number, reason=note, refusal=refusal)
            return _("Refused: {citizen} ({reason}).").format(citizen=citizen, reason=refusal_word(refusal))

        self._run(act)

    def action_release(self) -> None:
        self._mode = "release"
        self.add_class("-release")
        self.query_one(".dialog-error", Static).update("")
        self.query_one("#dose-release-reason", Input).focus()
        self._show_keys()
        self.refresh_bindings()

    def _save_release(self) -> None:
        reason = self.query_one("#dose-release-reason", Input).value.strip()
        typed = self.query_one("#dose-mg", Input).value.strip()
        if not reason:
            self._error(_("Releasing a hold needs a reason."))
            return
        try:
            reduced = parse_decimal_text(typed) if typed else None
        except ValueError as problem:
            self._error(_("'{text}' is not a number of mg: {problem}").format(text=typed, problem=problem))
            return
        order = self.row.dose.order.id
        skranke, actor, citizen = self.app.skranke, self.app.actor, self._citizen()

        def act() -> str:
            release(skranke, actor, order, reason, reduced)
            return _("The hold is released for today: {citizen}.").format(citizen=citizen)

        self._run(act)


class VoidDialog(_Dialog):
    """A doctor voids a record with a reason; it stays visible as voided."""

    DEFAULT_CSS = """
    VoidDialog { align: center middle; }
    """

    BINDINGS = [Binding("escape", "dismiss(False)", _("Back"), id="void.back")]

    def __init__(self, done: DoneRow) -> None:
        super().__init__()
        self.done = done

    @property
    def key(self) -> str:
        return f"done|{self.done.dispensing_id}"

    def compose(self) -> ComposeResult:
        done = self.done
        with Vertical(id="void-body", classes="dialog"):
            yield Static(Text(_("Void a record"), style="bold"))
            yield Static(person_line(done.person))
            what = _("{outcome} at {time} by {staff}").format(
                outcome=outcome_word(done.outcome), time=done.recorded_at.strftime("%H.%M"), staff=done.staff
            )
            if done.reason:
                what += f": {refusal_text(done.reason)}"
            yield Static(Text(what))
            yield Static(id="void-overtaken")
            yield Label(_("Reason (required; a doctor voids) · Enter voids · Esc back"))
            yield Input(id="void-reason")
            yield Static(classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one("#void-reason", Input).focus()

    def overtaken(self, message: str) -> None:
        self.query_one("#void-overtaken", Static).update(Text(message, style="bold red"))
        self.query_one("#void-reason", Input).disabled = True

    @on(Input.Submitted, "#void-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            self._error(_("Voiding needs a reason."))
            return
        skranke, actor, record_id = self.app.skranke, self.app.actor, self.done.dispensing_id
        citizen = person_words(self.done.person)

        def act() -> str:
            void(skranke, actor, record_id, reason)
            return _("Voided: {citizen}, {outcome} at {time}.").format(
                citizen=citizen, outcome=outcome_word(self.done.outcome), time=self.done.recorded_at.strftime("%H.%M")
            )

        self._run(act)


def close_day_words(service_name: str, day_words: str, count: int) -> str:
    return _("{service} {day}: {count} due doses not given will be recorded as missed.").format(
        service=service_name, day=day_words, count=count
    )
