"""`skranke sync`: take in the journal system's export files, hand back the desk's events.

Each file is one transaction: imported whole, or rejected whole with every reason in a
report beside it. Files are moved after their transaction has committed; a crash in between
leaves the file where it was, and the next sync recognises its content (sha256 in the sync
log) and only moves it.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skranke.clock import TIMEZONE
from skranke.i18n import _
from skranke.services.access import Actor, require
from skranke.services.context import Skranke, UsageError
from skranke.services.staff import workstation_actor
from skranke.sync.outbox import OutboxConflict, existing_outbox_ranges, write_outbox_file
from skranke.sync.reader import ParsedFile, RowError, read_export, sort_exports, write_report

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from skranke.domain.site import Site

IMPORTED_DIR = "imported"
REJECTED_DIR = "rejected"
FIRST_ERRORS = 5
OUTBOX_BATCH = 10_000

Progress = Callable[[str, int, int], None]  # file name, rows done, rows in the file


def outcome_label(outcome: str) -> str:
    """What the desk reads for a file's outcome."""
    return {"imported": _("imported"), "unchanged": _("unchanged"), "rejected": _("rejected")}[outcome]


class SyncError(RuntimeError):
    """A sync that cannot go on for a reason in the folders, not in the files: exit code 1."""


@dataclass
class FileOutcome:
    name: str
    kind: str | None
    outcome: str  # imported, unchanged, rejected
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected_rows: int = 0
    errors: list[str] = field(default_factory=list)  # the first few, in full in the report
    report: str | None = None
    moved_to: str | None = None


@dataclass
class OutboxOutcome:
    directory: str
    written: list[str] = field(default_factory=list)
    events: int = 0


@dataclass
class SyncResult:
    files: list[FileOutcome]
    outbox: OutboxOutcome | None = None
    dry_run: bool = False

    @property
    def any_rejected(self) -> bool:
        return any(f.outcome == "rejected" for f in self.files)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "files": [asdict(f) for f in self.files],
            "outbox": asdict(self.outbox) if self.outbox else None,
        }


def collect_files(paths: Sequence[Path], inbox: Path) -> list[Path]:
    """The CSV files to take in: the given files and folders' CSVs, or the inbox's."""
    sources = list(paths) or [inbox]
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            files.extend(p for p in source.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
        elif source.is_file():
            files.append(source)
        elif source == inbox and not paths:
            continue  # no inbox yet: nothing to do
        else:
            raise UsageError(_("{path} is neither a file nor a folder").format(path=source))
    return sort_exports(files)


def _move(path: Path, folder_name: str, stamp: datetime) -> Path:
    """Move a file aside, never over another: a clash gets the time in front of its name."""
    folder = path.parent / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        target = folder / f"{stamp:%Y%m%dT%H%M%S}_{path.name}"
    shutil.move(str(path), target)
    return target


def _reference_errors(session: Session, parsed: ParsedFile) -> list[RowError]:
    """Rows that point at citizens the store does not know, or take another citizen's CPR."""
    from skranke.store.imports import cpr_owners, existing_ids
    from skranke.store.models import Citizen

    errors: list[RowError] = []
    if parsed.kind == "borgere":
        # The reader gives a file's rows as named tuples of its kind's model fields.
        owners = cpr_owners(session, (row.cpr for _line, row in parsed.rows))
        if not owners:  # no number of the file is held by anyone yet
            return errors
        for line, row in parsed.rows:
            owner = owners.get(row.cpr) if row.cpr else None
            if owner is not None and owner != row.id:
                errors.append(
                    RowError(
                        parsed.name,
                        line,
                        "cpr",
                        None,
                        _("CPR number belongs to citizen {owner!r} already").format(owner=owner),
                    )
                )
        return errors
    if parsed.kind == "lager":  # receipts name a preparation, checked by the reader; no citizen
        return errors
    referred = {row.citizen_id for _line, row in parsed.rows}
    unknown = referred - existing_ids(session, Citizen, referred)
    if not unknown:
        return errors
    for line, referring_row in parsed.rows:
        if referring_row.citizen_id in unknown:
            errors.append(
                RowError(
                    parsed.name,
                    line,
                    "borger_id",
                    referring_row.citizen_id,
                    _("unknown citizen: not in the store nor in an earlier file"),
                )
            )
    return errors


def _witnessed_receipts(session: Session, kind: str, rows: Sequence[Any]) -> set[str]:
    """The receipts of a `lager*.csv` that are witnessed already: data recorded in skranke is
    never overwritten by an import (DESIGN §3), so their rows are left out of the upsert."""
    if kind != "lager":
        return set()
    from skranke.store.stock import witnessed_receipt_ids

    return witnessed_receipt_ids(session, [row.id for row in rows])


def _heroin_clinic_errors(session: Session, parsed: ParsedFile, site: Site) -> list[RowError]:
    """Orders the heroin clinic gives only under supervision that would leave the window.

    000 § 5.4: "Overvåget indtag af heroin samt metadon eller morfin". An order is the heroin
    clinic's when its citizen has a heroin order whose validity overlaps it (in this file or
    the store): where the queue gives the citizen's doses (services.places.medicine_place). Such
    an order is refused on each column that would let it go home or be delivered."""
    from skranke.domain.dispensing import away_from_window
    from skranke.services.places import HEROIN, HEROIN_CLINIC
    from skranke.store.imports import orders_of_preparation
    from skranke.sync.rows import COLUMNS

    watched = set(site.dispensing.supervised_at_heroin_clinic)
    if parsed.kind != "ordinationer" or not watched or HEROIN_CLINIC not in {d.id for d in site.all_departments()}:
        return []
    candidates = [(line, row) for line, row in parsed.rows if row.preparation in watched]
    if not candidates:
        return []
    periods: dict[str, list[tuple[str, date, date | None]]] = {}
    in_file = {row.id for _line, row in parsed.rows}
    for _line, row in parsed.rows:
        if row.preparation == HEROIN:
            periods.setdefault(row.citizen_id, []).append((row.id, row.valid_from, row.valid_to))
    for stored in orders_of_preparation(session, {row.citizen_id for _line, row in candidates}, HEROIN):
        if stored.id not in in_file:  # the file's version of an order replaces the stored one
            periods.setdefault(stored.citizen_id, []).append((stored.id, stored.valid_from, stored.valid_to))
    column = {c.field: c.name for c in COLUMNS["ordinationer"]}
    fixes = {
        "pickup_rule": _("the pickup rule must be FREQ=DAILY"),
        "supervised": _("overvaaget must be ja"),
        "delivery": _("udbringning must be nej"),
    }
    names = {p.id: p.name for p in site.preparations}
    errors: list[RowError] = []
    for line, row in candidates:
        fields = away_from_window(row.pickup_rule, row.supervised, row.delivery)
        if not fields or not any(
            _overlap(row.valid_from, row.valid_to, start, end) for _id, start, end in periods.get(row.citizen_id, [])
        ):
            continue
        for name in fields:
            errors.append(
                RowError(
                    parsed.name,
                    line,
                    column[name],
                    None,
                    _(
                        "{preparation} is taken under supervision at the heroin clinic, where the citizen "
                        "has a heroin order ({source}): {fix}"
                    ).format(
                        preparation=names.get(row.preparation, row.preparation),
                        source=site.dispensing.supervised_at_heroin_clinic_source,
                        fix=fixes[name],
                    ),
                )
            )
    return errors


def _overlap(start: date, end: date | None, other_start: date, other_end: date | None) -> bool:
    return (end is None or other_start <= end) and (other_end is None or start <= other_end)


def _audit_file(session: Session, actor: Actor, at: datetime, outcome: FileOutcome) -> None:
    """A sync names who ran it: the signed-in person, or the workstation for a scheduled task."""
    from skranke.services.audit import record

    record(
        session,
        actor,
        at,
        "sync",
        entity="file",
        entity_id=outcome.name,
        detail={
            "kind": outcome.kind,
            "outcome": outcome.outcome,
            "rows": outcome.rows,
            "inserted": outcome.inserted,
            "updated": outcome.updated,
        },
    )


def _reject(
    skranke: Skranke,
    path: Path,
    parsed: ParsedFile,
    outcome: FileOutcome,
    started: datetime,
    dry_run: bool,
    actor: Actor,
) -> None:
    from skranke.store.imports import record_sync
    from skranke.store.models import SyncRun

    outcome.outcome = "rejected"
    outcome.rejected_rows = len({e.line for e in parsed.errors if e.line > 1})
    outcome.errors = [str(e) for e in parsed.errors[:FIRST_ERRORS]]
    if dry_run:
        return
    moved = _move(path, REJECTED_DIR, started)
    report = write_report(parsed, moved.with_name(moved.name + ".fejl.txt"))
    outcome.moved_to, outcome.report = str(moved), str(report)
    with skranke.database.transaction() as session:
        record_sync(
            session,
            SyncRun(
                file_name=path.name,
                kind=parsed.kind or "",
                sha256=parsed.sha256,
                started_at=started,
                finished_at=skranke.clock.now(),
                rows=outcome.rows,
                rejected_rows=outcome.rejected_rows,
                outcome="rejected",
                report_path=str(report),
                first_errors=outcome.errors,
            ),
        )
        _audit_file(session, actor, started, outcome)


def import_file(
    skranke: Skranke,
    path: Path,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: Actor | None = None,
) -> FileOutcome:
    from skranke.store.imports import already_imported, record_sync, upsert
    from skranke.store.models import SyncRun

    actor = actor or workstation_actor(skranke)
    started = skranke.clock.now()
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    with skranke.database.reading() as session:
        earlier = already_imported(session, sha256)
    if earlier is not None:  # the same content again: nothing to read, nothing to write
        outcome = FileOutcome(
            name=path.name, kind=earlier.kind or None, outcome="unchanged", rows=earlier.rows, unchanged=earlier.rows
        )
        if not dry_run:
            with skranke.database.transaction() as session:
                record_sync(
                    session,
                    SyncRun(
                        file_name=path.name,
                        kind=earlier.kind,
                        sha256=sha256,
                        started_at=started,
                        finished_at=skranke.clock.now(),
                        rows=earlier.rows,
                        unchanged=earlier.rows,
                        outcome="unchanged",
                    ),
                )
                _audit_file(session, actor, started, outcome)
            outcome.moved_to = str(_move(path, IMPORTED_DIR, started))
        return outcome

    parsed = read_export(data, path.name, skranke.site, today=started.date())
    # Rows in the file: those that read well and the lines with errors (not the header's).
    error_lines = {e.line for e in parsed.errors if e.line > 1}
    outcome = FileOutcome(
        name=path.name, kind=parsed.kind, outcome="imported", rows=len(parsed.rows) + len(error_lines)
    )

    if not parsed.ok:
        _reject(skranke, path, parsed, outcome, started, dry_run, actor)
        return outcome
    kind = parsed.kind
    assert kind is not None  # a file of no known kind has an error

    # The validated rows as the reader keeps them (named tuples of the model's fields): no copy.
    rows = [parsed_row.row for parsed_row in parsed.rows]
    with skranke.database.transaction(dry_run=dry_run) as session:
        reference_errors = _reference_errors(session, parsed) or _heroin_clinic_errors(session, parsed, skranke.site)
        kept = _witnessed_receipts(session, kind, rows)
        if kept:
            rows = [row for row in rows if row.id not in kept]
        if not reference_errors:
            counts = upsert(
                session,
                kind,
                rows,
                started,
                on_progress=(lambda done: progress(path.name, done, len(rows))) if progress else None,
            )
            # A receipt witnessed already is the ledger's: left as it is, counted unchanged.
            counts.unchanged += len(kept)
            outcome.inserted, outcome.updated, outcome.unchanged = (counts.inserted, counts.updated, counts.unchanged)
            record_sync(
                session,
                SyncRun(
                    file_name=path.name,
                    kind=parsed.kind,
                    sha256=parsed.sha256,
                    started_at=started,
                    finished_at=skranke.clock.now(),
                    rows=outcome.rows,
                    inserted=counts.inserted,
                    updated=counts.updated,
                    unchanged=counts.unchanged,
                    outcome="imported",
                ),
            )
            _audit_file(session, actor, started, outcome)
    if reference_errors:  # nothing was written: the transaction above held no change
        parsed.errors = sorted([*parsed.errors, *reference_errors], key=lambda e: e.line)
        _reject(skranke, path, parsed, outcome, started, dry_run, actor)
        return outcome
    if not dry_run:
        outcome.moved_to = str(_move(path, IMPORTED_DIR, started))
    return outcome


def write_outbox(skranke: Skranke, directory: Path) -> OutboxOutcome:
    """Every event recorded since the watermark, written once, atomically, in order."""
    from skranke.store.imports import events_after, outbox_watermark

    result = OutboxOutcome(directory=str(directory))
    while True:
        with skranke.database.transaction() as session:
            mark = outbox_watermark(session)
            # A file written before a crash, whose watermark never committed: count it, do not rewrite it.
            for written in existing_outbox_ranges(directory):
                if written.first_id == mark.last_event_id + 1:
                    mark.last_event_id, mark.last_file = written.last_id, written.path.name
                    mark.written_at = skranke.clock.now()
            events = events_after(session, mark.last_event_id, OUTBOX_BATCH)
            if not events:
                return result
            rows = [
                {
                    "event_id": event.id,
                    "haendelse": event.kind,
                    "tidspunkt": event.occurred_at.astimezone(TIMEZONE).isoformat(timespec="seconds"),
                    "borger_id": event.payload.get("citizen_id", ""),
                    "detaljer": event.payload,
                }
                for event in events
            ]
            try:
                path = write_outbox_file(directory, rows, events[0].id, events[-1].id)
            except OutboxConflict as conflict:  # someone else's file in our range: do not guess
                raise SyncError(str(conflict)) from None
            mark.last_event_id, mark.last_file = events[-1].id, path.name
            mark.written_at = skranke.clock.now()
        result.written.append(path.name)
        result.events += len(events)


def run_sync(
    skranke: Skranke,
    paths: Iterable[Path] = (),
    outbox: Path | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    actor: Actor | None = None,
) -> SyncResult:
    """Import the files (the inbox by default) and write the outbox.

    `actor` is the signed-in person (an admin) or, for a scheduled task, None: the workstation.
    """
    if actor is None:
        actor = workstation_actor(skranke)
    else:
        require(actor, "sync")
    files = collect_files(list(paths), skranke.inbox)
    outcomes = [import_file(skranke, path, dry_run, progress, actor) for path in files]
    result = SyncResult(outcomes, dry_run=dry_run)
    if not dry_run:
        result.outbox = write_outbox(skranke, outbox or skranke.outbox)
    return result


# --- what the Synkronisering screen shows -------------------------------------------------


@dataclass(frozen=True)
class SyncOverview:
    last_sync: datetime | None
    runs: list[Any]  # latest SyncRun rows, newest first
    pending_events: int
    last_outbox_file: str
    outbox_written_at: datetime | None
    inbox: Path
    outbox: Path
    waiting_files: int


def sync_overview(skranke: Skranke, limit: int = 30) -> SyncOverview:
    from skranke.store.imports import last_sync_time, latest_runs, outbox_state

    with skranke.database.reading() as session:
        runs = latest_runs(session, limit)
        last = last_sync_time(session)
        pending, last_file, written_at = outbox_state(session)
    inbox = skranke.inbox
    waiting = len([p for p in inbox.iterdir() if p.suffix.lower() == ".csv"]) if inbox.is_dir() else 0
    return SyncOverview(last, runs, pending, last_file, written_at, inbox, skranke.outbox, waiting)


def citizen_count(skranke: Skranke) -> int:
    from skranke.store.imports import count_rows

    with skranke.database.reading() as session:
        return count_rows(session, "borgere")


def import_demo_data(skranke: Skranke) -> SyncResult:
    """Synthetic export files dated around `--now`, taken in by the real importer."""
    from skranke.demo.scenario import write_demo_exports
    from skranke.demo.stock import write_demo_receipts

    inbox = skranke.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    write_demo_exports(inbox, skranke.clock.now().date(), skranke.site)
    write_demo_receipts(inbox, skranke.clock.now().date(), skranke.site)  # waiting for a witness
    result = run_sync(skranke)
    if result.any_rejected:
        reasons = "; ".join(e for f in result.files for e in f.errors)
        raise RuntimeError(f"the demo files were rejected: {reasons}")
    return result
