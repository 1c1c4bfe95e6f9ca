"""Pausing Python's cyclic garbage collector while a view or an import builds many rows."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection while tens of thousands of new rows are built.

    Each batch of new objects makes the collector sweep the growing heap again, for nothing:
    the rows hold no cycles. It was 20-30 % of an import's parse time at 100,000 rows, over half
    of Frister's view at 100,000 cases and a sixth of the dispensing queue at 1,500 orders. The
    collector runs again right after (and was left off if the caller had it off).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def keep_start_up_objects() -> None:
    """Leave what start-up made out of every later full collection, and collect from now on.

    Modules, classes, the database's mappings and compiled statements (some 200,000 objects)
    live as long as the application; a full collection walked them all, ~8 ms that fell into
    whichever view was being built (a dispensing queue of 1,500 orders, re-read after every
    dose, took 43 ms or 51 ms by where it fell). Collected first, so no garbage is kept. The
    console script holds the collector back until here (`skranke.console`).
    """
    gc.collect()
    gc.freeze()
    gc.enable()


def collect_again() -> None:
    """The collector on for a command's work: the console script held it back for start-up."""
    gc.enable()
