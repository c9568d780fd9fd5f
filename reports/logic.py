"""What a template and a set of answers imply: relevance (skip logic), rule checks, computed
fields, progress and the order of questions. Pure functions over typed values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping, Protocol

from reports.expressions import evaluate, names_in
from reports.schema import Indicator, Rule, Template
from reports.values import from_json

class _Mark:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


SKIPPED = _Mark("SKIPPED")  # an indicator the officer chose to skip
NO_FIGURE = _Mark("NO_FIGURE")  # answered "không có số liệu": an answer, but no value (never a zero)
NO_FIGURE_TYPE = "nofigure"  # the stored ``value_type`` of such an answer (``skipped`` is set too)


class StoredAnswer(Protocol):  # an answer row as storage keeps it (storage.models.Answer)
    key: str
    skipped: bool
    value: Any
    value_type: str


class _CountWithTotal(int):
    total: int


class _AmountWithTotal(Decimal):
    total: Decimal


def with_total(value: Any, total: Any) -> Any:
    """``value`` (this period's figure) that also carries ``.total`` (the plan's so far)."""
    out = _CountWithTotal(value) if isinstance(value, int) else _AmountWithTotal(value)
    out.total = total
    return out


@dataclass
class ReportState:
    template: Template
    answers: Mapping[str, Any]  # key -> typed value, SKIPPED or NO_FIGURE

    @classmethod
    def from_stored(cls, template: Template, rows: Iterable[StoredAnswer]) -> "ReportState":
        """The state of a report from its stored answer rows (the one place they are decoded);
        answers to indicators the template no longer has (an older version) are left out."""
        answers: dict[str, Any] = {}
        for row in rows:
            ind = template.by_key.get(row.key)
            if ind is not None:
                if row.skipped:
                    answers[row.key] = NO_FIGURE if row.value_type == NO_FIGURE_TYPE else SKIPPED
                else:
                    answers[row.key] = from_json(ind.type, row.value)
        return cls(template, answers)

    def effective(self, earlier: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Answered values of relevant indicators, then computed fields, in template order.
        ``earlier``: the sums of the cumulative figures over the plan's earlier periods; each such
        figure then carries ``.total`` (this period's and the earlier ones')."""
        values: dict[str, Any] = {}
        for ind in self.template.indicators:
            if not self._relevant(ind, values):
                continue
            value = self.answers.get(ind.key, SKIPPED)
            if not isinstance(value, _Mark) and value is not None:
                values[ind.key] = with_total(value, value + earlier[ind.key]) if (
                    earlier is not None and ind.cumulative and ind.key in earlier) else value
        for comp in self.template.computed:
            result = evaluate(comp.expr, values)
            if result is not None:
                values[comp.key] = result
        return values

    def _relevant(self, ind: Indicator, values: Mapping[str, Any]) -> bool:
        return not ind.relevant or bool(evaluate(ind.relevant, values))

    def relevant_keys(self) -> list[str]:
        values: dict[str, Any] = {}
        keys = []
        for ind in self.template.indicators:
            if self._relevant(ind, values):
                keys.append(ind.key)
                value = self.answers.get(ind.key, SKIPPED)
                if not isinstance(value, _Mark) and value is not None:
                    values[ind.key] = value
        return keys

    def possible_keys(self) -> list[str]:
        """The relevant indicators and those that can still become relevant: a condition that names
        a question not answered yet is open. Answering only ever shrinks this list, so a count
        over it does not jump up as skip logic opens questions."""
        values: dict[str, Any] = {}
        pending: set[str] = set()  # possible and not answered yet
        keys = []
        for ind in self.template.indicators:
            if ind.relevant:
                result = evaluate(ind.relevant, values)
                possible = bool(result) if result is not None else bool(names_in(ind.relevant) & pending)
            else:
                possible = True
            if not possible:
                continue
            keys.append(ind.key)
            value = self.answers.get(ind.key, SKIPPED)
            if ind.key not in self.answers:
                pending.add(ind.key)
            elif not isinstance(value, _Mark) and value is not None:
                values[ind.key] = value
        return keys

    def is_relevant(self, key: str) -> bool:
        return key in self.relevant_keys()

    def progress(self) -> tuple[int, int]:
        """(answered or skipped, total): the answers of relevant indicators, over the indicators
        that are or can still become relevant (so the total does not grow as questions open)."""
        done = sum(1 for k in self.relevant_keys() if k in self.answers)
        return done, len(self.possible_keys())

    def no_figure(self) -> frozenset[str]:
        """The relevant indicators answered "không có số liệu"."""
        return frozenset(k for k in self.relevant_keys() if self.answers.get(k) is NO_FIGURE)

    def missing_required(self) -> list[Indicator]:
        by_key = self.template.by_key
        return [
            by_key[k]
            for k in self.relevant_keys()
            if by_key[k].required and self.answers.get(k, SKIPPED) in (SKIPPED, None)
        ]

    def violations(self) -> list[Rule]:
        values = self.effective()
        return [rule for rule in self.template.rules if evaluate(rule.check, values) is False]

    def violations_with(self, key: str, value: Any) -> list[Rule]:
        """Rules involving ``key`` that would fail if ``key`` were answered ``value``."""
        trial = ReportState(self.template, {**self.answers, key: value})
        return [rule for rule in trial.violations() if key in rule.keys]

    def next_key(self, after: str | None) -> str | None:
        """The first relevant unanswered indicator after ``after`` (wrapping round), or None."""
        keys = self.relevant_keys()
        pending = [k for k in keys if k not in self.answers]
        if not pending:
            return None
        if after is not None and after in self.template.by_key:
            pos = self.template.position(after)
            for k in pending:
                if self.template.position(k) > pos:
                    return k
        return pending[0]
