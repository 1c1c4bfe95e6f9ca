"""The audit chain's rules by themselves: what each event's hash covers, and which break the
walk names for an edit, a removal and an insertion (DESIGN §1, issue 25)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from skranke.domain.audit_chain import (
    EDITED,
    GENESIS,
    HEAD_MISSING,
    INSERTED,
    REMOVED,
    Head,
    StoredEvent,
    check_chain,
    event_hash,
)

START = datetime(2026, 4, 6, 7, 30, tzinfo=UTC)


def _chain(count: int, first_id: int = 1, ids: list[int] | None = None) -> list[StoredEvent]:
    events, prev = [], GENESIS
    for number, event_id in enumerate(ids or range(first_id, first_id + count)):
        content = (
            event_id,
            START + timedelta(minutes=number),
            "SYG",
            "pc1",
            "open_citizen",
            f"B{number}",
            "citizen",
            f"B{number}",
            {"n": number},
        )
        own = event_hash(prev, *content)
        events.append(StoredEvent(*content, prev, own))
        prev = own
    return events


def _head(events: list[StoredEvent]) -> Head:
    return Head(events[-1].id, events[-1].hash) if events else Head(0, GENESIS)


def _sealed(event: StoredEvent, prev_hash: str | None = None) -> StoredEvent:
    """The event with its own hash computed again (by someone who knows how)."""
    prev_hash = event.prev_hash if prev_hash is None else prev_hash
    return event._replace(prev_hash=prev_hash, hash=event_hash(prev_hash, *event[:9]))


def _named(events: list[StoredEvent], head: Head | None) -> tuple[str, int | None, str | None] | None:
    broken = check_chain(iter(events), head).broken
    return None if broken is None else (broken.problem, broken.event_id, broken.missing)


def test_a_whole_chain_checks_and_ends_at_the_heads_hash() -> None:
    events = _chain(5)
    check = check_chain(iter(events), _head(events))
    assert check.whole and check.events == 5 and check.last_hash == events[-1].hash


def test_an_empty_log_with_a_new_head_is_whole() -> None:
    check = check_chain(iter([]), Head(0, GENESIS))
    assert check.whole and check.events == 0 and check.last_hash == GENESIS


@pytest.mark.parametrize("field", range(9))
def test_every_column_is_in_the_hash(field: int) -> None:
    event = _chain(1)[0]
    values = list(event[:9])
    values[field] = {
        0: 2,
        1: event.at + timedelta(microseconds=1),
        2: "SYH",
        3: "pc2",
        4: "reveal_cpr",
        5: None,
        6: "case",
        7: "S1",
        8: {"n": 1},
    }[field]
    assert event_hash(GENESIS, *values) != event.hash


def test_the_moment_is_hashed_as_a_moment_whatever_its_zone() -> None:
    from zoneinfo import ZoneInfo

    event = _chain(1)[0]
    local = event.at.astimezone(ZoneInfo("Europe/Copenhagen"))
    assert event_hash(GENESIS, event.id, local, *event[2:9]) == event.hash


def test_the_detail_is_hashed_by_its_content_not_its_key_order() -> None:
    event = _chain(1)[0]
    one = event_hash(GENESIS, *event[:8], {"a": 1, "b": [1, "ø"]})
    assert one == event_hash(GENESIS, *event[:8], {"b": [1, "ø"], "a": 1})


def test_an_edited_event_is_named() -> None:
    events = _chain(5)
    head = _head(events)
    events[2] = events[2]._replace(detail={"n": 99})
    assert _named(events, head) == (EDITED, 3, None)


def test_an_edit_with_its_own_hash_computed_again_is_named_at_the_edited_event() -> None:
    events = _chain(5)
    head = _head(events)
    events[2] = _sealed(events[2]._replace(staff="XX"))
    assert _named(events, head) == (EDITED, 3, None)


def test_an_edited_last_event_is_named_by_the_head() -> None:
    events = _chain(5)
    head = _head(events)
    events[4] = _sealed(events[4]._replace(action="search"))
    assert _named(events, head) == (EDITED, 5, None)


def test_a_removed_event_names_the_one_after_the_gap() -> None:
    events = _chain(5)
    head = _head(events)
    del events[2]
    assert _named(events, head) == (REMOVED, 4, "before")


def test_the_first_event_removed_names_the_one_after_it() -> None:
    events = _chain(3)
    head = _head(events)
    del events[0]
    assert _named(events, head) == (REMOVED, 2, "before")


def test_the_newest_events_removed_are_named_by_the_head() -> None:
    events = _chain(5)
    head = _head(events)
    assert _named(events[:3], head) == (REMOVED, 3, "after")


def test_every_event_removed_is_a_break_with_no_event_to_name() -> None:
    events = _chain(3)
    assert _named([], _head(events)) == (REMOVED, None, "before")


def test_an_event_past_the_head_was_inserted_even_when_it_chains() -> None:
    events = _chain(3)
    head = _head(events)
    forged = _sealed(_chain(1, first_id=4)[0], prev_hash=events[-1].hash)
    assert _named([*events, forged], head) == (INSERTED, 4, None)


def test_an_inserted_event_with_the_wrong_predecessor_is_named() -> None:
    # Ids with a gap, as an older store's may have (a PostgreSQL sequence skips on rollback).
    events = _chain(4, ids=[1, 2, 5, 6])
    head = _head(events)
    forged = _sealed(_chain(1, first_id=3)[0], prev_hash="f" * 64)
    assert _named([*events[:2], forged, *events[2:]], head) == (INSERTED, 3, None)


def test_an_inserted_event_that_joins_its_predecessor_is_named() -> None:
    events = _chain(4, ids=[1, 2, 5, 6])
    head = _head(events)
    forged = _sealed(_chain(1, first_id=3)[0], prev_hash=events[1].hash)
    assert _named([*events[:2], forged, *events[2:]], head) == (INSERTED, 3, None)


def test_an_inserted_first_event_is_named() -> None:
    events = _chain(3)
    head = _head(events)
    forged = _sealed(_chain(1, first_id=0)[0], prev_hash=GENESIS)
    assert _named([forged, *events], head) == (INSERTED, 0, None)


def test_an_inserted_event_with_a_made_up_hash_is_named_inserted() -> None:
    events = _chain(4, ids=[1, 2, 5, 6])
    head = _head(events)
    forged = _chain(1, first_id=3)[0]._replace(prev_hash="a" * 64, hash="b" * 64)
    assert _named([*events[:2], forged, *events[2:]], head) == (INSERTED, 3, None)


def test_a_gap_with_an_edit_before_it_cannot_be_told_from_a_removal() -> None:
    # With ids 2 and 5 apart, events 3 and 4 may have been removed: the chain says so.
    events = _chain(4, ids=[1, 2, 5, 6])
    head = _head(events)
    events[1] = _sealed(events[1]._replace(detail={"n": 42}))
    assert _named(events, head) == (REMOVED, 5, "before")


def test_a_changed_previous_hash_is_an_edit() -> None:
    events = _chain(4)
    head = _head(events)
    events[2] = events[2]._replace(prev_hash="c" * 64)
    assert _named(events, head) == (EDITED, 3, None)


def test_what_a_chain_cannot_prove_a_rewrite_of_everything_after_an_edit_and_the_head() -> None:
    """With no secret, whoever rewrites an event, every hash after it and the head makes the chain
    whole again; only a last hash kept elsewhere (printed by an earlier verify) shows it."""
    events = _chain(5)
    kept_elsewhere = events[-1].hash
    rewritten, prev = [], GENESIS
    for event in events:
        if event.id == 3:
            event = event._replace(detail={"n": "changed"})
        event = _sealed(event, prev_hash=prev)
        rewritten.append(event)
        prev = event.hash
    assert check_chain(iter(rewritten), _head(rewritten)).whole
    assert kept_elsewhere not in {e.hash for e in rewritten}
    # Without the head rewritten too, the edit shows: at the newest event.
    assert _named(rewritten, Head(5, kept_elsewhere)) == (EDITED, 5, None)


def test_a_missing_head_is_a_break_naming_the_last_event() -> None:
    events = _chain(3)
    assert _named(events, None) == (HEAD_MISSING, 3, None)


def test_the_walk_reads_the_events_as_they_come() -> None:
    """A store may hold millions: the walk takes them one at a time (a batch at a time from the
    store), one ahead of the event it checks, and stops at the first break."""
    events = _chain(6)
    head = _head(events)
    events[1] = events[1]._replace(detail={"n": 99})
    read: list[int] = []

    def streamed() -> Iterator[StoredEvent]:
        for event in events:
            read.append(event.id)
            yield event

    broken = check_chain(streamed(), head).broken
    assert broken is not None and broken.event_id == 2
    assert read == [1, 2, 3]
