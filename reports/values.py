"""Typed answer values: their JSON form in the database and their display in Vietnamese."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from reports.formatting import fmt_date, fmt_number, fmt_percent
from reports.schema import Indicator, ItemField


class Pair(NamedTuple):
    """An "x of y" figure, such as 12 of 14 residential areas."""

    num: Decimal
    den: Decimal


def to_json(type_: str, value: Any) -> Any:
    if value is None:
        return None
    if type_ in ("decimal", "percent"):
        return str(value)
    if type_ == "pair":
        return [str(value.num), str(value.den)]
    if type_ == "date":
        return value.isoformat()
    if type_ == "multichoice":
        return list(value)
    if type_ == "list":
        return [dict(item) for item in value]
    return value


def from_json(type_: str, raw: Any) -> Any:
    if raw is None:
        return None
    if type_ in ("decimal", "percent"):
        return Decimal(raw)
    if type_ == "integer":
        return int(raw)
    if type_ == "pair":
        return Pair(Decimal(raw[0]), Decimal(raw[1]))
    if type_ == "date":
        return date.fromisoformat(raw)
    return raw


_FIELD = re.compile(r"\{([a-z][a-z0-9_]*)\}")


def _item_text(field: ItemField, raw: Any) -> str:
    if raw in (None, ""):
        return ""
    if field.type == "date":
        return fmt_date(date.fromisoformat(raw))
    if field.type == "choice":
        return {c.id: c.label for c in field.choices}.get(raw, str(raw))
    if field.type == "integer":
        return fmt_number(raw, 0)
    return str(raw)  # a year (2025, not 2.025) or a text


def item_texts(indicator: Indicator, item: dict[str, Any]) -> tuple[str, ...]:
    """An item's fields as they read, one text a field (a table's row)."""
    return tuple(_item_text(f, item.get(f.key)) for f in indicator.fields)


def display_item(indicator: Indicator, item: dict[str, Any]) -> str:
    texts = {f.key: _item_text(f, item.get(f.key)) for f in indicator.fields}
    if indicator.item_format:  # filled in one pass: a typed "{abstract}" stays as typed
        out = _FIELD.sub(lambda m: texts.get(m.group(1), m.group(0)), indicator.item_format)
        return " ".join(out.split())
    return "; ".join(t for t in texts.values() if t)


def display(indicator: Indicator, value: Any, yes: str = "có", no: str = "không") -> str:
    """A typed value as the officer reads it (no unit)."""
    t = indicator.type
    if t == "integer":
        return fmt_number(value, 0)
    if t == "decimal":
        return fmt_number(value)
    if t == "percent":
        return fmt_percent(Decimal(value) / 100)
    if t == "pair":
        return f"{fmt_number(value.num)}/{fmt_number(value.den)}"
    if t == "yesno":
        return yes if value else no
    if t == "choice":
        return indicator.choice_labels.get(value, str(value))
    if t == "multichoice":
        labels = indicator.choice_labels
        return ", ".join(labels.get(v, str(v)) for v in value)
    if t == "date":
        return fmt_date(value)
    if t == "list":
        return "; ".join(display_item(indicator, item) for item in value)
    return str(value)
