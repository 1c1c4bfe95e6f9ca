"""The store and the files around it: demo, sync, encrypt, backup (verify), restore."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from skranke.cli.app import run_app
from skranke.cli.errors import EXIT_OK, EXIT_REJECTED
from skranke.cli.output import print_json
from skranke.cli.parser import Commands, add_json_option
from skranke.cli.sign_in import needs_actor, signed_in_actor
from skranke.clock import FixedClock, to_local
from skranke.i18n import _, clock_time, long_date, ngettext, short_date
from skranke.services.access import role_words
from skranke.services.context import Skranke

if TYPE_CHECKING:
    from skranke.services.storage import BackupFacts


def add_demo(commands: Commands) -> None:
    demo = commands.add(
        "demo",
        help=_("create a demo database and open it"),
        description=_(
            "Writes synthetic export files (80 citizens, dates around --now) into a fresh demo "
            "database's inbox, imports them with the real importer and opens the application."
        ),
    )
    demo.add_argument("--no-open", action="store_true", help=_("only create the demo database"))


def add_sync(commands: Commands) -> None:
    sync = commands.add(
        "sync",
        help=_("import export files, write the outbox"),
        description=_(
            "Imports the journal system's export files (each file whole or not at all) and writes "
            "the events recorded here to the outbox."
        ),
    )
    sync.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar=_("PATH"),
        help=_("files or folders to import (default: the inbox beside the database)"),
    )
    sync.add_argument("--outbox", type=Path, metavar=_("DIR"), help=_("where local events are written"))
    sync.add_argument("--dry-run", action="store_true", help=_("check and count, change nothing"))
    add_json_option(sync, codes=True)


def add_file_commands(commands: Commands) -> None:
    """encrypt, backup and restore: the SQLite store's file."""
    encrypt = commands.add(
        "encrypt",
        help=_("encrypt a plain SQLite store from before (admin)"),
        description=_(
            "Encrypts a plain SQLite store with the key in the key file (a new key is written there "
            "when there is none). The plain file is kept beside it: delete it once the encrypted "
            "store works. Close skranke on every workstation first."
        ),
    )
    add_json_option(encrypt)

    backup = commands.add(
        "backup",
        help=_("a checked, encrypted copy of the SQLite store (admin)"),
        description=_(
            "Copies the SQLite store while others keep working, encrypted with the store's key, and "
            "checks the copy. Without --to it goes into the backup folder, where the newest 14 daily "
            "and 12 monthly backups are kept. `backup verify FILE` checks a backup."
        ),
    )
    backup.add_argument("--to", type=Path, metavar=_("DIR"), help=_("the folder to write the backup to"))
    backup.add_argument(
        "--to-recipient",
        metavar=_("AGE_PUBLIC_KEY"),
        help=_("also an offsite copy encrypted to this age public key (age1…), which this PC cannot read"),
    )
    add_json_option(backup)
    checks = commands.below(backup, "backup_command", metavar="verify")
    verify = checks.add("verify", help=_("check a backup file whole"))
    verify.add_argument("file", type=Path, metavar=_("FILE"), help=_("the backup file"))
    add_json_option(verify)

    restore = commands.add(
        "restore",
        help=_("put a backup in the SQLite store's place (admin)"),
        description=_(
            "Checks the backup, keeps the current store aside and puts the backup in its place. "
            "Close skranke on every workstation first."
        ),
    )
    restore.add_argument("file", type=Path, metavar=_("FILE"), help=_("the backup file"))
    add_json_option(restore)


def run_demo(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.demo import create_demo

    result = create_demo(skranke)
    print(_("Demo database ready: {location}").format(location=result.location))
    start = result.skranke.clock.now()
    if not isinstance(result.skranke.clock, FixedClock):
        print(
            _("The demo's clock starts at {day} {time} and runs on (--now fixes it).").format(
                day=long_date(start.date()), time=clock_time(start)
            )
        )
    print(_("Demo staff (initials, PIN, role):"))
    for initials, name, roles, pin in result.staff:
        print(f"  {initials:<3} {pin}  {role_words(roles):<16} {name}")
    try:
        return EXIT_OK if args.no_open else run_app(result.skranke, args)
    finally:
        result.skranke.close()


def run_sync(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.sync import SyncError, outcome_label
    from skranke.services.sync import run_sync as sync

    try:
        actor = signed_in_actor(skranke)  # None: a scheduled task, recorded as the workstation
        result = sync(skranke, args.paths, outbox=args.outbox, dry_run=args.dry_run, actor=actor)
    except SyncError as error:
        print(f"skranke: {error}", file=sys.stderr)
        return EXIT_REJECTED
    if args.json:
        print_json(result.to_json_dict())
    else:
        if not result.files:
            print(_("No files to import in {folder}").format(folder=skranke.inbox))
        for file in result.files:
            print(
                _("{name}: {outcome} — {rows}, {inserted}, {updated}, {unchanged}").format(
                    name=file.name,
                    outcome=outcome_label(file.outcome),
                    rows=ngettext("{count} row", "{count} rows", file.rows).format(count=file.rows),
                    inserted=ngettext("{count} new", "{count} new", file.inserted).format(count=file.inserted),
                    updated=ngettext("{count} changed", "{count} changed", file.updated).format(count=file.updated),
                    unchanged=ngettext("{count} unchanged", "{count} unchanged", file.unchanged).format(
                        count=file.unchanged
                    ),
                )
            )
            for file_error in file.errors:
                print(f"    {file_error}")
            if file.report:
                print("    " + _("all reasons: {path}").format(path=file.report))
        if result.outbox is not None and result.outbox.events:
            print(
                _("Outbox: {events} written to {files}").format(
                    events=ngettext("{count} event", "{count} events", result.outbox.events).format(
                        count=result.outbox.events
                    ),
                    files=", ".join(result.outbox.written),
                )
            )
        if result.dry_run:
            print(_("Dry run: nothing was changed."))
    return EXIT_REJECTED if result.any_rejected else EXIT_OK


def run_encrypt(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services.storage import encrypt

    result = encrypt(skranke, needs_actor(skranke))
    if args.json:
        print_json(result.to_json_dict())
        return EXIT_OK
    print(
        _("{database} is encrypted ({rows} rows checked) with the key in {key}.").format(
            database=result.store, rows=result.rows, key=result.key_file
        )
    )
    print(
        _(
            "The plain copy {copy} can be read by anyone: delete it once skranke works with the encrypted "
            "store, and keep a copy of the key somewhere safe (without it the store cannot be read)."
        ).format(copy=result.plain_copy)
    )
    return EXIT_OK


def _backup_line(facts: BackupFacts) -> str:
    taken = _("at an unknown time")
    if facts.taken_at is not None:
        moment = to_local(facts.taken_at)
        taken = _("taken {day} at {time}").format(day=short_date(moment.date()), time=clock_time(moment))
    return _("{file}: {taken}, revision {revision}, {rows} rows in {tables} tables").format(
        file=facts.file, taken=taken, revision=facts.revision, rows=facts.rows, tables=len(facts.counts)
    )


def run_backup(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services import storage

    if args.backup_command == "verify":
        facts = storage.verify_backup(skranke, args.file)
        if args.json:
            print_json({**facts.to_json_dict(), "ok": True})
        else:
            print(_("Whole: {backup}.").format(backup=_backup_line(facts)))
        return EXIT_OK
    storage.check_backup_target(skranke)  # PostgreSQL: before any sign-in asks for a PIN
    result = storage.backup(skranke, needs_actor(skranke), args.to, recipient=args.to_recipient)
    if args.json:
        print_json(result.to_json_dict())
        return EXIT_OK
    print(_("Backup written and checked: {backup}.").format(backup=_backup_line(result.backup)))
    if result.age_file:
        print(_("Offsite copy (age): {file}").format(file=result.age_file))
    for name in result.removed:
        print(_("Removed by the retention (14 daily, 12 monthly): {name}").format(name=name))
    return EXIT_OK


def run_restore(skranke: Skranke, args: argparse.Namespace) -> int:
    from skranke.services import storage

    storage.check_backup_target(skranke)
    actor, sign_in_after = storage.restore_actor(skranke, lambda: needs_actor(skranke))
    result = storage.restore(skranke, actor, args.file)
    if sign_in_after:
        storage.sign_in_after_restore(skranke, result, lambda: needs_actor(skranke))
    if args.json:
        print_json(result.to_json_dict())
        return EXIT_OK
    print(_("Restored into {store}: {backup}.").format(store=result.store, backup=_backup_line(result.backup)))
    if result.kept_aside:
        print(_("The store as it was is kept aside: {file}").format(file=result.kept_aside))
    return EXIT_OK


HANDLERS = {
    "demo": run_demo,
    "sync": run_sync,
    "encrypt": run_encrypt,
    "backup": run_backup,
    "restore": run_restore,
}
