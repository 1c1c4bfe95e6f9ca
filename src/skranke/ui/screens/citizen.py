"""The citizen card: who this is (masked CPR), their cases and upcoming appointments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from skranke.i18n import _, clock_time, short_date
from skranke.services.citizens import CitizenCard, citizen_card
from skranke.ui.formatting import department_name

if TYPE_CHECKING:
    from textual import getters

    from skranke.ui.app import SkrankeApp


class CitizenScreen(ModalScreen[None]):
    # The app as SkrankeApp for the type checker (Textual's idiom); at runtime the inherited property.
    if TYPE_CHECKING:
        app = getters.app(SkrankeApp)

    BINDINGS = [Binding("escape,q", "dismiss", _("Close"), id="citizen.close")]

    loaded = False

    def __init__(self, citizen_id: str) -> None:
        super().__init__()
        self.citizen_id = citizen_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="citizen-body"):
            yield Static("…", id="citizen-heading")
            yield Static(id="citizen-cases")
            yield Static(id="citizen-appointments")
            yield Static(Text(_("Esc closes the card."), style="dim"), id="citizen-close")

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="citizen")
    def load(self) -> None:
        card = citizen_card(self.app.skranke, self.citizen_id)
        self.app.call_from_thread(self._show, card)

    def _show(self, card: CitizenCard | None) -> None:
        heading = self.query_one("#citizen-heading", Static)
        if card is None:
            heading.update(Text(_("No citizen {id} in the store").format(id=self.citizen_id), style="bold red"))
            self.loaded = True
            return
        title = Text(card.name or card.alias or card.citizen_id, style="bold")
        details = [_("Citizen no. {id}").format(id=card.citizen_id)]
        if card.alias:
            details.append(_("Alias: {alias}").format(alias=card.alias))
        details.append(_("CPR: {cpr}").format(cpr=card.masked_cpr) if card.masked_cpr else _("Anonymous (no CPR)"))
        if card.phone:
            details.append(_("Phone: {phone}").format(phone=card.phone))
        heading.update(Text.assemble(title, "\n", Text(" · ".join(details))))

        # Narrow enough for 80 columns: one space between columns, ids, paragraphs and dates
        # whole, the department and the status wrap or end in '…'.
        cases = Table(
            title=_("Cases"),
            title_justify="left",
            box=None,
            header_style="bold",
            expand=True,
            collapse_padding=True,
            pad_edge=False,
        )
        for label, fixed in (
            (_("Case"), True),
            (_("Department"), False),
            ("§", True),
            (_("Contact"), True),
            (_("Start"), True),
            (_("Closed"), True),
            (_("Status"), False),
        ):
            cases.add_column(label, no_wrap=fixed, overflow="ellipsis")
        for case in card.cases:
            cases.add_row(
                Text(case.id),
                Text(department_name(self.app.skranke.site, case.department)),
                case.paragraph,
                short_date(case.contact_date),
                short_date(case.treatment_start) if case.treatment_start else "–",
                short_date(case.closed_on) if case.closed_on else "–",
                Text(case.closing_status or (_("free choice") if case.free_choice else "")),
            )
        self.query_one("#citizen-cases", Static).update(cases)

        appointments = Table(
            title=_("Upcoming appointments"),
            title_justify="left",
            box=None,
            header_style="bold",
            expand=True,
            collapse_padding=True,
            pad_edge=False,
        )
        for label, fixed in ((_("When"), True), (_("Type"), True), (_("Department"), False), (_("With"), False)):
            appointments.add_column(label, no_wrap=fixed, overflow="ellipsis")
        tz = self.app.skranke.clock.now().tzinfo
        for appointment in card.appointments:
            starts = appointment.starts_at.astimezone(tz)
            appointments.add_row(
                f"{short_date(starts.date())} {clock_time(starts)}",
                appointment.kind,
                Text(department_name(self.app.skranke.site, appointment.department)),
                Text(appointment.clinician),
            )
        if not card.appointments:
            appointments.add_row(_("none booked"), "", "", "")
        self.query_one("#citizen-appointments", Static).update(appointments)
        self.loaded = True
