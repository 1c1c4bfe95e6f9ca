"""The dispensing rules of DESIGN §1 "Medication dispensing", at their edges, per preparation.

The settings are Odense's site file (the numbers each entry names a source for), so a change
there that breaks a rule shows here. Dates: 2026-03-02 is a Monday; 2026-03-29 and 2026-10-25
are the days Copenhagen's clocks change.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from skranke.domain.dispensing import (
    ALREADY_COVERED,
    APPROVAL_MISSING,
    CLOSED_DAY_IN_PERIOD,
    ENDS_SOON,
    EXPIRED,
    FIRST_DOSE_PENDING,
    HOLD_REASSESSMENT,
    INTERVAL_NOT_REACHED,
    MISSED_DAYS,
    NO_HISTORY,
    NOT_PICKUP_DAY,
    NOT_YET_VALID,
    RELEASED,
    TAKE_HOME_NOT_ALLOWED,
    Alert,
    DoseRecord,
    DueDose,
    Order,
    Release,
    away_from_window,
    covered_days,
    doses_due,
    is_daily_rule,
    journal_covered_until,
    missed_days,
    pickup_days,
    supervised_only,
    why_not_due,
)
from skranke.domain.site import NO_SOURCE, Preparation, PreparationRules, parse
from skranke.resources import sites_dir
from skranke.sites import load_site, load_site_hours, shipped_site_ids

CPH = ZoneInfo("Europe/Copenhagen")
MONDAY = date(2026, 3, 2)
TUESDAY, WEDNESDAY, THURSDAY = (MONDAY + timedelta(days=n) for n in (1, 2, 3))
SPRING_FORWARD = date(2026, 3, 29)
FALL_BACK = date(2026, 10, 25)
DAILY = "FREQ=DAILY"
MON_THU = "FREQ=WEEKLY;BYDAY=MO,TH"
PREPARATIONS = ("metadon", "buprenorfin", "diacetylmorfin", "morfin")

SITE = load_site("odense")
RULES = {p.id: p for p in SITE.preparations}
HOURS = load_site_hours("odense")
SITES = tuple(shipped_site_ids())


def always_open(_day: date) -> bool:
    return True


def closed_on(*days: date) -> Callable[[date], bool]:
    return lambda day: day not in days


def order(**changes: Any) -> Order:
    base = Order(
        id="O1",
        citizen_id="B1",
        preparation="metadon",
        dose_mg=Decimal("80"),
        doses_per_day=1,
        pickup_rule=DAILY,
        supervised=True,
        valid_from=date(2026, 1, 1),
        valid_to=None,
        delivery=False,
        last_dispensed_on=None,
    )
    return base._replace(**changes)


def record(
    day: date,
    *,
    outcome: str = "given",
    covers: int = 1,
    dose_number: int = 1,
    preparation: str = "metadon",
    at: datetime | None = None,
    voided: bool = False,
    prescription_id: str = "O1",
) -> DoseRecord:
    return DoseRecord(
        id=1,
        prescription_id=prescription_id,
        preparation=preparation,
        service_date=day,
        dose_number=dose_number,
        outcome=outcome,
        recorded_at=at or datetime.combine(day, time(9, 0), CPH),
        covers_days=covers,
        voided=voided,
        staff_id="SYG",
    )


def refused(
    o: Order,
    day: date,
    rules: PreparationRules,
    *,
    history: Sequence[DoseRecord] = (),
    service_open: Callable[[date], bool | None] | None = None,
) -> Alert:
    """why_not_due's alert where the test expects one."""
    alert = why_not_due(o, day, rules, history=history, service_open=service_open)
    assert alert is not None
    return alert


def alert_of(dose: DueDose, code: str) -> Alert:
    """The dose's alert of this code, where the test expects one."""
    alert = dose.alert(code)
    assert alert is not None
    return alert


def morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), CPH)


def due(
    o: Order,
    day: date,
    history: Sequence[DoseRecord] = (),
    *,
    now: datetime | None = None,
    service_open: Callable[[date], bool | None] = always_open,
    release: Release | None = None,
    intervals: Sequence[tuple[datetime, datetime]] | None = None,
    rules: PreparationRules | None = None,
    approval_required_for: Collection[str] = (),
) -> list[DueDose]:
    return doses_due(
        o,
        day,
        now or morning(day),
        history,
        rules or RULES[o.preparation],
        service_open,
        release,
        intervals=intervals,
        approval_required_for=approval_required_for,
    )


def only(doses: list[DueDose]) -> DueDose:
    assert len(doses) == 1, doses
    return doses[0]


def codes(dose: DueDose) -> list[str]:
    return [a.code for a in dose.alerts]


# --- the settings --------------------------------------------------------------------------


def test_every_preparation_has_its_settings_and_source() -> None:
    assert RULES["metadon"].missed_days_before_reassessment == 4
    assert RULES["buprenorfin"].missed_days_before_reassessment == 7
    heroin = RULES["diacetylmorfin"]
    assert not heroin.take_home_allowed and heroin.max_take_home_days == 0
    for rules in RULES.values():
        assert rules.source and rules.ends_soon_days == 3


@pytest.mark.parametrize("site", SITES)
def test_numbers_without_a_seed_say_so_and_name_their_practice(site: str) -> None:
    """Issue 24: "Where a number has no seed (missed-dose thresholds, take-home cap), the site file
    [...] say[s] 'ingen kilde i kommunens standard' and name[s] the published practice it follows"."""
    practice = {
        "metadon": "Novavi",
        "buprenorfin": "Novavi",
        "diacetylmorfin": "australsk retningslinje",
        "morfin": "australsk retningslinje",
    }
    for rules in load_site(site).preparations:
        assert rules.missed_days_before_reassessment_source.startswith(NO_SOURCE)
        assert practice[rules.id] in rules.missed_days_before_reassessment_source
        assert rules.ends_soon_days_source.startswith(NO_SOURCE)
        if rules.take_home_allowed:
            assert rules.max_take_home_days_source.startswith(NO_SOURCE)
            # The 14-day cap was cited to 001 § 3.2.1 (delivery rounds to care homes): not any more.
            assert "3.2.1" not in rules.max_take_home_days_source


@pytest.mark.parametrize("site", SITES)
def test_no_site_file_gives_a_minimum_interval(site: str) -> None:
    """001 afsnit 5: "Borgeren skal fremmøde 1-2 gange dagligt" in the clinic's two intervals;
    no seed gives a minimum number of minutes, so no shipped file has one."""
    text = (sites_dir() / f"{site}.toml").read_text(encoding="utf-8")
    assert "min_interval_minutes =" not in text


def test_a_site_file_with_a_minimum_interval_is_refused_with_what_to_do() -> None:
    base = {"name": "x", "missed_days_before_reassessment": 3, "max_take_home_days": 7, "source": "s"}
    with pytest.raises(ValueError, match=r"min_interval_minutes is no longer a setting.*Delete the line"):
        parse(Preparation, {"id": "metadon", "min_interval_minutes": 30, **base})
    assert parse(Preparation, {"id": "metadon", **base}).min_interval_minutes is None


def test_a_site_file_cannot_let_heroin_go_home() -> None:
    base: dict[str, Any] = {"name": "x", "missed_days_before_reassessment": 3, "source": "s"}
    with pytest.raises(ValueError, match="never taken home"):
        parse(Preparation, {"id": "diacetylmorfin", "max_take_home_days": 7, **base})
    with pytest.raises(ValueError, match="must be 0"):
        parse(Preparation, {"id": "metadon", "max_take_home_days": 7, "take_home_allowed": False, **base})
    with pytest.raises(ValueError, match="at least 1"):
        parse(Preparation, {"id": "metadon", "max_take_home_days": 0, **base})
    with pytest.raises(ValueError, match="source"):
        parse(Preparation, {"id": "metadon", "max_take_home_days": 7, **{**base, "source": ""}})
    # The rules between fields hold however a preparation is made, not only from a site file.
    with pytest.raises(ValueError, match="never taken home"):
        Preparation(id="diacetylmorfin", max_take_home_days=7, **base)


# --- due: rule and validity ------------------------------------------------------------------


def test_daily_supervised_methadone_is_one_window_dose() -> None:
    dose = only(due(order(last_dispensed_on=MONDAY - timedelta(days=1)), MONDAY))
    assert (dose.dose_number, dose.dose_mg, dose.covers_days, dose.take_home_days, dose.take_home_mg) == (
        1,
        Decimal("80"),
        1,
        0,
        Decimal("0"),
    )
    assert (dose.state, dose.missed_days, dose.alerts, dose.not_before) == ("due", 0, (), None)


TAKE_HOME_PREPARATIONS = ("metadon", "buprenorfin", "morfin")


@pytest.mark.parametrize("preparation", TAKE_HOME_PREPARATIONS)
def test_monday_and_thursday_pickups_cover_until_the_next_pickup(preparation: str) -> None:
    supervised = order(pickup_rule=MON_THU, preparation=preparation, dose_mg=Decimal("16"))
    monday = only(due(supervised, MONDAY))
    assert (monday.covers_days, monday.take_home_days, monday.take_home_mg) == (3, 2, Decimal("32"))
    thursday = only(due(supervised, THURSDAY))
    assert (thursday.covers_days, thursday.take_home_days, thursday.take_home_mg) == (4, 3, Decimal("48"))
    take_home = supervised._replace(supervised=False)
    assert (only(due(take_home, MONDAY)).take_home_days, only(due(take_home, THURSDAY)).take_home_days) == (3, 4)
    assert covered_days(supervised, MONDAY, RULES[preparation], always_open) == 3
    for day in (TUESDAY, WEDNESDAY, MONDAY + timedelta(days=4), MONDAY + timedelta(days=6)):
        assert due(supervised, day) == []
        alert = why_not_due(supervised, day, RULES[preparation])
        assert alert is not None and alert.code == NOT_PICKUP_DAY and alert.blocks
    assert refused(supervised, TUESDAY, RULES[preparation]).params == {"day": TUESDAY, "next": THURSDAY}
    assert why_not_due(supervised, MONDAY, RULES[preparation]) is None


def test_not_yet_valid_and_expired_orders_are_not_due_and_say_why() -> None:
    o = order(valid_from=TUESDAY, valid_to=THURSDAY)
    assert due(o, MONDAY) == [] and due(o, MONDAY + timedelta(days=4)) == []
    assert refused(o, MONDAY, RULES["metadon"]).code == NOT_YET_VALID
    expired = refused(o, MONDAY + timedelta(days=4), RULES["metadon"])
    assert (expired.code, expired.params, expired.blocks) == (EXPIRED, {"valid_to": THURSDAY}, True)
    assert why_not_due(o, TUESDAY, RULES["metadon"]) is None
    assert why_not_due(o, THURSDAY, RULES["metadon"]) is None


@pytest.mark.parametrize("preparation", PREPARATIONS)
def test_an_order_ending_today_is_due_covers_one_day_and_warns(preparation: str) -> None:
    take_home = RULES[preparation].take_home_allowed
    o = order(
        preparation=preparation, pickup_rule=MON_THU if take_home else DAILY, valid_to=MONDAY, supervised=not take_home
    )
    dose = due(o, MONDAY)[0]
    assert (dose.covers_days, dose.take_home_days) == (1, 1 if take_home else 0)
    assert alert_of(dose, ENDS_SOON).params == {"days_left": 0, "valid_to": MONDAY}
    assert dose.state == "due"


@pytest.mark.parametrize("preparation", PREPARATIONS)
def test_ends_soon_at_the_sites_days_and_not_one_day_before(preparation: str) -> None:
    warn = RULES[preparation].ends_soon_days
    o = order(preparation=preparation, valid_to=MONDAY + timedelta(days=warn))
    assert alert_of(only(due(o, MONDAY)), ENDS_SOON).params["days_left"] == warn
    assert only(due(o, MONDAY - timedelta(days=1))).alert(ENDS_SOON) is None
    assert alert_of(only(due(o, MONDAY + timedelta(days=1))), ENDS_SOON).params["days_left"] == warn - 1


def test_the_end_of_an_order_caps_what_goes_home() -> None:
    o = order(pickup_rule=MON_THU, valid_to=TUESDAY)
    assert only(due(o, MONDAY)).covers_days == 2


def test_take_home_is_capped_by_the_sites_maximum() -> None:
    every_third_week = order(pickup_rule="FREQ=WEEKLY;INTERVAL=3;BYDAY=MO", supervised=False, valid_from=MONDAY)
    dose = only(due(every_third_week, MONDAY))
    assert dose.covers_days == dose.take_home_days == RULES["metadon"].max_take_home_days == 14
    supervised = every_third_week._replace(supervised=True)
    assert only(due(supervised, MONDAY)).take_home_days == 14


# --- closed days -------------------------------------------------------------------------------


@pytest.mark.parametrize("preparation", TAKE_HOME_PREPARATIONS)
def test_a_closed_day_is_covered_by_the_pickup_before_it(preparation: str) -> None:
    dose = only(due(order(preparation=preparation), MONDAY, service_open=closed_on(TUESDAY)))
    assert (dose.covers_days, dose.take_home_days) == (2, 1)
    assert alert_of(dose, CLOSED_DAY_IN_PERIOD).params == {"day": TUESDAY, "covered": True}
    two = only(due(order(preparation=preparation), MONDAY, service_open=closed_on(TUESDAY, WEDNESDAY)))
    closed = [a.params["day"] for a in two.alerts if a.code == CLOSED_DAY_IN_PERIOD]
    assert two.covers_days == 3 and closed == [TUESDAY, WEDNESDAY]


def test_a_closed_thursday_inside_a_take_home_period_moves_the_next_pickup() -> None:
    o = order(pickup_rule=MON_THU, preparation="buprenorfin", last_dispensed_on=THURSDAY - timedelta(days=7))
    dose = only(due(o, MONDAY, service_open=closed_on(THURSDAY)))
    assert (dose.covers_days, dose.take_home_days) == (7, 6)
    assert codes(dose) == [CLOSED_DAY_IN_PERIOD]
    # A closed day that is not a pickup day changes nothing: Monday covers it anyway.
    assert codes(only(due(o, MONDAY, service_open=closed_on(TUESDAY)))) == []
    assert only(due(o, MONDAY, service_open=closed_on(TUESDAY))).covers_days == 3


def test_hours_not_given_never_send_medicine_home() -> None:
    dose = only(due(order(last_dispensed_on=MONDAY - timedelta(days=1)), MONDAY, service_open=lambda _day: None))
    assert (dose.covers_days, dose.alerts) == (1, ())


def test_heroin_cannot_cover_a_closed_day_and_says_so() -> None:
    heroin = order(preparation="diacetylmorfin", dose_mg=Decimal("200"), doses_per_day=2)
    doses = due(heroin, MONDAY, service_open=closed_on(TUESDAY))
    assert [d.covers_days for d in doses] == [1, 1]
    assert alert_of(doses[0], CLOSED_DAY_IN_PERIOD).params == {"day": TUESDAY, "covered": False}
    assert doses[0].take_home_mg == 0


def test_a_given_dose_that_covers_the_day_makes_it_not_due() -> None:
    # Friday's pickup covered Saturday (closed); Saturday's queue has nothing for it.
    friday, saturday = MONDAY + timedelta(days=4), MONDAY + timedelta(days=5)
    history = [record(friday, covers=2)]
    assert due(order(), saturday, history) == []
    alert = refused(order(), saturday, RULES["metadon"], history=history)
    assert (alert.code, alert.params, alert.blocks) == (
        ALREADY_COVERED,
        {"until": saturday, "service_date": friday},
        True,
    )
    # A new daily order (new id) inside an old take-home period: still covered.
    new = order(id="O2", valid_from=TUESDAY)
    assert due(new, TUESDAY, [record(MONDAY, covers=3)]) == []
    assert only(due(new, THURSDAY, [record(MONDAY, covers=3)])).missed_days == 0


# --- missed days -----------------------------------------------------------------------------------


def test_missed_days_follow_the_definition() -> None:
    assert missed_days([record(MONDAY - timedelta(days=1))], MONDAY) == 0
    assert missed_days([record(MONDAY - timedelta(days=7))], MONDAY) == 6
    assert missed_days([record(MONDAY - timedelta(days=2))], MONDAY) == 1
    assert missed_days([record(THURSDAY - timedelta(days=7), covers=4)], MONDAY) == 0
    assert missed_days([record(THURSDAY - timedelta(days=7), covers=3)], MONDAY) == 1
    assert missed_days([], MONDAY) is None
    assert missed_days([], MONDAY, journal_covered=MONDAY - timedelta(days=3)) == 2


def test_refused_missed_and_voided_records_cover_nothing() -> None:
    last_given = record(MONDAY - timedelta(days=6))
    history = [
        last_given,
        record(MONDAY - timedelta(days=3), outcome="refused"),
        record(MONDAY - timedelta(days=2), outcome="missed"),
        record(MONDAY - timedelta(days=1), voided=True),
    ]
    assert missed_days(history, MONDAY) == 5
    assert missed_days(history[1:], MONDAY) is None
    dose = only(due(order(), MONDAY, history[1:]))
    assert (dose.missed_days, codes(dose), dose.state) == (None, [NO_HISTORY], "due")


def test_the_journal_starts_the_count_before_our_own_records() -> None:
    o = order(last_dispensed_on=MONDAY - timedelta(days=3))
    assert only(due(o, MONDAY)).missed_days == 2
    # Our own later records win over an older journal date, and the other way round.
    assert only(due(o, MONDAY, [record(MONDAY - timedelta(days=1))])).missed_days == 0
    assert only(due(o, MONDAY, [record(MONDAY - timedelta(days=5))])).missed_days == 2


def test_the_journals_last_pickup_covers_like_a_pickup() -> None:
    o = order(pickup_rule=MON_THU, supervised=False, last_dispensed_on=THURSDAY - timedelta(days=7))
    assert journal_covered_until(o, RULES["metadon"], always_open) == MONDAY - timedelta(days=1)
    assert only(due(o, MONDAY)).missed_days == 0
    # A journal date that is not a pickup day of this order covers that day only.
    off_rule = o._replace(last_dispensed_on=MONDAY - timedelta(days=2))
    assert journal_covered_until(off_rule, RULES["metadon"], always_open) == MONDAY - timedelta(days=2)
    assert only(due(off_rule, MONDAY)).missed_days == 1


def test_no_history_at_all_is_unknown_never_zero() -> None:
    dose = only(due(order(), MONDAY))
    assert dose.missed_days is None
    assert codes(dose) == [NO_HISTORY] and not dose.alerts[0].blocks
    assert dose.state == "due"


@pytest.mark.parametrize("preparation", PREPARATIONS)
@pytest.mark.parametrize("source", ["records", "journal"])
def test_hold_at_the_threshold_not_one_day_before(preparation: str, source: str) -> None:
    threshold = RULES[preparation].missed_days_before_reassessment

    def dose_after(missed: int) -> DueDose:
        last = MONDAY - timedelta(days=missed + 1)
        o = order(preparation=preparation, last_dispensed_on=last if source == "journal" else None)
        history = [record(last, preparation=preparation)] if source == "records" else []
        return due(o, MONDAY, history)[0]

    below = dose_after(threshold - 1)
    assert (below.missed_days, below.state) == (threshold - 1, "due")
    origin = RULES[preparation].missed_days_before_reassessment_source
    assert alert_of(below, MISSED_DAYS).params == {"days": threshold - 1, "threshold": threshold, "source": origin}
    assert below.alert(HOLD_REASSESSMENT) is None
    for missed in (threshold, threshold + 1):
        held = dose_after(missed)
        assert (held.missed_days, held.state) == (missed, "hold")
        hold = alert_of(held, HOLD_REASSESSMENT)
        assert hold.params == {"days": missed, "threshold": threshold, "source": origin} and hold.blocks
        assert held.alert(MISSED_DAYS) is None


def test_a_release_lifts_the_hold_for_that_day_only_with_a_reduced_dose() -> None:
    o = order(pickup_rule=MON_THU, last_dispensed_on=MONDAY - timedelta(days=12))
    release = Release(MONDAY, "LAE", "vurderet, halv dosis", Decimal("40"))
    dose = only(due(o, MONDAY, release=release))
    assert (dose.state, dose.dose_mg, dose.take_home_mg) == ("due", Decimal("40"), Decimal("80"))
    assert codes(dose) == [MISSED_DAYS, RELEASED]
    assert alert_of(dose, RELEASED).params == {
        "staff_id": "LAE",
        "reason": "vurderet, halv dosis",
        "dose_mg": Decimal("40"),
    }
    full = only(due(o, MONDAY, release=replace(release, dose_mg=None)))
    assert (full.state, full.dose_mg) == ("due", Decimal("80"))
    yesterdays = replace(release, service_date=MONDAY - timedelta(days=1))
    still = only(due(o, MONDAY, release=yesterdays))
    assert (still.state, still.dose_mg, codes(still)) == ("hold", Decimal("80"), [HOLD_REASSESSMENT])


def test_missed_days_are_counted_in_days_across_both_dst_changes() -> None:
    for change in (SPRING_FORWARD, FALL_BACK):
        assert only(due(order(), change, [record(change - timedelta(days=1))])).missed_days == 0
        assert only(due(order(), change + timedelta(days=1), [record(change - timedelta(days=1))])).missed_days == 1
        assert pickup_days(order(pickup_rule="FREQ=WEEKLY;BYDAY=SU"), change, change) == [change]


# --- recorded ---------------------------------------------------------------------------------------


def test_a_dose_recorded_under_another_order_id_is_recorded() -> None:
    history = [record(MONDAY, prescription_id="O-old")]
    assert due(order(id="O-new"), MONDAY, history) == []
    assert due(order(), MONDAY, [record(MONDAY, outcome="refused")]) == []
    assert len(due(order(), MONDAY, [record(MONDAY, voided=True)])) == 1
    assert len(due(order(), MONDAY, [record(MONDAY, preparation="buprenorfin")])) == 1


# --- twice daily --------------------------------------------------------------------------------------


def heroin(**changes: Any) -> Order:
    return order(preparation="diacetylmorfin", dose_mg=Decimal("200"), doses_per_day=2, **changes)


def test_twice_daily_heroin_has_two_slots_and_dose_two_waits_for_dose_one() -> None:
    doses = due(heroin(last_dispensed_on=MONDAY - timedelta(days=1)), MONDAY)
    assert [d.dose_number for d in doses] == [1, 2]
    assert [d.state for d in doses] == ["due", "blocked"]
    assert alert_of(doses[1], FIRST_DOSE_PENDING).blocks
    assert [(d.covers_days, d.take_home_days) for d in doses] == [(1, 0), (1, 0)]


def clinic_intervals(day: date) -> list[tuple[datetime, datetime]]:
    """The heroin clinic's opening intervals that day, from Odense's site file."""
    return [(i.start, i.end) for i in HOURS["heroinklinikken"].intervals_on(day)]


def at(day: date, hour: int, minute: int = 0, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CPH, fold=fold)


def test_the_clinic_has_the_two_intervals_of_the_seed() -> None:
    """001 afsnit 5: "Heroinklinikken har åbent: Alle ugens dage: kl. 8.15 -11.30, kl. 14.30 -17.15"."""
    assert clinic_intervals(MONDAY) == [
        (at(MONDAY, 8, 15), at(MONDAY, 11, 30)),
        (at(MONDAY, 14, 30), at(MONDAY, 17, 15)),
    ]


def test_dose_two_belongs_to_the_afternoon_interval_not_minutes_after_dose_one() -> None:
    """001 afsnit 5: "Borgeren skal fremmøde 1-2 gange dagligt for heroinindtag", the clinic open
    "kl. 8.15 -11.30" and "kl. 14.30 -17.15": dose 1 in the morning, dose 2 in the afternoon.
    No seed gives a minimum number of minutes: 30 minutes after dose 1 is still the morning."""
    given_at = at(MONDAY, 8, 30)
    history = [
        record(MONDAY - timedelta(days=1), preparation="diacetylmorfin"),
        record(MONDAY, at=given_at, preparation="diacetylmorfin"),
    ]
    intervals = clinic_intervals(MONDAY)
    afternoon = at(MONDAY, 14, 30)
    for now in (given_at + timedelta(minutes=30), at(MONDAY, 11, 29), at(MONDAY, 12, 0), at(MONDAY, 14, 29)):
        before = only(due(heroin(), MONDAY, history, now=now, intervals=intervals))
        assert (before.dose_number, before.state, before.not_before) == (2, "blocked", afternoon), now
        assert alert_of(before, INTERVAL_NOT_REACHED).params == {"not_before": afternoon, "reason": "before_interval"}
    for now in (afternoon, at(MONDAY, 17, 0)):
        dose = only(due(heroin(), MONDAY, history, now=now, intervals=intervals))
        assert (dose.state, dose.alerts, dose.not_before) == ("due", (), afternoon)
    # Dose 1 refused: still not two doses in the morning; dose 2 waits for the afternoon.
    refused = [history[0], record(MONDAY, outcome="refused", at=given_at, preparation="diacetylmorfin")]
    assert only(due(heroin(), MONDAY, refused, now=at(MONDAY, 9), intervals=intervals)).state == "blocked"
    assert only(due(heroin(), MONDAY, refused, now=afternoon, intervals=intervals)).state == "due"
    both = [*history, record(MONDAY, dose_number=2, preparation="diacetylmorfin")]
    assert due(heroin(), MONDAY, both, intervals=intervals) == []


def test_never_two_doses_of_one_preparation_in_one_interval() -> None:
    """DESIGN §1 from 001 afsnit 5 ("fremmøde 1-2 gange dagligt"): never two doses of one
    preparation in one interval. Dose 1 given late, in the afternoon: dose 2 not that day."""
    history = [
        record(MONDAY - timedelta(days=1), preparation="diacetylmorfin"),
        record(MONDAY, at=at(MONDAY, 14, 40), preparation="diacetylmorfin"),
    ]
    dose = only(due(heroin(), MONDAY, history, now=at(MONDAY, 15, 30), intervals=clinic_intervals(MONDAY)))
    assert dose.state == "blocked"
    assert alert_of(dose, INTERVAL_NOT_REACHED).params == {"not_before": None, "reason": "same_interval"}


def test_a_day_with_one_interval_has_no_dose_two() -> None:
    morning_only = [(at(MONDAY, 8, 15), at(MONDAY, 11, 30))]
    history = [record(MONDAY - timedelta(days=1), preparation="diacetylmorfin")]
    first, second = due(heroin(), MONDAY, history, now=at(MONDAY, 9), intervals=morning_only)
    assert first.state == "due"
    assert alert_of(second, INTERVAL_NOT_REACHED).params == {"not_before": None, "reason": "one_interval"}


def test_hours_not_given_dose_two_waits_only_for_dose_one() -> None:
    """Assens, Gladsaxe, Odsherred: the seeds give no dispensing times (hours `unknown`): the
    window cannot tell the intervals apart, and says nothing it cannot know."""
    history = [
        record(MONDAY - timedelta(days=1), preparation="diacetylmorfin"),
        record(MONDAY, at=at(MONDAY, 8, 30), preparation="diacetylmorfin"),
    ]
    dose = only(due(heroin(), MONDAY, history, now=at(MONDAY, 8, 31), intervals=None))
    assert (dose.state, dose.alerts, dose.not_before) == ("due", (), None)


@pytest.mark.parametrize("day", [SPRING_FORWARD, FALL_BACK])
def test_the_intervals_hold_on_the_days_the_clocks_change(day: date) -> None:
    history = [
        record(day - timedelta(days=1), preparation="diacetylmorfin"),
        record(day, at=at(day, 9), preparation="diacetylmorfin"),
    ]
    intervals = clinic_intervals(day)
    assert intervals[1][0] == at(day, 14, 30)
    assert only(due(heroin(), day, history, now=at(day, 14, 29), intervals=intervals)).state == "blocked"
    assert only(due(heroin(), day, history, now=at(day, 14, 30), intervals=intervals)).state == "due"


def test_a_hold_holds_both_doses_and_a_release_frees_both() -> None:
    held = due(heroin(last_dispensed_on=MONDAY - timedelta(days=4)), MONDAY)
    assert [d.state for d in held] == ["hold", "hold"]
    released = due(
        heroin(last_dispensed_on=MONDAY - timedelta(days=4)), MONDAY, release=Release(MONDAY, "LAE", "ok", None)
    )
    assert [d.state for d in released] == ["due", "blocked"]


# --- delivery and supervised-only ----------------------------------------------------------------------


def test_a_home_delivery_is_due_on_its_day_with_everything_going_home() -> None:
    o = order(
        pickup_rule="FREQ=WEEKLY;BYDAY=WE",
        supervised=False,
        delivery=True,
        last_dispensed_on=WEDNESDAY - timedelta(days=7),
    )
    dose = only(due(o, WEDNESDAY))
    assert dose.delivery
    assert (dose.covers_days, dose.take_home_days, dose.take_home_mg, dose.missed_days) == (7, 7, Decimal("560"), 0)
    assert due(o, THURSDAY) == [] and due(o, TUESDAY) == []
    # Delivered twice-daily doses go together: one delivery, no window slots.
    twice = only(due(o._replace(doses_per_day=2, supervised=True), WEDNESDAY))
    assert (twice.dose_number, twice.take_home_days, twice.take_home_mg) == (1, 7, Decimal("1120"))


def test_heroin_never_goes_home_even_if_an_order_says_so() -> None:
    for unsafe in (heroin(supervised=False), heroin(delivery=True)):
        dose = only(due(unsafe, MONDAY))
        assert dose.state == "blocked" and alert_of(dose, TAKE_HOME_NOT_ALLOWED).blocks
        assert dose.covers_days == 1
    weekly = heroin(pickup_rule=MON_THU)
    assert [d.take_home_days for d in due(weekly, MONDAY)] == [0, 0]


# --- rules, inputs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rule",
    [
        DAILY,
        MON_THU,
        "FREQ=WEEKLY;BYDAY=WE",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY",
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        "FREQ=DAILY;COUNT=10",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20261231",
    ],
)
def test_pickup_days_match_dateutil_over_two_years(rule: str) -> None:
    start = date(2025, 1, 7)
    o = order(pickup_rule=rule, valid_from=start)
    expected = [
        moment.date()
        for moment in rrulestr(rule, dtstart=datetime(2025, 1, 7)).between(
            datetime(2025, 1, 7), datetime(2026, 12, 31), inc=True
        )
    ]
    assert pickup_days(o, start, date(2026, 12, 31)) == expected
    # Asked from a later day (the fast paths move the rule's start forward).
    for later in (date(2025, 6, 3), date(2026, 3, 29), date(2026, 10, 25)):
        window = pickup_days(o, later, later + timedelta(days=30))
        assert window == [d for d in expected if later <= d <= later + timedelta(days=30)]


def test_daily_rules_for_supervised_only_preparations() -> None:
    assert is_daily_rule("FREQ=DAILY") and is_daily_rule("RRULE:freq=daily;until=20261231;")
    assert is_daily_rule("FREQ=DAILY;INTERVAL=1")
    for rule in ("FREQ=DAILY;INTERVAL=2", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=DAILY;BYDAY=MO", "FREQ=WEEKLY"):
        assert not is_daily_rule(rule), rule


def test_wrong_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="rules are for"):
        doses_due(order(), MONDAY, morning(MONDAY), [], RULES["buprenorfin"], always_open)
    with pytest.raises(ValueError, match="aware"):
        doses_due(order(), MONDAY, datetime(2026, 3, 2, 9), [], RULES["metadon"], always_open)


def test_not_a_pickup_day_names_the_next_one_within_the_order() -> None:
    rules = RULES["metadon"]
    monthly = order(pickup_rule="FREQ=MONTHLY;BYMONTHDAY=1", supervised=False)
    assert refused(monthly, MONDAY, rules).params == {"day": MONDAY, "next": date(2026, 4, 1)}
    ending = monthly._replace(valid_to=date(2026, 3, 31))
    assert refused(ending, MONDAY, rules).params == {"day": MONDAY, "next": None}
    every_other = order(pickup_rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", valid_from=THURSDAY, supervised=False)
    friday = THURSDAY + timedelta(days=1)
    assert refused(every_other, friday, rules).params["next"] == THURSDAY + timedelta(days=14)
    weekly = order(pickup_rule="FREQ=WEEKLY;BYDAY=WE", valid_to=WEDNESDAY - timedelta(days=1))
    assert refused(weekly, MONDAY, rules).params["next"] is None


def test_a_dose_the_journal_knows_of_today_is_never_given_again() -> None:
    o = order(last_dispensed_on=MONDAY)
    assert due(o, MONDAY) == []
    alert = refused(o, MONDAY, RULES["metadon"])
    assert (alert.code, alert.params) == (ALREADY_COVERED, {"until": MONDAY, "service_date": MONDAY})
    # The journal's Friday pickup before a closed Saturday covers Saturday too.
    friday, saturday = MONDAY + timedelta(days=4), MONDAY + timedelta(days=5)
    covered = order(last_dispensed_on=friday)
    assert due(covered, saturday, service_open=closed_on(saturday)) == []
    assert refused(covered, saturday, RULES["metadon"], service_open=closed_on(saturday)).code == ALREADY_COVERED
    assert only(due(covered, saturday)).missed_days == 0


# --- supervised at the heroin clinic (000 § 5.4) ------------------------------------------------


@pytest.mark.parametrize("site", SITES)
def test_which_preparations_the_heroin_clinic_supervises(site: str) -> None:
    """000 § 5.4 (Odense, Heroinklinikken): "Overvåget indtag af heroin samt metadon eller morfin".
    The other seeds have no heroin clinic: no such rule there."""
    dispensing = load_site(site).dispensing
    if site == "odense":
        assert dispensing.supervised_at_heroin_clinic == ("metadon", "morfin")
        assert "Overvåget indtag af heroin samt metadon eller morfin" in dispensing.supervised_at_heroin_clinic_source
    else:
        assert dispensing.supervised_at_heroin_clinic == ()


@pytest.mark.parametrize("preparation", ["metadon", "morfin"])
def test_at_the_heroin_clinic_methadone_and_morphine_never_go_home(preparation: str) -> None:
    """000 § 5.4: "Overvåget indtag af heroin samt metadon eller morfin": no take-home, no delivery."""
    rules = supervised_only(RULES[preparation])
    assert (rules.take_home_allowed, rules.max_take_home_days) == (False, 0)
    assert rules.missed_days_before_reassessment == RULES[preparation].missed_days_before_reassessment
    last = MONDAY - timedelta(days=1)
    weekly = order(preparation=preparation, pickup_rule=MON_THU, last_dispensed_on=last)
    dose = only(due(weekly, MONDAY, rules=rules))
    assert (dose.covers_days, dose.take_home_days, dose.state) == (1, 0, "due")
    unsupervised = only(
        due(order(preparation=preparation, supervised=False, last_dispensed_on=last), MONDAY, rules=rules)
    )
    assert alert_of(unsupervised, TAKE_HOME_NOT_ALLOWED).blocks and unsupervised.state == "blocked"
    delivered = only(due(order(preparation=preparation, delivery=True, last_dispensed_on=last), MONDAY, rules=rules))
    assert alert_of(delivered, TAKE_HOME_NOT_ALLOWED).blocks
    # Negative: in the medicine room (not the heroin clinic's) the same order goes home as before.
    home = only(due(weekly, MONDAY))
    assert (home.covers_days, home.take_home_days) == (3, 2)


def test_the_import_names_each_field_that_would_let_an_order_leave_the_clinic() -> None:
    assert away_from_window(DAILY, True, False) == []
    assert away_from_window(MON_THU, False, True) == ["pickup_rule", "supervised", "delivery"]
    assert away_from_window(DAILY, True, True) == ["delivery"]


# --- Gladsaxe: the visitation committee's approval (003 § 3.2.1) -----------------------------------


@pytest.mark.parametrize("site", SITES)
def test_which_site_asks_an_approval_before_medicine_leaves_the_centre(site: str) -> None:
    """003 § 3.2.1 (Gladsaxe): "Der kan i særlige tilfælde udleveres medicin andre steder end på
    Rusmiddelcentrets adresse. [...] Visitation til denne ordning forudsætter en godkendelse i
    Rusmiddelcentrets visitationsudvalg." The seed speaks of dispensing away from the centre
    (delivery), not of take-home picked up there. The other seeds ask no approval."""
    dispensing = load_site(site).dispensing
    if site == "gladsaxe":
        assert dispensing.approval_required_for == ("delivery",)
        assert "forudsætter en godkendelse i Rusmiddelcentrets visitationsudvalg" in (
            dispensing.approval_required_for_source
        )
    else:
        assert dispensing.approval_required_for == ()


def test_gladsaxe_a_delivery_without_approval_is_blocked_until_it_is_recorded() -> None:
    """003 § 3.2.1: "Visitation til denne ordning forudsætter en godkendelse i Rusmiddelcentrets
    visitationsudvalg"."""
    gladsaxe = {p.id: p for p in load_site("gladsaxe").preparations}
    required = load_site("gladsaxe").dispensing.approval_required_for
    last = MONDAY - timedelta(days=7)
    delivery = order(pickup_rule="FREQ=WEEKLY;BYDAY=MO", supervised=False, delivery=True, last_dispensed_on=last)
    blocked = only(due(delivery, MONDAY, rules=gladsaxe["metadon"], approval_required_for=required))
    assert blocked.state == "blocked"
    assert (
        alert_of(blocked, APPROVAL_MISSING).params == {"kind": "delivery"}
        and alert_of(blocked, APPROVAL_MISSING).blocks
    )
    approved = delivery._replace(approved_on=MONDAY - timedelta(days=30))
    assert only(due(approved, MONDAY, rules=gladsaxe["metadon"], approval_required_for=required)).state == "due"
    # An approval dated after the day is not yet an approval.
    later = delivery._replace(approved_on=TUESDAY)
    assert only(due(later, MONDAY, rules=gladsaxe["metadon"], approval_required_for=required)).state == "blocked"
    # Negative: take-home picked up at the centre is dispensed at its address: no approval asked.
    take_home = order(pickup_rule=MON_THU, last_dispensed_on=MONDAY - timedelta(days=1))
    dose = only(due(take_home, MONDAY, rules=gladsaxe["metadon"], approval_required_for=required))
    assert dose.take_home_days == 2 and dose.alert(APPROVAL_MISSING) is None
    # Negative: a window dose taken at the centre needs none either.
    assert (
        only(due(order(last_dispensed_on=MONDAY - timedelta(days=1)), MONDAY, approval_required_for=required)).state
        == "due"
    )


@pytest.mark.parametrize("site", ["odense", "assens", "odsherred"])
def test_other_sites_hand_out_a_delivery_without_an_approval_date(site: str) -> None:
    """Only 003 § 3.2.1 asks the visitation committee's approval; 000/001, 002 and 004 do not."""
    required = load_site(site).dispensing.approval_required_for
    delivery = order(
        pickup_rule="FREQ=WEEKLY;BYDAY=MO",
        supervised=False,
        delivery=True,
        last_dispensed_on=MONDAY - timedelta(days=7),
    )
    dose = only(due(delivery, MONDAY, approval_required_for=required))
    assert dose.state == "due" and dose.alert(APPROVAL_MISSING) is None


def test_take_home_needs_an_approval_where_a_site_asks_it() -> None:
    """The setting allows "take_home" as well (DESIGN §1 reads 003 § 3.2.1 so); no shipped site sets it."""
    take_home = order(pickup_rule=MON_THU, last_dispensed_on=MONDAY - timedelta(days=1))
    dose = only(due(take_home, MONDAY, approval_required_for=("take_home",)))
    assert alert_of(dose, APPROVAL_MISSING).params == {"kind": "take_home"}
    window_only = order(last_dispensed_on=MONDAY - timedelta(days=1))
    assert only(due(window_only, MONDAY, approval_required_for=("take_home",))).state == "due"
