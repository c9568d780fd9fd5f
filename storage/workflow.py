"""A report's status and its changes, each recorded as a ``ReportEvent`` (who, when, why).

draft ──submit──▶ submitted                       (no leader approval for the unit)
draft ──submit──▶ pending ──approve──▶ submitted   (the unit needs its leader's approval)
pending ──return (leader)──▶ draft
submitted ──send back (supervisor) / reopen──▶ draft

The answers stay through every change. Who may do which change is decided by the caller with
``storage.access``; here a change is only refused when the report is not in a status it starts from.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import access
from storage.models import OrgUnit, Report, ReportEvent, ReportStatus, User

SUBMITTED, PENDING, APPROVED = "submitted", "pending", "approved"
RETURNED, LEADER_RETURNED, REOPENED, REOPEN_ASKED = "returned", "leader_returned", "reopened", "reopen_asked"
ACTIONS = (SUBMITTED, PENDING, APPROVED, RETURNED, LEADER_RETURNED, REOPENED, REOPEN_ASKED)
MAX_COMMENT = 1000


class WorkflowError(ValueError):
    """The change does not apply to the report's status now; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def needs_approval(tree: access.OrgTree, org_id: int) -> bool:
    """Whether ``org_id``'s reports need its leader's approval: the nearest unit up the tree that
    set ``leader_approval`` decides; unset everywhere: no."""
    for unit_id in tree.ancestors(org_id):
        value = (tree.units[unit_id].settings or {}).get("leader_approval")
        if value is not None:
            return bool(value)
    return False


def _event(session: AsyncSession, report: Report, action: str, user: User | None, now: datetime,
           comment: str = "") -> ReportEvent:
    event = ReportEvent(report_id=report.id, action=action, user_id=user.id if user else None,
                        comment=comment[:MAX_COMMENT], at=now)
    session.add(event)
    return event


def _status(report: Report) -> ReportStatus:
    return ReportStatus(report.status)


def submit(session: AsyncSession, report: Report, user: User, now: datetime, approval: bool) -> str:
    """Hand in a draft: submitted, or pending the leader's approval. Returns the action taken."""
    if _status(report) is not ReportStatus.draft:
        raise WorkflowError("not_draft")
    if approval:
        report.status = ReportStatus.pending
        action = PENDING
    else:
        report.status = ReportStatus.submitted
        report.submitted_at = now
        action = SUBMITTED
    session.add(report)
    _event(session, report, action, user, now)
    return action


def approve(session: AsyncSession, report: Report, leader: User, now: datetime) -> None:
    if _status(report) is not ReportStatus.pending:
        raise WorkflowError("not_pending")
    report.status = ReportStatus.submitted
    report.submitted_at = now
    session.add(report)
    _event(session, report, APPROVED, leader, now)


def send_back(session: AsyncSession, report: Report, user: User, now: datetime, comment: str,
              by_leader: bool = False) -> None:
    """Back to draft with a comment: a supervisor's send-back of a submitted report, or the leader's
    return of one waiting for approval."""
    expected = ReportStatus.pending if by_leader else ReportStatus.submitted
    if _status(report) is not expected:
        raise WorkflowError("not_pending" if by_leader else "not_submitted")
    report.status = ReportStatus.draft
    report.submitted_at = None
    session.add(report)
    _event(session, report, LEADER_RETURNED if by_leader else RETURNED, user, now, comment)


def reopen(session: AsyncSession, report: Report, user: User, now: datetime, comment: str = "") -> None:
    if _status(report) is not ReportStatus.submitted:
        raise WorkflowError("not_submitted")
    report.status = ReportStatus.draft
    report.submitted_at = None
    session.add(report)
    _event(session, report, REOPENED, user, now, comment)


def ask_reopen(session: AsyncSession, report: Report, user: User, now: datetime, comment: str) -> None:
    """An officer asks the supervisors to reopen a submitted report (nothing changes until they do)."""
    if _status(report) is not ReportStatus.submitted:
        raise WorkflowError("not_submitted")
    _event(session, report, REOPEN_ASKED, user, now, comment)


async def events_of(session: AsyncSession, report_id: int) -> list[ReportEvent]:
    stmt = select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.at, ReportEvent.id)
    return list((await session.exec(stmt)).all())


async def events_since(session: AsyncSession, since: datetime, until: datetime | None = None
                       ) -> list[tuple[ReportEvent, Report]]:
    """Status changes from ``since`` (up to ``until``, if given) with their report, oldest first
    (for the notices)."""
    stmt = select(ReportEvent, Report).where(ReportEvent.report_id == Report.id, ReportEvent.at >= since)
    if until is not None:
        stmt = stmt.where(ReportEvent.at <= until)
    stmt = stmt.order_by(ReportEvent.at, ReportEvent.id)
    return [(e, r) for e, r in (await session.exec(stmt)).all()]


async def set_approval(session: AsyncSession, org: OrgUnit, required: bool | None) -> None:
    """Turn the leader's approval on or off for ``org`` and the units below (None: inherit again)."""
    settings = dict(org.settings or {})
    if required is None:
        settings.pop("leader_approval", None)
    else:
        settings["leader_approval"] = bool(required)
    org.settings = settings
    session.add(org)
