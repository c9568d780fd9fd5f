"""The summary message: the key figures a template names in ``summary:``, each with its rate where
it has one (``8/10 đơn``, ``80%``) and its change against the same period of the previous year.

Text only; the chat side splits it to a channel's limit. The figure lines are report language
(Vietnamese, like the Word file); the heading and notes around them come from the caller.
"""

from __future__ import annotations

import ast
from typing import Any

from reports.expressions import evaluate, names_in
from reports.formatting import fmt_number, fmt_percent
from reports.prose import Figures, has_value, value_text
from reports.values import Pair


def _label(figures: Figures, key: str) -> str:
    ind = figures.template.by_key.get(key)
    if ind is not None:
        return ind.short_label
    return figures.template.computed_by_key[key].label


def _parts_of_rate(figures: Figures, key: str) -> str:
    """For a computed rate ``a / b``: ``879/1.028 hồ sơ``, from the values of ``a`` and ``b``."""
    comp = figures.template.computed_by_key.get(key)
    if comp is None or comp.format != "percent":
        return ""
    node = ast.parse(comp.expr, mode="eval").body
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)):
        return ""
    num = evaluate(ast.unparse(node.left), figures.values)
    den = evaluate(ast.unparse(node.right), figures.values)
    if num is None or den is None:
        return ""
    unit = ""
    if isinstance(node.left, ast.Name):
        ind = figures.template.by_key.get(node.left.id)
        if ind is not None and ind.unit and ind.type in ("integer", "decimal"):
            unit = f" {ind.unit}"
    return f"{fmt_number(num)}/{fmt_number(den)}{unit}"


def _from_no_figure(figures: Figures, key: str) -> bool:
    """A computed field left without a value because a figure it needs was "không có số liệu"."""
    comp = figures.template.computed_by_key.get(key)
    return comp is not None and bool(names_in(comp.expr) & figures.no_figure)


def figure_line(figures: Figures, key: str) -> str | None:
    """``• Hồ sơ tiếp nhận: 1.028 hồ sơ — tăng 57 hồ sơ (5,87%) so với cùng kỳ năm trước``."""
    value: Any = figures.values.get(key)
    if key in figures.no_figure or (not has_value(value) and _from_no_figure(figures, key)):
        return f"• {_label(figures, key)}: —"
    if not has_value(value):
        return None
    text = value_text(figures.template, key, value)
    if isinstance(value, Pair) and value.den:
        text += f" ({fmt_percent(value.num / value.den)})"
    parts = _parts_of_rate(figures, key)
    if parts:
        text += f" ({parts})"
    line = f"• {_label(figures, key)}: {text}"
    change = figures.change(key)
    if change:
        line += f" — {change}"
    return line


def summary_keys(figures: Figures) -> tuple[str, ...]:
    """The template's ``summary:`` keys; without one, its computed fields."""
    template = figures.template
    return template.summary or tuple(c.key for c in template.computed)


def summary_lines(figures: Figures) -> list[str]:
    return [line for key in summary_keys(figures) if (line := figure_line(figures, key))]


def summary_text(figures: Figures, heading: str, empty: str, notes: tuple[str, ...] = ()) -> str:
    """The whole message: ``heading``, the figure lines (or ``empty`` when none has a value), notes."""
    lines = summary_lines(figures)
    parts = [heading, ""]
    parts += lines or [empty]
    if notes:
        parts += ["", *notes]
    return "\n".join(parts)
