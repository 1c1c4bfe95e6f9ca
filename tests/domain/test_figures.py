"""Key figures on hand-made cases at the edges (DESIGN §1 "Key figures and reporting")."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from skranke.domain.figures import (
    SMALL_JSON,
    CaseRecord,
    FollowUpRecord,
    _Index,
    figures,
    key_figures,
    median,
    month_end,
    nearest_rank,
)
from skranke.domain.site import Site
from skranke.sites import load_site

JAN = date(2026, 1, 1)
JAN_END = date(2026, 1, 31)
LATER = date(2027, 6, 30)  # every guarantee and 12-month window of January is over


@pytest.fixture(scope="module")
def odense() -> Site:
    return load_site("odense")


@pytest.fixture(scope="module")
def assens() -> Site:
    return load_site("assens")


@pytest.fixture(scope="module")
def odsherred() -> Site:
    return load_site("odsherred")


def _case(n: int, contact: date, **fields: object) -> CaseRecord:
    defaults: dict[str, object] = {"department": "stabilisering", "paragraph": "SEL101"}
    return CaseRecord(f"S{n}", fields.pop("citizen_id", f"B{n}"), contact_date=contact, **(defaults | fields))  # type: ignore[arg-type]


def _started(n: int, contact: date, days: int, **fields: object) -> CaseRecord:
    return _case(n, contact, treatment_start=contact + timedelta(days=days), **fields)


def test_a_start_on_day_14_is_in_time_and_on_day_15_exceeds(odense: Site) -> None:
    # 000 § 3.2: "senest 14 dage efter": day 14 is the last day in time.
    cases = [_started(i, JAN.replace(day=5), 14) for i in range(5)]
    cases += [_started(10 + i, JAN.replace(day=5), 15) for i in range(5)]
    guarantee = key_figures(cases, [], odense, JAN, JAN_END, LATER).to_json_dict()["guarantee"]
    assert guarantee["requests"] == 10
    assert guarantee["started_in_time"] == 5
    assert guarantee["exceeded"] == 5
    assert guarantee["median_days"] == 14.5
    assert guarantee["p90_days"] == 15


def test_a_request_not_started_exceeds_once_its_deadline_passed_and_not_before(odense: Site) -> None:
    cases = [_case(i, date(2026, 1, 20)) for i in range(5)]  # deadline 3 February
    on_the_deadline = key_figures(cases, [], odense, JAN, JAN_END, date(2026, 2, 3)).total
    after_it = key_figures(cases, [], odense, JAN, JAN_END, date(2026, 2, 4)).total
    assert on_the_deadline.exceeded.count == 0
    assert after_it.exceeded.count == 5
    # Closed (withdrawn) before the deadline: never exceeded.
    withdrawn = [c._replace(closed_on=date(2026, 1, 25), closing_status="eget ønske") for c in cases]
    assert key_figures(withdrawn, [], odense, JAN, JAN_END, LATER).total.exceeded.count == 0


def test_anonymous_requests_are_counted_but_not_under_the_guarantee(odense: Site) -> None:
    # SEL § 101a has no guarantee (000 § 1.4.2): a request, never "exceeded".
    cases = [_started(i, JAN.replace(day=2), 40, paragraph="SEL101a") for i in range(6)]
    total = key_figures(cases, [], odense, JAN, JAN_END, LATER).total
    assert (total.requests.count, total.guaranteed.count, total.exceeded.count) == (6, 0, 0)


def _discharged(n: int, closed: date, citizen: str, status: str = "færdigbehandlet", **fields: object) -> CaseRecord:
    return _case(n, date(2025, 3, 1), treatment_start=date(2025, 3, 10), closed_on=closed, closing_status=status,
                 citizen_id=citizen, **fields)  # fmt: skip


def test_a_return_at_12_months_counts_and_at_12_months_and_one_day_does_not(odense: Site) -> None:
    closed = date(2026, 1, 15)
    discharged = [_discharged(i, closed, f"B{i}") for i in range(6)]
    again = [
        _case(100, date(2027, 1, 15), citizen_id="B0"),  # 12 months to the day: a return
        _case(101, date(2027, 1, 16), citizen_id="B1"),  # 12 months and a day: not one
        _case(102, date(2026, 6, 1), citizen_id="B2"),  # within: a return
    ]
    returned = key_figures(discharged + again, [], odense, JAN, JAN_END, LATER).total.returned
    assert (returned.part, returned.whole.count) == (2, 6)
    assert returned.exact_percent() == 33.3
    assert returned.percent() is None  # 2 people: shown as "under 5 of 6", not 33.3 %


def test_a_new_request_on_the_discharge_day_is_not_a_return(odense: Site) -> None:
    # The journal moves a course by closing one case and opening another the same day.
    closed = date(2026, 1, 10)
    discharged = [_discharged(i, closed, f"B{i}", status="andet tilbud") for i in range(5)]
    same_day = [_case(100 + i, closed, citizen_id=f"B{i}") for i in range(5)]
    report = key_figures(discharged + same_day, [], odense, JAN, JAN_END, LATER)
    assert report.total.returned.part == 0
    assert report.total.requests.count == 5  # the new cases are January's requests all the same
    assert report.total.discharges.count == 5


def test_returns_are_counted_only_once_the_12_months_have_passed(odense: Site) -> None:
    discharged = [_discharged(i, date(2026, 1, 10), f"B{i}") for i in range(5)]
    too_soon = key_figures(discharged, [], odense, JAN, JAN_END, date(2026, 12, 31)).total.returned
    assert too_soon.whole.count == 0 and too_soon.percent() is None


def test_a_month_with_three_citizens_says_under_5_and_never_a_percentage(assens: Site) -> None:
    cases = [_discharged(i, date(2026, 1, 12), f"B{i}", outcome="stoffri", goals_reached="ja") for i in range(3)]
    cases += [_started(10 + i, date(2026, 1, 5), 20) for i in range(3)]
    report = key_figures(cases, [], assens, JAN, JAN_END, LATER)
    data = report.to_json_dict()
    assert data["guarantee"]["requests"] == SMALL_JSON
    assert data["guarantee"]["exceeded"] == SMALL_JSON
    assert data["guarantee"]["median_days"] == SMALL_JSON
    assert data["discharges"]["ended_as_planned"] == {"count": SMALL_JSON, "of": SMALL_JSON, "percent": SMALL_JSON}
    assert data["discharges"]["by_outcome"]["stoffri"] == SMALL_JSON
    goals = next(t for t in data["targets"] if t["id"] == "maal-opnaaet")
    assert goals["value"] == SMALL_JSON and goals["met"] is None
    # Zero is no one: shown as it is.
    assert data["discharges"]["by_status"]["hospital"] == 0


def test_three_cases_of_one_citizen_are_under_5_borgere(odense: Site) -> None:
    cases = [_started(i, JAN.replace(day=2 + i), 3, citizen_id="B1") for i in range(6)]
    assert key_figures(cases, [], odense, JAN, JAN_END, LATER).total.requests.small


def test_assens_targets_beside_their_figures(assens: Site) -> None:
    # 002 afsnit 2: at least 75 % reached their goals; at most 50 % of "færdigbehandlet" return.
    closed = date(2026, 1, 20)
    goals = ["ja"] * 6 + ["delvist"] * 2 + ["nej"] * 2  # 60 %: not met
    cases = [_discharged(i, closed, f"B{i}", goals_reached=g) for i, g in enumerate(goals)]
    # Returns: 2 of the 10 "færdigbehandlet" come back; a returning "udeblevet" does not count.
    cases += [_case(100, date(2026, 5, 1), citizen_id="B0"), _case(101, date(2026, 9, 1), citizen_id="B1")]
    cases += [_discharged(50 + i, closed, f"U{i}", status="udeblevet") for i in range(5)]
    cases += [_case(200 + i, date(2026, 3, 1), citizen_id=f"U{i}") for i in range(5)]
    results = {t["id"]: t for t in key_figures(cases, [], assens, JAN, JAN_END, LATER).to_json_dict()["targets"]}
    assert results["maal-opnaaet"]["value"] == 60.0
    assert results["maal-opnaaet"]["met"] is False
    assert results["maal-opnaaet"]["target"] == "≥ 75 %"
    assert "002 afsnit 2" in results["maal-opnaaet"]["source"]
    assert results["gengangere"]["value"] == SMALL_JSON  # 2 who returned: not shown as a percentage
    assert results["gengangere"]["count"] == {"count": SMALL_JSON, "of": 10, "percent": SMALL_JSON}
    assert results["gengangere"]["met"] is True


def test_odsherred_drug_free_and_reduced_of_those_with_an_outcome(odsherred: Site) -> None:
    closed = date(2026, 1, 20)
    outcomes = ["stoffri"] * 4 + ["reduceret"] * 3 + ["uaendret"] * 3 + [None] * 4
    cases = [_discharged(i, closed, f"B{i}", outcome=o, department="rusmiddelteamet") for i, o in enumerate(outcomes)]
    report = key_figures(cases, [], odsherred, JAN, JAN_END, LATER)
    results = {t.target.id: t for t in report.targets}
    assert results["stoffri"].value.exact_percent() == 40.0 and results["stoffri"].met is True
    assert results["stoffri"].value.percent() is None  # 4 drug-free: judged, not shown
    assert results["reduceret"].value.exact_percent() == 30.0 and results["reduceret"].met is False
    assert results["reduceret"].value.percent() is None  # 3 people: not shown
    assert report.total.by_outcome["ikke_angivet"].count == 4


def test_follow_ups_on_time_late_and_missing(odense: Site) -> None:
    # Odense follows every discharge up after 1 and 6 months (000 § 4.1).
    closed = date(2025, 12, 10)  # the 1-month follow-up is due 10 January
    cases = [_discharged(i, closed, f"B{i}") for i in range(6)]
    done = [FollowUpRecord("S0", 1, date(2026, 1, 10)), FollowUpRecord("S1", 1, date(2026, 1, 9))]
    done += [FollowUpRecord("S2", 1, date(2026, 1, 11))]  # a day late
    total = key_figures(cases, done, odense, JAN, JAN_END, LATER).total
    assert total.follow_ups_due.count == 6
    assert total.follow_ups_on_time.part == 2
    assert total.follow_ups_on_time.exact_percent() == 33.3
    assert total.follow_ups_on_time.percent() is None


def test_months_departments_and_paragraphs_each_have_their_figures(odense: Site) -> None:
    cases = [_started(i, date(2026, 1, 5), 3) for i in range(5)]
    cases += [_started(10 + i, date(2026, 2, 5), 3, department="stoffrihed", paragraph="SUL142") for i in range(6)]
    report = key_figures(cases, [], odense, JAN, date(2026, 3, 31), LATER)
    assert [(m.month, f.requests.count) for m, f in report.months] == [(1, 5), (2, 6), (3, 0)]
    assert {d: f.requests.count for d, f in report.departments.items()} == {"stabilisering": 5, "stoffrihed": 6}
    assert {p: f.requests.count for p, f in report.paragraphs.items()} == {"SEL101": 5, "SUL142": 6}
    only = key_figures(cases, [], odense, JAN, date(2026, 3, 31), LATER, department="stoffrihed")
    assert only.total.requests.count == 6


def test_discharges_by_status_and_ended_as_planned(odense: Site) -> None:
    statuses = ["færdigbehandlet"] * 3 + ["udeblevet"] * 2 + ["hospital"]
    cases = [_discharged(i, date(2026, 1, 15), f"B{i}", status=s) for i, s in enumerate(statuses)]
    total = key_figures(cases, [], odense, JAN, JAN_END, LATER).total
    assert total.by_status["færdigbehandlet"].count == 3
    assert total.ended_as_planned.exact_percent() == 50.0
    assert total.ended_as_planned.to_json() == {"count": SMALL_JSON, "of": 6, "percent": SMALL_JSON}


def test_median_and_nearest_rank() -> None:
    assert median([]) is None and nearest_rank([], 90) is None
    assert median([5, 1, 3]) == 3.0
    assert nearest_rank(list(range(1, 11)), 90) == 9
    assert nearest_rank(list(range(1, 12)), 90) == 10


def test_the_shipped_targets_follow_the_seeds(assens: Site, odsherred: Site) -> None:
    assert [(t.measure, t.comparison, t.percent) for t in assens.targets] == [
        ("goals_reached", "at_least", 75),
        ("returned_within_12_months", "at_most", 50),
    ]
    assert [(t.measure, t.comparison, t.percent) for t in odsherred.targets] == [
        ("drug_free", "at_least", 35),
        ("reduced", "at_least", 35),
        ("returned_within_12_months", "at_most", 30),
    ]
    # Odense and Gladsaxe's seeds give no number: no targets, and the file says why.
    for site_id in ("odense", "gladsaxe"):
        site = load_site(site_id)
        assert site.targets == () and site.targets_source.startswith("Ingen mål")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"closing_statuses": ["færdig"]}, "unknown closing status"),
        ({"percent": 101}, "less than or equal to 100"),
        ({"measure": "happiness"}, "measure"),
        ({"source": ""}, "source"),
    ],
)
def test_a_target_the_site_file_gets_wrong_is_refused(change: dict[str, object], problem: str) -> None:
    from pydantic import ValidationError

    from skranke.domain.site import Target, parse

    target = {"id": "t", "name": "T", "measure": "reduced", "comparison": "at_least", "percent": 35, "source": "004"}
    with pytest.raises(ValidationError, match=problem):
        parse(Target, target | change)


def test_target_ids_are_unique() -> None:
    from dataclasses import replace

    from skranke.domain.site import Target

    site = load_site("odsherred")
    twice = Target(id="x", name="X", measure="reduced", comparison="at_least", percent=1, source="004")
    with pytest.raises(ValueError, match="target ids used twice"):
        replace(site, targets=(twice, twice))


@pytest.mark.parametrize("site_id", ["odense", "gladsaxe", "odsherred", "assens"])
def test_each_group_counts_as_if_its_cases_alone_were_read(site_id: str) -> None:
    # key_figures gives each month only the cases with a request, a discharge or a follow-up due
    # in it; the figures must be those of every case over the month's days.
    site = load_site(site_id)
    rng = random.Random(site_id)
    first, last, as_of = date(2025, 2, 10), date(2026, 1, 20), date(2026, 3, 1)
    statuses = ["færdigbehandlet", "andet tilbud", "hospital", "anden årsag", "udeblevet", "eget ønske"]
    cases, follow_ups = [], []
    for n in range(600):
        contact = date(2023, 6, 1) + timedelta(days=rng.randint(0, 1000))
        start = contact + timedelta(days=rng.randint(0, 30)) if rng.random() < 0.8 else None
        closed = (start or contact) + timedelta(days=rng.randint(0, 500)) if rng.random() < 0.6 else None
        cases.append(
            _case(
                n, contact, citizen_id=f"B{rng.randrange(400)}", treatment_start=start, closed_on=closed,
                closing_status=rng.choice(statuses) if closed else None, follow_up_consent=rng.choice([True, None]),
                paragraph=rng.choice(["SEL101", "SUL142", "SEL101a"]), outcome=rng.choice(["stoffri", None]),
                department=rng.choice(["stabilisering", "ambulant", "unge"]),
            )
        )  # fmt: skip
        if closed is not None:
            for month in site.rules.follow_up_months:
                done = closed + timedelta(days=31 * month + rng.randint(-5, 9))
                follow_ups.append(FollowUpRecord(f"S{n}", month, done))
    report = key_figures(cases, follow_ups, site, first, last, as_of)
    assert len(report.months) == 12
    index = _Index(cases, follow_ups, site.rules, as_of)
    for start, counted in report.months:
        assert counted == figures(cases, site, max(first, start), min(last, month_end(start)), as_of, index=index)
    # Each department, each paragraph and the total as if its cases alone were counted.
    assert report.total == figures(cases, site, first, last, as_of, index=index)
    assert set(report.departments) == {"stabilisering", "ambulant", "unge"}
    for department, counted in report.departments.items():
        mine = [c for c in cases if c.department == department]
        assert counted == figures(mine, site, first, last, as_of, index=index)
    assert set(report.paragraphs) == {"SEL101", "SUL142", "SEL101a"}
    for paragraph, counted in report.paragraphs.items():
        mine = [c for c in cases if c.paragraph == paragraph]
        assert counted == figures(mine, site, first, last, as_of, index=index)


def test_a_part_of_1_to_4_is_said_as_under_5_of_its_whole_and_5_or_more_is_shown(odense: Site) -> None:
    # One of nine ended as planned names that person to anyone who knows the nine: the part and its
    # percentage are not shown; the whole is. From five on, both are.
    statuses = ["færdigbehandlet"] * 1 + ["udeblevet"] * 8
    cases = [_discharged(i, date(2026, 1, 15), f"B{i}", status=s) for i, s in enumerate(statuses)]
    one = key_figures(cases, [], odense, JAN, JAN_END, LATER).total.ended_as_planned
    assert (one.small, one.small_part, one.percent()) == (False, True, None)
    assert one.to_json() == {"count": SMALL_JSON, "of": 9, "percent": SMALL_JSON}
    statuses = ["færdigbehandlet"] * 5 + ["udeblevet"] * 4
    cases = [_discharged(i, date(2026, 1, 15), f"B{i}", status=s) for i, s in enumerate(statuses)]
    five = key_figures(cases, [], odense, JAN, JAN_END, LATER).total.ended_as_planned
    assert five.to_json() == {"count": 5, "of": 9, "percent": 55.6}
    none = key_figures(cases[5:], [], odense, JAN, JAN_END, LATER).total.ended_as_planned
    assert none.small and none.to_json() == {"count": SMALL_JSON, "of": SMALL_JSON, "percent": SMALL_JSON}


def test_a_records_facts_are_its_own_fields_in_the_deadline_rules_names() -> None:
    # CaseRecord.facts builds CaseFacts by position for speed: a field moved in either would
    # silently hand the rules the wrong date.
    from skranke.domain.deadlines import CaseFacts

    record = CaseRecord(
        "S1", "B1", "ambulant", "SUL142", date(2025, 1, 2), date(2025, 1, 9), True, date(2025, 6, 1),
        "hospital", False, date(2025, 1, 4), "stoffri", "ja",
    )  # fmt: skip
    assert record.facts() == CaseFacts(
        "S1", "B1", "ambulant", "SUL142", date(2025, 1, 2), treatment_start=date(2025, 1, 9), free_choice=True,
        closed_on=date(2025, 6, 1), closing_status="hospital", follow_up_consent=False,
        personal_attendance_on=date(2025, 1, 4),
    )  # fmt: skip
