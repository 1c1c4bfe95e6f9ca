"""The queries the screens need. Every dialect difference stays in this package."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Row,
    Select,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import replacement_traverse

from skranke.domain.deadlines import ListingBounds
from skranke.store.models import (
    MEDICAL_REVIEW_COUNTED_FROM,
    PLAN_REVIEW_COUNTED_FROM,
    Appointment,
    Case,
    CheckIn,
    Citizen,
    Complaint,
    Task,
)


def count_check_ins(session: Session, start: datetime, end: datetime) -> int:
    statement = (
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.checked_in_at >= start, CheckIn.checked_in_at < end, CheckIn.undone_at.is_(None))
    )
    return session.execute(statement).scalar_one()


# --- Frister ------------------------------------------------------------------------------

CASE_COLUMNS = (
    Case.id,
    Case.citizen_id,
    Case.department,
    Case.paragraph,
    Case.contact_date,
    Case.treatment_start,
    Case.free_choice,
    Case.closed_on,
    Case.closing_status,
    Case.plan_reviewed_on,
    Case.follow_up_consent,
    Case.plan_interval_months,
    Case.medical_reviewed_on,
    Case.personal_attendance_on,
    Case.partner,
)


# A request still waiting: neither started nor closed (in the words of ix_cases_waiting).
WAITING = (Case.treatment_start.is_(None), Case.closed_on.is_(None))
# In the words of the partial index ix_cases_plan_review, so that the database can use it.
RUNNING = (Case.closed_on.is_(None), Case.treatment_start.is_not(None))
# The day a running treatment's medical review counts from (`domain.deadlines.medical_review_due`).
# What the deadline rules read of an appointment (domain.deadlines.AppointmentFacts).
APPOINTMENT_COLUMNS = (
    Appointment.id,
    Appointment.citizen_id,
    Appointment.department,
    Appointment.starts_at,
    Appointment.kind,
)


def listed_cases_statements(bounds: ListingBounds) -> list[Select[*tuple[Any, ...]]]:
    """The cases the Frister view can list (a superset; the rules decide): waiting requests
    (ix_cases_waiting), running treatments whose plan review can be due by the horizon
    (ix_cases_plan_review), and cases closed within the follow-ups' reach (ix_cases_closed_on)."""
    waiting = select(*CASE_COLUMNS).where(*WAITING, Case.paragraph.in_(bounds.waiting_paragraphs))
    due = [
        and_(Case.plan_interval_months.is_(None), bounds.reviewed_by >= PLAN_REVIEW_COUNTED_FROM),
        and_(Case.plan_interval_months.is_not(None), bounds.agreed_reviewed_by >= PLAN_REVIEW_COUNTED_FROM),
    ]
    if bounds.medical_reviewed_by is not None:
        due.append(bounds.medical_reviewed_by >= MEDICAL_REVIEW_COUNTED_FROM)
    running = select(*CASE_COLUMNS).where(*RUNNING, or_(*due))
    statements = [waiting, running]
    if bounds.closed_from is not None and bounds.closed_to is not None:
        statements.append(
            select(*CASE_COLUMNS).where(
                Case.closed_on.between(bounds.closed_from, bounds.closed_to),
                Case.closing_status.in_(bounds.follow_up_statuses),
                Case.paragraph.in_(bounds.follow_up_paragraphs),
            )
        )
    return statements


def _made_follow_ups(columns: Sequence[Any], first: Any, last: Any) -> Select[*tuple[Any, ...]]:
    """`columns` of the follow-ups recorded as made, of cases closed from `first` to `last` (from
    the follow-ups made, each case by its key: fewer than the cases closed in the window)."""
    return (
        select(*columns)
        .select_from(Task)
        .join(Case, Case.id == Task.case_id)
        .where(
            Task.kind == "follow_up",
            Task.done_at.is_not(None),
            Task.follow_up_month.is_not(None),
            Case.closed_on.between(first, last),
        )
    )


def done_follow_ups_statement(first: Any, last: Any) -> Select[*tuple[Any, ...]]:
    """(case id, month) of follow-ups recorded as made, of cases closed from `first` to `last`."""
    return _made_follow_ups((Task.case_id, Task.follow_up_month), first, last)


def listed_case_rows(session: Session, bounds: ListingBounds) -> Iterator[Row[*tuple[Any, ...]]]:
    """Plain Core rows in CASE_COLUMNS' order (no ORM loading: it cost more than the SQL),
    handed on one by one, so the caller's objects need not sit beside a list of rows."""
    connection = session.connection()
    for statement in listed_cases_statements(bounds):
        # In batches (fetchmany): one fetchone per row costs more than the SQL.
        for batch in connection.execute(statement).partitions(2000):
            yield from batch


@cache
def _done_follow_ups() -> Select[*tuple[Any, ...]]:
    return done_follow_ups_statement(_day("first"), _day("last"))


def done_follow_ups(session: Session, first: date, last: date) -> set[tuple[str, int]]:
    rows = session.connection().execute(_done_follow_ups(), {"first": first, "last": last})
    return {(case_id, month) for case_id, month in rows}


# --- Frister, one page: how many each tab lists, and its most pressing rows ------------------
#
# The screen reads a page on every visit and poll: some 15 statements. Each is built once per
# shape (department given or not, the groups of a tab, a rule ...) with its values bound at
# execution. Building them anew cost more than running them on SQLite (select(), where(), the
# cache key walked each time), and a statement object met before is neither walked for its
# cache key nor has its result columns matched again to the compiled form's.


def _day(name: str) -> BindParameter[date]:
    return bindparam(name, type_=Date())


def _of_department(statement: Select[*tuple[Any, ...]], of_department: bool) -> Select[*tuple[Any, ...]]:
    """Of the department bound as "department" (`_department`), or of all."""
    return statement.where(Case.department == bindparam("department")) if of_department else statement


def _department(department: str | None) -> dict[str, Any]:
    return {} if department is None else {"department": department}


def _one_of(columns: tuple[Any, ...], groups: tuple[tuple[Any, ...], ...]) -> ColumnElement[bool]:
    """Rows whose `columns` hold one of `groups`' values (None matches NULL)."""
    return or_(
        *(
            and_(*(column.is_(None) if value is None else column == value for column, value in zip(columns, group)))
            for group in groups
        )
    )


# The day a running treatment's plan review counts from (an expression with its own index).
_counted_from = PLAN_REVIEW_COUNTED_FROM
WAITING_GROUP = (Case.paragraph, Case.free_choice, Case.department)
CLOSED_GROUP = (Case.closing_status, Case.paragraph, Case.follow_up_consent)


class Bound(NamedTuple):
    """A statement built once, and the values to execute it with."""

    statement: Select[*tuple[Any, ...]]
    values: dict[str, Any]


def _tuples(session: Session, query: Bound) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in session.connection().execute(*query)]


@cache
def _waiting_groups(of_department: bool) -> Select[*tuple[Any, ...]]:
    statement = select(*WAITING_GROUP, func.count()).where(*WAITING).group_by(*WAITING_GROUP)
    return _of_department(statement, of_department)


def waiting_groups(session: Session, department: str | None) -> list[tuple[Any, ...]]:
    """(paragraph, free choice, department, count) of waiting cases: what decides their tab."""
    return _tuples(session, Bound(_waiting_groups(department is not None), _department(department)))


def waiting_by_contact_day(session: Session) -> list[tuple[Any, ...]]:
    """(paragraph, free choice, department, contact day, first personal attendance, count) of
    waiting cases: all a request's status reads (the attendance, where a site's clock starts
    there, 004, is read from the table: ix_cases_waiting holds every other column)."""
    group = (*WAITING_GROUP, Case.contact_date, Case.personal_attendance_on)
    statement = select(*group, func.count()).where(*WAITING).group_by(*group)
    return [tuple(row) for row in session.connection().execute(statement)]


class PageShape(NamedTuple):
    """The two forms a page reads of a statement ordered by a key, then case id, with the key's
    value as its last column: its first ":limit" rows (`first`), and its rows with a key from
    ":key_from" through ":key_to" (`tied`)."""

    first: Select[*tuple[Any, ...]]
    tied: Select[*tuple[Any, ...]]


def _page_shape(statement: Select[*tuple[Any, ...]], key: Any) -> PageShape:
    first = statement.limit(bindparam("limit", type_=Integer()))
    return PageShape(first, statement.where(key >= _day("key_from"), key <= _day("key_to")))


class PageQuery(NamedTuple):
    """A page's statements (built once per shape) and the values they are executed with."""

    shape: PageShape
    values: dict[str, Any]


def waiting_page_query(
    groups: Iterable[Sequence[Any]], department: str | None, attended: bool | None = None
) -> PageQuery:
    """Waiting cases of the given groups by contact date (ix_cases_waiting), then case id;
    the contact date again last, as the page's key. Where the site's clock starts at the first
    personal attendance (004): `attended` True gives those with one, by that day (their
    deadline's order); False those without, by contact date."""
    shape = _waiting_page(tuple(map(tuple, groups)), department is not None, attended)
    return PageQuery(shape, _department(department))


@lru_cache(maxsize=256)
def _waiting_page(groups: tuple[tuple[Any, ...], ...], of_department: bool, attended: bool | None) -> PageShape:
    statement = select(*CASE_COLUMNS).where(*WAITING, _one_of(WAITING_GROUP, groups))
    key: Any = Case.contact_date
    if attended is True:
        statement = statement.where(Case.personal_attendance_on.is_not(None))
        key = Case.personal_attendance_on
    elif attended is False:
        statement = statement.where(Case.personal_attendance_on.is_(None))
    statement = statement.add_columns(key)
    return _page_shape(_of_department(statement, of_department).order_by(key, Case.id), key)


def _of_interval(statement: Select[*tuple[Any, ...]], agreed: bool) -> Select[*tuple[Any, ...]]:
    """At the site's interval (no interval agreed in the plan, `plan_interval_mdr`), or at the
    agreed interval bound as "months"."""
    if agreed:
        return statement.where(Case.plan_interval_months == bindparam("months", type_=Integer()))
    return statement.where(Case.plan_interval_months.is_(None))


def _interval(counted_from_by: date, department: str | None, months: int | None) -> dict[str, Any]:
    values = {"counted_from_by": counted_from_by, **_department(department)}
    if months is not None:
        values["months"] = months
    return values


@cache
def _agreed_intervals(of_department: bool) -> Select[*tuple[Any, ...]]:
    statement = select(Case.plan_interval_months).where(*RUNNING, Case.plan_interval_months.is_not(None))
    return _of_department(statement, of_department).distinct()


def agreed_intervals(session: Session, department: str | None) -> list[int]:
    """The intervals agreed in the plans of running treatments (few: 3, 4, 6 months ...)."""
    statement = _agreed_intervals(department is not None)
    return sorted(session.connection().execute(statement, _department(department)).scalars())


@cache
def _running_count(of_department: bool, agreed: bool) -> Select[*tuple[Any, ...]]:
    statement = select(func.count()).select_from(Case).where(*RUNNING, _counted_from <= _day("counted_from_by"))
    return _of_interval(_of_department(statement, of_department), agreed)


def running_count_query(counted_from_by: date, department: str | None, months: int | None = None) -> Bound:
    """How many plan reviews at the site's interval (`months` None) or at an agreed interval of
    `months` are due by the horizon (ix_cases_plan_review)."""
    statement = _running_count(department is not None, months is not None)
    return Bound(statement, _interval(counted_from_by, department, months))


def running_page_query(counted_from_by: date, department: str | None, months: int | None = None) -> PageQuery:
    """Running treatments (at the site's interval, or at an agreed one of `months`) whose plan
    review counts from a day up to `counted_from_by`, in that day's order, then case id
    (ix_cases_plan_review); that day last, as the page's key."""
    shape = _running_page(department is not None, months is not None)
    return PageQuery(shape, _interval(counted_from_by, department, months))


@cache
def _running_page(of_department: bool, agreed: bool) -> PageShape:
    statement = select(*CASE_COLUMNS, _counted_from).where(*RUNNING, _counted_from <= _day("counted_from_by"))
    statement = _of_interval(_of_department(statement, of_department), agreed)
    return _page_shape(statement.order_by(_counted_from, Case.id), _counted_from)


# What a medical review rule covers: (departments, paragraphs, partners); any one matches.
Covers = tuple[Sequence[str], Sequence[str], Sequence[str]]


def _covered(covers: Covers) -> ColumnElement[bool]:
    departments, paragraphs, partners = covers
    tests = [
        Case.department.in_(list(departments)),
        Case.paragraph.in_(list(paragraphs)),
        # Never NULL: a case without a partner is "not covered", also under NOT (an earlier rule).
        func.coalesce(Case.partner, "").in_(list(partners)),
    ]
    return or_(*tests)


def _medical_review_rule(
    statement: Select[*tuple[Any, ...]], rule: Covers, earlier: Sequence[Covers], of_department: bool
) -> Select[*tuple[Any, ...]]:
    """Running treatments the rule holds (and no earlier rule of the site: the first that holds
    applies) whose medical review counts from a day up to ":counted_from_by"
    (ix_cases_medical_review)."""
    statement = statement.where(*RUNNING, _day("counted_from_by") >= MEDICAL_REVIEW_COUNTED_FROM, _covered(rule))
    for before in earlier:
        statement = statement.where(~_covered(before))
    return _of_department(statement, of_department)


# A rule's covers as a cache key.
RuleKey = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]


def _rule_key(rule: Covers) -> RuleKey:
    departments, paragraphs, partners = rule
    return tuple(departments), tuple(paragraphs), tuple(partners)


@lru_cache(maxsize=64)
def _medical_review_count(rule: RuleKey, earlier: tuple[RuleKey, ...], of_department: bool) -> Select[*tuple[Any, ...]]:
    return _medical_review_rule(select(func.count()).select_from(Case), rule, earlier, of_department)


def medical_review_count_query(
    counted_from_by: date, rule: Covers, earlier: Sequence[Covers], department: str | None
) -> Bound:
    """How many medical reviews of the rule are due by the horizon."""
    statement = _medical_review_count(_rule_key(rule), tuple(map(_rule_key, earlier)), department is not None)
    return Bound(statement, {"counted_from_by": counted_from_by, **_department(department)})


def medical_review_page_query(
    counted_from_by: date, rule: Covers, earlier: Sequence[Covers], department: str | None
) -> PageQuery:
    """The rule's medical reviews due by the horizon in the order of the day they count from,
    then case id; that day last, as the page's key."""
    shape = _medical_review_page(_rule_key(rule), tuple(map(_rule_key, earlier)), department is not None)
    return PageQuery(shape, {"counted_from_by": counted_from_by, **_department(department)})


@lru_cache(maxsize=64)
def _medical_review_page(rule: RuleKey, earlier: tuple[RuleKey, ...], of_department: bool) -> PageShape:
    statement = _medical_review_rule(select(*CASE_COLUMNS, MEDICAL_REVIEW_COUNTED_FROM), rule, earlier, of_department)
    return _page_shape(statement.order_by(MEDICAL_REVIEW_COUNTED_FROM, Case.id), MEDICAL_REVIEW_COUNTED_FROM)


@cache
def _open_complaints(of_citizen: bool) -> Select[*tuple[Any, ...]]:
    statement = select(
        Complaint.id, Complaint.citizen_id, Complaint.kind, Complaint.received_on, Complaint.answered_on
    ).where(Complaint.answered_on.is_(None))
    if of_citizen:
        statement = statement.where(Complaint.citizen_id == bindparam("citizen_id"))
    return statement.order_by(Complaint.received_on)


def open_complaint_rows(session: Session, citizen_id: str | None = None) -> list[tuple[Any, ...]]:
    """(id, citizen id, kind, received, answered) of complaints not yet answered (ix_complaints_open)."""
    values = {} if citizen_id is None else {"citizen_id": citizen_id}
    return _tuples(session, Bound(_open_complaints(citizen_id is not None), values))


def _closed_between() -> ColumnElement[bool]:
    return Case.closed_on.between(_day("first"), _day("last"))


@cache
def _closed_groups(of_department: bool) -> Select[*tuple[Any, ...]]:
    statement = select(*CLOSED_GROUP, func.count()).where(_closed_between())
    return _of_department(statement, of_department).group_by(*CLOSED_GROUP)


def closed_groups_query(first: date, last: date, department: str | None) -> Bound:
    """(closing status, paragraph, consent, count) of cases closed from `first` to `last`."""
    return Bound(_closed_groups(department is not None), {"first": first, "last": last, **_department(department)})


def made_follow_up_cases(session: Session, first: date, last: date) -> list[Row[*tuple[Any, ...]]]:
    """Follow-ups recorded as made of cases closed from `first` to `last`: the case's row
    (CASE_COLUMNS) and the follow-up's month after, a row per follow-up (as `done_follow_ups`,
    with the cases read in the same statement)."""
    return list(session.connection().execute(_made_follow_up_cases(), {"first": first, "last": last}).all())


@cache
def _made_follow_up_cases() -> Select[*tuple[Any, ...]]:
    return _made_follow_ups((*CASE_COLUMNS, Task.follow_up_month), _day("first"), _day("last"))


def closed_page_query(first: date, last: date, groups: Iterable[Sequence[Any]], department: str | None) -> PageQuery:
    """Cases of the given groups closed from `first` to `last`, by closing day (ix_cases_closed_on),
    then case id; the closing day last, as the page's key."""
    shape = _closed_page(tuple(map(tuple, groups)), department is not None)
    return PageQuery(shape, {"first": first, "last": last, **_department(department)})


@lru_cache(maxsize=256)
def _closed_page(groups: tuple[tuple[Any, ...], ...], of_department: bool) -> PageShape:
    statement = select(*CASE_COLUMNS, Case.closed_on).where(_closed_between(), _one_of(CLOSED_GROUP, groups))
    return _page_shape(_of_department(statement, of_department).order_by(Case.closed_on, Case.id), Case.closed_on)


def rows_in_one(session: Session, queries: Sequence[Bound]) -> list[list[Sequence[Any]]]:
    """The rows of each query (queries of the same columns), read in one statement (`in_one`).
    On PostgreSQL every statement is a round trip; on both backends SQLAlchemy's work for each
    statement executed outweighed most of these small reads."""
    if not queries:
        return []
    connection = session.connection()
    if len(queries) == 1:
        return [list(connection.execute(*queries[0]).all())]
    parts: list[list[Sequence[Any]]] = [[] for _query in queries]
    for row in connection.execute(*in_one(queries)).all():  # fetchall: a fetchone per row cost more
        parts[row[-1]].append(row[:-1])
    return parts


def in_one(queries: Sequence[Bound]) -> tuple[CompoundSelect[*tuple[Any, ...]], dict[str, Any]]:
    """The queries as one statement, and its values: each query a subquery of a UNION ALL (its
    own order, limit and index), each row ending with the number of its query. Built once per
    tuple of statements: use it for statements that come back together (not a list's groups of
    the day: a new union took longer to build and compile than it saved)."""
    values = {
        _part_name(part, name): value for part, query in enumerate(queries) for name, value in query.values.items()
    }
    return _union_all(tuple(query.statement for query in queries)), values


def _part_name(part: int, name: str) -> str:
    return f"p{part}_{name}"


@lru_cache(maxsize=64)
def _union_all(statements: tuple[Select[*tuple[Any, ...]], ...]) -> CompoundSelect[*tuple[Any, ...]]:
    """The statements as parts of one, each part's parameters named apart (`_part_name`)."""

    def of_part(statement: Select[*tuple[Any, ...]], part: int) -> Select[*tuple[Any, ...]]:
        def renamed(element: Any, **_kw: Any) -> Any:
            if isinstance(element, BindParameter) and not element.unique:  # ours, bound at execution
                return bindparam(_part_name(part, element.key), type_=element.type)
            return None

        # (typed for column elements only: a Select comes back a Select)
        subquery = cast("Select[*tuple[Any, ...]]", replacement_traverse(cast(Any, statement), {}, renamed)).subquery()
        return subquery.select().add_columns(literal_column(str(part)).label("part"))

    return union_all(*(of_part(statement, part) for part, statement in enumerate(statements)))


def counts_in_one(session: Session, queries: Sequence[Bound]) -> list[int]:
    """The count of each query (a `select(func.count())`), in one statement."""
    return [int(rows[0][0]) for rows in rows_in_one(session, queries)]


class Page(NamedTuple):
    """A list's page to read: its query, how many rows, and for the rows that can tie with the
    last one, the last key whose due date can be that key's (`first_rows`)."""

    query: PageQuery
    limit: int
    last_key_due_with: Callable[[date], date]


def first_rows(session: Session, page: Page) -> list[Row[*tuple[Any, ...]]]:
    """The first `limit` rows of the page's query (ordered by its key, then case id; the key's
    value is each row's last column), and every other row that can tie with them once their key
    becomes a due date: rows with a key from the last row's through `last_key_due_with(that key)`.

    Month arithmetic folds several days onto one (31 January and 29-31 January + 1 month are all
    28 February), so the key's order is the due date's order except within such a fold; and the
    database orders case ids by its own collation (PostgreSQL's need not be Python's), so every
    row sharing the last key is read too. The caller sorts by due date and case id and keeps `limit`.

    (Each page a statement of its own, not all in one as `rows_in_one`: a page's groups change
    from day to day, and a new union of them took longer to build and compile than it saved.)
    """
    (shape, values), limit, last_key_due_with = page
    if limit <= 0:
        return []
    connection = session.connection()
    # One row more than the page: when its key is past the last row's tie window (as it mostly
    # is), no row can tie beyond those read, and no second statement is needed.
    rows = list(connection.execute(shape.first, {**values, "limit": limit + 1}).all())
    if len(rows) <= limit:
        return rows
    last_key = rows[limit - 1][-1]
    tie_to = last_key_due_with(last_key)
    if rows[limit][-1] > tie_to:
        return rows[:limit]
    seen = {row[0] for row in rows}
    tied = connection.execute(shape.tied, {**values, "key_from": last_key, "key_to": tie_to}).all()
    rows.extend(row for row in tied if row[0] not in seen)
    return rows


def _rows_of_ids(session: Session, statement: Select[*tuple[Any, ...]], ids: Iterable[str]) -> list[tuple[Any, ...]]:
    """The rows of `statement` (whose IN list is the expanding parameter "ids") for the given
    ids, 500 at a time: one statement whatever the number, inside every backend's limits."""
    wanted = sorted(set(ids))
    connection = session.connection()
    return [
        tuple(row)
        for start in range(0, len(wanted), 500)
        for row in connection.execute(statement, {"ids": wanted[start : start + 500]}).all()
    ]


def citizens_guarantee_appointment_rows(
    session: Session, citizen_ids: Iterable[str], kinds: tuple[str, ...]
) -> list[tuple[Any, ...]]:
    """The appointments of the guarantee's kinds of the given citizens, past and future."""
    return _rows_of_ids(session, _citizens_appointments(kinds), citizen_ids)


@lru_cache(maxsize=16)
def _citizens_appointments(kinds: tuple[str, ...]) -> Select[*tuple[Any, ...]]:
    return select(*APPOINTMENT_COLUMNS).where(
        Appointment.citizen_id.in_(bindparam("ids", expanding=True)), Appointment.kind.in_(kinds)
    )


def guarantee_appointments_statement(kinds: tuple[str, ...]) -> Select[*tuple[Any, ...]]:
    """Visitation and doctor appointments of citizens with a waiting request (ix_cases_waiting,
    then each citizen's appointments by ix_appointments_citizen_starts)."""
    waiting_citizens = select(Case.citizen_id).where(*WAITING)
    return select(*APPOINTMENT_COLUMNS).where(Appointment.citizen_id.in_(waiting_citizens), Appointment.kind.in_(kinds))


def guarantee_appointment_rows(session: Session, kinds: tuple[str, ...]) -> list[Row[*tuple[Any, ...]]]:
    return list(session.connection().execute(guarantee_appointments_statement(kinds)).all())


def citizen_case_rows(session: Session, citizen_id: str) -> list[tuple[Any, ...]]:
    """One citizen's cases as the Frister rules read them (CASE_COLUMNS)."""
    statement = select(*CASE_COLUMNS).where(Case.citizen_id == citizen_id)
    return [tuple(row) for row in session.execute(statement)]


def citizen(session: Session, citizen_id: str) -> Citizen | None:
    return session.get(Citizen, citizen_id)


def citizen_cases(session: Session, citizen_id: str) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.citizen_id == citizen_id).order_by(Case.contact_date.desc())))


def citizen_appointments(session: Session, citizen_id: str, since: datetime) -> list[Appointment]:
    return list(
        session.scalars(
            select(Appointment)
            .where(Appointment.citizen_id == citizen_id, Appointment.starts_at >= since)
            .order_by(Appointment.starts_at)
        )
    )


def citizen_names(session: Session, citizen_ids: list[str]) -> dict[str, tuple[str, str, str]]:
    """(first name, last name, alias) per citizen, for labelling rows."""
    names: dict[str, tuple[str, str, str]] = {}
    for start in range(0, len(citizen_ids), 500):
        chunk = citizen_ids[start : start + 500]
        for row in session.execute(
            select(Citizen.id, Citizen.first_name, Citizen.last_name, Citizen.alias).where(Citizen.id.in_(chunk))
        ):
            names[row[0]] = (row[1], row[2], row[3])
    return names
