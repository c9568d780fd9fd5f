"""What a supervisor gets, for the chat and the command line alike: the status list (text) and its
chart, and the compiled report across the units below (summary text, Word file, Excel workbook).
Files are written in a thread, never on the event loop."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import overview, settings_flow
from handlers.output import write_docx
from reports.aggregate import Compiled
from reports.clock import vn_today
from reports.document import Annex
from reports.formatting import fmt_date, fmt_moment
from reports.i18n import _
from reports.periods import Period
from reports.schema import Template
from reports.summary import figure_line, summary_keys
from storage.access import OrgTree
from storage.models import OrgUnit


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_") or "x"


def report_title(template: Template, period: Period) -> str:
    return template.report_name(period)


# ---------------------------------------------------------------------------- status



def status_line(n: int, s: overview.UnitStatus) -> str:
    if s.state == overview.SUBMITTED:
        text = _("{n}. {unit}: submitted {when}").format(n=n, unit=s.org.name, when=fmt_moment(s.submitted_at))
        if s.submitted_by:
            text += f" ({s.submitted_by})"
        if s.late:
            text += _(", {days} days late").format(days=s.days_late)
        return text
    if s.state == overview.NOT_STARTED:
        text = _("{n}. {unit}: not started").format(n=n, unit=s.org.name)
    elif s.state == overview.PENDING:
        text = _("{n}. {unit}: waiting for the leader's approval").format(n=n, unit=s.org.name)
    else:
        text = _("{n}. {unit}: draft, {done}/{total} answered, last change {when}").format(
            n=n, unit=s.org.name, done=s.done, total=s.total, when=fmt_moment(s.last_activity))
    if s.late:
        text += _(", {days} days late").format(days=s.days_late)
    return text


def status_text(root: OrgUnit, template: Template, period: Period, rows: list[overview.UnitStatus]) -> str:
    counts = {state: sum(1 for r in rows if r.state == state) for state in
              (overview.SUBMITTED, overview.PENDING, overview.DRAFT, overview.NOT_STARTED)}
    late = sum(1 for r in rows if r.late and r.state != overview.SUBMITTED)
    dues = {r.due for r in rows}
    lines = [_("📋 {report} — units under {org}").format(report=report_title(template, period), org=root.name)]
    if len(dues) == 1:
        lines.append(_("Due date: {date}").format(date=fmt_date(dues.pop())))
    lines.append(_("Submitted {done}/{total} · waiting for approval {pending} · draft {draft} · not started {none} · "
                   "late {late}").format(done=counts[overview.SUBMITTED], total=len(rows),
                                         pending=counts[overview.PENDING], draft=counts[overview.DRAFT],
                                         none=counts[overview.NOT_STARTED], late=late))
    if not rows:
        lines.append(_("There is no reporting unit under {org}.").format(org=root.name))
    lines.append("")
    lines += [status_line(n, row) for n, row in enumerate(rows, start=1)]
    return "\n".join(lines)


def chart_groups(tree: OrgTree, root_id: int, rows: list[overview.UnitStatus]) -> list[tuple[str, dict[str, int]]]:
    """One bar per unit directly below ``root_id`` that has reporting units below it (a district);
    one bar for the whole area when the reporting units are directly below."""
    group_of: dict[int, str] = {}
    for row in rows:
        chain = tree.ancestors(row.org.id)  # the unit, its parent, … the root, …
        child = chain[chain.index(root_id) - 1]  # the unit directly below the root on the way
        group_of[row.org.id] = tree.units[root_id].name if child == row.org.id else tree.units[child].name
    groups: dict[str, dict[str, int]] = {}
    for row in rows:
        bucket = groups.setdefault(group_of[row.org.id], {})
        bucket[row.state] = bucket.get(row.state, 0) + 1
    return sorted(groups.items())


async def status(session: AsyncSession, tree: OrgTree, root: OrgUnit, template: Template, period: Period,
                 today: date, chart: Path | None = None, due: date | None = None
                 ) -> tuple[str, list[overview.UnitStatus], Path | None]:
    """(the status text, its rows in the order listed, the chart written to ``chart`` if given);
    ``due``: a launched report's due date."""
    rows = await overview.status_below(session, tree, root.id, template, period, today, due)
    text = status_text(root, template, period, rows)
    drawn = None
    if chart is not None and rows:
        from reports.chart import draw_status

        title = f"{report_title(template, period)} — {root.name}"
        drawn = await asyncio.to_thread(draw_status, chart_groups(tree, root.id, rows), title, chart)
    return text, rows, drawn


# ---------------------------------------------------------------------------- the compiled report


def coverage_note(compiled: Compiled) -> str:
    if not compiled.units:
        return _("No unit has submitted yet: there is nothing to compile.")
    note = _("Figures from the {done} of {total} units that submitted.").format(
        done=len(compiled.units), total=compiled.expected)
    if compiled.missing:
        note += " " + _("Not submitted, so not counted: {names}.").format(names=", ".join(compiled.missing))
    return note


def summary_text(root: OrgUnit, compiled: Compiled, period: Period) -> str:
    heading = _("📊 Compiled — {report} — {org}").format(report=report_title(compiled.template, period), org=root.name)
    lines = [heading, coverage_note(compiled), ""]
    for key in summary_keys(compiled):
        line = figure_line(compiled, key)
        if line:
            cover = compiled.coverage(key)
            lines.append(f"{line} ({cover})" if cover else line)
    if compiled.previous is not None:
        lines += ["", _("Changes are against the same units' submitted reports of {period}.").format(
            period=period.previous().label)]
    return "\n".join(lines)


def _opening(compiled: Compiled, today: date) -> tuple[str, ...]:
    word = compiled.word
    text = (f"Báo cáo được tổng hợp từ báo cáo của {len(compiled.units)}/{compiled.expected} {word} "
            f"đã nộp đến ngày {fmt_date(today)}.")
    if compiled.missing:
        text += (f" Còn {len(compiled.missing)} {word} chưa nộp báo cáo, chưa được tính vào số liệu: "
                 f"{', '.join(compiled.missing)}.")
    return (text,)


def annex_of(compiled: Compiled, period: Period) -> Annex:
    template = compiled.template
    keys = template.annex or summary_keys(compiled)
    header = ["Đơn vị"]
    for key in keys:
        ind = template.by_key.get(key)
        label = ind.short_label if ind else template.computed_by_key[key].label
        unit = ind.unit if ind is not None and ind.type in ("integer", "decimal", "pair") else None
        header.append(f"{label} ({unit})" if unit else label)
    rows = []
    for unit in compiled.units:
        row = [unit.name]
        for key in keys:
            value = unit.values.get(key)
            row.append(_cell_text(compiled, key, value))
        rows.append(tuple(row))
    total = ("Tổng cộng", *(compiled.text(key, unit=False) if compiled.has(key) else "" for key in keys))
    title = f"Một số chỉ tiêu chủ yếu của các đơn vị — {period.label}"
    return Annex(title, tuple(header), tuple(rows), total)


def _cell_text(compiled: Compiled, key: str, value: object) -> str:
    from reports.prose import has_value, value_text

    return value_text(compiled.template, key, value, unit=False) if has_value(value) else "–"


@dataclass(frozen=True)
class CompiledFiles:
    docx: Path | None
    xlsx: Path | None
    docx_name: str
    xlsx_name: str


def file_names(root: OrgUnit, template: Template, period: Period) -> tuple[str, str]:
    base = f"TongHop_{_safe(root.code)}_{_safe(template.key)}_{_safe(period.key)}"
    return base + ".docx", base + ".xlsx"


async def compile_files(session: AsyncSession, tree: OrgTree, root: OrgUnit, compiled: Compiled, period: Period,
                        now: datetime, docx: Path | None, xlsx: Path | None) -> CompiledFiles:
    """Write the compiled Word file (issued by ``root``, a draft: the day is left blank for the
    signer) and the workbook."""
    parent = tree.units.get(root.parent_id) if root.parent_id is not None else None
    today = vn_today(now)
    docx_name, xlsx_name = file_names(root, compiled.template, period)
    if docx is not None:
        from reports.document import abstract_of, build_context, closing_sentence

        letterhead = settings_flow.letterhead_for(root, parent)
        abstract = abstract_of(compiled.template.compiled_abstract or compiled.template.abstract, period)
        closing = closing_sentence(abstract, root.name)
        context = build_context(compiled, period, letterhead, None, today, compiled=True,
                                opening=_opening(compiled, today), closing=closing,
                                annex=annex_of(compiled, period) if compiled.units else None)
        await asyncio.to_thread(write_docx, context, docx, settings_flow.layout_path(root), True)
    if xlsx is not None:
        from reports.workbook import write_workbook

        await asyncio.to_thread(write_workbook, compiled, xlsx, f"{report_title(compiled.template, period)} — {root.name}")
    return CompiledFiles(docx, xlsx, docx_name, xlsx_name)
