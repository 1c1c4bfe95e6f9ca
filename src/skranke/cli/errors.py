"""Exit codes (DESIGN §3) and the one table that says which exception ends a command with which
code, and how it is told."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from skranke.config import SettingsError
from skranke.i18n import _
from skranke.services.access import AccessError
from skranke.services.context import UsageError
from skranke.services.errors import DatabaseUnavailable, DeskRefusal
from skranke.services.staff import StaffInputError
from skranke.sites import SiteError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL, EXIT_ACCESS = 0, 1, 2, 3, 4
EXIT_DATABASE = 5  # the database cannot be used: one sentence names it and what is wrong
EXIT_INTERRUPTED = 130  # Ctrl+C, as a shell reports a process ended by SIGINT

# How an ending is told: given the exception and the command line as typed.
Teller = Callable[[BaseException, Sequence[str]], None]


def _say(error: BaseException, command_line: Sequence[str]) -> None:
    print(f"skranke: {error}", file=sys.stderr)


def _say_nothing(error: BaseException, command_line: Sequence[str]) -> None:
    pass


def _reader_left(error: BaseException, command_line: Sequence[str]) -> None:
    # `skranke deadlines | head`: the reader left, nothing is wrong; nothing more can be written.
    sys.stderr.close()


def _crashed(error: BaseException, command_line: Sequence[str]) -> None:
    # A fault of ours, not of the input: say so, keep the details.
    log = _write_crash_log(error, command_line)
    print(
        "skranke: "
        + _("internal error ({kind}: {error}); details in {log}").format(
            kind=type(error).__name__, error=error, log=log
        ),
        file=sys.stderr,
    )


# First match wins, as in a chain of `except` clauses; `Exception` last catches our own faults.
ENDINGS: tuple[tuple[tuple[type[BaseException], ...], int, Teller], ...] = (
    ((UsageError, SettingsError, SiteError), EXIT_USAGE, _say),
    ((AccessError,), EXIT_ACCESS, _say),
    ((StaffInputError, DeskRefusal), EXIT_REJECTED, _say),
    ((DatabaseUnavailable,), EXIT_DATABASE, _say),
    ((KeyboardInterrupt,), EXIT_INTERRUPTED, _say_nothing),
    ((BrokenPipeError,), EXIT_OK, _reader_left),
    ((Exception,), EXIT_INTERNAL, _crashed),
)


def ending_for(error: BaseException) -> tuple[int, Teller] | None:
    """The exit code and teller of the table's first row that matches; None: not ours to end
    (SystemExit and the like go on up)."""
    for kinds, code, tell in ENDINGS:
        if isinstance(error, kinds):
            return code, tell
    return None


def _write_crash_log(error: BaseException, command_line: Sequence[str]) -> str:
    """Appends the traceback, when it happened (wall clock) and the command that ran."""
    import shlex
    import tempfile
    import traceback

    from platformdirs import user_log_path

    from skranke.clock import SystemClock

    try:
        folder = user_log_path("skranke", appauthor=False)
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())
    path = folder / "skranke-error.log"
    # The wall clock, not the session's Clock: --now may fix that, and the log must say when it crashed.
    stamp = SystemClock().now().isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as log:
        log.write(f"=== {stamp} {shlex.join(command_line)}\n")
        log.write("".join(traceback.format_exception(error)) + "\n")
    return str(path)
