"""`skranke demo`: a fresh demo database filled through the real importer."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from skranke.clock import Clock, FixedClock, OffsetClock, to_local
from skranke.domain.hours import holiday_name
from skranke.i18n import _
from skranke.services.access import Actor
from skranke.services.context import Skranke, UsageError
from skranke.store.engine import parse_url, sqlite_path

# Synthetic demo staff, one per role; their PINs are printed by `skranke demo` and stand in the
# README. Only a demo store gets them.
DEMO_STAFF = (
    ("AH", "Anne Holm", ("admin",), "4444"),
    ("KJ", "Karen Jensen", ("reception",), "1111"),
    ("MN", "Mette Nielsen", ("nurse",), "2222"),
    ("PL", "Peter Lund", ("doctor",), "3333"),
)


@dataclass(frozen=True)
class DemoResult:
    skranke: Skranke
    location: str
    staff: tuple[tuple[str, str, tuple[str, ...], str], ...] = DEMO_STAFF


# The demo opens at this time of a working day: the window open, citizens arriving.
DEMO_MORNING = time(9, 30)


def demo_database_url(skranke: Skranke) -> str:
    return f"sqlite:///{skranke.data_dir() / 'demo' / 'skranke-demo.db'}"


def is_working_day(day: date) -> bool:
    """Monday to Friday and no Danish holiday or special day (Juleaftensdag, Grundlovsdag…)."""
    return day.weekday() < 5 and holiday_name(day) is None


def demo_start(moment: datetime) -> datetime:
    """09.30 on the first working day from `moment` on (today's, if it is still to come)."""
    local = to_local(moment)
    day = local.date()
    while not (is_working_day(day) and local <= datetime.combine(day, DEMO_MORNING, local.tzinfo)):
        day += timedelta(days=1)
        local = datetime.combine(day, time(0), local.tzinfo)
    return datetime.combine(day, DEMO_MORNING, local.tzinfo)


def demo_clock(clock: Clock) -> Clock:
    """`--now` (a fixed clock) wins; otherwise a clock that starts on a working morning and runs on."""
    if isinstance(clock, FixedClock):
        return clock
    return OffsetClock(demo_start(clock.now()), clock)


def demo_folders(database_url: str, data_dir: Path) -> tuple[Path, Path]:
    """The demo's inbox and outbox, named after its database (`demo.db` → `demo-inbox/`), so a
    demo file in a shared folder does not claim that folder's `inbox/`."""
    path = sqlite_path(database_url)
    if path is not None:
        folder, name = path.parent, path.stem
    else:
        folder, name = data_dir, f"demo-{parse_url(database_url).database or 'skranke'}"
    return folder / f"{name}-inbox", folder / f"{name}-outbox"


def create_demo(skranke: Skranke) -> DemoResult:
    """Without --db: a demo file of its own, made anew. With --db: only into an empty store."""
    settings = skranke.settings
    if settings.db is None:
        url = demo_database_url(skranke)
        path = sqlite_path(url)
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()
        for folder in demo_folders(url, skranke.data_dir()):
            _empty_folder(folder)
        settings = replace(settings, db=url)
    inbox, outbox = demo_folders(settings.db or demo_database_url(skranke), skranke.data_dir())
    settings = replace(settings, inbox=settings.inbox or inbox, outbox=settings.outbox or outbox)
    # Making the demo store is creating on purpose: --db may name one that does not exist yet.
    demo = Skranke(
        settings=settings,
        clock=demo_clock(skranke.clock),
        site=skranke.site,
        hours=skranke.hours,
        may_create=True,
    )
    from skranke.services.sync import citizen_count, import_demo_data

    if citizen_count(demo) > 0:
        raise UsageError(
            _("{database} already holds citizens: the demo only fills an empty database").format(
                database=demo.database_url
            )
        )
    import_demo_data(demo)
    _add_demo_staff(demo)
    _demo_morning(demo)
    return DemoResult(demo, demo.database_url)


def _demo_morning(demo: Skranke) -> None:
    """A morning at the window through the real services: arrivals, doses given, one refused,
    one given by mistake and voided by the doctor, and citizens still waiting."""
    from skranke.services.dispensing import dispense, void
    from skranke.services.places import HEROIN, HEROIN_CLINIC
    from skranke.services.queue import queue
    from skranke.services.reception import check_in
    from skranke.services.staff import sign_in

    by_initials = {initials: pin for initials, _name, _roles, pin in DEMO_STAFF}
    reception = sign_in(demo, "KJ", by_initials["KJ"])
    nurse = sign_in(demo, "MN", by_initials["MN"])
    doctor = sign_in(demo, "PL", by_initials["PL"])
    _demo_ledger(demo, nurse, doctor)  # before the doses, which write their own issues
    ready = [row for row in queue(demo).due if row.dose.state == "due" and row.dose.dose_number == 1]
    arriving = list(dict.fromkeys(row.person.citizen_id for row in ready))[:8]
    for citizen_id in arriving:
        check_in(demo, reception, citizen_id)
    served = [row for row in ready if row.person.citizen_id in arriving[:4]]
    for index, row in enumerate(served):
        if index == 1:
            dispense(demo, nurse, row.dose.order.id, "refused", refusal="declined", reason="vil komme i eftermiddag")
            continue
        given = dispense(demo, nurse, row.dose.order.id, "given")
        if index == 2:
            void(demo, doctor, given.dispensing_id, "registreret på forkert borger")
    # At the heroin clinic: one citizen has had the morning's first heroin dose; the second waits
    # for the minimum interval.
    clinic = (
        queue(demo, service=HEROIN_CLINIC) if HEROIN_CLINIC in {d.id for d in demo.site.all_departments()} else None
    )
    first_doses = [r for r in clinic.due if r.dose.dose_number == 1 and r.dose.state == "due"] if clinic else []
    heroin = [r for r in first_doses if r.dose.order.preparation == HEROIN]
    if heroin:
        check_in(demo, reception, heroin[0].person.citizen_id)
        dispense(demo, nurse, heroin[0].dose.order.id, "given", 1)


def _demo_ledger(demo: Skranke, nurse: Actor, witness: Actor) -> None:
    """A month of the narcotics ledger as the desk would have written it: two deliveries of each
    preparation at each dispensing service, one waste, yesterday's count with a small difference.
    (Today's delivery from the pharmacy system came with the demo's files: `import_demo_data`.)"""
    from skranke.demo.stock import COUNT_DIFFERENCE, SUPPLIER, WASTE, demo_receipts
    from skranke.services.places import HEROIN_CLINIC, medicine_place
    from skranke.services.queue import dispensing_services
    from skranke.services.stock import add_entry
    from skranke.store.stock import balance

    site = demo.site
    now = demo.clock.now()
    today, zone = now.date(), now.tzinfo
    room = medicine_place(site, "metadon")
    with demo.database.transaction() as session:
        for service in dispensing_services(demo):
            # The heroin clinic also gives the methadone and morphine of its citizens (000 § 5.4).
            held = [
                p.id
                for p in site.preparations
                if medicine_place(site, p.id) == service
                or (service == HEROIN_CLINIC and p.id in site.dispensing.supervised_at_heroin_clinic)
            ]
            for receipt in demo_receipts(today, zone, held):
                add_entry(
                    session,
                    nurse,
                    receipt.at,
                    "stock_receive",
                    service=service,
                    preparation=receipt.preparation,
                    kind="receipt",
                    mg=receipt.mg,
                    lot=receipt.lot,
                    supplier=SUPPLIER,
                    invoice=receipt.invoice,
                    witness_id=witness.staff_id,
                )
        preparation, mg, days_ago, reason = WASTE
        add_entry(
            session,
            nurse,
            datetime.combine(today - timedelta(days=days_ago), time(16), zone),
            "stock_waste",
            service=room,
            preparation=preparation,
            kind="waste",
            mg=-mg,
            reason=reason,
            witness_id=witness.staff_id,
        )
        preparation, difference, days_ago, reason = COUNT_DIFFERENCE
        expected = balance(session, room, preparation)
        add_entry(
            session,
            nurse,
            datetime.combine(today - timedelta(days=days_ago), time(17), zone),
            "stock_count",
            service=room,
            preparation=preparation,
            kind="count",
            mg=difference,
            counted_mg=expected + difference,
            expected_mg=expected,
            reason=reason,
            witness_id=witness.staff_id,
        )


def _add_demo_staff(demo: Skranke) -> None:
    from skranke.services.staff import add_staff, sign_in, staff_count

    if staff_count(demo) > 0:
        return
    admin = None
    for initials, name, roles, pin in DEMO_STAFF:
        add_staff(demo, admin, initials, name, roles, pin)
        if admin is None:
            admin = sign_in(demo, initials, pin)


def _empty_folder(folder: Path) -> None:
    import shutil

    if folder.exists():
        shutil.rmtree(folder)
