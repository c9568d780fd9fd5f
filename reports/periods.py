"""Reporting periods per Nghị định 09/2019/NĐ-CP (Điều 12): data cut-off on the 14th, the next period
from the 15th. The kinds are data (``PERIOD_KINDS``):

- ``half_year``: 15/12 of the year before to 14/06, keyed ``2026-H1``, "6 tháng đầu năm 2026";
- ``second_half``: 15/06 to 14/12, ``2026-H2``, "6 tháng cuối năm 2026";
- ``annual``: 15/12 of the year before to 14/12, ``2026``, "năm 2026";
- ``quarter``: 15th of the month before the quarter to the 14th of its last month, ``2026-Q3``,
  "quý III năm 2026";
- ``multi_year``: a review of years Y1–Y2, from 15/12 before Y1 to 14/12 of Y2, ``2022-2024``,
  "3 năm 2022–2024";
- ``custom``: any date range, ``2026-03-01..2026-05-31``, "từ 01/03/2026 đến 31/05/2026".

A period's default due date is six days after its cut-off (20/06 and 20/12 for the 6-month and
annual reports).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping, Optional, Sequence

from reports.formatting import roman

# (first day, last day) of each part of a year, as ((year offset, month, day), (month, day))
_Part = tuple[tuple[int, int, int], tuple[int, int]]


@dataclass(frozen=True)
class PeriodKind:
    name: str
    parts: tuple[_Part, ...]  # the periods of one year, in order (none: not cyclic)
    label: str  # {year}, {part} (a roman numeral), {years}, {first}, {start}, {end}
    key: str  # how a period is keyed: {year}, {part}, {first}, {start}, {end}


PERIOD_KINDS: dict[str, PeriodKind] = {k.name: k for k in (
    PeriodKind("half_year", (((-1, 12, 15), (6, 14)),), "6 tháng đầu năm {year}", "{year}-H1"),
    PeriodKind("second_half", (((0, 6, 15), (12, 14)),), "6 tháng cuối năm {year}", "{year}-H2"),
    PeriodKind("annual", (((-1, 12, 15), (12, 14)),), "năm {year}", "{year}"),
    PeriodKind("quarter", (((-1, 12, 15), (3, 14)), ((0, 3, 15), (6, 14)), ((0, 6, 15), (9, 14)),
                           ((0, 9, 15), (12, 14))), "quý {part} năm {year}", "{year}-Q{n}"),
    PeriodKind("multi_year", (), "{years} năm {first}–{year}", "{first}-{year}"),
    PeriodKind("custom", (), "từ {start} đến {end}", "{start}..{end}"),
)}
KINDS = ("half_year", "annual")  # the kinds whose deadlines units set (handlers/deadlines.py)
DUE_AFTER_END = timedelta(days=6)  # the default due date: 20/06 after a cut-off on 14/06
# A due date must fall after the data cut-off and at most this long after it.
MAX_DUE_AFTER_END = timedelta(days=90)
_KEYS = (
    (re.compile(r"^(\d{4})-H1$"), "half_year"), (re.compile(r"^(\d{4})-H2$"), "second_half"),
    (re.compile(r"^(\d{4})$"), "annual"), (re.compile(r"^(\d{4})-Q([1-4])$"), "quarter"),
    (re.compile(r"^(\d{4})-(\d{4})$"), "multi_year"),
    (re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$"), "custom"),
)


class PeriodError(ValueError):
    """A period key or range that does not name a period."""


@dataclass(frozen=True, order=True)
class Period:
    """``year``: the year the period ends in; ``part``: the quarter (1–4); ``years``: how many years
    a multi-year review covers; ``first``/``last``: a custom range's days."""

    year: int
    kind: str
    part: int = 1
    years: int = 1
    first: Optional[date] = None
    last: Optional[date] = None

    def __post_init__(self) -> None:
        if self.kind not in PERIOD_KINDS:
            raise PeriodError(f"unknown period kind {self.kind!r}")
        if self.kind == "custom" and (self.first is None or self.last is None or self.first > self.last):
            raise PeriodError("a custom period needs a first day on or before its last day")

    @property
    def _kind(self) -> PeriodKind:
        return PERIOD_KINDS[self.kind]

    @property
    def yearly(self) -> bool:
        """One period of this kind a year (6-month, second half, annual): a year names it."""
        return len(self._kind.parts) == 1

    @property
    def _bounds(self) -> _Part:
        return self._kind.parts[self.part - 1]

    @property
    def key(self) -> str:
        if self.kind == "custom":
            return f"{self.first.isoformat()}..{self.last.isoformat()}"
        return self._kind.key.format(year=self.year, n=self.part, first=self.year - self.years + 1)

    @property
    def start(self) -> date:
        if self.kind == "custom":
            return self.first
        if self.kind == "multi_year":
            return date(self.year - self.years, 12, 15)
        (offset, month, day), _end = self._bounds
        return date(self.year + offset, month, day)

    @property
    def end(self) -> date:
        if self.kind == "custom":
            return self.last
        if self.kind == "multi_year":
            return date(self.year, 12, 14)
        _start, (month, day) = self._bounds
        return date(self.year, month, day)

    @property
    def label(self) -> str:
        return self._kind.label.format(
            year=self.year, part=roman(self.part), years=self.years, first=self.year - self.years + 1,
            start=self.start.strftime("%d/%m/%Y"), end=self.end.strftime("%d/%m/%Y"))

    def with_years(self, text: str) -> str:
        """``text`` with ``{year}``, ``{next_year}`` and ``{period}`` (the label) filled in (an
        abstract, a heading)."""
        return (text.replace("{year}", str(self.year)).replace("{next_year}", str(self.year + 1))
                .replace("{period}", self.label))

    def _shifted(self, years: int) -> "Period":
        if self.kind == "custom":
            return Period(self.year + years, self.kind, first=shift_years(self.first, years),
                          last=shift_years(self.last, years))
        return Period(self.year + years, self.kind, self.part, self.years)

    def previous(self) -> "Period":
        """The same period a cycle earlier (last year's, or the span before a multi-year review):
        what figures are compared with."""
        return self._shifted(-self.years)

    def next(self) -> "Period":
        return self._shifted(self.years)

    def before(self) -> "Period":
        """The period just before this one (the quarter before; last year's for the yearly kinds)."""
        if self.kind == "quarter":
            return Period(self.year, self.kind, self.part - 1) if self.part > 1 else Period(self.year - 1, self.kind, 4)
        return self.previous()

    @property
    def default_due(self) -> date:
        return self.end + DUE_AFTER_END

    @classmethod
    def from_key(cls, key: str) -> "Period":
        for pattern, kind in _KEYS:
            m = pattern.match(key)
            if m is None:
                continue
            if kind == "quarter":
                return cls(int(m[1]), kind, int(m[2]))
            if kind == "multi_year":
                first, last = int(m[1]), int(m[2])
                if first > last:
                    raise PeriodError(f"{key}: the first year comes after the last")
                return cls(last, kind, years=last - first + 1)
            if kind == "custom":
                try:
                    first, last = date.fromisoformat(m[1]), date.fromisoformat(m[2])
                except ValueError:
                    raise PeriodError(f"{key}: not a date range") from None
                return cls(last.year, kind, first=first, last=last)
            return cls(int(m[1]), kind)
        raise PeriodError(f"{key!r} is not a period")


def _of_year(kind: str, year: int, years: int = 1) -> list[Period]:
    """The periods of ``kind`` that end in ``year`` (a multi-year review: the one of ``years`` years)."""
    if kind == "multi_year":
        return [Period(year, kind, years=years)]
    return [Period(year, kind, n) for n in range(1, len(PERIOD_KINDS[kind].parts) + 1)]


def latest_started(kind: str, today: date, years: int = 1) -> Period:
    """The newest period of ``kind`` whose data window has begun on ``today`` (a multi-year review:
    the span whose last year has begun)."""
    if kind == "multi_year":
        return Period(latest_started("annual", today).year, kind, years=years)
    return max((p for y in (today.year - 1, today.year, today.year + 1) for p in _of_year(kind, y, years)
                if p.start <= today), key=lambda p: p.start)


def selectable(kind: str, today: date, years: int = 1) -> list[Period]:
    """Periods an officer may open a report for: the newest one begun and the one before, the one
    whose report is due next first. Right after a period's data cut-off (until the latest due date
    allowed) its report is the one to write, not the period just begun: on 16/12/2026 the annual
    report offered first is 2026's, due on 20/12, not 2027's. A custom period is offered only by
    the report a supervisor launched for it."""
    if kind == "custom":
        return []
    newest = latest_started(kind, today, years)
    previous = newest.before()
    if previous.end < today <= previous.end + MAX_DUE_AFTER_END:
        return [previous, newest]
    return [newest, previous]


def current_and_next(kind: str, today: date) -> tuple[Period, Period]:
    """The period whose data window contains ``today`` and the one after it."""
    current = latest_started(kind, today)
    return current, current.next()


def around(kind: str, today: date, years: int = 1) -> list[Period]:
    """Periods of ``kind`` whose due date may lie near ``today``: those ending last year, this year
    and next year."""
    if kind == "custom":
        return []
    return [p for y in (today.year - 1, today.year, today.year + 1) for p in _of_year(kind, y, years)]


def period_of_due(kind: str, due: date, years: int = 1) -> Period:
    """The newest period of ``kind`` whose data cut-off lies before ``due`` (the one it is the due date of)."""
    return max((p for y in (due.year - 1, due.year) for p in _of_year(kind, y, years) if p.end < due),
               key=lambda p: p.end)


def due_problem(period: Period, due: date) -> str | None:
    """Why ``due`` cannot be the due date of ``period`` ("before_end", "too_late"), or None."""
    if due <= period.end:
        return "before_end"
    if due > period.end + MAX_DUE_AFTER_END:
        return "too_late"
    return None


def shift_years(day: date, years: int) -> date:
    """``day`` moved by whole years; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# One org unit's deadlines for one kind: {period year: due date}, the key None holding the default
# for every year (a date in some year, moved to the period's year by whole years).
Rules = Mapping[Optional[int], date]


def resolve_due(period: Period, chain: Sequence[Rules]) -> tuple[date, int]:
    """The due date of ``period`` for a unit whose deadline rules are ``chain`` (the unit itself first,
    then its parent, up to the root), and the index in ``chain`` of the unit that set it (-1: default).

    The nearest unit that set anything for this kind decides; within it, a date for this very year
    beats its every-year default.
    """
    for level, rules in enumerate(chain):
        if period.yearly and period.year in rules:  # one period a year: a setting per year
            return rules[period.year], level
        if None in rules and period.kind != "custom":
            default = rules[None]
            own = period_of_due(period.kind, default, period.years)
            if period.yearly:
                return shift_years(default, period.year - own.year), level
            return period.end + (default - own.end), level  # as long after the cut-off as the default
    return period.default_due, -1


def due_for(period: Period, rules: Mapping[int, Mapping[str, Rules]], chain_ids: Sequence[int]) -> date:
    """The due date of ``period`` for the unit whose org chain (itself first, up to the root) is
    ``chain_ids``, from every unit's deadline rules (``storage.repo.deadline_rules``)."""
    return resolve_due(period, [rules.get(i, {}).get(period.kind, {}) for i in chain_ids])[0]
