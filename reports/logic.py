"""What a template and a set of answers imply: relevance (skip logic), rule checks, computed
fields, progress and the order of questions. Pure functions over typed values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from reports.expressions import evaluate
from reports.schema import Indicator, Rule, Template

SKIPPED = object()  # an indicator the officer chose to skip


@dataclass
class ReportState:
    template: Template
    answers: Mapping[str, Any]  # key -> typed value, or SKIPPED

    def effective(self) -> dict[str, Any]:
        """Answered values of relevant indicators, then computed fields, in template order."""
        values: dict[str, Any] = {}
        for ind in self.template.indicators:
            if not self._relevant(ind, values):
                continue
            value = self.answers.get(ind.key, SKIPPED)
            if value is not SKIPPED and value is not None:
                values[ind.key] = value
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
                if value is not SKIPPED and value is not None:
                    values[ind.key] = value
        return keys

    def is_relevant(self, key: str) -> bool:
        return key in self.relevant_keys()

    def progress(self) -> tuple[int, int]:
        """(answered or skipped, total) over the relevant indicators."""
        keys = self.relevant_keys()
        return sum(1 for k in keys if k in self.answers), len(keys)

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
