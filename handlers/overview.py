"""What a supervisor reads about the reporting units below them, for one template and period: each
unit's status (submitted, waiting for approval, draft, not started; how late) and the compiled
figures of the submitted reports. Reads only; the caller has checked ``access`` first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

from sqlalchemy import Row
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from reports.aggregate import Compiled, UnitValues
from reports.clock import vn_today
from reports.logic import ReportState
from reports.periods import Period, due_for
from reports.schema import Template
from storage import repo, workflow
from storage.access import OrgTree
from storage.models import Answer, OrgUnit, Report, ReportEvent, ReportStatus, User

CHUNK = 900  # ids per IN (…): under SQLite's old 999-variable limit

SUBMITTED, PENDING, DRAFT, NOT_STARTED = "submitted", "pending", "draft", "not_started"


@dataclass(frozen=True)
class UnitStatus:
    org: OrgUnit
    state: str  # submitted | pending | draft | not_started
    due: date
    report_id: int | None = None
    submitted_at: datetime | None = None
    submitted_by: str = ""
    done: int = 0
    total: int = 0
    last_activity: datetime | None = None
    days_late: int = 0  # not in yet and past due: days since; in after the due date: days after it

    @property
    def late(self) -> bool:
        return self.days_late > 0


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


async def _reports(session: AsyncSession, template_key: str, period: str, org_ids: Sequence[int]) -> dict[int, Report]:
    found: dict[int, Report] = {}
    for chunk in _chunks(org_ids):
        stmt = select(Report).where(Report.template_key == template_key, Report.period == period,
                                    Report.org_unit_id.in_(chunk))
        found.update({r.org_unit_id: r for r in (await session.exec(stmt)).all()})
    return found


async def _answers(session: AsyncSession, report_ids: Sequence[int]) -> dict[int, list[Row]]:
    """The stored answers of each report as plain rows (key, skipped, value, value type, updated_at): a province
    holds tens of thousands, and ORM objects of them would cost most of the compilation's time."""
    rows: dict[int, list[Row]] = {i: [] for i in report_ids}
    columns = (Answer.report_id, Answer.key, Answer.skipped, Answer.value, Answer.value_type, Answer.updated_at)
    for chunk in _chunks(report_ids):
        for row in (await session.exec(select(*columns).where(Answer.report_id.in_(chunk)))).all():
            rows[row.report_id].append(row)
    return rows


async def _submitters(session: AsyncSession, report_ids: Sequence[int]) -> dict[int, str]:
    """The name of who handed in (or approved) each report, from its last such event."""
    names: dict[int, str] = {}
    for chunk in _chunks(report_ids):
        stmt = (select(ReportEvent.report_id, User.full_name)
                .where(ReportEvent.report_id.in_(chunk), ReportEvent.user_id == User.id,
                       ReportEvent.action.in_([workflow.SUBMITTED, workflow.APPROVED]))
                .order_by(ReportEvent.at, ReportEvent.id))
        for report_id, name in (await session.exec(stmt)).all():
            names[report_id] = name
    return names


async def status_below(session: AsyncSession, tree: OrgTree, root_id: int, template: Template,
                       period: Period, today: date, due: date | None = None) -> list[UnitStatus]:
    """Every reporting unit below ``root_id``: late ones first (the latest first), then the ones not
    in yet, then those in; by name within each. ``due``: a launched report's due date, for every
    unit (else each unit's own deadline)."""
    units = tree.reporting_below(root_id)
    reports = await _reports(session, template.key, period.key, units)
    answers = await _answers(session, [r.id for r in reports.values()])
    submitters = await _submitters(session, [r.id for r in reports.values() if r.status != ReportStatus.draft])
    rules = await repo.deadline_rules(session)
    empty_total = ReportState(template, {}).progress()[1]
    out: list[UnitStatus] = []
    for org_id in units:
        org = tree.units[org_id]
        unit_due = due or due_for(period, rules, tree.ancestors(org_id))
        report = reports.get(org_id)
        if report is None:
            late = (today - unit_due).days
            out.append(UnitStatus(org, NOT_STARTED, unit_due, total=empty_total, days_late=max(late, 0)))
            continue
        rows = answers[report.id]
        done, total = ReportState.from_stored(template, rows).progress()
        activity = max([r.updated_at for r in rows] + [report.updated_at])
        status = ReportStatus(report.status)
        if status is ReportStatus.submitted:
            on = vn_today(report.submitted_at) if report.submitted_at else today
            late = (on - unit_due).days
            state = SUBMITTED
        else:
            late = (today - unit_due).days
            state = PENDING if status is ReportStatus.pending else DRAFT
        out.append(UnitStatus(org, state, unit_due, report.id, report.submitted_at, submitters.get(report.id, ""),
                              done, total, activity, max(late, 0)))
    order = {NOT_STARTED: 1, DRAFT: 1, PENDING: 1, SUBMITTED: 2}
    out.sort(key=lambda s: (0 if s.late and s.state != SUBMITTED else order[s.state], -s.days_late
                            if s.state != SUBMITTED else 0, s.org.name, s.org.id))
    return out


async def _unit_values(session: AsyncSession, tree: OrgTree, template: Template, period: Period,
                       org_ids: Sequence[int]) -> list[UnitValues]:
    reports = {o: r for o, r in (await _reports(session, template.key, period.key, org_ids)).items()
               if r.status == ReportStatus.submitted}
    answers = await _answers(session, [r.id for r in reports.values()])
    return [UnitValues(o, tree.units[o].name, ReportState.from_stored(template, answers[r.id]).effective())
            for o in org_ids if (r := reports.get(o)) is not None]


async def compile_below(session: AsyncSession, tree: OrgTree, root_id: int, template: Template,
                        period: Period) -> Compiled:
    """The compiled figures of the submitted reports below ``root_id``, with the units not in listed
    as missing, and the same units' figures of the same period a year before for the changes."""
    units = tree.reporting_below(root_id)
    current = await _unit_values(session, tree, template, period, units)
    done = {u.org_id for u in current}
    previous = await _unit_values(session, tree, template, period.previous(), sorted(done))
    missing = [tree.units[o].name for o in units if o not in done]
    return Compiled.of(template, current, len(units), missing, [tree.units[o].kind for o in units], previous)
