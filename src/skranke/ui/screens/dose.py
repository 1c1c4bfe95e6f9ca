"""The dose dialog: the birth date to ask for, the dose, what goes home; give, refuse or missed.

One confirmation per act. A held dose offers only a doctor's release; a blocked one says why.
What the service refuses (already given on another workstation, a hold) is shown here, in the
rule's words, and nothing is recorded.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from skranke.i18n import _, long_date, short_date
from skranke.services.desk import DeskRefusal
from skranke.services.dispensing import (
    DoneRow,
    DueRow,
    QueueView,
    alert_text,
    close_day,
    dispense,
    format_mg,
    outcome_word,
    release,
    void,
)
from skranke.services.errors import DatabaseUnavailable
from skranke.services.staff import AccessError
from skranke.services.wording import refusal_word

if TYPE_CHECKING:
    from textual import getters

    from skranke.ui.app import SkrankeApp

REFUSALS = {"1": "intoxicated", "2": "declined", "3": "other"}


class _Dialog(ModalScreen[bool]):
    """Dismissed with True when something was recorded."""

    if TYPE_CHECKING:
        app = getters.app(SkrankeApp)

    def _error(self, message: str) -> None:
        self.query_one(".dialog-error", Static).update(Text(message, style="bold red"))

    def _run(self, act) -> None:
        self._record(act)

    @work(thread=True, exclusive=True, exit_on_error=False, group="record")
    def _record(self, act) -> None:
        try:
            message = act()
        except (DeskRefusal, AccessError) as refused:
            self.app.call_from_thread(self._error, str(refused))
            return
        except DatabaseUnavailable as fault:
            self.app.call_from_thread(self._error, _("Not recorded: {fault}").format(fault=fault))
            self.app.call_from_thread(self.app.report_database_fault, fault)
            return
        self.app.call_from_thread(self.app.notify, message, timeout=6)
        self.app.call_from_thread(self.dismiss, True)


class DoseDialog(_Dialog):
    # The keys g, r, m, o choose; a text field takes focus only when a reason is asked for.
    AUTO_FOCUS = None
    BINDINGS = [
        Binding("g", "give", _("Give"), id="dose.give"),
        Binding("r", "refuse", _("Refuse"), id="dose.refuse"),
        Binding("m", "missed", _("Missed"), id="dose.missed"),
        Binding("o", "release", _("Release hold"), id="dose.release"),
        Binding("escape", "dismiss(False)", _("Back"), id="dose.back"),
    ]

    def __init__(self, row: DueRow) -> None:
        super().__init__()
        self.row = row
        self._mode = "choose"

    def compose(self) -> ComposeResult:
        row, dose = self.row, self.row.dose
        with Vertical(id="dose-body", classes="dialog"):
            yield Static(Text.assemble((row.person.display, "bold"), f"  ·  {row.person.masked_cpr}"))
            ask = (
                _("Ask for the birth date: {date}").format(date=long_date(row.person.birth_date))
                if row.person.birth_date
                else _("Anonymous: ask for the alias")
            )
            yield Static(Text(ask, style="bold $accent".replace("$accent", "yellow")), id="dose-ask")
            number = _(" · dose {number} of 2").format(number=dose.dose_number) if dose.order.doses_per_day == 2 else ""
            name = self.app.skranke.site.preparation(dose.order.preparation).name
            yield Static(
                Text.assemble((f"{name} {format_mg(dose.dose_mg)} mg", "bold"), number, "  ", self._home_words())
            )
            alerts = Text()
            for alert in dose.alerts:
                alerts.append("• " + alert_text(alert) + "\n", style="bold red" if alert.blocks else "yellow")
            yield Static(alerts, id="dose-alerts")
            yield Static(self._choices(), id="dose-choices")
            yield Label(_("Reason"), id="dose-reason-label")
            yield Input(id="dose-reason", placeholder=_("a note (required for 'other')"), disabled=True)
            yield Label(_("Reduced dose for today (mg, optional)"), id="dose-mg-label")
            yield Input(id="dose-mg", restrict=r"[0-9.,]*", disabled=True)
            yield Static(classes="dialog-error")

    def on_mount(self) -> None:
        for widget in ("#dose-reason-label", "#dose-reason", "#dose-mg-label", "#dose-mg"):
            self.query_one(widget).display = False
        self.set_focus(None)

    def _home_words(self) -> str:
        dose = self.row.dose
        if dose.take_home_days:
            return _("+ {days} days home: {mg} mg").format(days=dose.take_home_days, mg=format_mg(dose.take_home_mg))
        return _("supervised, nothing home") if dose.order.supervised else ""

    def _choices(self) -> Text:
        dose = self.row.dose
        actor = self.app.actor
        if dose.state == "hold":
            who = _("A doctor may release it: o.")
            if actor is not None and actor.may("release"):
                who = _("o releases the hold for today (a reason, optionally a reduced dose).")
            return Text.assemble(
                (_("Held for a doctor's reassessment."), "bold red"),
                " ",
                who,
                "\n",
                _("r refuses · m marks missed · Esc back"),
            )
        if dose.state == "blocked":
            return Text.assemble(
                (_("This dose cannot be given now."), "bold yellow"), "\n", _("r refuses · m marks missed · Esc back")
            )
        return Text(_("g gives · r refuses · m marks missed · Esc back"))

    def action_give(self) -> None:
        if self._mode != "choose":
            return
        order, number = self.row.dose.order.id, self.row.dose.dose_number
        skranke, actor = self.app.skranke, self.app.actor

        def act() -> str:
            result = dispense(skranke, actor, order, "given", number)
            return _("Given: {order} dose {number}, {mg} mg.").format(
                order=order, number=number, mg=format_mg(result.dose_mg or 0)
            )

        self._run(act)

    def action_missed(self) -> None:
        if self._mode != "choose":
            return
        order, number = self.row.dose.order.id, self.row.dose.dose_number
        skranke, actor = self.app.skranke, self.app.actor
        self._run(lambda: (dispense(skranke, actor, order, "missed", number), _("Recorded as missed."))[1])

    def action_refuse(self) -> None:
        self._mode = "refuse"
        self.query_one("#dose-choices", Static).update(
            Text(_("Why? 1 intoxicated (the doctor is told) · 2 citizen declined · 3 other (write it) · Esc back"))
        )
        self.query_one("#dose-reason-label").display = True
        reason = self.query_one("#dose-reason", Input)
        reason.display, reason.disabled = True, False
        reason.focus()

    def action_release(self) -> None:
        if self.row.dose.state != "hold":
            return
        self._mode = "release"
        self.query_one("#dose-choices", Static).update(Text(_("Write the reason and press Enter · Esc back")))
        for widget in ("#dose-reason-label", "#dose-reason", "#dose-mg-label", "#dose-mg"):
            self.query_one(widget).display = True
        for field in self.query(Input):
            field.disabled = False
        self.query_one("#dose-reason", Input).focus()

    def on_key(self, event) -> None:
        if self._mode == "refuse" and event.key in REFUSALS:
            event.stop()
            event.prevent_default()
            self._refuse(REFUSALS[event.key])

    def _refuse(self, refusal: str) -> None:
        text = self.query_one("#dose-reason", Input).value.strip()
        if refusal == "other" and not text:
            self._error(_("Write the reason for 'other'."))
            return
        order, number = self.row.dose.order.id, self.row.dose.dose_number
        skranke, actor = self.app.skranke, self.app.actor

        def act() -> str:
            dispense(skranke, actor, order, "refused", number, reason=text, refusal=refusal)
            return _("Refused ({reason}).").format(reason=refusal_word(refusal))

        self._run(act)

    @on(Input.Submitted, "#dose-reason, #dose-mg")
    def _submitted(self) -> None:
        if self._mode != "release":
            return
        reason = self.query_one("#dose-reason", Input).value.strip()
        typed = self.query_one("#dose-mg", Input).value.strip().replace(",", ".")
        if not reason:
            self._error(_("Releasing a hold needs a reason."))
            return
        try:
            reduced = Decimal(typed) if typed else None
        except InvalidOperation:
            self._error(_("'{text}' is not a number of mg").format(text=typed))
            return
        order = self.row.dose.order.id
        skranke, actor = self.app.skranke, self.app.actor

        def act() -> str:
            release(skranke, actor, order, reason, reduced)
            return _("The hold on {order} is released for today.").format(order=order)

        self._run(act)


class VoidDialog(_Dialog):
    """A doctor voids a record with a reason; it stays visible as voided."""

    BINDINGS = [Binding("escape", "dismiss(False)", _("Back"), id="void.back")]

    def __init__(self, done: DoneRow) -> None:
        super().__init__()
        self.done = done

    def compose(self) -> ComposeResult:
        done = self.done
        with Vertical(id="void-body", classes="dialog"):
            yield Static(Text(_("Void a record"), style="bold"))
            yield Static(
                _("{citizen}: {outcome} at {time} by {staff}").format(
                    citizen=done.person.display,
                    outcome=outcome_word(done.outcome),
                    time=done.recorded_at.strftime("%H.%M"),
                    staff=done.staff,
                )
            )
            yield Label(_("Reason (required; a doctor voids)"))
            yield Input(id="void-reason")
            yield Static(classes="dialog-error")

    def on_mount(self) -> None:
        self.query_one("#void-reason", Input).focus()

    @on(Input.Submitted, "#void-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            self._error(_("Voiding needs a reason."))
            return
        skranke, actor, record_id = self.app.skranke, self.app.actor, self.done.dispensing_id
        self._run(
            lambda: (void(skranke, actor, record_id, reason), _("Record {id} is voided.").format(id=record_id))[1]
        )


class CloseDayDialog(_Dialog):
    """Due doses not given become missed, by one confirmed action."""

    BINDINGS = [
        Binding("j", "confirm", _("Yes, close"), id="close.confirm"),
        Binding("escape,n", "dismiss(False)", _("Back"), id="close.back"),
    ]

    def __init__(self, view: QueueView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        open_doses = [r for r in self.view.due if not r.dose.delivery]
        with Vertical(id="close-body", classes="dialog"):
            yield Static(Text(_("Close the day"), style="bold"))
            yield Static(
                _("{service} {day}: {count} due doses not given will be recorded as missed.").format(
                    service=self.view.service_name, day=short_date(self.view.day), count=len(open_doses)
                )
            )
            yield Static(_("j closes the day · Esc back"))
            yield Static(classes="dialog-error")

    def action_confirm(self) -> None:
        skranke, actor, view = self.app.skranke, self.app.actor, self.view

        def act() -> str:
            result = close_day(skranke, actor, view.day, view.service)
            return _("The day is closed: {count} recorded as missed.").format(count=len(result.missed))

        self._run(act)
