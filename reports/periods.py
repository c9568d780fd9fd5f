"""Reporting periods per Nghị định 09/2019/NĐ-CP: data cut-off on the 14th, next period from the 15th.

6-month: 15 December of the year before to 14 June; annual: 15 December of the year before to
14 December. A period is named by its kind and year, keyed ``2026-H1`` or ``2026``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

KINDS = ("half_year", "annual")


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

    def previous(self) -> "Period":
        return Period(self.year - 1, self.kind)

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
    """Periods an officer may open a report for: the newest one begun and the one before."""
    newest = latest_started(kind, today)
    return [newest, newest.previous()]
