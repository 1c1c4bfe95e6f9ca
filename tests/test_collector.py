"""The garbage collector's pauses and the start-up objects kept out of its sweeps."""

from __future__ import annotations

import gc
import weakref

import pytest

from skranke.collector import collector_paused, keep_start_up_objects


def test_start_up_objects_are_kept_out_of_later_sweeps_and_garbage_is_not() -> None:
    # The console script holds the collector back (skranke.console): it is on again afterwards.
    class Cycle:
        pass

    gc.disable()  # nothing collects the cycle by chance before the call
    marker = gc.get_freeze_count()
    try:
        garbage = Cycle()
        garbage.itself = garbage  # type: ignore[attr-defined]  # a cycle: only the collector frees it
        gone = weakref.ref(garbage)
        del garbage
        keep_start_up_objects()
        assert gc.get_freeze_count() > marker  # what start-up made is out of the sweeps
        assert gone() is None  # the garbage was collected, not kept for good
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_a_pause_restores_the_collector_as_it_was() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_command_does_its_work_with_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    # The console script turns the collector off for start-up; a command (an import of 150,000
    # rows, the server) must not run without it.
    import skranke.cli

    seen: list[bool] = []

    def handler(_skranke: object, _args: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setitem(skranke.cli.COMMANDS, "hours", handler)
    gc.disable()
    try:
        assert skranke.cli.main(["hours", "--site", "odense"]) == 0
    finally:
        gc.enable()
    assert seen == [True]


def test_the_console_script_starts_with_the_collector_off(monkeypatch: pytest.MonkeyPatch) -> None:
    import skranke.cli
    import skranke.console

    seen: list[bool] = []

    def run() -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(skranke.cli, "main", run)
    try:
        assert skranke.console.main() == 0
    finally:
        gc.enable()
    assert seen == [False]
