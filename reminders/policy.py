"""When reminders go out: offsets around the due date, working days and office hours (pure, no I/O).

Default: 7, 3 and 1 days before the due date, on the due date, then every 2 working days after it
(15 times at most); only Monday–Friday 07:30–17:00 in Asia/Ho_Chi_Minh, Vietnam's public holidays (the ``holidays``
package) and the days an administrator adds excepted, the days they declare worked included.
Each reminder is a *slot* with a kind (``before-7``, ``due``, ``overdue-1`` …) and a day; a run sends,
per recipient and period, only the latest slot whose day has come, so a reminder missed during
downtime is sent once at the next run, and older missed ones are never sent. A slot that would fall
on a day off is moved to the last working day before it (each slot keeping a day of its own); "due"
goes out on the last working day up to the due date, the first overdue one only after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Iterable
from zoneinfo import ZoneInfo

from reports.clock import VN_TZ

WEEKDAYS = frozenset(range(5))  # Monday … Friday


@lru_cache(maxsize=16)
def public_holidays(year: int) -> frozenset[date]:
    """Vietnam's public holidays of ``year`` (Tết by the lunar calendar, Giỗ Tổ, 30/4, 1/5, 2/9 and
    the days given around them), from the ``holidays`` package."""
    import holidays

    return frozenset(holidays.country_holidays("VN", years=year))


class PolicyError(ValueError):
    """A reminder setting that cannot be understood; the message names the setting."""


@dataclass(frozen=True)
class Slot:
    kind: str  # before-7 | due | overdue-1 …
    day: date


@dataclass(frozen=True)
class ReminderPolicy:
    days_before: tuple[int, ...] = (7, 3, 1)
    on_due: bool = True
    overdue_every: int = 2  # working days between reminders after the due date
    overdue_count: int = 15  # how many reminders after the due date at most
    office_start: time = time(7, 30)
    office_end: time = time(17, 0)
    working_days: frozenset[int] = WEEKDAYS
    holidays: frozenset[date] = frozenset()  # days off an administrator adds
    workdays: frozenset[date] = frozenset()  # days worked although weekend or holiday (làm bù)
    vietnam_holidays: bool = True  # Vietnam's public holidays are days off
    run_times: tuple[time, ...] = (time(8, 0), time(14, 0))  # when the scheduler's jobs run
    notice_window: timedelta = timedelta(days=4)  # submit notices for reports submitted this recently
    tz: ZoneInfo = field(default=VN_TZ)

    # ------------------------------------------------------------------ calendar

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays or day.weekday() not in self.working_days:
            return False
        return not (self.vietnam_holidays and day in public_holidays(day.year))

    def in_office_hours(self, moment: datetime) -> bool:
        local = self.local(moment)
        return self.is_working_day(local.date()) and self.office_start <= local.time() < self.office_end

    def on_or_before(self, day: date) -> date:
        """``day`` if it is a working day, else the last working day before it."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day``."""
        while n > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    # ------------------------------------------------------------------ slots

    def officer_slots(self, due: date) -> list[Slot]:
        """The officer's series: the days before, the due date, the overdue days. A reminder that
        would fall on a day off goes on the last working day before it, and never on or after the
        next reminder's day, so that each one of the series has a working day of its own."""
        late = self.late_slots(due)
        bound = late[0].day if late and late[0].kind == "due" else due + timedelta(days=1)
        before: list[Slot] = []
        for n in sorted(set(self.days_before)):  # the nearest first, stepping back
            day = self.on_or_before(min(due - timedelta(days=n), bound - timedelta(days=1)))
            before.append(Slot(f"before-{n}", day))
            bound = day
        return before[::-1] + late

    def late_slots(self, due: date) -> list[Slot]:
        """The due-date slot and the overdue ones: when supervisors get their digest too. "due" goes
        on the last working day up to the due date; the first overdue one only after the due date."""
        slots = [Slot("due", self.on_or_before(due))] if self.on_due else []
        day = due
        for n in range(1, self.overdue_count + 1):
            day = self.add_working_days(day, self.overdue_every)
            slots.append(Slot(f"overdue-{n}", day))
        return slots

    @staticmethod
    def latest(slots: list[Slot], today: date) -> Slot | None:
        """The slot to send on ``today``: the newest one whose day has come, while the series lasts."""
        if not slots or today < slots[0].day or today > slots[-1].day:
            return None
        return [s for s in slots if s.day <= today][-1]

    # ------------------------------------------------------------------ from settings

    @classmethod
    def parse(
        cls,
        days_before: str = "7,3,1",
        overdue_every: int = 2,
        overdue_count: int = 15,
        office_hours: str = "07:30-17:00",
        run_times: str = "08:00,14:00",
        holidays: str = "",
        workdays: str = "",
    ) -> "ReminderPolicy":
        """A policy from the text of process settings, e.g. ``days_before="7,3,1"``."""
        try:
            before = tuple(int(p) for p in _parts(days_before))
        except ValueError:
            raise PolicyError(f"REMINDER_DAYS_BEFORE: expected whole days such as 7,3,1, got {days_before!r}") from None
        if any(n <= 0 for n in before):
            raise PolicyError(f"REMINDER_DAYS_BEFORE: days must be positive, got {days_before!r}")
        if overdue_every < 1 or overdue_count < 0:
            raise PolicyError("REMINDER_OVERDUE_EVERY must be at least 1 and REMINDER_OVERDUE_COUNT at least 0")
        start_text, _sep, end_text = office_hours.partition("-")
        start, end = _time("REMINDER_OFFICE_HOURS", start_text), _time("REMINDER_OFFICE_HOURS", end_text)
        if start >= end:
            raise PolicyError(f"REMINDER_OFFICE_HOURS: the start must be before the end, got {office_hours!r}")
        runs = tuple(sorted(_time("REMINDER_RUN_TIMES", p) for p in _parts(run_times)))
        if not runs:
            raise PolicyError("REMINDER_RUN_TIMES: give at least one time, e.g. 08:00,14:00")
        outside = [t.strftime("%H:%M") for t in runs if not start <= t < end]
        if outside:
            raise PolicyError(f"REMINDER_RUN_TIMES: {', '.join(outside)} is outside office hours {office_hours}")
        try:
            days_off = frozenset(date.fromisoformat(p) for p in _parts(holidays))
        except ValueError:
            raise PolicyError(f"REMINDER_HOLIDAYS: expected dates such as 2026-09-02, got {holidays!r}") from None
        try:
            days_on = frozenset(date.fromisoformat(p) for p in _parts(workdays))
        except ValueError:
            raise PolicyError(f"REMINDER_WORKDAYS: expected dates such as 2026-08-22, got {workdays!r}") from None
        return cls(
            days_before=before, overdue_every=overdue_every, overdue_count=overdue_count,
            office_start=start, office_end=end, run_times=runs, holidays=days_off, workdays=days_on,
        )


def _parts(text: str) -> Iterable[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _time(setting: str, text: str) -> time:
    try:
        hour, minute = text.strip().split(":")
        return time(int(hour), int(minute))
    except ValueError:
        raise PolicyError(f"{setting}: expected a time such as 07:30, got {text.strip()!r}") from None
