"""The chat side of the compiled report: the summary message(s) and the Word file of a report.

The core calls :func:`report_outputs` after a submit, and for ``/tomtat`` (summary) and ``/tep``
(the file) at any time; a draft's file leaves the day of its date line blank. The figures are
compared with the same period of the previous year when that report exists and was **submitted**
(a draft of last year may be half-filled, so it is not used). File work runs in a thread
(``asyncio.to_thread``) so the event loop never waits on docxtpl or the disk.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import settings_flow
from handlers.commands import cmd
from handlers.events import Document, Outgoing
from reports.i18n import _
from handlers.parsing import AnswerError, parse_answer
from handlers.text import split_message
from reports.clock import vn_today
from reports.document import Letterhead, LayoutError, build_context, render_docx
from reports.logic import SKIPPED, ReportState
from reports.periods import Period
from reports.prose import Figures
from reports.schema import Indicator, Template
from reports.summary import summary_text
from reports.values import Pair, from_json
from storage import repo
from storage.models import OrgUnit, Report, ReportStatus

log = logging.getLogger(__name__)
CHANNEL_LIMITS = {"telegram": 4096, "zalo": 2000, "console": 4000}
DEFAULT_LIMIT = 2000  # the smallest limit of the channels we serve, for a channel not listed


def limit_for(channel: str) -> int:
    return CHANNEL_LIMITS.get(channel, DEFAULT_LIMIT)


def default_files_dir() -> Path:
    return Path(tempfile.gettempdir()) / "danvan-files"


# ---------------------------------------------------------------------------- loading


async def report_state(session: AsyncSession, template: Template, report_id: int) -> ReportState:
    answers: dict[str, Any] = {}
    for row in await repo.answers_of(session, report_id):
        ind = template.by_key.get(row.key)
        if ind is None:
            continue  # an indicator of an older template version
        answers[row.key] = SKIPPED if row.skipped else from_json(ind.type, row.value)
    return ReportState(template, answers)


async def previous_report(session: AsyncSession, report: Report) -> Report | None:
    """The submitted report of the same org and template for the same period a year before."""
    period = Period.from_key(report.period).previous()
    prev = await repo.find_report(session, report.org_unit_id, report.template_key, period.key)
    return prev if prev is not None and prev.status == ReportStatus.submitted else None


async def load_figures(session: AsyncSession, template: Template, report: Report) -> tuple[Figures, Report | None]:
    values = (await report_state(session, template, report.id)).effective()
    prev = await previous_report(session, report)
    previous = (await report_state(session, template, prev.id)).effective() if prev else None
    return Figures(template, values, previous), prev


async def org_and_parent(session: AsyncSession, org_id: int) -> tuple[OrgUnit, OrgUnit | None]:
    org = await session.get(OrgUnit, org_id)
    parent = await session.get(OrgUnit, org.parent_id) if org.parent_id else None
    return org, parent


def issued_date(report: Report) -> date | None:
    """The date of a submitted report in Vietnam; None for a draft."""
    if report.status != ReportStatus.submitted or report.submitted_at is None:
        return None
    return vn_today(report.submitted_at)


# ---------------------------------------------------------------------------- the Word file


@dataclass(frozen=True)
class Built:
    path: Path
    filename: str
    draft: bool
    layout_problem: str | None = None  # the commune's own layout could not be used


def file_name(org: OrgUnit, report: Report, draft: bool) -> str:
    code = re.sub(r"[^A-Za-z0-9_-]+", "_", org.code).strip("_") or "org"
    period = re.sub(r"[^A-Za-z0-9-]+", "_", report.period)
    return f"BaoCao_{code}_{period}{'_DuThao' if draft else ''}.docx"


def write_docx(context: dict[str, Any], path: Path, layout: Path | None, fallback: bool = True) -> str | None:
    """Render into ``path`` (atomically). If ``layout`` is broken and ``fallback`` is set, use the
    standard layout and return the problem found; else raise LayoutError. Blocking: call it
    through ``asyncio.to_thread``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".docx.tmp")
    problem = None
    try:
        with os.fdopen(fd, "wb") as fh:
            try:
                render_docx(context, fh, layout)
            except LayoutError as exc:
                if layout is None or not fallback:
                    raise
                problem = str(exc)
                fh.seek(0)
                fh.truncate()
                render_docx(context, fh, None)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return problem


async def build_file(
    session: AsyncSession, template: Template, report: Report, now: datetime, out: Path,
    layout: Path | None = None,
) -> Built:
    """Write the report's .docx to ``out``. ``layout`` overrides the commune's own layout and must
    work (LayoutError otherwise); a broken layout of the commune falls back to the standard one."""
    figures, _prev = await load_figures(session, template, report)
    org, parent = await org_and_parent(session, report.org_unit_id)
    issued = issued_date(report)
    today = vn_today(now)
    context = build_context(figures, Period.from_key(report.period), settings_flow.letterhead_for(org, parent),
                            issued, today)
    problem = await asyncio.to_thread(write_docx, context, out, layout or settings_flow.layout_path(org),
                                      layout is None)
    return Built(out, file_name(org, report, issued is None), issued is None, problem)


# ---------------------------------------------------------------------------- chat messages


def _report_name(template: Template, report: Report) -> str:
    return template.report_name(Period.from_key(report.period).year)


def summary_messages(figures: Figures, template: Template, report: Report, prev: Report | None,
                     limit: int) -> list[Outgoing]:
    draft = report.status != ReportStatus.submitted
    heading = _("📊 Summary — {name}").format(name=_report_name(template, report))
    if draft:
        heading += " " + _("(draft)")
    last = Period.from_key(report.period).previous().label
    if prev is not None:
        note = _("Changes are against the submitted report of {period}.").format(period=last)
    else:
        note = _("There is no submitted report of {period} to compare with.").format(period=last)
    text = summary_text(figures, heading, _("No figures have been answered yet."), (note,))
    return [Outgoing(chunk, meta={"screen": "summary"}) for chunk in split_message(text, limit)]


async def summary_outputs(session: AsyncSession, template: Template, report: Report, channel: str) -> list[Outgoing]:
    figures, prev = await load_figures(session, template, report)
    return summary_messages(figures, template, report, prev, limit_for(channel))


async def file_outputs(session: AsyncSession, template: Template, report: Report, now: datetime,
                       files_dir: Path | None = None) -> list[Outgoing]:
    org = await session.get(OrgUnit, report.org_unit_id)
    draft = issued_date(report) is None
    out = (files_dir or default_files_dir()) / f"report-{report.id}" / file_name(org, report, draft)
    try:
        built = await build_file(session, template, report, now, out)
    except LayoutError as exc:  # the standard layout itself is broken: an installation problem
        return [Outgoing(_("The Word file could not be made: {error}").format(error=exc))]
    replies = []
    if built.layout_problem:
        replies.append(Outgoing(_("The Word layout set for {org} cannot be used, so the standard layout was "
                                  "used instead. Please tell the administrator: {error}").format(
            org=org.name, error=built.layout_problem)))
    caption = _("The Word file of the report (draft: the day of the date line is left blank).") if built.draft \
        else _("The Word file of the report.")
    replies.append(Outgoing(caption, document=Document(built.path, built.filename), meta={"screen": "file"}))
    return replies


async def report_outputs(
    session: AsyncSession, templates: dict[str, Template], report: Report, now: datetime, channel: str,
    *, summary: bool = True, document: bool = True, files_dir: Path | None = None,
) -> list[Outgoing]:
    """What the officer gets for a report: the summary message(s), then the Word file."""
    template = templates.get(report.template_key)
    if template is None:
        return []
    replies: list[Outgoing] = []
    if summary:
        replies += await summary_outputs(session, template, report, channel)
    if document:
        try:
            replies += await file_outputs(session, template, report, now, files_dir)
        except Exception:  # a failed file must not undo what the event stored (e.g. the submit)
            log.exception("the Word file of report %s could not be made", report.id)
            replies.append(Outgoing(_("Sorry, the Word file could not be made this time. "
                                      "Type {file} to try again.").format(file=cmd("file"))))
    return replies


# ---------------------------------------------------------------------------- sample figures


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
        recipients=("UBND tỉnh Bắc Ninh", "Thường trực Đảng ủy xã", "Lưu: VT"),
    )
