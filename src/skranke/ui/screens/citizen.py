"""The citizen card: who this is (masked CPR), their cases and upcoming appointments."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from skranke.i18n import _, clock_time, short_date
from skranke.services.access import AccessError
from skranke.services.audit import action_word
from skranke.services.citizens import CitizenCard, citizen_card, reveal_cpr
from skranke.services.wording import reason_word, status_word
from skranke.ui.deadline_text import (
    STATUS_STYLE,
    explained_flags,
    reason_source,
    status_why,
)
from skranke.ui.formatting import department_name
from skranke.ui.screens.check_in import Who, check_in_from, choose_place_and_check_in, undo_from
from skranke.ui.screens.complaint import register_complaint_from
from skranke.ui.widgets.database import DatabaseBanner, DatabaseScreen, NotFetched


def look_word(action: str) -> str:
    # One wording of the audit log's actions: the card's latest looks read as `skranke audit` does.
    return action_word(action)


class CitizenScreen(DatabaseScreen[None], ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "dismiss", _("Close"), id="citizen.close"),
        Binding(
            "v", "reveal_cpr", _("Show CPR"), id="citizen.reveal_cpr", tooltip=_("Show the full CPR number (logged)")
        ),
        Binding(
            "c", "check_in", _("Check in"), id="citizen.check_in", tooltip=_("Check in where the citizen is due today")
        ),
        Binding(
            "C",
            "choose_place",
            _("Check in at…"),
            id="citizen.check_in_at",
            tooltip=_("Choose the department or the medicine room"),
        ),
        Binding(
            "x",
            "undo_check_in",
            _("Undo check-in"),
            id="citizen.undo_check_in",
            tooltip=_("Undo today's check-in (the same day, before a dose), with a reason"),
        ),
        Binding(
            "k",
            "register_complaint",
            _("Complaint"),
            id="citizen.complaint",
            tooltip=_("Register a complaint or a request for access to records (on Frister with its deadline)"),
        ),
    ]

    loaded = False

    def __init__(self, citizen_id: str) -> None:
        super().__init__()
        self.citizen_id = citizen_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="citizen-body"):
            # First, so that it is in view however long the card is (80x24).
            yield Static(
                Text(
                    _(
                        "Esc closes the card · c checks in (C: choose where) · x undoes it · k complaint"
                        " · v shows the CPR (logged)"
                    ),
                    style="dim",
                ),
                id="citizen-close",
            )
            yield DatabaseBanner()
            yield Static("…", id="citizen-heading", classes="fetched")
            yield Static(id="citizen-cases", classes="fetched")
            yield Static(id="citizen-deadlines", classes="fetched")
            yield Static(id="citizen-appointments", classes="fetched")
            yield Static(id="citizen-looks", classes="fetched")
            yield NotFetched(_("The citizen card"))

    def on_mount(self) -> None:
        self.load()

    def reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False, group="citizen")
    def load(self) -> None:
        card = citizen_card(self.app.skranke, self.app.actor, self.citizen_id)
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
        self.query_one("#citizen-deadlines", Static).update(self._deadlines(card))

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

        looks = Table(
            title=_("Latest looks and actions"), title_justify="left", box=None, header_style="bold", expand=True
        )
        for label in (_("When"), _("Staff"), _("Workstation"), _("What")):
            looks.add_column(label)
        for look in card.looks:
            looks.add_row(
                f"{short_date(look.at.date())} {clock_time(look.at)}",
                look.staff,
                Text(look.workstation),
                look_word(look.action),
            )
        self.query_one("#citizen-looks", Static).update(looks)
        self._card = card
        self.loaded = True

    def action_reveal_cpr(self) -> None:
        self._reveal()

    @work(thread=True, exclusive=True, exit_on_error=False, group="reveal")
    def _reveal(self) -> None:
        try:
            cpr = reveal_cpr(self.app.skranke, self.app.actor, self.citizen_id)
        except AccessError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        if cpr:
            self.app.call_from_thread(self.notify, _("CPR: {cpr}").format(cpr=cpr), timeout=10)

    def _who(self) -> Who:
        card: CitizenCard | None = getattr(self, "_card", None)
        if card is None:
            return Who(self.citizen_id, "")
        return Who(card.citizen_id, card.name, card.alias, card.birth_date, card.masked_cpr)

    def action_check_in(self) -> None:
        check_in_from(self, self._who(), None, self._checked_in)

    def action_choose_place(self) -> None:
        choose_place_and_check_in(self, self._who(), self._checked_in)

    def action_undo_check_in(self) -> None:
        undo_from(self, self._who(), self._checked_in)

    def action_register_complaint(self) -> None:
        register_complaint_from(self, self._who(), self._checked_in)

    def _checked_in(self, text: str, refused: bool) -> None:
        if not refused:
            self.load()  # the check-in (or the complaint) is the card's latest action

    def _deadlines(self, card: CitizenCard) -> Text:
        """The 14-day guarantee of each waiting request: deadline, status and why, with sources."""
        site = self.app.skranke.site
        text = Text(_("Deadlines"), style="bold")
        overview = card.deadlines
        if overview is None or not (overview.requests or overview.exempt):
            text.append("\n" + _("no request waiting under the guarantee"))
            return text
        for request in overview.requests:
            last_open = short_date(request.last_open_day) if request.last_open_day else "–"
            text.append("\n")
            text.append(
                _("Case {case}: deadline {deadline}, last open day {last_open}").format(
                    case=request.case_id,
                    deadline=short_date(request.deadline) if request.deadline else "–",
                    last_open=last_open,
                )
                + " — "
            )
            text.append(status_word(request.status), style=STATUS_STYLE.get(request.status, ""))
            text.append(": " + status_why(request, overview.as_of))
            for line in explained_flags(request, site):
                text.append("\n  • " + line, style="yellow")
        for exempt in overview.exempt:
            text.append("\n")
            text.append(
                _("Case {case}: {reason} ({source})").format(
                    case=exempt.case_id, reason=reason_word(exempt.reason), source=reason_source(exempt.reason, site)
                )
            )
        return text
