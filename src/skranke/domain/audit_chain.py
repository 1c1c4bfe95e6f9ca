"""The audit log's hash chain (DESIGN §1): tamper-evident, not tamper-proof.

Each event carries a SHA-256 over the previous event's hash and its own content, every column
of it: id, moment (UTC), staff, workstation, action, citizen, entity, entity id and the detail
as canonical JSON. `check_chain` walks the events in id order and names the first one that
was edited (its hash does not match its content), inserted (it does not belong in the chain)
or next to which events were removed (the chain does not join there).

What a chain proves, and what it cannot: with no secret in it, anyone who can write the
database and knows this code can rewrite an event and every hash after it, the chain's head
included; the chain then holds together again. What it does prove is that the events up to a
hash written down elsewhere (`skranke audit verify` prints the last one) are as they were when
that hash was read: an edit, removal or insertion before it changes every hash from there on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

# The "previous hash" of the first event.
GENESIS = "0" * 64

EDITED, REMOVED, INSERTED, HEAD_MISSING = "edited", "removed", "inserted", "head_missing"


def canonical_detail(detail: Any) -> str:
    """The detail as the hash reads it: keys sorted, no spaces, UTF-8 as it is."""
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_moment(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError(f"naive datetime {at} cannot be chained: give a time zone")
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def event_hash(
    prev_hash: str,
    event_id: int,
    at: datetime,
    staff: str,
    workstation: str,
    action: str,
    citizen_id: str | None,
    entity: str,
    entity_id: str,
    detail: Any,
) -> str:
    """SHA-256 (hex) over the previous hash and the event's content, as one JSON array: each
    field stands in its own place, so no two contents read the same."""
    content = json.dumps(
        [prev_hash, event_id, canonical_moment(at), staff, workstation, action, citizen_id, entity, entity_id, detail],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


class StoredEvent(NamedTuple):
    """An event as the store holds it, the chain's two hashes included."""

    id: int
    at: datetime
    staff: str
    workstation: str
    action: str
    citizen_id: str | None
    entity: str
    entity_id: str
    detail: Any
    prev_hash: str
    hash: str

    def sound(self) -> bool:
        """Its hash matches its content and the previous hash it names."""
        return self.hash == event_hash(self.prev_hash, *self[:9])


@dataclass(frozen=True)
class Head:
    """The chain's head: the last event chained and its hash (one row, updated with every event)."""

    last_id: int
    last_hash: str


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold. `missing`: for REMOVED, whether the events are
    gone before the named event or after it (the newest ones); `event_id` is None when no event
    is left to name."""

    problem: str
    event_id: int | None
    at: datetime | None
    action: str | None
    missing: str | None = None


@dataclass(frozen=True)
class ChainCheck:
    events: int  # the events found whole, in order, before any break
    last_hash: str  # the hash of the last of them (GENESIS for none)
    broken: Break | None

    @property
    def whole(self) -> bool:
        return self.broken is None


def _break(problem: str, event: StoredEvent | None, missing: str | None = None) -> Break:
    if event is None:
        return Break(problem, None, None, None, missing)
    return Break(problem, event.id, event.at, event.action, missing)


def check_chain(events: Iterable[StoredEvent], head: Head | None) -> ChainCheck:
    """Walk `events` (every event, in id order; read as they come, never all held) against the
    chain's head, and name the first break.

    At an event that does not join the one before it, one event ahead tells what happened:
    when the next event joins the last good one, this one was inserted; when this one joins
    the event before the last good one, the last good one was inserted; when its own hash is
    wrong, it was edited; when its id follows the last good one's, nothing can be missing
    between them, so that one was edited (its hash computed again); else events are missing
    before it. (Ids are consecutive since the chain began; an older store's may have gaps.)
    """
    expected, before = GENESIS, None
    previous: StoredEvent | None = None
    count = 0
    walk: Iterator[StoredEvent] = iter(events)
    current = next(walk, None)
    beyond: StoredEvent | None = None
    while current is not None:
        if head is not None and current.id > head.last_id:
            beyond = current  # not chained by any writer: writers move the head with their events
            break
        following = next(walk, None)
        if current.prev_hash == expected:
            if not current.sound():
                return ChainCheck(count, expected, _break(EDITED, current))
            before, expected, previous = expected, current.hash, current
            count += 1
        elif previous is not None and current.prev_hash == before:
            return ChainCheck(count - 1, before, _break(INSERTED, previous))
        elif following is not None and following.prev_hash == expected:
            return ChainCheck(count, expected, _break(INSERTED, current))
        elif not current.sound():
            return ChainCheck(count, expected, _break(EDITED, current))
        elif previous is not None and current.id == previous.id + 1:
            # No event fits between the two (ids are in the hashes): the one before was
            # rewritten, its own hash computed again.
            return ChainCheck(count - 1, before or GENESIS, _break(EDITED, previous))
        else:
            return ChainCheck(count, expected, _break(REMOVED, current, "before"))
        current = following
    if head is None:
        return ChainCheck(count, expected, _break(HEAD_MISSING, previous))
    if previous is None:
        if head.last_id != 0 or head.last_hash != GENESIS:
            return ChainCheck(0, GENESIS, _break(REMOVED, None, "before"))
    elif previous.id != head.last_id:
        # The head names a later event than the last one left: the newest events are gone.
        return ChainCheck(count, expected, _break(REMOVED, previous, "after"))
    elif previous.hash != head.last_hash:
        # Rewritten with its hash (and those before it, back to the first edit) computed again:
        # only the head still holds the hash it had.
        return ChainCheck(count - 1, before or GENESIS, _break(EDITED, previous))
    if beyond is not None:
        return ChainCheck(count, expected, _break(INSERTED, beyond))
    return ChainCheck(count, expected, None)
