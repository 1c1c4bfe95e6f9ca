""" "Synkronisering": what came in from the journal system, what was refused and why, the outbox."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import ProgressBar, Static

from skranke.i18n import _, clock_time, ngettext, short_date
from skranke.services.access import AccessError
from skranke.services.errors import DatabaseUnavailable
from skranke.services.sync import SyncOverview, SyncResult, outcome_label, run_sync, sync_overview
from skranke.ui.formatting import NARROW, plain, room_left, shortened
from skranke.ui.widgets.database import DatabaseBanner, DatabaseScreen, NotFetched
from skranke.ui.widgets.footer import SkrankeFooter
from skranke.ui.widgets.staff_bar import StaffBar
from skranke.ui.widgets.table import DataTable

OUTCOME_STYLE = {"imported": "green", "unchanged": "dim", "rejected": "bold red"}


class SyncScreen(DatabaseScreen[None]):
    BINDINGS = [
        Binding("i", "run_sync", _("Sync now"), id="sync.run", tooltip=_("Import the inbox and write the outbox")),
    ]

    loaded = False

    def compose(self) -> ComposeResult:
        yield StaffBar()
        with Vertical(id="sync"):
            yield DatabaseBanner()
            yield Static(id="sync-status", classes="fetched")
            yield ProgressBar(id="sync-progress", total=None, show_eta=False)
            yield DataTable(id="sync-runs", cursor_type="row", zebra_stripes=True, classes="fetched")
            yield Static(id="sync-rejected")
            yield NotFetched(_("The sync overview"))
        yield SkrankeFooter()

    _narrow: bool | None = None  # the columns were laid out for a narrow terminal
    _overview: SyncOverview | None = None

    def _lay_out(self) -> bool:
        """At 80 columns 'changed' and 'unchanged' give way; the file, its result, its rows,
        the rejected rows and when stay. True when the columns changed."""
        narrow = self.app.size.width - 2 < NARROW
        if narrow == self._narrow:
            return False
        self._narrow = narrow
        table = self.query_one("#sync-runs", DataTable)
        table.clear(columns=True)
        for label, key in [
            (_("File"), "file"),
            (_("Result"), "outcome"),
            (_("Rows"), "rows"),
            (_("New"), "new"),
            *([] if narrow else [(_("Changed"), "changed"), (_("Unchanged"), "same")]),
            (_("Rejected"), "bad"),
            (_("When"), "when"),
        ]:
            table.add_column(label, key=key)
        return True

    def on_mount(self) -> None:
        self._lay_out()
        self.query_one("#sync-progress", ProgressBar).display = False
        self.load_overview()

    def on_resize(self) -> None:
        if self._narrow is not None and self._lay_out() and self._overview is not None:
            self._show(self._overview)

    def on_screen_resume(self) -> None:
        if self.loaded and self.app.database_fault is None:
            self.load_overview()

    def show_unavailable(self, fault: DatabaseUnavailable) -> None:
        self.query_one("#sync-rejected", Static).display = False  # shown by _show, so hidden here by hand

    def reload(self) -> None:
        self.load_overview()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-overview")
    def load_overview(self) -> None:
        overview = sync_overview(self.app.skranke)
        self.app.call_from_thread(self._show, overview)

    def _show(self, overview: SyncOverview) -> None:
        self._overview = overview
        tz = self.app.skranke.clock.now().tzinfo
        if overview.last_sync is not None:
            last_sync = overview.last_sync.astimezone(tz)
            last = _("Last sync: {date} at {time}").format(
                date=short_date(last_sync.date()), time=clock_time(last_sync)
            )
        else:
            last = _("No sync yet")
        status = Text.assemble(
            (last, "bold"),
            "\n",
            _("Inbox: {path} ({files} waiting)").format(
                path=overview.inbox,
                files=ngettext("{count} file", "{count} files", overview.waiting_files).format(
                    count=overview.waiting_files
                ),
            ),
            "\n",
            _("Outbox: {path} · {events} waiting").format(
                path=overview.outbox,
                events=ngettext("{count} event", "{count} events", overview.pending_events).format(
                    count=overview.pending_events
                ),
            ),
            (" · " + _("last file {name}").format(name=overview.last_outbox_file)) if overview.last_outbox_file else "",
        )
        self.query_one("#sync-status", Static).update(status)
        table = self.query_one("#sync-runs", DataTable)
        table.clear()
        narrow = bool(self._narrow)
        # File names are the free-length column: at 80 columns they end in '…' when long.
        name_width = room_left(self.app.size.width - 2, [10, 6, 4, 7, 16]) if narrow else 200
        for run in overview.runs:
            finished = run.finished_at.astimezone(tz)
            counts = [str(run.rows), str(run.inserted)]
            if not narrow:
                counts += [str(run.updated), str(run.unchanged)]
            table.add_row(
                shortened(plain(run.file_name), name_width),
                Text(outcome_label(run.outcome), style=OUTCOME_STYLE.get(run.outcome, "")),
                *counts,
                str(run.rejected_rows) if run.rejected_rows else "",
                f"{short_date(finished.date())} {clock_time(finished)}",
                key=str(run.id),
            )
        rejected = [run for run in overview.runs if run.outcome == "rejected"]
        panel = self.query_one("#sync-rejected", Static)
        panel.display = bool(rejected)
        if rejected:
            lines = Text(_("Rejected files") + "\n", style="bold red")
            for run in rejected[:3]:
                lines.append(f"{run.file_name}\n", style="bold")
                for reason in run.first_errors:
                    lines.append(f"  {reason}\n")
                lines.append("  " + _("all reasons: {path}").format(path=run.report_path) + "\n", style="dim")
            panel.update(lines)
        self.loaded = True

    def action_run_sync(self) -> None:
        bar = self.query_one("#sync-progress", ProgressBar)
        bar.display = True
        # 0 % from the start; the real total comes with the first file.
        bar.update(total=1, progress=0)
        self.notify(_("Sync started"), timeout=3)
        self.sync_now()

    @work(thread=True, exclusive=True, exit_on_error=False, group="sync-run")
    def sync_now(self) -> None:
        def progress(name: str, done: int, total: int) -> None:
            self.app.call_from_thread(self._progress, done, total)

        try:
            result = run_sync(self.app.skranke, progress=progress, actor=self.app.actor)
        except DatabaseUnavailable as fault:
            self.app.call_from_thread(self._refused, fault)
            return
        except AccessError as refused:
            self.app.call_from_thread(self.notify, str(refused), severity="error")
            return
        self.app.call_from_thread(self._finished, result)

    def _refused(self, fault: DatabaseUnavailable) -> None:
        """The sync stopped at the database: the file it was at was rolled back whole, and it and
        the files after it stay in the inbox for the next sync."""
        self.query_one("#sync-progress", ProgressBar).display = False
        self.notify(
            _("The sync was stopped: {fault} Files not yet imported stay in the inbox.").format(fault=fault),
            severity="error",
            timeout=10,
        )
        self.app.report_database_fault(fault)

    def _progress(self, done: int, total: int) -> None:
        self.query_one("#sync-progress", ProgressBar).update(total=total, progress=done)

    def _finished(self, result: SyncResult) -> None:
        self.query_one("#sync-progress", ProgressBar).display = False
        rejected = sum(1 for f in result.files if f.outcome == "rejected")
        message = _("Sync done: {files}, {rejected} rejected").format(
            files=ngettext("{count} file", "{count} files", len(result.files)).format(count=len(result.files)),
            rejected=rejected,
        )
        self.notify(message, severity="error" if rejected else "information", timeout=6)
        self.load_overview()
