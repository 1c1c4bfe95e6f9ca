"""The dispensing rules of DESIGN §1 "Medication dispensing", at their edges, per preparation.

The settings are Odense's site file (the numbers each entry names a source for), so a change
there that breaks a rule shows here. Dates: 2026-03-02 is a Monday; 2026-03-29 and 2026-10-25
are the days Copenhagen's clocks change.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from skranke.domain.dispensing import (
    ALREADY_COVERED,
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
    DoseRecord,
    Order,
    Release,
    covered_days,
    doses_due,
    is_daily_rule,
    journal_covered_until,
    missed_days,
    pickup_days,
    why_not_due,
)
from skranke.domain.site import Preparation, parse
from skranke.sites import load_site

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


def always_open(_day: date) -> bool:
    return True


def closed_on(*days: date):
    return lambda day: day not in days


def order(**changes) -> Order:
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


def morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), CPH)


def due(o: Order, day: date, history=(), *, now=None, service_open=always_open, release=None):
    return doses_due(o, day, now or morning(day), history, RULES[o.preparation], service_open, release)


def only(doses):
    assert len(doses) == 1, doses
    return doses[0]


def codes(dose) -> list[str]:
    return [a.code for a in dose.alerts]


# --- the settings --------------------------------------------------------------------------


def test_every_preparation_has_its_settings_and_source():
    assert RULES["metadon"].missed_days_before_reassessment == 4
    assert RULES["buprenorfin"].missed_days_before_reassessment == 7
    heroin = RULES["diacetylmorfin"]
    assert not heroin.take_home_allowed and heroin.max_take_home_days == 0
    assert heroin.min_interval_minutes == 30
    for rules in RULES.values():
        assert rules.source and rules.ends_soon_days == 3


def test_a_site_file_cannot_let_heroin_go_home():
    base = {"name": "x", "missed_days_before_reassessment": 3, "min_interval_minutes": 30, "source": "s"}
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


def test_daily_supervised_methadone_is_one_window_dose():
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
def test_monday_and_thursday_pickups_cover_until_the_next_pickup(preparation):
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
    assert why_not_due(supervised, TUESDAY, RULES[preparation]).params == {"day": TUESDAY, "next": THURSDAY}
    assert why_not_due(supervised, MONDAY, RULES[preparation]) is None


def test_not_yet_valid_and_expired_orders_are_not_due_and_say_why():
    o = order(valid_from=TUESDAY, valid_to=THURSDAY)
    assert due(o, MONDAY) == [] and due(o, MONDAY + timedelta(days=4)) == []
    assert why_not_due(o, MONDAY, RULES["metadon"]).code == NOT_YET_VALID
    expired = why_not_due(o, MONDAY + timedelta(days=4), RULES["metadon"])
    assert (expired.code, expired.params, expired.blocks) == (EXPIRED, {"valid_to": THURSDAY}, True)
    assert why_not_due(o, TUESDAY, RULES["metadon"]) is None
    assert why_not_due(o, THURSDAY, RULES["metadon"]) is None


@pytest.mark.parametrize("preparation", PREPARATIONS)
def test_an_order_ending_today_is_due_covers_one_day_and_warns(preparation):
    take_home = RULES[preparation].take_home_allowed
    o = order(
        preparation=preparation, pickup_rule=MON_THU if take_home else DAILY, valid_to=MONDAY, supervised=not take_home
    )
    dose = due(o, MONDAY)[0]
    assert (dose.covers_days, dose.take_home_days) == (1, 1 if take_home else 0)
    assert dose.alert(ENDS_SOON).params == {"days_left": 0, "valid_to": MONDAY}
    assert dose.state == "due"


@pytest.mark.parametrize("preparation", PREPARATIONS)
def test_ends_soon_at_the_sites_days_and_not_one_day_before(preparation):
    warn = RULES[preparation].ends_soon_days
    o = order(preparation=preparation, valid_to=MONDAY + timedelta(days=warn))
    assert only(due(o, MONDAY)).alert(ENDS_SOON).params["days_left"] == warn
    assert only(due(o, MONDAY - timedelta(days=1))).alert(ENDS_SOON) is None
    assert only(due(o, MONDAY + timedelta(days=1))).alert(ENDS_SOON).params["days_left"] == warn - 1


def test_the_end_of_an_order_caps_what_goes_home():
    o = order(pickup_rule=MON_THU, valid_to=TUESDAY)
    assert only(due(o, MONDAY)).covers_days == 2


def test_take_home_is_capped_by_the_sites_maximum():
    every_third_week = order(pickup_rule="FREQ=WEEKLY;INTERVAL=3;BYDAY=MO", supervised=False, valid_from=MONDAY)
    dose = only(due(every_third_week, MONDAY))
    assert dose.covers_days == dose.take_home_days == RULES["metadon"].max_take_home_days == 14
    supervised = every_third_week._replace(supervised=True)
    assert only(due(supervised, MONDAY)).take_home_days == 14


# --- closed days -------------------------------------------------------------------------------


@pytest.mark.parametrize("preparation", TAKE_HOME_PREPARATIONS)
def test_a_closed_day_is_covered_by_the_pickup_before_it(preparation):
    dose = only(due(order(preparation=preparation), MONDAY, service_open=closed_on(TUESDAY)))
    assert (dose.covers_days, dose.take_home_days) == (2, 1)
    assert dose.alert(CLOSED_DAY_IN_PERIOD).params == {"day": TUESDAY, "covered": True}
    two = only(due(order(preparation=preparation), MONDAY, service_open=closed_on(TUESDAY, WEDNESDAY)))
    closed = [a.params["day"] for a in two.alerts if a.code == CLOSED_DAY_IN_PERIOD]
    assert two.covers_days == 3 and closed == [TUESDAY, WEDNESDAY]


def test_a_closed_thursday_inside_a_take_home_period_moves_the_next_pickup():
    o = order(pickup_rule=MON_THU, preparation="buprenorfin", last_dispensed_on=THURSDAY - timedelta(days=7))
    dose = only(due(o, MONDAY, service_open=closed_on(THURSDAY)))
    assert (dose.covers_days, dose.take_home_days) == (7, 6)
    assert codes(dose) == [CLOSED_DAY_IN_PERIOD]
    # A closed day that is not a pickup day changes nothing: Monday covers it anyway.
    assert codes(only(due(o, MONDAY, service_open=closed_on(TUESDAY)))) == []
    assert only(due(o, MONDAY, service_open=closed_on(TUESDAY))).covers_days == 3


def test_hours_not_given_never_send_medicine_home():
    dose = only(due(order(last_dispensed_on=MONDAY - timedelta(days=1)), MONDAY, service_open=lambda _day: None))
    assert (dose.covers_days, dose.alerts) == (1, ())


def test_heroin_cannot_cover_a_closed_day_and_says_so():
    heroin = order(preparation="diacetylmorfin", dose_mg=Decimal("200"), doses_per_day=2)
    doses = due(heroin, MONDAY, service_open=closed_on(TUESDAY))
    assert [d.covers_days for d in doses] == [1, 1]
    assert doses[0].alert(CLOSED_DAY_IN_PERIOD).params == {"day": TUESDAY, "covered": False}
    assert doses[0].take_home_mg == 0


def test_a_given_dose_that_covers_the_day_makes_it_not_due():
    # Friday's pickup covered Saturday (closed); Saturday's queue has nothing for it.
    friday, saturday = MONDAY + timedelta(days=4), MONDAY + timedelta(days=5)
    history = [record(friday, covers=2)]
    assert due(order(), saturday, history) == []
    alert = why_not_due(order(), saturday, RULES["metadon"], history=history)
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


def test_missed_days_follow_the_definition():
    assert missed_days([record(MONDAY - timedelta(days=1))], MONDAY) == 0
    assert missed_days([record(MONDAY - timedelta(days=7))], MONDAY) == 6
    assert missed_days([record(MONDAY - timedelta(days=2))], MONDAY) == 1
    assert missed_days([record(THURSDAY - timedelta(days=7), covers=4)], MONDAY) == 0
    assert missed_days([record(THURSDAY - timedelta(days=7), covers=3)], MONDAY) == 1
    assert missed_days([], MONDAY) is None
    assert missed_days([], MONDAY, journal_covered=MONDAY - timedelta(days=3)) == 2


def test_refused_missed_and_voided_records_cover_nothing():
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


def test_the_journal_starts_the_count_before_our_own_records():
    o = order(last_dispensed_on=MONDAY - timedelta(days=3))
    assert only(due(o, MONDAY)).missed_days == 2
    # Our own later records win over an older journal date, and the other way round.
    assert only(due(o, MONDAY, [record(MONDAY - timedelta(days=1))])).missed_days == 0
    assert only(due(o, MONDAY, [record(MONDAY - timedelta(days=5))])).missed_days == 2


def test_the_journals_last_pickup_covers_like_a_pickup():
    o = order(pickup_rule=MON_THU, supervised=False, last_dispensed_on=THURSDAY - timedelta(days=7))
    assert journal_covered_until(o, RULES["metadon"], always_open) == MONDAY - timedelta(days=1)
    assert only(due(o, MONDAY)).missed_days == 0
    # A journal date that is not a pickup day of this order covers that day only.
    off_rule = o._replace(last_dispensed_on=MONDAY - timedelta(days=2))
    assert journal_covered_until(off_rule, RULES["metadon"], always_open) == MONDAY - timedelta(days=2)
    assert only(due(off_rule, MONDAY)).missed_days == 1


def test_no_history_at_all_is_unknown_never_zero():
    dose = only(due(order(), MONDAY))
    assert dose.missed_days is None
    assert codes(dose) == [NO_HISTORY] and not dose.alerts[0].blocks
    assert dose.state == "due"


@pytest.mark.parametrize("preparation", PREPARATIONS)
@pytest.mark.parametrize("source", ["records", "journal"])
def test_hold_at_the_threshold_not_one_day_before(preparation, source):
    threshold = RULES[preparation].missed_days_before_reassessment

    def dose_after(missed: int):
        last = MONDAY - timedelta(days=missed + 1)
        o = order(preparation=preparation, last_dispensed_on=last if source == "journal" else None)
        history = [record(last, preparation=preparation)] if source == "records" else []
        return due(o, MONDAY, history)[0]

    below = dose_after(threshold - 1)
    assert (below.missed_days, below.state) == (threshold - 1, "due")
    assert below.alert(MISSED_DAYS).params == {"days": threshold - 1, "threshold": threshold}
    assert below.alert(HOLD_REASSESSMENT) is None
    for missed in (threshold, threshold + 1):
        held = dose_after(missed)
        assert (held.missed_days, held.state) == (missed, "hold")
        hold = held.alert(HOLD_REASSESSMENT)
        assert hold.params == {"days": missed, "threshold": threshold} and hold.blocks
        assert held.alert(MISSED_DAYS) is None


def test_a_release_lifts_the_hold_for_that_day_only_with_a_reduced_dose():
    o = order(pickup_rule=MON_THU, last_dispensed_on=MONDAY - timedelta(days=12))
    release = Release(MONDAY, "LAE", "vurderet, halv dosis", Decimal("40"))
    dose = only(due(o, MONDAY, release=release))
    assert (dose.state, dose.dose_mg, dose.take_home_mg) == ("due", Decimal("40"), Decimal("80"))
    assert codes(dose) == [MISSED_DAYS, RELEASED]
    assert dose.alert(RELEASED).params == {
        "staff_id": "LAE",
        "reason": "vurderet, halv dosis",
        "dose_mg": Decimal("40"),
    }
    full = only(due(o, MONDAY, release=replace(release, dose_mg=None)))
    assert (full.state, full.dose_mg) == ("due", Decimal("80"))
    yesterdays = replace(release, service_date=MONDAY - timedelta(days=1))
    still = only(due(o, MONDAY, release=yesterdays))
    assert (still.state, still.dose_mg, codes(still)) == ("hold", Decimal("80"), [HOLD_REASSESSMENT])


def test_missed_days_are_counted_in_days_across_both_dst_changes():
    for change in (SPRING_FORWARD, FALL_BACK):
        assert only(due(order(), change, [record(change - timedelta(days=1))])).missed_days == 0
        assert only(due(order(), change + timedelta(days=1), [record(change - timedelta(days=1))])).missed_days == 1
        assert pickup_days(order(pickup_rule="FREQ=WEEKLY;BYDAY=SU"), change, change) == [change]


# --- recorded ---------------------------------------------------------------------------------------


def test_a_dose_recorded_under_another_order_id_is_recorded():
    history = [record(MONDAY, prescription_id="O-old")]
    assert due(order(id="O-new"), MONDAY, history) == []
    assert due(order(), MONDAY, [record(MONDAY, outcome="refused")]) == []
    assert len(due(order(), MONDAY, [record(MONDAY, voided=True)])) == 1
    assert len(due(order(), MONDAY, [record(MONDAY, preparation="buprenorfin")])) == 1


# --- twice daily --------------------------------------------------------------------------------------


def heroin(**changes) -> Order:
    return order(preparation="diacetylmorfin", dose_mg=Decimal("200"), doses_per_day=2, **changes)


def test_twice_daily_heroin_has_two_slots_and_dose_two_waits_for_dose_one():
    doses = due(heroin(last_dispensed_on=MONDAY - timedelta(days=1)), MONDAY)
    assert [d.dose_number for d in doses] == [1, 2]
    assert [d.state for d in doses] == ["due", "blocked"]
    assert doses[1].alert(FIRST_DOSE_PENDING).blocks
    assert [(d.covers_days, d.take_home_days) for d in doses] == [(1, 0), (1, 0)]


def test_dose_two_before_and_after_the_minimum_interval():
    given_at = datetime.combine(MONDAY, time(8, 30), CPH)
    history = [
        record(MONDAY - timedelta(days=1), preparation="diacetylmorfin"),
        record(MONDAY, at=given_at, preparation="diacetylmorfin"),
    ]
    interval = timedelta(minutes=RULES["diacetylmorfin"].min_interval_minutes)
    before = only(due(heroin(), MONDAY, history, now=given_at + interval - timedelta(minutes=1)))
    assert (before.dose_number, before.state, before.not_before) == (2, "blocked", given_at + interval)
    assert before.alert(INTERVAL_NOT_REACHED).params == {"not_before": given_at + interval, "minutes": 30}
    at = only(due(heroin(), MONDAY, history, now=given_at + interval))
    assert (at.state, at.alerts, at.not_before) == ("due", (), given_at + interval)
    # Dose 1 refused: nothing given, so nothing to wait for.
    refused = [history[0], record(MONDAY, outcome="refused", at=given_at, preparation="diacetylmorfin")]
    assert only(due(heroin(), MONDAY, refused, now=given_at)).state == "due"
    both = [*history, record(MONDAY, dose_number=2, preparation="diacetylmorfin")]
    assert due(heroin(), MONDAY, both) == []


def test_the_interval_is_elapsed_time_when_clocks_go_forward():
    # 01:50 CET + 30 minutes is 03:20 CEST (02:20 does not exist that night).
    given_at = datetime.combine(SPRING_FORWARD, time(1, 50), CPH)
    history = [record(SPRING_FORWARD, at=given_at, preparation="diacetylmorfin")]
    o = heroin(last_dispensed_on=SPRING_FORWARD - timedelta(days=1))
    blocked = only(due(o, SPRING_FORWARD, history, now=datetime.combine(SPRING_FORWARD, time(3, 19), CPH)))
    assert blocked.state == "blocked"
    assert blocked.not_before.replace(tzinfo=None) == datetime(2026, 3, 29, 3, 20)
    assert only(due(o, SPRING_FORWARD, history, now=datetime.combine(SPRING_FORWARD, time(3, 20), CPH))).state == "due"


def test_the_interval_is_elapsed_time_when_clocks_go_back():
    # 02:50 CEST (the first 02:50) + 30 minutes is 02:20 CET (the second 02:20).
    given_at = datetime(2026, 10, 25, 2, 50, tzinfo=CPH, fold=0)
    history = [record(FALL_BACK, at=given_at, preparation="diacetylmorfin")]
    o = heroin(last_dispensed_on=FALL_BACK - timedelta(days=1))
    dose = only(due(o, FALL_BACK, history, now=datetime(2026, 10, 25, 2, 55, tzinfo=CPH, fold=0)))
    assert dose.state == "blocked", "5 minutes after dose 1, though 02:55 reads later than 02:20"
    assert (dose.not_before.hour, dose.not_before.minute, dose.not_before.fold) == (2, 20, 1)
    at_first_0219 = datetime(2026, 10, 25, 2, 19, tzinfo=CPH, fold=1)
    assert only(due(o, FALL_BACK, history, now=at_first_0219)).state == "blocked"
    after = datetime(2026, 10, 25, 2, 20, tzinfo=CPH, fold=1)
    assert only(due(o, FALL_BACK, history, now=after)).state == "due"


def test_a_hold_holds_both_doses_and_a_release_frees_both():
    held = due(heroin(last_dispensed_on=MONDAY - timedelta(days=4)), MONDAY)
    assert [d.state for d in held] == ["hold", "hold"]
    released = due(
        heroin(last_dispensed_on=MONDAY - timedelta(days=4)), MONDAY, release=Release(MONDAY, "LAE", "ok", None)
    )
    assert [d.state for d in released] == ["due", "blocked"]


# --- delivery and supervised-only ----------------------------------------------------------------------


def test_a_home_delivery_is_due_on_its_day_with_everything_going_home():
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


def test_heroin_never_goes_home_even_if_an_order_says_so():
    for unsafe in (heroin(supervised=False), heroin(delivery=True)):
        dose = only(due(unsafe, MONDAY))
        assert dose.state == "blocked" and dose.alert(TAKE_HOME_NOT_ALLOWED).blocks
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
def test_pickup_days_match_dateutil_over_two_years(rule):
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


def test_daily_rules_for_supervised_only_preparations():
    assert is_daily_rule("FREQ=DAILY") and is_daily_rule("RRULE:freq=daily;until=20261231;")
    assert is_daily_rule("FREQ=DAILY;INTERVAL=1")
    for rule in ("FREQ=DAILY;INTERVAL=2", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=DAILY;BYDAY=MO", "FREQ=WEEKLY"):
        assert not is_daily_rule(rule), rule


def test_wrong_inputs_are_refused():
    with pytest.raises(ValueError, match="rules are for"):
        doses_due(order(), MONDAY, morning(MONDAY), [], RULES["buprenorfin"], always_open)
    with pytest.raises(ValueError, match="aware"):
        doses_due(order(), MONDAY, datetime(2026, 3, 2, 9), [], RULES["metadon"], always_open)


def test_not_a_pickup_day_names_the_next_one_within_the_order():
    rules = RULES["metadon"]
    monthly = order(pickup_rule="FREQ=MONTHLY;BYMONTHDAY=1", supervised=False)
    assert why_not_due(monthly, MONDAY, rules).params == {"day": MONDAY, "next": date(2026, 4, 1)}
    ending = monthly._replace(valid_to=date(2026, 3, 31))
    assert why_not_due(ending, MONDAY, rules).params == {"day": MONDAY, "next": None}
    every_other = order(pickup_rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", valid_from=THURSDAY, supervised=False)
    friday = THURSDAY + timedelta(days=1)
    assert why_not_due(every_other, friday, rules).params["next"] == THURSDAY + timedelta(days=14)
    weekly = order(pickup_rule="FREQ=WEEKLY;BYDAY=WE", valid_to=WEDNESDAY - timedelta(days=1))
    assert why_not_due(weekly, MONDAY, rules).params["next"] is None


def test_a_dose_the_journal_knows_of_today_is_never_given_again():
    o = order(last_dispensed_on=MONDAY)
    assert due(o, MONDAY) == []
    alert = why_not_due(o, MONDAY, RULES["metadon"])
    assert (alert.code, alert.params) == (ALREADY_COVERED, {"until": MONDAY, "service_date": MONDAY})
    # The journal's Friday pickup before a closed Saturday covers Saturday too.
    friday, saturday = MONDAY + timedelta(days=4), MONDAY + timedelta(days=5)
    covered = order(last_dispensed_on=friday)
    assert due(covered, saturday, service_open=closed_on(saturday)) == []
    assert why_not_due(covered, saturday, RULES["metadon"], service_open=closed_on(saturday)).code == ALREADY_COVERED
    assert only(due(covered, saturday)).missed_days == 0
