"""The narcotics ledger (narkotikaregnskab): receipts, waste, transfers, counts and their reads.

DESIGN §1 "Controlled-substance accounts": methadone, buprenorphine, morphine and heroin are
euphoriserende stoffer; the permit holder accounts for every receipt and issue and reports
yearly to Lægemiddelstyrelsen (BEK 2446/2021 §§ 20-21); counts follow the pharmacy rules
(BEK 1457/2021: at least monthly, any difference investigated at once).

One account per service and preparation (`stock_entries`, append-only). What a nurse records
here (a receipt, a waste, a transfer out, a count that differs) is witnessed by a second person
with their PIN (`services.staff.confirm_witness`: the sign-in's check and lock-out). A dose
given writes its issue itself, in the dose's transaction (`issue_for_dose`, called by
services.dispensing), and a void its reversal (`reverse_for_dose`). Every entry writes its audit
event in the same transaction (`add_entry`).

The screens and the command line use the functions below; each takes the signed-in Actor and
returns plain dataclasses (with `to_json_dict` where the command line prints JSON). The year's
statement (`year_statement`) is what a PDF of it renders (skranke.documents).

No split by strength: the journal's orders (`ordinationer*.csv`) carry no strength, so every
dose would be issued from one default product and a second strength's account would only ever
grow; counts would then differ every month. A preparation is one account, its strength the
label's text (`[[preparations]] strength`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from skranke.domain import stock as rules
from skranke.i18n import _
from skranke.services.access import Actor, require
from skranke.services.audit import record_added
from skranke.services.context import Skranke
from skranke.services.errors import DeskRefusal
from skranke.services.places import place_name
from skranke.services.queue import json_number, known_service
from skranke.services.wording import format_mg

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from skranke.documents.statement import YearStatementDocument
    from skranke.store.models import Dispensing, PendingReceipt, StockEntry

# --- what the reads give --------------------------------------------------------------------


def _number(value: Decimal | None) -> float | int | None:
    return None if value is None else json_number(value)


@dataclass(frozen=True)
class LedgerLine:
    """One entry with the account's balance after it (mg, and ml for a liquid)."""

    entry_id: int
    service: str
    preparation: str
    kind: str
    mg: Decimal
    balance_mg: Decimal
    ml: Decimal | None
    balance_ml: Decimal | None
    recorded_at: datetime
    staff: str
    witness: str | None
    reason: str
    supplier: str
    invoice: str
    lot: str
    other_service: str | None
    dispensing_id: int | None
    receipt_id: str | None
    counted_mg: Decimal | None
    expected_mg: Decimal | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "id": self.entry_id,
            "service": self.service,
            "preparation": self.preparation,
            "kind": self.kind,
            "mg": json_number(self.mg),
            "balance_mg": json_number(self.balance_mg),
            "ml": _number(self.ml),
            "balance_ml": _number(self.balance_ml),
            "at": self.recorded_at.isoformat(),
            "staff": self.staff,
            "witness": self.witness,
            "reason": self.reason,
            "supplier": self.supplier,
            "invoice": self.invoice,
            "lot": self.lot,
            "other_service": self.other_service,
            "dispensing_id": self.dispensing_id,
            "receipt_id": self.receipt_id,
            "counted_mg": _number(self.counted_mg),
            "expected_mg": _number(self.expected_mg),
        }


@dataclass(frozen=True)
class LastCount:
    at: datetime
    counted_mg: Decimal
    difference_mg: Decimal

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "counted_mg": json_number(self.counted_mg),
            "difference_mg": json_number(self.difference_mg),
        }


@dataclass(frozen=True)
class Balance:
    """An account's balance, its last count and whether the next count is due."""

    service: str
    preparation: str
    name: str
    strength: str
    mg: Decimal
    ml: Decimal | None
    last_count: LastCount | None
    count_due: bool
    next_count: date

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "preparation": self.preparation,
            "mg": json_number(self.mg),
            "last_count": self.last_count.to_json_dict() if self.last_count else None,
            "ml": _number(self.ml),
            "service": self.service,
            "count_due": self.count_due,
            "next_count": self.next_count.isoformat(),
        }


@dataclass(frozen=True)
class EntryResult:
    """What recording an entry gives back: the entry (as the ledger shows it) and, for a count,
    the task a difference beyond the tolerance raised."""

    line: LedgerLine
    task_id: int | None = None
    beyond_tolerance: bool = False

    def words(self) -> str:
        """The sentence the desk reads after recording (the toast, the command line): the entry
        and the balance; a count says what was counted against what the ledger said, never its
        difference alone as if that were the amount counted."""
        from skranke.services.wording import stock_kind_word

        line = self.line
        if line.kind == "count" and line.counted_mg is not None and line.expected_mg is not None:
            words = _(
                "Count of {preparation}: counted {counted} mg, the ledger said {expected} mg "
                "(difference {difference} mg); entry {id}."
            ).format(
                preparation=line.preparation,
                counted=format_mg(line.counted_mg),
                expected=format_mg(line.expected_mg),
                difference=format_mg(line.mg),
                id=line.entry_id,
            )
        else:
            words = _("{kind} {mg} mg {preparation} (entry {id}); balance {balance} mg.").format(
                kind=stock_kind_word(line.kind),
                mg=format_mg(abs(line.mg)),
                preparation=line.preparation,
                id=line.entry_id,
                balance=format_mg(line.balance_mg),
            )
        if self.task_id is not None:
            words += " " + _("Beyond the tolerance: task {id} for the doctor or leader.").format(id=self.task_id)
        return words

    def to_json_dict(self) -> dict[str, Any]:
        answer = self.line.to_json_dict()
        if self.line.kind == "count":
            answer["difference_mg"] = json_number(self.line.mg)
            answer["beyond_tolerance"] = self.beyond_tolerance
            answer["task_id"] = self.task_id
        return answer


@dataclass(frozen=True)
class WaitingReceipt:
    """A receipt from the pharmacy system (`lager*.csv`) waiting for a witness."""

    receipt_id: str
    preparation: str
    strength: str
    mg: Decimal
    lot: str
    supplier: str
    invoice: str
    received_on: date | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "receipt_id": self.receipt_id,
            "preparation": self.preparation,
            "strength": self.strength,
            "mg": json_number(self.mg),
            "lot": self.lot,
            "supplier": self.supplier,
            "invoice": self.invoice,
            "received_on": self.received_on.isoformat() if self.received_on else None,
        }


@dataclass(frozen=True)
class YearLine:
    preparation: str
    name: str
    strength: str
    statement: rules.YearStatement

    def to_json_dict(self) -> dict[str, Any]:
        s = self.statement
        return {
            "preparation": self.preparation,
            "name": self.name,
            "strength": self.strength,
            "opening_mg": json_number(s.opening_mg),
            "received_mg": json_number(s.received_mg),
            "issued_mg": json_number(s.issued_mg),
            "wasted_mg": json_number(s.wasted_mg),
            "transferred_in_mg": json_number(s.transferred_in_mg),
            "transferred_out_mg": json_number(s.transferred_out_mg),
            "count_difference_mg": json_number(s.count_difference_mg),
            "closing_mg": json_number(s.closing_mg),
        }


@dataclass(frozen=True)
class YearReport:
    """The yearly statement per preparation for Lægemiddelstyrelsen (BEK 2446/2021 §§ 20-21)."""

    year: int
    site: str
    site_name: str
    service: str
    service_name: str
    lines: list[YearLine]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "site": self.site,
            "service": self.service,
            "preparations": [line.to_json_dict() for line in self.lines],
        }


@dataclass(frozen=True)
class DayCount:
    """Close-day's line per preparation: the ledger's balance against what was counted that day."""

    preparation: str
    expected_mg: Decimal
    counted_mg: Decimal | None
    difference_mg: Decimal | None
    at: datetime | None

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "preparation": self.preparation,
            "expected_mg": json_number(self.expected_mg),
            "counted_mg": _number(self.counted_mg),
            "difference_mg": _number(self.difference_mg),
            "at": self.at.isoformat() if self.at else None,
        }


@dataclass(frozen=True)
class CountDue:
    service: str
    preparation: str
    last_count: date | None
    next_count: date
    due: bool


# --- helpers --------------------------------------------------------------------------------


def stock_service(skranke: Skranke, service: str | None) -> str:
    """The service whose stock is meant: the one asked for, else the medicine room."""
    return known_service(skranke, service)


def _check_preparation(skranke: Skranke, preparation: str) -> str:
    known = [p.id for p in skranke.site.preparations]
    if preparation not in known:
        raise DeskRefusal(
            _("Unknown preparation '{preparation}': the ledger has {known}.").format(
                preparation=preparation, known=", ".join(known)
            )
        )
    return preparation


def _check_amount(mg: Decimal) -> Decimal:
    if not mg.is_finite() or mg <= 0:
        raise DeskRefusal(_("The amount must be more than 0 mg."))
    if mg != mg.quantize(Decimal("0.01")):
        raise DeskRefusal(_("The amount is given in mg with at most two decimals."))
    return mg


def _mg_per_ml(skranke: Skranke, preparation: str) -> Decimal | None:
    try:
        return skranke.site.preparation(preparation).mg_per_ml
    except KeyError:
        return None


def _line(skranke: Skranke, row: StockEntry, balance_mg: Decimal) -> LedgerLine:
    per_ml = _mg_per_ml(skranke, row.preparation)
    return LedgerLine(
        row.id,
        row.service,
        row.preparation,
        row.kind,
        row.mg,
        balance_mg,
        rules.ml_of(row.mg, per_ml),
        rules.ml_of(balance_mg, per_ml),
        row.recorded_at,
        row.staff_id,
        row.witness_id,
        row.reason,
        row.supplier,
        row.invoice,
        row.lot,
        row.other_service,
        row.dispensing_id,
        row.pending_receipt_id,
        row.counted_mg,
        row.expected_mg,
    )


def add_entry(session: Session, actor: Actor, now: datetime, action: str, **fields: Any) -> StockEntry:
    """Insert one entry and its audit event (`action`), in the caller's transaction: the one
    insert-and-audit sequence every entry goes through, a dose's issue included."""
    from skranke.store.models import StockEntry

    row = StockEntry(recorded_at=now, staff_id=actor.staff_id, workstation=actor.workstation, **fields)
    detail = {
        "service": row.service,
        "preparation": row.preparation,
        "kind": row.kind,
        "mg": str(row.mg),
    }
    if row.witness_id:
        detail["witness"] = row.witness_id
    if row.reason:
        detail["reason"] = row.reason
    record_added(session, actor, now, action, row, entity="stock_entry", detail=detail)
    return row


def _raise_task(session: Session, actor: Actor, now: datetime, kind: str, note: str, source: str) -> int:
    from skranke.store.models import Task

    task = Task(
        kind=kind, citizen_id=None, due=now.date(), source=source, note=note, created_at=now, created_by=actor.staff_id
    )
    session.add(task)
    session.flush()
    return task.id


def _day_bounds(skranke: Skranke, day: date) -> tuple[datetime, datetime]:
    zone = skranke.clock.now().tzinfo
    start = datetime.combine(day, time(0), zone)
    return start, datetime.combine(day + timedelta(days=1), time(0), zone)


def _not_beyond_balance(skranke: Skranke, session: Session, service: str, preparation: str, mg: Decimal) -> None:
    from skranke.store.stock import balance

    held = balance(session, service, preparation)
    if mg > held:
        raise DeskRefusal(
            _(
                "Only {held} mg of {preparation} is on the ledger at {service}: count first if the shelf holds more."
            ).format(held=format_mg(held), preparation=preparation, service=place_name(skranke.site, service))
        )


# --- recording ------------------------------------------------------------------------------


class _Witnessed(NamedTuple):
    signed_in: Actor
    place: str
    witness_id: str
    now: datetime


def _witnessed(
    skranke: Skranke,
    actor: Actor | None,
    service: str | None,
    preparation: str,
    mg: Decimal,
    witness: str,
    witness_pin: str,
    refusal: Callable[[], None] | None = None,
) -> _Witnessed:
    """What every witnessed entry checks before it writes: the signed-in person may record, the
    service, the preparation and the amount are known, the act's own rule (`refusal`) holds, and
    only then the witness's PIN (a failed one counts toward their lock-out)."""
    from skranke.services.staff import confirm_witness

    signed_in = require(actor, "stock")
    place = stock_service(skranke, service)
    _check_preparation(skranke, preparation)
    _check_amount(mg)
    if refusal is not None:
        refusal()
    confirmed = confirm_witness(skranke, signed_in, witness, witness_pin, "stock")
    return _Witnessed(signed_in, place, confirmed.staff_id, skranke.clock.now())


def receive(
    skranke: Skranke,
    actor: Actor | None,
    preparation: str,
    mg: Decimal,
    witness: str,
    witness_pin: str,
    *,
    lot: str = "",
    supplier: str = "",
    invoice: str = "",
    service: str | None = None,
) -> EntryResult:
    """A receipt into the service's stock, received by the signed-in nurse and witnessed by a
    second person's PIN (DESIGN §1)."""
    from skranke.store.stock import balance

    act = _witnessed(skranke, actor, service, preparation, mg, witness, witness_pin)
    with skranke.database.transaction() as session:
        row = add_entry(
            session,
            act.signed_in,
            act.now,
            "stock_receive",
            service=act.place,
            preparation=preparation,
            kind="receipt",
            mg=rules.signed_mg("receipt", mg),
            lot=lot.strip(),
            supplier=supplier.strip(),
            invoice=invoice.strip(),
            witness_id=act.witness_id,
        )
        return EntryResult(_line(skranke, row, balance(session, act.place, preparation)))


def witness_receipt(
    skranke: Skranke,
    actor: Actor | None,
    receipt_id: str,
    witness: str,
    witness_pin: str,
    service: str | None = None,
) -> EntryResult:
    """An imported receipt (`lager*.csv`) taken into the service's stock, witnessed (once)."""
    from sqlalchemy.exc import IntegrityError

    from skranke.services.staff import confirm_witness
    from skranke.store.models import PendingReceipt
    from skranke.store.stock import balance, witnessed_receipt_ids

    signed_in = require(actor, "stock")
    place = stock_service(skranke, service)
    with skranke.database.reading() as session:
        if session.get(PendingReceipt, receipt_id) is None:
            raise DeskRefusal(_("No imported receipt {id} is waiting.").format(id=receipt_id))
    confirmed = confirm_witness(skranke, signed_in, witness, witness_pin, "stock")
    now = skranke.clock.now()
    already = DeskRefusal(_("Receipt {id} is witnessed already.").format(id=receipt_id))
    try:
        with skranke.database.transaction() as session:
            pending: PendingReceipt | None = session.get(PendingReceipt, receipt_id)
            if pending is None:
                raise DeskRefusal(_("No imported receipt {id} is waiting.").format(id=receipt_id))
            if witnessed_receipt_ids(session, [receipt_id]):
                raise already
            _check_preparation(skranke, pending.preparation)
            row = add_entry(
                session,
                signed_in,
                now,
                "stock_witness",
                service=place,
                preparation=pending.preparation,
                kind="receipt",
                mg=rules.signed_mg("receipt", pending.mg),
                lot=pending.lot,
                supplier=pending.supplier,
                invoice=pending.invoice,
                pending_receipt_id=pending.id,
                witness_id=confirmed.staff_id,
            )
            return EntryResult(_line(skranke, row, balance(session, place, pending.preparation)))
    except IntegrityError:
        # Another workstation witnessed it at the same moment: the unique receipt link refused this one.
        raise already from None


def waste(
    skranke: Skranke,
    actor: Actor | None,
    preparation: str,
    mg: Decimal,
    reason: str,
    witness: str,
    witness_pin: str,
    service: str | None = None,
) -> EntryResult:
    """Waste or spill, with a reason and a witness (DESIGN §1); never more than the ledger holds."""
    from skranke.store.stock import balance

    def needs_reason() -> None:
        if not reason.strip():
            raise DeskRefusal(_("Waste needs a reason (spilt, broken bottle, expired ...)."))

    act = _witnessed(skranke, actor, service, preparation, mg, witness, witness_pin, needs_reason)
    with skranke.database.transaction() as session:
        _not_beyond_balance(skranke, session, act.place, preparation, mg)
        row = add_entry(
            session,
            act.signed_in,
            act.now,
            "stock_waste",
            service=act.place,
            preparation=preparation,
            kind="waste",
            mg=rules.signed_mg("waste", mg),
            reason=reason.strip(),
            witness_id=act.witness_id,
        )
        return EntryResult(_line(skranke, row, balance(session, act.place, preparation)))


def transfer(
    skranke: Skranke,
    actor: Actor | None,
    preparation: str,
    mg: Decimal,
    to_service: str,
    witness: str,
    witness_pin: str,
    service: str | None = None,
) -> EntryResult:
    """Stock moved from one dispensing service to another: an entry out (witnessed) and one in,
    in one transaction, so the site's total is unchanged. The result is the entry out."""
    from skranke.store.stock import balance

    target = stock_service(skranke, to_service)

    def elsewhere() -> None:
        if target == stock_service(skranke, service):
            raise DeskRefusal(_("A transfer goes to another service than {service}.").format(service=target))

    act = _witnessed(skranke, actor, service, preparation, mg, witness, witness_pin, elsewhere)
    signed_in, place, now = act.signed_in, act.place, act.now
    with skranke.database.transaction() as session:
        _not_beyond_balance(skranke, session, place, preparation, mg)
        out = add_entry(
            session,
            signed_in,
            now,
            "stock_transfer",
            service=place,
            preparation=preparation,
            kind="transfer_out",
            mg=rules.signed_mg("transfer_out", mg),
            other_service=target,
            witness_id=act.witness_id,
        )
        add_entry(
            session,
            signed_in,
            now,
            "stock_transfer",
            service=target,
            preparation=preparation,
            kind="transfer_in",
            mg=rules.signed_mg("transfer_in", mg),
            other_service=place,
            witness_id=act.witness_id,
        )
        return EntryResult(_line(skranke, out, balance(session, place, preparation)))


def count(
    skranke: Skranke,
    actor: Actor | None,
    preparation: str,
    counted_mg: Decimal,
    reason: str = "",
    witness: str | None = None,
    witness_pin: str | None = None,
    service: str | None = None,
) -> EntryResult:
    """A count against the ledger (BEK 1457/2021). The entry changes the balance by the
    difference, so the ledger then says what the shelf holds. A difference needs a reason and a
    witness; beyond the site's tolerance it raises a task for the doctor or leader."""
    from skranke.services.staff import confirm_witness
    from skranke.store.stock import balance

    signed_in = require(actor, "stock")
    place = stock_service(skranke, service)
    _check_preparation(skranke, preparation)
    if not counted_mg.is_finite() or counted_mg < 0 or counted_mg != counted_mg.quantize(Decimal("0.01")):
        raise DeskRefusal(_("The count is given in mg (0 or more, at most two decimals)."))
    with skranke.database.reading() as session:
        expected = balance(session, place, preparation)
    check = rules.count_check(counted_mg, expected, skranke.site.stock.tolerance_mg(preparation))
    if check.needs_reason and not reason.strip():
        raise DeskRefusal(
            _("The count differs from the ledger by {difference} mg: give the reason.").format(
                difference=format_mg(check.difference_mg)
            )
        )
    confirmed: Actor | None = None
    if witness:
        confirmed = confirm_witness(skranke, signed_in, witness, witness_pin or "", "stock")
    elif check.needs_witness:
        raise DeskRefusal(
            _("The count differs from the ledger by {difference} mg: a witness confirms it with their PIN.").format(
                difference=format_mg(check.difference_mg)
            )
        )
    now = skranke.clock.now()
    with skranke.database.transaction() as session:
        # Read again in the count's transaction: a dose given since the first read is in it.
        expected = balance(session, place, preparation)
        check = rules.count_check(counted_mg, expected, skranke.site.stock.tolerance_mg(preparation))
        if check.needs_witness and confirmed is None:
            raise DeskRefusal(_("The ledger changed while counting: count again."))
        row = add_entry(
            session,
            signed_in,
            now,
            "stock_count",
            service=place,
            preparation=preparation,
            kind="count",
            mg=check.difference_mg,
            counted_mg=counted_mg,
            expected_mg=expected,
            reason=reason.strip(),
            witness_id=confirmed.staff_id if confirmed else None,
        )
        task_id = None
        if check.beyond_tolerance:
            task_id = _raise_task(
                session,
                signed_in,
                now,
                "stock_difference",
                _("{preparation} at {service}: counted {counted} mg, the ledger said {expected} mg ({reason}).").format(
                    preparation=preparation,
                    service=place_name(skranke.site, place),
                    counted=format_mg(counted_mg),
                    expected=format_mg(expected),
                    reason=reason.strip(),
                ),
                _("BEK 1457/2021: a count difference is investigated at once; beyond the site's tolerance"),
            )
        return EntryResult(_line(skranke, row, counted_mg), task_id, check.beyond_tolerance)


# --- a dose's issue and its reversal (called by services.dispensing, in the dose's transaction)


@dataclass(frozen=True)
class DoseStock:
    """What a dose's issue did to the stock: the balance after it, and whether it is below zero."""

    entry_id: int
    balance_mg: Decimal
    stock_negative: bool


def issue_for_dose(
    session: Session, signed_in: Actor, now: datetime, service: str, dose: Dispensing
) -> DoseStock | None:
    """The issue entry of a dose given (dose_mg + take_home_mg), in the dose's transaction. A dose
    that takes the balance below zero is still given (the citizen comes first): the result says
    `stock_negative`, and the first dose to cross zero raises a task (DESIGN §1)."""
    from skranke.store.stock import balance

    amount = (dose.dose_mg or Decimal(0)) + dose.take_home_mg
    if dose.outcome != "given" or amount <= 0:
        return None
    before = balance(session, service, dose.preparation)
    change = rules.signed_mg("issue", amount)
    row = add_entry(
        session,
        signed_in,
        now,
        "stock_issue",
        service=service,
        preparation=dose.preparation,
        kind="issue",
        mg=change,
        dispensing_id=dose.id,
    )
    after = before + change
    negative = after < 0
    if negative and before >= 0:
        _raise_task(
            session,
            signed_in,
            now,
            "stock_negative",
            _("{preparation} at {service}: the ledger is at {balance} mg after dose record {id}.").format(
                preparation=dose.preparation, service=service, balance=format_mg(after), id=dose.id
            ),
            _("DESIGN §1: a dose below zero is given, and the ledger is checked (receipt not recorded, or a count)"),
        )
    return DoseStock(row.id, after, negative)


def reverse_for_dose(session: Session, signed_in: Actor, now: datetime, dose: Dispensing) -> int | None:
    """The reversal of a voided dose's issue, in the void's transaction; None when the dose had
    no issue (not given, or given before the ledger existed)."""
    from skranke.store.stock import entry_of_dose

    issue = entry_of_dose(session, dose.id, "issue")
    if issue is None:
        return None
    row = add_entry(
        session,
        signed_in,
        now,
        "stock_reversal",
        service=issue.service,
        preparation=issue.preparation,
        kind="reversal",
        mg=-issue.mg,
        dispensing_id=dose.id,
    )
    return row.id


def day_counts(skranke: Skranke, session: Session, service: str, day: date) -> list[DayCount]:
    """Close-day's expected vs counted per preparation: the last count that day (its expected and
    counted), else the balance at the end of the day with nothing counted."""
    from skranke.store.stock import balances_before, entries

    start, end = _day_bounds(skranke, day)
    closing = balances_before(session, service, end)
    counted = {row.preparation: row for row in entries(session, service, since=start, until=end, kinds=("count",))}
    lines = []
    for preparation in skranke.site.preparations:
        row = counted.get(preparation.id)
        if row is not None and row.counted_mg is not None and row.expected_mg is not None:
            lines.append(DayCount(preparation.id, row.expected_mg, row.counted_mg, row.mg, row.recorded_at))
        elif preparation.id in closing:
            lines.append(DayCount(preparation.id, closing[preparation.id], None, None, None))
    return lines


# --- reading --------------------------------------------------------------------------------


def balances(skranke: Skranke, actor: Actor | None, service: str | None = None) -> list[Balance]:
    """Every preparation's balance at the service, with its last count and when the next is due."""
    from skranke.store.stock import balances as sums
    from skranke.store.stock import last_counts

    require(actor, "view_stock")
    place = stock_service(skranke, service)
    today = skranke.clock.now().date()
    every = skranke.site.stock.count_every_days
    zone = skranke.clock.now().tzinfo
    with skranke.database.reading() as session:
        held = sums(session, place)
        counts = last_counts(session, place)
    lines = []
    for preparation in skranke.site.preparations:
        mg = held.get(preparation.id, Decimal(0))
        row = counts.get(preparation.id)
        last = None
        if row is not None and row.counted_mg is not None:
            last = LastCount(row.recorded_at, row.counted_mg, row.mg)
        last_day = row.recorded_at.astimezone(zone).date() if row is not None else None
        lines.append(
            Balance(
                place,
                preparation.id,
                preparation.name,
                preparation.strength,
                mg,
                rules.ml_of(mg, preparation.mg_per_ml),
                last,
                rules.count_due(last_day, today, every),
                rules.next_count_due(last_day, today, every),
            )
        )
    return lines


def counts_due(skranke: Skranke, actor: Actor | None, service: str | None = None) -> list[CountDue]:
    """The monthly count reminder (`[stock] count_every_days`): the preparations due a count."""
    return [
        CountDue(b.service, b.preparation, b.last_count.at.date() if b.last_count else None, b.next_count, b.count_due)
        for b in balances(skranke, actor, service)
        if b.count_due
    ]


def ledger(
    skranke: Skranke,
    actor: Actor | None,
    preparation: str | None = None,
    since: date | None = None,
    service: str | None = None,
) -> list[LedgerLine]:
    """The service's ledger in the order written, each entry with its account's balance after it;
    from `since` (the balance before it is the opening), optionally of one preparation."""
    from skranke.store.stock import balances_before, entries

    require(actor, "view_stock")
    place = stock_service(skranke, service)
    if preparation is not None:
        _check_preparation(skranke, preparation)
    start = _day_bounds(skranke, since)[0] if since is not None else None
    with skranke.database.reading() as session:
        running = balances_before(session, place, start) if start is not None else {}
        rows = entries(session, place, preparation, since=start)
        lines = []
        for row in rows:
            running[row.preparation] = running.get(row.preparation, Decimal(0)) + row.mg
            lines.append(_line(skranke, row, running[row.preparation]))
    return lines


def todays_issues(
    skranke: Skranke, actor: Actor | None, service: str | None = None, day: date | None = None
) -> list[LedgerLine]:
    """The day's issues and reversals at the service (the Lager screen's "I dag")."""
    from skranke.store.stock import balances_before, entries

    require(actor, "view_stock")
    place = stock_service(skranke, service)
    start, end = _day_bounds(skranke, day or skranke.clock.now().date())
    with skranke.database.reading() as session:
        running = balances_before(session, place, start)
        lines = []
        for row in entries(session, place, since=start, until=end):
            running[row.preparation] = running.get(row.preparation, Decimal(0)) + row.mg
            if row.kind in ("issue", "reversal"):
                lines.append(_line(skranke, row, running[row.preparation]))
    return lines


def receipts_waiting(skranke: Skranke, actor: Actor | None) -> list[WaitingReceipt]:
    """Imported receipts not yet witnessed, oldest first."""
    from skranke.store.stock import receipts_waiting as waiting

    require(actor, "view_stock")
    with skranke.database.reading() as session:
        return [_waiting(row) for row in waiting(session)]


def _waiting(row: PendingReceipt) -> WaitingReceipt:
    return WaitingReceipt(
        row.id, row.preparation, row.strength, row.mg, row.lot, row.supplier, row.invoice, row.received_on
    )


def year_statement(skranke: Skranke, actor: Actor | None, year: int, service: str | None = None) -> YearReport:
    """The year's statement per preparation at the service (BEK 2446/2021 §§ 20-21): opening
    balance, received, issued net of reversals, wasted, transferred, count differences, closing.
    The text, the JSON and the PDF (skranke.documents) all render this."""
    from skranke.store.stock import balances_before, entries

    require(actor, "view_stock")
    place = stock_service(skranke, service)
    if not 1900 < year < 10000:
        raise DeskRefusal(_("No year {year}.").format(year=year))
    start = _day_bounds(skranke, date(year, 1, 1))[0]
    end = _day_bounds(skranke, date(year + 1, 1, 1))[0]
    zone = skranke.clock.now().tzinfo
    with skranke.database.reading() as session:
        opening = balances_before(session, place, start)
        rows = entries(session, place, since=start, until=end)
        lines = []
        for preparation in skranke.site.preparations:
            mine = [
                rules.Entry(cast("rules.EntryKind", row.kind), row.mg, row.recorded_at)
                for row in rows
                if row.preparation == preparation.id
            ]
            statement = rules.year_statement(mine, year, lambda moment: moment.astimezone(zone).date())
            statement.opening_mg = opening.get(preparation.id, Decimal(0))
            lines.append(YearLine(preparation.id, preparation.name, preparation.strength, statement))
    return YearReport(year, skranke.site.id, skranke.site.name, place, place_name(skranke.site, place), lines)


# --- the Lager screen -----------------------------------------------------------------------

LEDGER_ON_SCREEN = 500  # the newest entries the screen shows; `skranke stock ledger` gives them all


@dataclass(frozen=True)
class StockView:
    """What the Lager screen shows of one service, read at one moment (DESIGN §4 "Lager")."""

    service: str
    service_name: str
    day: date
    balances: list[Balance]
    issues: list[LedgerLine]  # today's issues and reversals, in the order written
    citizens: dict[int, str]  # a dose record's citizen as the window's lists name them (alias/initials)
    waiting: list[WaitingReceipt]
    ledger: list[LedgerLine]  # newest first, at most LEDGER_ON_SCREEN
    closing: list[DayCount]  # today's expected vs counted per preparation
    tolerances: dict[str, Decimal]  # a count difference beyond it raised a task


def stock_view(skranke: Skranke, actor: Actor | None, service: str | None = None) -> StockView:
    """Everything the Lager screen shows of a service: balances and counts, today's issues with
    their citizens (alias or initials, never a CPR), receipts waiting and the ledger."""
    from sqlalchemy import select

    from skranke.services.identity import display_name
    from skranke.store.models import Citizen, Dispensing

    require(actor, "view_stock")
    place = stock_service(skranke, service)
    today = skranke.clock.now().date()
    held = balances(skranke, actor, place)
    issues = todays_issues(skranke, actor, place)
    waiting = receipts_waiting(skranke, actor)
    entries = ledger(skranke, actor, service=place)
    doses = [line.dispensing_id for line in issues if line.dispensing_id is not None]
    with skranke.database.reading() as session:
        closing = day_counts(skranke, session, place, today)
        rows = session.execute(
            select(Dispensing.id, Citizen.first_name, Citizen.last_name, Citizen.alias, Citizen.id)
            .join(Citizen, Citizen.id == Dispensing.citizen_id)
            .where(Dispensing.id.in_(doses))
        ).all()
    citizens = {row[0]: display_name(row[1], row[2], row[3], row[4]) for row in rows}
    return StockView(
        place,
        place_name(skranke.site, place),
        today,
        held,
        issues,
        citizens,
        waiting,
        list(reversed(entries[-LEDGER_ON_SCREEN:])),
        closing,
        {p.id: skranke.site.stock.tolerance_mg(p.id) for p in skranke.site.preparations},
    )


# --- the yearly statement as a document -----------------------------------------------------


def statement_document(skranke: Skranke, actor: Actor | None, report: YearReport) -> YearStatementDocument:
    """The year's statement (`year_statement`) as the PDF renders it (skranke.documents): the
    centre, who made it and when, a line per preparation (ml beside mg for a liquid)."""
    from skranke.documents.statement import StatementLine, YearStatementDocument

    signed_in = require(actor, "view_stock")
    try:
        address = skranke.site.department(report.service).address
    except KeyError:
        address = ""
    lines = tuple(
        StatementLine(
            preparation=line.preparation,
            name=line.name,
            strength=line.strength,
            mg_per_ml=_mg_per_ml(skranke, line.preparation),
            opening_mg=line.statement.opening_mg,
            received_mg=line.statement.received_mg,
            issued_mg=line.statement.issued_mg,
            wasted_mg=line.statement.wasted_mg,
            transferred_in_mg=line.statement.transferred_in_mg,
            transferred_out_mg=line.statement.transferred_out_mg,
            count_difference_mg=line.statement.count_difference_mg,
            closing_mg=line.statement.closing_mg,
        )
        for line in report.lines
    )
    return YearStatementDocument(
        year=report.year,
        centre_name=f"{report.site_name} · {report.service_name}",
        centre_address=address,
        # The site file names no permit holder of its own: the centre holds Lægemiddelstyrelsen's permit.
        permit_holder=report.site_name,
        lines=lines,
        made_at=skranke.clock.now(),
        made_by=f"{signed_in.staff_id} ({signed_in.name})" if signed_in.name else signed_in.staff_id,
    )


def year_statement_pdf(skranke: Skranke, actor: Actor | None, year: int, service: str | None = None) -> bytes:
    """The yearly statement to Lægemiddelstyrelsen as PDF bytes."""
    from skranke.documents.statement import year_statement_pdf as render

    return render(statement_document(skranke, actor, year_statement(skranke, actor, year, service)))


def save_year_statement(
    skranke: Skranke, actor: Actor | None, year: int, path: Path, service: str | None = None
) -> YearReport:
    """The yearly statement written as a PDF file at `path`; the report it renders is returned."""
    from skranke.documents.statement import year_statement_pdf as render
    from skranke.i18n import file_fault

    report = year_statement(skranke, actor, year, service)
    data = render(statement_document(skranke, actor, report))
    try:
        path.write_bytes(data)
    except OSError as error:
        raise DeskRefusal(_("The statement could not be saved: {fault}").format(fault=file_fault(error))) from None
    return report
