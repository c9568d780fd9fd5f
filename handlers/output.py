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
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import settings_flow
from handlers.commands import cmd
from handlers.events import Document, Outgoing
from reports.i18n import _
from reports.clock import vn_today
from reports.document import LayoutError, abstract_of, build_context, closing_sentence, issuer_of, render_docx
from reports.logic import ReportState
from reports.periods import Period
from reports.prose import Figures
from reports.schema import Template
from reports.summary import summary_text
from storage import repo
from storage.models import OrgUnit, Report, ReportStatus

log = logging.getLogger(__name__)


def default_files_dir() -> Path:
    return Path(tempfile.gettempdir()) / "danvan-files"


# ---------------------------------------------------------------------------- loading


async def report_state(session: AsyncSession, template: Template, report_id: int) -> ReportState:
    return ReportState.from_stored(template, await repo.answers_of(session, report_id))


async def previous_report(session: AsyncSession, report: Report) -> Report | None:
    """The submitted report of the same org and template for the same period a year before."""
    period = Period.from_key(report.period).previous()
    prev = await repo.find_report(session, report.org_unit_id, report.template_key, period.key)
    return prev if prev is not None and prev.status == ReportStatus.submitted else None


async def earlier_sums(session: AsyncSession, template: Template, report: Report) -> dict[str, Any] | None:
    """For a template with cumulative figures: their sums over the unit's submitted reports of the
    same template for the plan's earlier periods (from the template's ``since`` year on). None when
    one of those periods has no submitted report: a total that misses a year is not written."""
    keys = [ind.key for ind in template.indicators if ind.cumulative]
    if not keys or template.since is None:
        return None
    period = Period.from_key(report.period)
    earlier = {}
    for other in await repo.reports_of(session, report.org_unit_id, template.key):
        other_period = Period.from_key(other.period)
        if (other.status == ReportStatus.submitted and other_period.year >= template.since
                and other_period.end < period.end):
            earlier[other.period] = other
    # one period a year: each of the plan's earlier years must be there
    needed = {Period(year, period.kind).key for year in range(template.since, period.year)} if period.yearly else set()
    if not needed <= set(earlier):
        return None
    sums: dict[str, Any] = {key: 0 for key in keys}
    for other in earlier.values():
        values = (await report_state(session, template, other.id)).effective()
        for key in keys:
            if isinstance(values.get(key), (int, Decimal)):
                sums[key] += values[key]
    return sums


async def load_figures(session: AsyncSession, template: Template, report: Report) -> tuple[Figures, Report | None]:
    state = await report_state(session, template, report.id)
    prev = await previous_report(session, report)
    previous = (await report_state(session, template, prev.id)).effective() if prev else None
    earlier = await earlier_sums(session, template, report)
    return Figures(template, state.effective(earlier), previous, state.no_figure()), prev


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
    """``BaoCao_DONG_SON_commune_half_year_2026-H1.docx``: the unit, the template and the period, so
    that two reports of one period never share a name."""
    code = re.sub(r"[^A-Za-z0-9_-]+", "_", org.code).strip("_") or "org"
    template = re.sub(r"[^A-Za-z0-9_-]+", "_", report.template_key).strip("_") or "report"
    period = re.sub(r"[^A-Za-z0-9-]+", "_", report.period)
    return f"BaoCao_{code}_{template}_{period}{'_DuThao' if draft else ''}.docx"


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
    org, parent = await repo.org_and_parent(session, report.org_unit_id)
    issued = issued_date(report)
    today = vn_today(now)
    period = Period.from_key(report.period)
    closing = closing_sentence(abstract_of(template.abstract, period), issuer_of(org.name))
    context = build_context(figures, period, settings_flow.letterhead_for(org, parent, template.symbol), issued, today,
                            closing=closing)
    problem = await asyncio.to_thread(write_docx, context, out, layout or settings_flow.layout_path(org),
                                      layout is None)
    return Built(out, file_name(org, report, issued is None), issued is None, problem)


# ---------------------------------------------------------------------------- chat messages


def _report_name(template: Template, report: Report) -> str:
    return template.report_name(Period.from_key(report.period))


def summary_message(figures: Figures, template: Template, report: Report, prev: Report | None) -> Outgoing:
    """The whole summary; the channel splits it to its own limit."""
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
    return Outgoing(text, meta={"screen": "summary"})


async def summary_outputs(session: AsyncSession, template: Template, report: Report) -> list[Outgoing]:
    figures, prev = await load_figures(session, template, report)
    return [summary_message(figures, template, report, prev)]


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
    session: AsyncSession, templates: dict[str, Template], report: Report, now: datetime,
    *, summary: bool = True, document: bool = True, files_dir: Path | None = None,
) -> list[Outgoing]:
    """What the officer gets for a report: the summary message(s), then the Word file."""
    template = templates.get(report.template_key)
    if template is None:
        return []
    replies: list[Outgoing] = []
    if summary:
        replies += await summary_outputs(session, template, report)
    if document:
        try:
            replies += await file_outputs(session, template, report, now, files_dir)
        except Exception:  # a failed file must not undo what the event stored (e.g. the submit)
            log.exception("the Word file of report %s could not be made", report.id)
            replies.append(Outgoing(_("Sorry, the Word file could not be made this time. "
                                      "Type {file} to try again.").format(file=cmd("file"))))
    return replies
