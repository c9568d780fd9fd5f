"""Periods, due dates inherited down the org tree, and the reminder calendar: pure functions."""

from datetime import date, datetime, time, timedelta

import pytest

from reminders.policy import PolicyError, ReminderPolicy
from reports.periods import (
    Period, around, current_and_next, due_problem, latest_started, period_of_due, resolve_due, shift_years,
)
from tests.reminders_support import vn


# ---------------------------------------------------------------------- periods across the year boundary

def test_periods_follow_the_decree_cut_off():
    h1, annual = Period(2026, "half_year"), Period(2026, "annual")
    assert (h1.start, h1.end, h1.key) == (date(2025, 12, 15), date(2026, 6, 14), "2026-H1")
    assert (annual.start, annual.end, annual.key) == (date(2025, 12, 15), date(2026, 12, 14), "2026")
    assert (h1.default_due, annual.default_due) == (date(2026, 6, 20), date(2026, 12, 20))


def test_the_new_period_starts_on_15_december_of_the_year_before():
    assert latest_started("annual", date(2026, 12, 14)) == Period(2026, "annual")
    assert latest_started("annual", date(2026, 12, 15)) == Period(2027, "annual")
    assert current_and_next("half_year", date(2026, 12, 31)) == (Period(2027, "half_year"), Period(2028, "half_year"))
    assert current_and_next("annual", date(2027, 1, 2)) == (Period(2027, "annual"), Period(2028, "annual"))
    # on 17 December the data of 2027 is being collected, but the annual report still due is 2026's
    assert Period(2026, "annual") in around("annual", date(2026, 12, 17))


def test_a_due_date_belongs_to_the_period_whose_cut_off_it_follows():
    assert period_of_due("annual", date(2026, 12, 20)) == Period(2026, "annual")
    assert period_of_due("annual", date(2027, 1, 5)) == Period(2026, "annual")  # across the new year
    assert period_of_due("half_year", date(2026, 6, 15)) == Period(2026, "half_year")
    assert period_of_due("half_year", date(2026, 6, 14)) == Period(2025, "half_year")
    assert due_problem(Period(2026, "half_year"), date(2026, 6, 14)) == "before_end"
    assert due_problem(Period(2026, "half_year"), date(2026, 6, 15)) is None
    assert due_problem(Period(2026, "half_year"), date(2026, 9, 12)) is None  # 90 days after the cut-off
    assert due_problem(Period(2026, "half_year"), date(2026, 9, 13)) == "too_late"


# ---------------------------------------------------------------------- inherited and overridden deadlines

H1_2026 = Period(2026, "half_year")


def test_without_any_setting_the_default_applies():
    assert resolve_due(H1_2026, [{}, {}, {}]) == (date(2026, 6, 20), -1)


def test_a_province_default_reaches_every_unit_below_and_moves_with_the_year():
    province = {None: date(2024, 6, 25)}  # set in 2024 "every year"
    assert resolve_due(H1_2026, [{}, {}, province]) == (date(2026, 6, 25), 2)
    annual_in_january = {None: date(2025, 1, 10)}  # the 2024 annual report, due in the January after
    assert resolve_due(Period(2026, "annual"), [{}, annual_in_january]) == (date(2027, 1, 10), 1)


def test_the_nearest_unit_overrides_and_a_year_setting_beats_its_default():
    province = {None: date(2026, 6, 25)}
    district = {2026: date(2026, 6, 18)}
    assert resolve_due(H1_2026, [{}, district, province]) == (date(2026, 6, 18), 1)
    assert resolve_due(Period(2027, "half_year"), [{}, district, province]) == (date(2027, 6, 25), 2)
    both = {None: date(2026, 6, 30), 2026: date(2026, 6, 17)}
    assert resolve_due(H1_2026, [both, province]) == (date(2026, 6, 17), 0)
    assert resolve_due(Period(2027, "half_year"), [both, province]) == (date(2027, 6, 30), 0)


def test_29_february_becomes_28_in_a_common_year():
    assert shift_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert shift_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


# ---------------------------------------------------------------------- the reminder calendar

def test_default_slots_around_a_sunday_due_date():
    """Due on Sunday 20/12/2026: "due" goes on Friday 18, the last working day before it; the days
    before step back so that each reminder keeps a working day of its own; the first overdue one
    comes two working days after the due date."""
    policy = ReminderPolicy()
    slots = policy.officer_slots(date(2026, 12, 20))  # a Sunday
    assert [(s.kind, s.day) for s in slots[:6]] == [
        ("before-7", date(2026, 12, 11)),  # Sunday 13 → Friday 11
        ("before-3", date(2026, 12, 16)),  # Thursday 17 is taken by before-1
        ("before-1", date(2026, 12, 17)),  # Saturday 19 → Friday 18, taken by "due" → Thursday 17
        ("due", date(2026, 12, 18)),
        ("overdue-1", date(2026, 12, 22)),  # two working days after Sunday: Monday, Tuesday
        ("overdue-2", date(2026, 12, 24)),
    ]
    assert slots[6].day == date(2026, 12, 28)  # Thursday 24 + Friday 25 + Monday 28
    assert len(slots) == 3 + 1 + 15
    assert all(policy.is_working_day(s.day) for s in slots)


def test_a_weekday_due_date_keeps_its_days():
    slots = ReminderPolicy().officer_slots(date(2026, 12, 16))  # a Wednesday
    assert [(s.kind, s.day) for s in slots[:5]] == [
        ("before-7", date(2026, 12, 9)), ("before-3", date(2026, 12, 11)), ("before-1", date(2026, 12, 15)),
        ("due", date(2026, 12, 16)), ("overdue-1", date(2026, 12, 18))]


def test_the_latest_slot_that_has_come_is_the_one_to_send():
    policy = ReminderPolicy()
    slots = policy.officer_slots(date(2026, 12, 20))
    assert policy.latest(slots, date(2026, 12, 10)) is None  # not yet
    assert policy.latest(slots, date(2026, 12, 14)).kind == "before-7"  # missed on Friday: sent on Monday
    assert policy.latest(slots, date(2026, 12, 18)).kind == "due"
    assert policy.latest(slots, date(2026, 12, 21)).kind == "due"  # nothing new on Monday
    assert policy.latest(slots, date(2026, 12, 23)).kind == "overdue-1"
    assert policy.latest(slots, slots[-1].day + timedelta(days=1)) is None  # the series is over


def test_office_hours_weekends_and_holidays():
    policy = ReminderPolicy(holidays=frozenset({date(2026, 9, 2)}))
    assert not policy.in_office_hours(vn("2026-12-17 07:29"))
    assert policy.in_office_hours(vn("2026-12-17 07:30"))
    assert policy.in_office_hours(vn("2026-12-17 16:59"))
    assert not policy.in_office_hours(vn("2026-12-17 17:00"))
    assert not policy.in_office_hours(vn("2026-12-19 10:00"))  # Saturday
    assert not policy.in_office_hours(vn("2026-12-20 10:00"))  # Sunday
    assert not policy.in_office_hours(vn("2026-09-02 10:00"))  # National Day
    # the same instant written in UTC: 01:00 UTC is 08:00 in Hà Nội
    assert policy.in_office_hours(datetime.fromisoformat("2026-12-17T01:00:00+00:00"))
    assert policy.add_working_days(date(2026, 9, 1), 1) == date(2026, 9, 3)


def test_policy_from_settings_text():
    policy = ReminderPolicy.parse("5, 2", 3, 4, "08:00-16:30", "09:15", "2026-09-02")
    assert policy.days_before == (5, 2) and policy.overdue_every == 3 and policy.overdue_count == 4
    assert (policy.office_start, policy.office_end, policy.run_times) == (time(8), time(16, 30), (time(9, 15),))
    assert [s.kind for s in policy.officer_slots(date(2026, 6, 20))] == [
        "before-5", "before-2", "due", "overdue-1", "overdue-2", "overdue-3", "overdue-4"]


@pytest.mark.parametrize("kwargs, named", [
    ({"days_before": "7,ba"}, "REMINDER_DAYS_BEFORE"),
    ({"days_before": "0"}, "REMINDER_DAYS_BEFORE"),
    ({"office_hours": "17:00-07:30"}, "REMINDER_OFFICE_HOURS"),
    ({"office_hours": "sáng"}, "REMINDER_OFFICE_HOURS"),
    ({"run_times": "18:00"}, "REMINDER_RUN_TIMES"),
    ({"holidays": "2/9"}, "REMINDER_HOLIDAYS"),
])
def test_bad_policy_settings_name_the_setting(kwargs, named):
    with pytest.raises(PolicyError, match=named):
        ReminderPolicy.parse(**kwargs)


def test_vietnams_public_holidays_are_days_off_without_being_listed():
    policy = ReminderPolicy()
    for day in (date(2027, 1, 1), date(2026, 2, 17), date(2026, 4, 30), date(2026, 9, 2), date(2027, 2, 8)):
        assert not policy.is_working_day(day), day  # New Year, Tết, 30/4, 2/9, Tết 2027 (lunar)
    assert policy.is_working_day(date(2026, 12, 31))
    assert not policy.in_office_hours(datetime(2027, 1, 1, 8, 0, tzinfo=policy.tz))
    worked = ReminderPolicy.parse(workdays="2026-08-22", holidays="2026-12-31")  # làm bù; an extra day off
    assert worked.is_working_day(date(2026, 8, 22)) and not worked.is_working_day(date(2026, 12, 31))


def test_the_period_whose_report_is_due_next_is_offered_first():
    from reports.periods import selectable

    assert selectable("annual", date(2026, 12, 14)) == [Period(2026, "annual"), Period(2025, "annual")]
    # 15/12: 2027's data window has begun, but 2026's report is the one due (20/12), until mid-March
    assert selectable("annual", date(2026, 12, 16)) == [Period(2026, "annual"), Period(2027, "annual")]
    assert selectable("annual", date(2027, 3, 14))[0] == Period(2026, "annual")
    assert selectable("annual", date(2027, 3, 15)) == [Period(2027, "annual"), Period(2026, "annual")]
    assert selectable("half_year", date(2026, 6, 16)) == [Period(2026, "half_year"), Period(2025, "half_year")]
    assert selectable("half_year", date(2026, 12, 16)) == [Period(2027, "half_year"), Period(2026, "half_year")]


async def test_on_16_december_the_annual_report_offered_first_is_this_years(app, clock):
    from tests.conftest import Chat

    clock.now = vn("2026-12-16 09:00")
    chat = Chat(app, channel="zalo")
    await chat.register()
    await chat.send("/baocaomoi")
    await chat.send(choice="tpl:commune_annual")
    offered = [c.label for c in chat.last[-1].choices]  # a numbered list on Zalo
    assert offered == ["năm 2026 (15/12/2025 – 14/12/2026)", "năm 2027 (15/12/2026 – 14/12/2027)"]
    assert "năm 2026" in await chat.send("1")  # one tap: this year's report, the one due on 20/12


# ---------------------------------------------------------------------- the period kinds, as data

@pytest.mark.parametrize("key, start, end, label, due", [
    ("2026-H1", date(2025, 12, 15), date(2026, 6, 14), "6 tháng đầu năm 2026", date(2026, 6, 20)),
    ("2026-H2", date(2026, 6, 15), date(2026, 12, 14), "6 tháng cuối năm 2026", date(2026, 12, 20)),
    ("2026", date(2025, 12, 15), date(2026, 12, 14), "năm 2026", date(2026, 12, 20)),
    ("2026-Q1", date(2025, 12, 15), date(2026, 3, 14), "quý I năm 2026", date(2026, 3, 20)),
    ("2026-Q3", date(2026, 6, 15), date(2026, 9, 14), "quý III năm 2026", date(2026, 9, 20)),
    ("2022-2024", date(2021, 12, 15), date(2024, 12, 14), "3 năm 2022–2024", date(2024, 12, 20)),
    ("2026-03-01..2026-05-31", date(2026, 3, 1), date(2026, 5, 31), "từ 01/03/2026 đến 31/05/2026",
     date(2026, 6, 6)),
])
def test_every_kind_by_the_decree_cut_off(key, start, end, label, due):
    period = Period.from_key(key)
    assert (period.start, period.end, period.label, period.default_due) == (start, end, label, due)
    assert period.key == key and Period.from_key(period.key) == period


def test_what_comes_before_and_what_is_compared_with():
    assert Period.from_key("2026-Q1").before() == Period.from_key("2025-Q4")  # the quarter before
    assert Period.from_key("2026-Q1").previous() == Period.from_key("2025-Q1")  # the same quarter last year
    assert Period.from_key("2022-2024").previous() == Period.from_key("2019-2021")
    assert latest_started("quarter", date(2026, 6, 15)) == Period.from_key("2026-Q3")
    assert latest_started("multi_year", date(2026, 6, 16), 3) == Period.from_key("2024-2026")
    assert period_of_due("quarter", date(2026, 3, 20)) == Period.from_key("2026-Q1")
    assert period_of_due("second_half", date(2026, 12, 20)) == Period.from_key("2026-H2")


@pytest.mark.parametrize("key", ["2026-H3", "2026-Q5", "2024-2022", "2026-02-30..2026-03-01",
                                 "2026-05-01..2026-04-01", "năm 2026", ""])
def test_a_key_that_names_no_period_is_refused(key):
    from reports.periods import PeriodError

    with pytest.raises(PeriodError):
        Period.from_key(key)


def test_a_default_deadline_for_quarters_keeps_its_distance_from_the_cut_off():
    province = {None: date(2026, 3, 25)}  # set on a first-quarter report: 11 days after 14/03
    assert resolve_due(Period.from_key("2026-Q3"), [{}, province]) == (date(2026, 9, 25), 1)
    assert resolve_due(Period.from_key("2026-Q4"), [{}, province]) == (date(2026, 12, 25), 1)
