"""The controlled-substance accounts (narkotikaregnskab): entry kinds, balances, counts and the
yearly statement, as pure arithmetic over ledger entries (DESIGN §1 "Controlled-substance accounts").

Methadone, buprenorphine, morphine and heroin are euphoriserende stoffer: the permit holder keeps
accounts of every receipt and issue and reports yearly to Lægemiddelstyrelsen (BEK 2446/2021
§§ 20-21). The pharmacy rules (BEK 1457/2021) are the model for counts: against the ledger at
least monthly, any difference investigated at once.

An account is one service's stock of one preparation. Every entry carries `mg`, the signed amount
the balance changes by, so the balance is the sum of an account's entries: no balance row that
two workstations could lose an update on. A count changes the balance by its difference (counted
minus expected): after it the ledger says what the shelf holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

EntryKind = Literal["receipt", "issue", "reversal", "waste", "transfer_out", "transfer_in", "count"]
ENTRY_KINDS: tuple[EntryKind, ...] = ("receipt", "issue", "reversal", "waste", "transfer_out", "transfer_in", "count")
# The sign of an entry's mg by kind (a count's difference may go either way, so it has none).
POSITIVE_KINDS = frozenset({"receipt", "reversal", "transfer_in"})
NEGATIVE_KINDS = frozenset({"issue", "waste", "transfer_out"})
# What a second person witnesses with their PIN (DESIGN §1): a receipt, waste or spill, a transfer
# out, and a count that differs from the ledger.
WITNESSED_KINDS = frozenset({"receipt", "waste", "transfer_out"})

ZERO = Decimal(0)


@dataclass(frozen=True)
class Entry:
    """One ledger entry as the arithmetic needs it: when, what, by how much the balance changed."""

    kind: EntryKind
    mg: Decimal
    recorded_at: datetime
    counted_mg: Decimal | None = None
    expected_mg: Decimal | None = None


def signed_mg(kind: EntryKind, amount: Decimal) -> Decimal:
    """The amount a receipt, issue, waste or transfer changes the balance by (a positive amount
    given): issue, waste and transfer out take it away."""
    if amount <= 0:
        raise ValueError(f"an amount is more than 0 mg, not {amount}")
    if kind in POSITIVE_KINDS:
        return amount
    if kind in NEGATIVE_KINDS:
        return -amount
    raise ValueError(f"a {kind} entry has no fixed sign")


def balance(entries: Iterable[Entry]) -> Decimal:
    """The account's balance: the sum of its entries' signed mg."""
    return sum((e.mg for e in entries), ZERO)


def count_difference(counted_mg: Decimal, expected_mg: Decimal) -> Decimal:
    """What a count changes the balance by: counted - expected (negative: less on the shelf)."""
    return counted_mg - expected_mg


@dataclass(frozen=True)
class CountCheck:
    """What a count needs before it is recorded and what it raises (domain rules, BEK 1457/2021)."""

    difference_mg: Decimal
    needs_reason: bool  # any difference: investigated at once, so the reason is written
    needs_witness: bool  # any difference: a second person confirms the count
    beyond_tolerance: bool  # a task for the responsible doctor or leader


def count_check(counted_mg: Decimal, expected_mg: Decimal, tolerance_mg: Decimal) -> CountCheck:
    """A count against the ledger: a difference needs a reason and a witness; beyond the site's
    tolerance (`[stock] count_tolerance_mg`) it is also a task for the doctor or leader."""
    difference = count_difference(counted_mg, expected_mg)
    differs = difference != 0
    return CountCheck(difference, differs, differs, abs(difference) > tolerance_mg)


def count_due(last_count: date | None, today: date, every_days: int) -> bool:
    """The monthly count is due when none was made in the last `every_days` days (`[stock]
    count_every_days`; BEK 1457/2021: at least monthly). Never counted: due."""
    return last_count is None or (today - last_count).days >= every_days


def next_count_due(last_count: date | None, today: date, every_days: int) -> date:
    """The day the next count is due (today when it is already due)."""
    if last_count is None:
        return today
    return max(today, last_count + timedelta(days=every_days))


def ml_of(mg: Decimal, mg_per_ml: Decimal | None) -> Decimal | None:
    """mg of a liquid as ml (two decimals), for the ledger to show beside mg; None: not a liquid."""
    if mg_per_ml is None or mg_per_ml <= 0:
        return None
    return (mg / mg_per_ml).quantize(Decimal("0.01"))


def goes_negative(balance_before: Decimal, change_mg: Decimal) -> bool:
    """A dose that takes the balance below zero is still given (the citizen comes first), but it
    is flagged `stock_negative` and raises a task (DESIGN §1)."""
    return balance_before + change_mg < 0


@dataclass(frozen=True)
class RunningLine:
    """An entry with the balance after it (the ledger as a nurse reads it)."""

    entry: Entry
    balance_mg: Decimal


def running_balance(entries: Iterable[Entry], opening_mg: Decimal = ZERO) -> list[RunningLine]:
    """Entries in the order given, each with the balance after it, from `opening_mg`."""
    lines: list[RunningLine] = []
    running = opening_mg
    for entry in entries:
        running += entry.mg
        lines.append(RunningLine(entry, running))
    return lines


@dataclass
class YearStatement:
    """One preparation's year as the report to Lægemiddelstyrelsen gives it (BEK 2446/2021 §§ 20-21):
    opening balance, received, issued (net of reversals), wasted, transferred in and out, count
    differences, closing balance. All amounts positive except the count differences (signed)."""

    year: int
    opening_mg: Decimal = ZERO
    received_mg: Decimal = ZERO
    issued_mg: Decimal = ZERO
    wasted_mg: Decimal = ZERO
    transferred_in_mg: Decimal = ZERO
    transferred_out_mg: Decimal = ZERO
    count_difference_mg: Decimal = ZERO
    counts: int = 0
    entries: int = field(default=0)

    @property
    def closing_mg(self) -> Decimal:
        return (
            self.opening_mg
            + self.received_mg
            - self.issued_mg
            - self.wasted_mg
            + self.transferred_in_mg
            - self.transferred_out_mg
            + self.count_difference_mg
        )


def year_statement(
    entries: Iterable[Entry], year: int, tz_day: Callable[[datetime], date] | None = None
) -> YearStatement:
    """The statement of `year` from an account's entries (any order, any years): entries before
    the year make the opening balance, those in it are summed by kind, later ones are left out.
    `tz_day` gives an entry's local day (default: the date of its own time)."""
    statement = YearStatement(year)
    day_of = tz_day or (lambda moment: moment.date())
    for entry in entries:
        entry_year = day_of(entry.recorded_at).year
        if entry_year < year:
            statement.opening_mg += entry.mg
            continue
        if entry_year > year:
            continue
        statement.entries += 1
        if entry.kind == "receipt":
            statement.received_mg += entry.mg
        elif entry.kind == "issue":
            statement.issued_mg -= entry.mg
        elif entry.kind == "reversal":
            statement.issued_mg -= entry.mg  # a reversal gives an issue back: issued net
        elif entry.kind == "waste":
            statement.wasted_mg -= entry.mg
        elif entry.kind == "transfer_in":
            statement.transferred_in_mg += entry.mg
        elif entry.kind == "transfer_out":
            statement.transferred_out_mg -= entry.mg
        elif entry.kind == "count":
            statement.count_difference_mg += entry.mg
            statement.counts += 1
    return statement
