"""The garbage collector's pauses and the start-up objects kept out of its sweeps."""

from __future__ import annotations

import gc
import weakref

from skranke.collector import collector_paused, keep_start_up_objects


def test_start_up_objects_are_kept_out_of_later_sweeps_and_garbage_is_not() -> None:
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
