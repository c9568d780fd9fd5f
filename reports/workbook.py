"""The compiled report as an Excel workbook (openpyxl): one row a unit, one column an indicator.

Sheet "Tổng hợp": the units compiled (their submitted reports), one column per indicator in the
template's order with its label and unit in the header, then the computed fields; numbers are
numbers (formatted ``#,##0``, ``#,##0.00``, ``0.00%``); the header row and the unit column are
frozen; the last row holds the totals as formulas (``SUM``; ``COUNTIF`` of "có" for yes/no) and, for
computed fields, the value recomputed from the sums. Sheet "Danh sách": every list item and free
text, one row each, with its unit. Sheet "Chưa nộp": the units whose report is not in, which are
never counted. Blocking: call it through ``asyncio.to_thread``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from reports.aggregate import Compiled
from reports.schema import Indicator
from reports.values import Pair, display, display_item

INT, DEC, PCT = "#,##0", "#,##0.00", "0.00%"
_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _header(label: str, unit: str | None) -> str:
    return f"{label} ({unit})" if unit else label


def _columns(compiled: Compiled) -> list[tuple[str, str, str, Any]]:
    """(header, number format, total kind, getter) for each column after the unit's name."""
    cols: list[tuple[str, str, str, Any]] = []
    for ind in compiled.template.indicators:
        if ind.type in ("text", "list"):
            continue
        cols += _indicator_columns(ind)
    for comp in compiled.template.computed:
        fmt = PCT if comp.format == "percent" else INT if comp.format == "integer" else DEC
        cols.append((comp.label, fmt, "computed:" + comp.key, lambda v, k=comp.key: _num(v.get(k))))
    return cols


def _num(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _indicator_columns(ind: Indicator) -> list[tuple[str, str, str, Any]]:
    label, key = ind.short_label, ind.key
    if ind.type in ("integer", "decimal"):
        fmt = INT if ind.type == "integer" else DEC
        return [(_header(label, ind.unit), fmt, "sum", lambda v: _num(v.get(key)))]
    if ind.type == "percent":
        return [(_header(label, "%"), PCT, "", lambda v: _num(v[key] / 100) if v.get(key) is not None else None)]
    if ind.type == "pair":
        return [
            (_header(f"{label}: đạt", ind.unit), INT, "sum",
             lambda v: _num(v[key].num) if isinstance(v.get(key), Pair) else None),
            (_header(f"{label}: tổng số", ind.unit), INT, "sum",
             lambda v: _num(v[key].den) if isinstance(v.get(key), Pair) else None),
        ]
    if ind.type == "yesno":
        return [(label, "", "yes", lambda v: ("có" if v[key] else "không") if v.get(key) is not None else None)]
    return [(label, "", "", lambda v: display(ind, v[key]) if v.get(key) is not None else None)]


def write_workbook(compiled: Compiled, path: Path, title: str) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Tổng hợp"
    cols = _columns(compiled)
    ws.cell(1, 1, "Đơn vị").font = _BOLD
    for c, (header, _fmt, _kind, _get) in enumerate(cols, start=2):
        cell = ws.cell(1, c, header)
        cell.font, cell.alignment = _BOLD, _WRAP
    for r, unit in enumerate(compiled.units, start=2):
        ws.cell(r, 1, unit.name)
        for c, (_h, fmt, _kind, get) in enumerate(cols, start=2):
            value = get(unit.values)
            if value is not None:
                cell = ws.cell(r, c, value)
                if fmt:
                    cell.number_format = fmt
    last = len(compiled.units) + 1
    total_row = last + 1
    ws.cell(total_row, 1, "Tổng cộng").font = _BOLD
    for c, (_h, fmt, kind, _get) in enumerate(cols, start=2):
        letter = get_column_letter(c)
        span = f"{letter}2:{letter}{last}"
        value: Any = None
        if kind == "sum" and compiled.units:
            value = f"=SUM({span})"
        elif kind == "yes" and compiled.units:
            value = f'=COUNTIF({span},"có")'
        elif kind.startswith("computed:"):
            value = _num(compiled.values.get(kind.split(":", 1)[1]))
        if value is not None:
            cell = ws.cell(total_row, c, value)
            cell.font = _BOLD
            if fmt and kind != "yes":
                cell.number_format = fmt
    ws.freeze_panes = "B2"
    ws.column_dimensions["A"].width = 28
    for c in range(2, len(cols) + 2):
        ws.column_dimensions[get_column_letter(c)].width = 16
    ws.row_dimensions[1].height = 60

    lists = wb.create_sheet("Danh sách")
    for c, header in enumerate(("Đơn vị", "Chỉ tiêu", "Nội dung"), start=1):
        lists.cell(1, c, header).font = _BOLD
    row = 2
    for unit in compiled.units:
        for ind in compiled.template.indicators:
            value = unit.values.get(ind.key)
            if not value or ind.type not in ("list", "text"):
                continue
            items = [display_item(ind, item) for item in value] if ind.type == "list" else [" ".join(str(value).split())]
            for text in items:
                lists.cell(row, 1, unit.name)
                lists.cell(row, 2, ind.short_label)
                lists.cell(row, 3, text).alignment = _WRAP
                row += 1
    lists.freeze_panes = "A2"
    for letter, width in (("A", 28), ("B", 30), ("C", 90)):
        lists.column_dimensions[letter].width = width

    missing = wb.create_sheet("Chưa nộp")
    missing.cell(1, 1, "Đơn vị chưa nộp báo cáo (không được tính vào số liệu)").font = _BOLD
    for r, name in enumerate(compiled.missing, start=2):
        missing.cell(r, 1, name)
    missing.column_dimensions["A"].width = 60
    wb.properties.title = title[:255]
    wb.properties.language = "vi-VN"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
