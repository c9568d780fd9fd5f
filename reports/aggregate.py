"""The compiled figures of many units' reports of one template and period: how each indicator
combines is template data (``Indicator.combine``), and nothing here reads the database.

* numbers and pairs are **summed** over the units that gave a value (a unit that skipped a figure
  adds nothing, and the number of units behind every sum is kept);
* a **computed** field (a rate, a total) is evaluated again on the sums, over the units that gave
  every figure it is made of: a rate is recomputed from its summed numerator and denominator,
  never averaged;
* yes/no gives how many units said yes, of how many answered; a choice or multiple choice gives a
  distribution; list items are joined with their unit's name; free texts are collected per unit.

A unit that has not submitted is never counted: the caller lists it as missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping, Sequence

from reports.expressions import evaluate, names_in
from reports.prose import change_phrase, has_value, value_text
from reports.schema import Template
from reports.values import Pair, display_item


@dataclass(frozen=True)
class UnitValues:
    """One unit's submitted report: its effective values (``ReportState.effective()``)."""

    org_id: int
    name: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class Tally:
    """Yes/no across units: ``yes`` of the ``of`` units that answered."""

    yes: int
    of: int


@dataclass(frozen=True)
class Distribution:
    """A choice across units: (choice label, number of units choosing it), in the template's order."""

    counts: tuple[tuple[str, int], ...]
    of: int


@dataclass(frozen=True)
class PerUnit:
    """List items or free texts across units: (unit name, text), in unit order."""

    entries: tuple[tuple[str, str], ...]
    units: int = 0  # how many units were compiled (a text all of them share is said once for all)

    def __bool__(self) -> bool:
        return bool(self.entries)


def _add(total: Any, value: Any) -> Any:
    if total is None:
        return value
    if isinstance(value, Pair):
        return Pair(total.num + value.num, total.den + value.den)
    if isinstance(value, list):
        return total + value
    return total + value


def _summable(value: Any) -> bool:
    return isinstance(value, (int, Decimal, Pair, list)) and not isinstance(value, bool)


def base_names(template: Template, key: str, _seen: frozenset[str] = frozenset()) -> set[str]:
    """The indicators a computed field is made of, through other computed fields."""
    comp = template.computed_by_key.get(key)
    if comp is None or key in _seen:
        return {key}
    out: set[str] = set()
    for name in names_in(comp.expr):
        out |= base_names(template, name, _seen | {key})
    return out


def _sums(template: Template, units: Sequence[UnitValues], keys: set[str]) -> dict[str, Any]:
    """The summed values of ``keys`` (numbers, pairs, list items) over ``units``."""
    sums: dict[str, Any] = {}
    for unit in units:
        for key in keys:
            value = unit.values.get(key)
            if value is not None and _summable(value):
                sums[key] = _add(sums.get(key), value)
    return sums


def _computed(template: Template, units: Sequence[UnitValues]) -> dict[str, Any]:
    """Every computed field evaluated on the sums of the units that gave all of its parts."""
    out: dict[str, Any] = {}
    for comp in template.computed:
        parts = base_names(template, comp.key)
        if any(template.by_key[p].combine != "sum" and template.by_key[p].type != "list" for p in parts):
            continue  # made of figures that do not add up
        complete = [u for u in units if all(u.values.get(p) is not None for p in parts)]
        if not complete:
            continue
        env = _sums(template, complete, parts)
        for other in template.computed:  # the computed fields it may name, on the same sums
            if other.key == comp.key:
                break
            result = evaluate(other.expr, env)
            if result is not None:
                env[other.key] = result
        result = evaluate(comp.expr, env)
        if result is not None:
            out[comp.key] = result
    return out


def combine(template: Template, units: Sequence[UnitValues]) -> tuple[dict[str, Any], dict[str, int]]:
    """(compiled values by key, how many units gave each) over ``units``."""
    values: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for ind in template.indicators:
        given = [(u, u.values[ind.key]) for u in units if has_value(u.values.get(ind.key))]
        counts[ind.key] = len(given)
        if not given or ind.combine == "none":
            continue
        how = ind.combine
        if how == "sum":
            total = None
            for _, value in given:
                total = _add(total, value)
            values[ind.key] = total
        elif how == "yes_count":
            values[ind.key] = Tally(sum(1 for _, v in given if v), len(given))
        elif how == "distribution":
            tally: dict[str, int] = {}
            for _, value in given:
                for choice in (value if isinstance(value, list) else [value]):
                    tally[choice] = tally.get(choice, 0) + 1
            labels = ind.choice_labels
            ordered = [(labels[c.id], tally[c.id]) for c in ind.choices if tally.get(c.id)]
            values[ind.key] = Distribution(tuple(ordered), len(given))
        elif how == "join":
            values[ind.key] = PerUnit(tuple((u.name, display_item(ind, item)) for u, v in given for item in v), len(units))
        elif how == "collect":
            values[ind.key] = PerUnit(tuple((u.name, " ".join(str(v).split())) for u, v in given), len(units))
    for key, value in _computed(template, units).items():
        values[key] = value
        counts[key] = sum(1 for u in units if all(u.values.get(p) is not None
                                                   for p in base_names(template, key)))
    return values, counts


def unit_word(kinds: Sequence[str]) -> str:
    """How the compiled units are called in a sentence: ``xã``, ``phường`` or ``đơn vị``."""
    words = {"commune": "xã", "ward": "phường", "special_zone": "đặc khu"}
    found = {words.get(k, "đơn vị") for k in kinds}
    return found.pop() if len(found) == 1 else "đơn vị"


@dataclass(frozen=True)
class Compiled:
    """The compiled figures, with the same reading interface as ``reports.prose.Figures``, so the
    prose and the summary are written by the same code for one unit and for many."""

    template: Template
    units: tuple[UnitValues, ...]  # the submitted reports compiled
    expected: int  # how many units should have reported
    missing: tuple[str, ...]  # names of the units whose report is not in (never counted as zero)
    word: str = "đơn vị"
    values: Mapping[str, Any] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)
    previous: Mapping[str, Any] | None = None  # the same units' sums for the same period last year
    no_figure: frozenset[str] = frozenset()  # a sum has a value when any unit gave one: none is "—" here

    @classmethod
    def of(cls, template: Template, units: Sequence[UnitValues], expected: int, missing: Sequence[str],
           kinds: Sequence[str] = (), previous_units: Sequence[UnitValues] | None = None) -> "Compiled":
        values, counts = combine(template, units)
        values["reporting"] = f"{len(units)}/{expected} {unit_word(kinds)}"
        previous = None
        if previous_units:  # like for like: only the units compiled now
            ids = {u.org_id for u in units}
            previous = combine(template, [u for u in previous_units if u.org_id in ids])[0]
        return cls(template, tuple(units), expected, tuple(missing), unit_word(kinds), values, counts, previous)

    def has(self, key: str) -> bool:
        value = self.values.get(key)
        return bool(value) if isinstance(value, PerUnit) else has_value(value)

    def text(self, key: str, unit: bool = True) -> str:
        value = self.values[key]
        if key == "reporting":
            return str(value)
        if isinstance(value, Tally):
            return f"{value.yes}/{value.of} {self.word}"
        if isinstance(value, Distribution):
            return ", ".join(f"{label} ({n} {self.word})" for label, n in value.counts)
        if isinstance(value, PerUnit):
            return "; ".join(f"{name}: {text}" for name, text in value.entries)
        return value_text(self.template, key, value, unit=unit)

    def change(self, key: str) -> str:
        if self.previous is None or not self.has(key) or not has_value(self.previous.get(key)):
            return ""
        current, before = self.values[key], self.previous[key]
        if isinstance(current, (Tally, Distribution, PerUnit)):
            return ""
        return change_phrase(self.template, key, current, before)

    def coverage(self, key: str) -> str:
        """``""`` when every compiled unit gave ``key``; else ``14/15 xã có số liệu``."""
        n = self.counts.get(key, 0)
        total = len(self.units)
        return "" if n >= total else f"{n}/{total} {self.word} có số liệu"
