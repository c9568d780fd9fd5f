"""Issue 12's calendar: the real reminder service run at 08:00 and 14:00 on every day of 2026 and
2027 (as the scheduler would), for communes whose due dates fall on a weekday, a Saturday, a Sunday
and the day after Tết. Nobody submits, so every series runs to its end. Checked for every series:
each reminder is sent exactly once and on its day, every day it is sent on is a working day (no
weekend, no public holiday), in office hours; "due" no later than the due date, the first overdue
one only after it; the supervisors' digests likewise."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from reminders.policy import ReminderPolicy, public_holidays
from reports.periods import Period
from storage import repo
from tests.reminders_support import VN, Console, build_tree, service, vn

FIRST, LAST = date(2026, 1, 1), date(2027, 12, 31)
TET_2027 = date(2027, 2, 6)  # Mùng 1 Tết Đinh Mùi
CHATS = {"1001": "DONG_SON", "1002": "DUNG_LIET", "1003": "TAM_GIANG"}
# the due dates set for a unit, by (code, period key); the rest are the defaults (20/6 and 20/12)
SET = {
    ("DUNG_LIET", "2026-H1"): date(2026, 6, 17),  # a Wednesday
    ("DUNG_LIET", "2026"): date(2026, 12, 16),  # a Wednesday
    ("TAM_GIANG", "2026"): TET_2027 + timedelta(days=1),  # Mùng 2 Tết, a Sunday inside the Tết holiday
}


def due_of(code: str, period: Period) -> date:
    return SET.get((code, period.key), period.default_due)


async def test_two_years_of_reminders_day_by_day(app, clock):
    ids = await build_tree(app)
    async with app.sessions() as s, s.begin():
        for (code, key), due in SET.items():
            period = Period.from_key(key)
            await repo.set_deadline(s, ids[code], period.kind, due, period.year, None)
    policy = ReminderPolicy()
    assert TET_2027 in public_holidays(2027) and due_of("TAM_GIANG", Period(2026, "annual")) in public_holidays(2027)
    assert date(2026, 6, 20).weekday() == 5 and date(2026, 12, 20).weekday() == 6  # the defaults: Saturday, Sunday
    svc = service(app, Console(), policy=policy)
    sent: dict[tuple[str, str], list[tuple[str, datetime]]] = defaultdict(list)
    day = FIRST
    while day <= LAST:
        for at in ("08:00", "14:00"):
            clock.now = vn(f"{day.isoformat()} {at}")
            result = await svc.run()
            for item in result.items:
                if item.category in ("reminder", "digest"):
                    sent[(item.chat_id, item.period)].append((item.kind, clock.now.astimezone(VN)))
        day += timedelta(days=1)

    checked = 0
    for (chat, key), got in sent.items():
        kinds = [kind for kind, _at in got]
        assert len(kinds) == len(set(kinds)), (chat, key, kinds)  # nothing twice
        for kind, at in got:
            assert policy.is_working_day(at.date()) and at.date() not in public_holidays(at.year), (chat, key, kind, at)
            assert policy.in_office_hours(at) and at.time() in (time(8, 0), time(14, 0))
        period = Period.from_key(key)
        if chat in CHATS:
            due = due_of(CHATS[chat], period)
            slots = policy.officer_slots(due)
        else:  # a supervisor: the digest on their own unit's (default) due date and each overdue day
            due = period.default_due
            slots = [type(s)(f"digest-{s.kind}", s.day) for s in policy.late_slots(due)]
        if slots[0].day < FIRST:
            continue  # a series that began before the walk (last year's report): only the checks above
        expected = [(s.kind, s.day) for s in slots if s.day <= LAST]
        assert [(kind, at.date()) for kind, at in got] == expected, (chat, key)  # each once, on its day
        when = dict(expected)
        due_kind = "due" if chat in CHATS else "digest-due"
        assert when[due_kind] <= due, (chat, key)
        after = [d for k, d in expected if "overdue" in k]
        assert not after or after[0] > due, (chat, key)
        checked += 1
    # 3 communes and 2 supervisors, each with the 6-month and annual reports of 2026 and 2027
    assert checked == 5 * 4, sorted(sent)
    # the weekend and Tết due dates, as the officers met them
    dong_son = dict(sent[("1001", "2026")])
    assert dong_son["due"].date() == date(2026, 12, 18)  # Sunday 20/12 → Friday 18/12
    assert dong_son["before-1"].date() == date(2026, 12, 17)
    tet = dict(sent[("1003", "2026")])
    assert tet["due"].date() < TET_2027 and tet["overdue-1"].date() > TET_2027 + timedelta(days=1)
