"""The Frister view lets the database pre-select the cases it can list (`listing_bounds`). That
selection must never drop a case: the view must equal the rules run over every stored case.

The data set is generated (seeded) on SQLite and PostgreSQL, dense around the edges of each
view's window: month ends (31 January + 1 month), leap days, Store Bededag 2023 (abolished from
2024), Christmas, year ends, reviews before and after the start, every closing status and
paragraph, refused and unknown consent, and follow-ups recorded as made.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import insert, select, text

from skranke.clock import TIMEZONE
from skranke.domain.deadlines import (
    AppointmentFacts,
    CaseFacts,
    ExemptCase,
    FollowUp,
    Overview,
    PlanReview,
    RequestDeadline,
    deadline_overview,
)
from skranke.domain.vocabulary import APPOINTMENT_KINDS, CLOSING_STATUSES, PARAGRAPHS
from skranke.services.context import Skranke
from skranke.services.deadlines import deadlines_page, deadlines_view, request_counts
from skranke.store.models import Appointment, Case, Citizen, Task
from skranke.store.queries import CASE_COLUMNS
from tests.conftest import SkrankeAt, _postgresql_schema, fixed_clock, make_skranke, signed_in, table_of

# Views: Store Bededag 2023 (5 May) and where it was in 2024, Christmas, year ends, month ends,
# leap days, the first of a month.
TODAYS = [
    date(2023, 4, 21),
    date(2023, 5, 4),
    date(2024, 4, 26),
    date(2024, 2, 29),
    date(2024, 12, 20),
    date(2025, 12, 15),
    date(2025, 12, 31),
    date(2026, 1, 31),
    date(2026, 3, 1),
    date(2026, 8, 31),
]


def edge_days() -> list[date]:
    """Days on and around every edge a view above can have: its horizon and its oldest
    follow-up, moved back by each schedule's months (1, 3, 6), a few days either side."""
    days: set[date] = set()
    for today in TODAYS:
        for anchor in (today, today + timedelta(days=30), today - relativedelta(months=3)):
            for months in (0, 1, 3, 6, 9, 12):
                centre = anchor - relativedelta(months=months)
                days.update(centre + timedelta(days=k) for k in range(-9, 10))
    for year in (2022, 2023, 2024, 2025, 2026):
        days.update(date(year, 12, 1) + timedelta(days=k) for k in range(45))  # Christmas, year end
        days.update(date(year, 4, 15) + timedelta(days=k) for k in range(30))  # Easter, Store Bededag
    return sorted(days)


def fill(skranke: Skranke, seed: int, cases: int) -> None:
    rng = random.Random(seed)
    # The second reading's columns from a generator of their own: the first one's draws (and so
    # the data set the older assertions were tuned on) stay as they were.
    more = random.Random(seed + 1000)
    edges = edge_days()
    departments = [d.id for d in skranke.site.all_departments()] + ["gone-department"]

    def some_day() -> date:
        if rng.random() < 0.8:
            return rng.choice(edges)
        return date(2022, 1, 1) + timedelta(days=rng.randint(0, 5 * 365))

    citizens, rows, appointments, done = [], [], [], []
    for number in range(cases):
        citizen_id = f"B{number // 2:05d}"  # two cases a citizen: earlier courses and later ones
        if number % 2 == 0:
            citizens.append(
                {"id": citizen_id, "cpr": None, "first_name": "", "last_name": "", "alias": "", "phone": ""}
            )
        state = rng.random()
        contact = some_day()
        started = None
        if state > 0.2:
            started = max(contact, some_day()) if rng.random() < 0.5 else contact + timedelta(days=rng.randint(0, 40))
        closed = None
        if state > 0.55:
            closed = max(started or contact, some_day())
        elif 0.15 < state <= 0.2:
            closed = contact + timedelta(days=rng.randint(0, 60))  # closed without a start
        reviewed = None
        if started is not None and rng.random() < 0.6:
            reviewed = some_day()  # before the start too: then the start counts
        case_id = f"S{number:05d}"
        rows.append(
            {
                "id": case_id,
                "citizen_id": citizen_id,
                "department": rng.choice(departments),
                "paragraph": rng.choice(sorted(PARAGRAPHS)),
                "contact_date": contact,
                "treatment_start": started,
                "free_choice": rng.random() < 0.15,
                "closed_on": closed,
                "closing_status": rng.choice(sorted(CLOSING_STATUSES)) if closed else None,
                "follow_up_consent": rng.choice([None, True, False]),
                "plan_reviewed_on": reviewed,
                # Agreed intervals (004, 000 § 4.1), 1 month up; longer than Gladsaxe's six too.
                "plan_interval_months": more.choice([None, None, 1, 3, 4, 6, 12]),
                "medical_reviewed_on": more.choice(edges) if started is not None and more.random() < 0.6 else None,
                # The first personal attendance (Odsherred's clock, 004): on the day or days after.
                "personal_attendance_on": contact + timedelta(days=more.randint(0, 6)) if more.random() < 0.7 else None,
            }
        )
        if started is None and rng.random() < 0.7:
            moment = datetime.combine(contact + timedelta(days=rng.randint(-5, 25)), datetime.min.time(), TIMEZONE)
            appointments.append(
                {
                    "id": f"A{number:05d}",
                    "citizen_id": citizen_id,
                    "department": rng.choice(departments),
                    "kind": rng.choice(sorted(APPOINTMENT_KINDS)),
                    "clinician": "",
                    "starts_at": moment.replace(hour=rng.choice([7, 9, 13, 16, 19])),
                }
            )
        if closed is not None and rng.random() < 0.3:
            done.append((case_id, citizen_id, closed, rng.choice([1, 3, 6])))
    staff = signed_in(skranke, "nurse").staff_id if done else None
    with skranke.database.transaction() as session:
        connection = session.connection()
        connection.execute(insert(table_of(Citizen)), citizens)
        connection.execute(insert(table_of(Case)), rows)
        connection.execute(insert(table_of(Appointment)), appointments)
        if done:
            now = datetime(2026, 1, 1, tzinfo=UTC)
            connection.execute(
                insert(table_of(Task)),
                [
                    {
                        "kind": "follow_up",
                        "citizen_id": citizen_id,
                        "case_id": case_id,
                        "due": closed,
                        "source": "",
                        "note": "",
                        "created_at": now,
                        "created_by": staff,
                        "done_at": now,
                        "done_by": staff,
                        "outcome": "reached",
                        "follow_up_month": month,
                    }
                    for case_id, citizen_id, closed, month in done
                ],
            )


def brute_force(skranke: Skranke, today: date) -> tuple[Overview, tuple[FollowUp, ...], dict[str, str]]:
    """Every stored case and appointment through the rules, no selection by the database."""
    with skranke.database.reading() as session:
        cases = [CaseFacts(*row) for row in session.execute(select(*CASE_COLUMNS))]
        appointments = [
            AppointmentFacts(*row)
            for row in session.execute(
                select(
                    Appointment.id,
                    Appointment.citizen_id,
                    Appointment.department,
                    Appointment.starts_at,
                    Appointment.kind,
                )
            )
        ]
        made = {
            (case_id, month)
            for case_id, month in session.execute(
                select(Task.case_id, Task.follow_up_month).where(Task.kind == "follow_up", Task.done_at.is_not(None))
            )
        }
    overview = deadline_overview(cases, appointments, skranke.site, skranke.hours, today)
    follow_ups = tuple(f for f in overview.follow_ups if (f.case_id, f.months) not in made)
    return overview, follow_ups, {case.case_id: case.department for case in cases}


Expected = tuple[Overview, tuple[FollowUp, ...], dict[str, str]]
NOW = "2026-04-09T09:00"
SITES = ["odense", "gladsaxe", "odsherred", "assens"]


class FilledStore:
    """A site's generated data set on one backend, filled once for the tests below (which only
    read it: filling and the rules over every case cost a second or more each time), with what
    the rules list over every case on each day, worked out once."""

    def __init__(self, url: str, site: str) -> None:
        self.url, self.site = url, site
        self._expected: dict[date, Expected] = {}

    @contextmanager
    def opened(self) -> Iterator[Skranke]:
        """A Skranke of the test's own on the store (a clock of its own to move)."""
        skranke = make_skranke(NOW, self.url, self.site)
        try:
            yield skranke
        finally:
            skranke.close()

    def expected(self, skranke: Skranke, today: date) -> Expected:
        """`brute_force` on this store (its result depends only on the data, the site and the day)."""
        if today not in self._expected:
            self._expected[today] = brute_force(skranke, today)
        return self._expected[today]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.pg)])
def filled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], FilledStore]]:
    """Factory: the filled store of a site on this backend (each site its own database)."""
    stores: dict[str, FilledStore] = {}
    with ExitStack() as cleanup:

        def store_of(site: str) -> FilledStore:
            if site not in stores:
                if request.param == "sqlite":
                    url = f"sqlite:///{tmp_path_factory.mktemp(site) / 'skranke.db'}"
                else:
                    url = cleanup.enter_context(contextmanager(_postgresql_schema)())
                store = FilledStore(url, site)
                with store.opened() as skranke:
                    fill(skranke, seed=len(site), cases=2400)
                    if request.param == "postgresql":
                        # The statistics a server's autovacuum gathers after such a fill: without
                        # them one join of a page is planned as a nested loop (10 ms of ~20).
                        with skranke.database.engine.begin() as connection:
                            connection.execute(text("ANALYZE"))
                stores[site] = store
            return stores[site]

        yield store_of


@pytest.fixture
def on_store(filled: Callable[[str], FilledStore], site: str) -> Iterator[tuple[FilledStore, Skranke]]:
    """The test's site's filled store, and a Skranke of the test's own on it."""
    store = filled(site)
    with store.opened() as skranke:
        yield store, skranke


@pytest.mark.parametrize("site", SITES)
def test_the_view_lists_what_the_rules_list_over_every_case(on_store: tuple[FilledStore, Skranke]) -> None:
    store, skranke = on_store
    listed = {"requests": 0, "exempt": 0, "follow_ups": 0, "plan_reviews": 0}
    for today in TODAYS:
        view = deadlines_view(skranke, today)
        expected, expected_follow_ups, departments = store.expected(skranke, today)
        overview = view.overview
        assert overview.requests == expected.requests, today
        assert overview.exempt == expected.exempt, today
        assert overview.follow_ups == expected_follow_ups, today
        assert overview.plan_reviews == expected.plan_reviews, today
        assert overview.medical_reviews == expected.medical_reviews, today
        shown = {r.case_id for r in overview.requests} | {e.case_id for e in overview.exempt}
        shown |= {f.case_id for f in overview.follow_ups} | {p.case_id for p in overview.plan_reviews}
        shown |= {m.case_id for m in overview.medical_reviews}
        assert {case_id: view.case_departments[case_id] for case_id in shown} == {
            case_id: departments[case_id] for case_id in shown
        }
        for name in listed:
            listed[name] += len(getattr(overview, name))
    # The data set reaches every list (a comparison of empty lists would prove nothing).
    assert min(listed.values()) > 50, listed


@pytest.mark.parametrize("site", SITES)
def test_each_page_is_the_start_of_the_view_and_counts_it_whole(on_store: tuple[FilledStore, Skranke]) -> None:
    """What the Frister screen shows (`deadlines_page`): for every department and page size, each
    list's first rows in the rules' order and how many the list holds, over every stored case."""
    store, skranke = on_store
    departments = [None, *(d.id for d in skranke.site.all_departments()), "gone-department"]
    pages_cut = 0
    for today in TODAYS:
        expected, expected_follow_ups, case_department = store.expected(skranke, today)
        whole: dict[str, tuple[RequestDeadline | ExemptCase | FollowUp | PlanReview, ...]] = {
            "requests": expected.requests,
            "exempt": expected.exempt,
            "follow_ups": expected_follow_ups,
            "plan_reviews": expected.plan_reviews,
            "medical_reviews": expected.medical_reviews,
        }
        for department in departments:
            wanted = {
                name: [r for r in rows if department is None or case_department[r.case_id] == department]
                for name, rows in whole.items()
            }
            for limit in (1, 4, 37, 10_000):
                page = deadlines_page(skranke, today, department, limit)
                for name, rows in wanted.items():
                    assert list(getattr(page.overview, name)) == rows[:limit], (today, department, limit, name)
                    assert page.totals[name] == len(rows), (today, department, limit, name)
                    pages_cut += len(rows) > limit
                listed = [r for name in wanted for r in getattr(page.overview, name)]
                assert {r.case_id: page.case_departments[r.case_id] for r in listed} == {
                    r.case_id: case_department[r.case_id] for r in listed
                }
    # Pages of every size were cut short of their list (else the cut would be untested).
    assert pages_cut > 100, pages_cut


def test_a_page_cut_within_a_month_end_fold_keeps_the_rules_order(skranke_at: SkrankeAt) -> None:
    """29, 30 and 31 August + 6 months are all 28 February (and 29-31 January + 1 month): the
    database's order by start or closing day is not the due date's there, and the page must still
    hold the rows the rules list first (by due date, then case id)."""
    skranke = skranke_at("2026-02-20T09:00", site="odense")
    rules = skranke.site.rules
    assert rules.plan_review_months == 6 and 1 in rules.follow_up_months
    case = {
        "paragraph": "SEL101",
        "free_choice": False,
        "closed_on": None,
        "closing_status": None,
        "plan_reviewed_on": None,
        "follow_up_consent": None,
    }
    rows = [
        # Started later, named earlier: S1 started 31 August sorts first by due date and id.
        {**case, "id": "S3", "treatment_start": date(2025, 8, 29)},
        {**case, "id": "S2", "treatment_start": date(2025, 8, 30)},
        {**case, "id": "S1", "treatment_start": date(2025, 8, 31)},
        *(
            {**case, "id": case_id, "treatment_start": date(2026, 1, 2), "closed_on": closed}
            | {"closing_status": "færdigbehandlet"}
            for case_id, closed in (("S6", date(2026, 1, 29)), ("S5", date(2026, 1, 30)), ("S4", date(2026, 1, 31)))
        ),
    ]
    for row in rows:
        row |= {"citizen_id": "B1", "department": "stabilisering", "contact_date": row["treatment_start"]}
    with skranke.database.transaction() as session:
        connection = session.connection()
        connection.execute(
            insert(table_of(Citizen)),
            [{"id": "B1", "cpr": None, "first_name": "", "last_name": "", "alias": "", "phone": ""}],
        )
        connection.execute(insert(table_of(Case)), rows)
    page = deadlines_page(skranke, date(2026, 2, 20), limit=1)
    assert [(r.case_id, r.due) for r in page.overview.plan_reviews] == [("S1", date(2026, 2, 28))]
    assert [(f.case_id, f.months, f.due) for f in page.overview.follow_ups] == [("S4", 1, date(2026, 2, 28))]
    assert page.totals["plan_reviews"] == 3 and page.totals["follow_ups"] == 3


@pytest.mark.parametrize("site", SITES)
def test_i_dag_counts_the_statuses_the_rules_give_every_request(on_store: tuple[FilledStore, Skranke]) -> None:
    """ "I dag" counts warn and overdue requests by contact day in the database: the same numbers
    as the statuses of every request the whole view lists."""
    store, skranke = on_store
    seen: set[str] = set()
    for today in TODAYS:
        expected, _follow_ups, _departments = store.expected(skranke, today)
        fixed_clock(skranke).set(datetime.combine(today, time(9), TIMEZONE))
        counts = request_counts(skranke)
        statuses = [r.status for r in expected.requests]
        assert (counts.warn, counts.overdue) == (statuses.count("warn"), statuses.count("overdue")), today
        seen.update(status for status in statuses)
    # Every status was counted somewhere (awaiting attendance where the clock starts there, 004).
    awaiting = {"awaiting_attendance"} if skranke.site.rules.clock_start_event == "personal_attendance" else set()
    assert seen == {"ok", "warn", "overdue", *awaiting}
