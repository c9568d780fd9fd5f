"""Sample figures for previewing a Word layout (``danvan export --sample``): each indicator's
example from its hint where it parses, else a plausible value of the right type."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from handlers.parsing import AnswerError, parse_answer
from reports.document import Letterhead
from reports.logic import ReportState
from reports.periods import Period
from reports.prose import Figures
from reports.schema import Indicator, Template
from reports.values import Pair


_EXAMPLE = re.compile(r"ví dụ:\s*(.+)", re.IGNORECASE | re.DOTALL)


def _example(text: str, stops: str = r"\.\s|\)\s*$") -> str | None:
    """The example a hint or a field label gives after “ví dụ:”."""
    m = _EXAMPLE.search(text)
    if not m:
        return None
    example = re.split(stops, m.group(1).strip())[0]
    return example.strip().rstrip(".").strip() or None


def _fallback(ind: Indicator, period: Period, n: int) -> Any:
    low = int(ind.min or 0)
    if ind.type == "integer":
        return low + 3 + n % 5
    if ind.type in ("decimal", "percent"):
        return Decimal(low) + Decimal("12.5")
    if ind.type == "pair":
        return Pair(Decimal(8), Decimal(10))
    if ind.type == "yesno":
        return False
    if ind.type == "choice":
        return ind.choices[0].id
    if ind.type == "multichoice":
        return [c.id for c in ind.choices[:2]]
    if ind.type == "date":
        return period.end - timedelta(days=30)
    if ind.type == "text":
        return ind.standard or _example(ind.hint) or f"Nội dung mẫu cho mục “{ind.short_label}”."
    return [_sample_item(ind, period, 0)]


def _sample_item(ind: Indicator, period: Period, i: int) -> dict[str, Any]:
    item: dict[str, Any] = {}
    for f in ind.fields:
        if f.type == "choice":
            item[f.key] = f.choices[i % len(f.choices)].id
        elif f.type == "date":
            item[f.key] = (period.start + timedelta(days=40 + 30 * i)).isoformat()
        elif f.type == "integer":
            item[f.key] = i + 1
        elif f.type == "year":
            item[f.key] = period.start.year + 1 + i
        else:
            item[f.key] = _example(f.label, r"[;)]") or _example(ind.hint) or f"{f.label} {i + 1}"
    return item


def sample_answers(template: Template, period: Period) -> dict[str, Any]:
    """Plausible answers for a preview: each indicator's example from its hint where it parses,
    else a value of the right type."""
    answers: dict[str, Any] = {}
    for n, ind in enumerate(template.indicators):
        example = _example(ind.hint) if ind.type not in ("list", "text") else None
        value = None
        if example is not None:
            try:
                value = parse_answer(ind, example)
            except AnswerError:
                value = None
        if value is None or value == []:
            value = _fallback(ind, period, n)
        answers[ind.key] = value
    return answers


def sample_previous(template: Template, answers: dict[str, Any]) -> dict[str, Any]:
    """Last year's figures for a preview: the numbers about a tenth lower."""
    previous = {}
    for key, value in answers.items():
        ind = template.by_key[key]
        if ind.type == "integer":
            previous[key] = value - value // 50 if ind.profile else value * 9 // 10
        else:
            previous[key] = value
    return previous


def sample_figures(template: Template, period: Period) -> Figures:
    answers = sample_answers(template, period)
    values = ReportState(template, answers).effective()
    previous = ReportState(template, sample_previous(template, answers)).effective()
    return Figures(template, values, previous)


def sample_letterhead() -> Letterhead:
    return Letterhead(
        issuing_body=("ỦY BAN NHÂN DÂN", "XÃ ĐÔNG SƠN"),
        supervising_body="UBND TỈNH BẮC NINH",
        place="Đông Sơn",
        doc_number="5",
        signer_lines=("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"),
        signer_name="Nguyễn Văn An",
        recipients=("UBND tỉnh Bắc Ninh", "Thường trực Đảng ủy xã", "Lưu: VT, VP"),
    )
