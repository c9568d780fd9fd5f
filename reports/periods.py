"""Reporting periods per Nghị định 09/2019/NĐ-CP: data cut-off on the 14th, next period from the 15th.

6-month: 15 December of the year before to 14 June; annual: 15 December of the year before to
14 December. A period is named by its kind and year, keyed ``2026-H1`` or ``2026``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping, Optional, Sequence

KINDS = ("half_year", "annual")
# Default due dates (month, day) in the period's own year: 6-month by 20 June, annual by 20 December.
DEFAULT_DUE = {"half_year": (6, 20), "annual": (12, 20)}
# A due date must fall after the data cut-off and at most this long after it.
MAX_DUE_AFTER_END = timedelta(days=90)


@dataclass(frozen=True, order=True)
class Period:
    year: int
    kind: str

    @property
    def key(self) -> str:
        return f"{self.year}-H1" if self.kind == "half_year" else str(self.year)

    @property
    def start(self) -> date:
        return date(self.year - 1, 12, 15)

    @property
    def end(self) -> date:
        return date(self.year, 6, 14) if self.kind == "half_year" else date(self.year, 12, 14)

    @property
    def label(self) -> str:
        return f"6 tháng đầu năm {self.year}" if self.kind == "half_year" else f"năm {self.year}"

    def with_years(self, text: str) -> str:
        """``text`` with ``{year}`` and ``{next_year}`` filled in (an abstract, a heading)."""
        return text.replace("{year}", str(self.year)).replace("{next_year}", str(self.year + 1))

    def previous(self) -> "Period":
        return Period(self.year - 1, self.kind)

    def next(self) -> "Period":
        return Period(self.year + 1, self.kind)

    @property
    def default_due(self) -> date:
        month, day = DEFAULT_DUE[self.kind]
        return date(self.year, month, day)

    @classmethod
    def from_key(cls, key: str) -> "Period":
        if key.endswith("-H1"):
            return cls(int(key[:-3]), "half_year")
        return cls(int(key), "annual")


def latest_started(kind: str, today: date) -> Period:
    """The newest period of ``kind`` whose data window has begun on ``today``."""
    year = today.year + 1 if (today.month, today.day) >= (12, 15) else today.year
    return Period(year, kind)


def selectable(kind: str, today: date) -> list[Period]:
    """Periods an officer may open a report for: the newest one begun and the one before, the one
    whose report is due next first. Right after a period's data cut-off (until the latest due date
    allowed) its report is the one to write, not the period just begun: on 16/12/2026 the annual
    report offered first is 2026's, due on 20/12, not 2027's."""
    newest = latest_started(kind, today)
    previous = newest.previous()
    if previous.end < today <= previous.end + MAX_DUE_AFTER_END:
        return [previous, newest]
    return [newest, previous]


def current_and_next(kind: str, today: date) -> tuple[Period, Period]:
    """The period whose data window contains ``today`` and the one after it."""
    current = latest_started(kind, today)
    return current, current.next()


def around(kind: str, today: date) -> list[Period]:
    """Periods of ``kind`` whose due date may lie near ``today``: last year's, this year's, next year's."""
    return [Period(year, kind) for year in (today.year - 1, today.year, today.year + 1)]


def period_of_due(kind: str, due: date) -> Period:
    """The newest period of ``kind`` whose data cut-off lies before ``due`` (the one it is the due date of)."""
    end = Period(due.year, kind).end
    return Period(due.year if due > end else due.year - 1, kind)


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
        if period.year in rules:
            return rules[period.year], level
        if None in rules:
            default = rules[None]
            return shift_years(default, period.year - period_of_due(period.kind, default).year), level
    return period.default_due, -1


def due_for(period: Period, rules: Mapping[int, Mapping[str, Rules]], chain_ids: Sequence[int]) -> date:
    """The due date of ``period`` for the unit whose org chain (itself first, up to the root) is
    ``chain_ids``, from every unit's deadline rules (``storage.repo.deadline_rules``)."""
    return resolve_due(period, [rules.get(i, {}).get(period.kind, {}) for i in chain_ids])[0]
