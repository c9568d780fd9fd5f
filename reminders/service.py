"""Planning and sending reminders from what the database says now.

A run (:meth:`ReminderService.run`) reads the org tree, the deadlines, the reports and the reminder
log, works out who is due what at this moment (:meth:`ReminderService.plan`), *claims* each item by
inserting its reminder-log row — the unique key (recipient, period, kind) lets only one run win —
then sends the claimed items through the :class:`~reminders.dispatch.Dispatcher` and records the
outcome (``sent`` or ``failed`` with the error). A claimed item is never claimed again: if the
process dies between the claim and the send, that reminder is lost rather than sent twice.

Who gets what:

* **officers** of a commune whose report for the period is not submitted: the latest reminder slot
  of the policy (7, 3, 1 days before, on the due date, every 2 working days after) that has come;
* **supervisors**: a digest of the communes below their unit that have not submitted, with their
  progress, on the due date and on each overdue reminder day;
* **supervisors** of the units above a commune: a short notice once the commune has submitted
  (:meth:`ReminderService.run_notices`, polled every minute in office hours).

The due date of a commune is the nearest deadline up its org tree (``reports.periods.resolve_due``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Sequence

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from reminders import messages
from reminders.dispatch import Delivery, Dispatcher, Notice, Outcome
from reminders.messages import Progress
from reports.clock import Clock, as_utc
from reports.i18n import use_locale
from reminders.policy import ReminderPolicy, Slot
from reports.logic import ReportState
from reports.periods import Period, around, due_for
from reports.schema import Template
from storage import access, repo, workflow
from storage.access import REPORTING_KINDS, OrgTree
from storage.models import (Answer, ChannelIdentity, Launch, OrgUnit, ReminderLog, Report, ReportStatus, Role, User,
                            utcnow)

log = logging.getLogger(__name__)
OFFICER, DIGEST, NOTICE = "reminder", "digest", "notice"
# Which status changes are told to whom (storage.workflow actions → roles of the people told).
EVENT_NOTICES = {
    workflow.RETURNED: (Role.officer, Role.leader),
    workflow.REOPENED: (Role.officer, Role.leader),
    workflow.LEADER_RETURNED: (Role.officer,),
    workflow.PENDING: (Role.leader,),
    workflow.APPROVED: (Role.officer,),
    workflow.REOPEN_ASKED: (Role.supervisor,),
}


def _chunks(ids: Sequence[int], size: int = 1000) -> list[list[int]]:
    """``IN (…)`` lists of a size every database takes."""
    ids = list(ids)
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _later(ident: ChannelIdentity, than: ChannelIdentity) -> bool:
    """Was ``ident`` used after ``than`` (an identity never seen counts as used when it was made)?"""
    return (ident.last_seen_at or ident.created_at) >= (than.last_seen_at or than.created_at)


@dataclass(frozen=True)
class Planned:
    """One message series due to one person now."""

    user_id: int
    user_name: str
    channel: str
    chat_id: str
    org_unit_id: int  # the unit it is about (the commune, or the supervisor's unit for a digest)
    org_name: str
    period: str  # period key, "2026-H1" / "2026"
    kind: str  # the slot: before-7, due, overdue-1, digest-due, submitted:<report>:<time>
    category: str  # reminder | digest | notice
    due: date | None
    notices: tuple[Notice, ...]

    @property
    def key(self) -> tuple[int, str, str]:
        return self.user_id, self.period, self.kind


@dataclass
class RunResult:
    at: datetime
    office_hours: bool
    planned: int = 0
    claimed: int = 0  # planned items this run won (the others were already claimed elsewhere)
    sent: int = 0
    failed: int = 0
    items: list[Planned] = field(default_factory=list)


@dataclass
class _World:
    """What a plan reads from the database, loaded once per run."""

    tree: OrgTree
    rules: dict[int, dict[str, dict]]
    users: list[User]
    identities: dict[int, ChannelIdentity]  # user id → the identity to write to
    logged: set[tuple[int, str, str]]

    @property
    def units(self) -> dict[int, OrgUnit]:
        return self.tree.units

    def due(self, org_id: int, period: Period) -> date:
        return due_for(period, self.rules, self.tree.ancestors(org_id))


class ReminderService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        templates: dict[str, Template],
        policy: ReminderPolicy | None = None,
        dispatcher: Dispatcher | None = None,
        clock: Clock = utcnow,
        record_batch: int = 200,
    ) -> None:
        self.sessions = sessions
        self.templates = templates
        self.policy = policy or ReminderPolicy()
        self.dispatcher = dispatcher or Dispatcher()
        self.clock = clock
        self.record_batch = record_batch

    # ------------------------------------------------------------------ what is due

    def _template_for(self, kind: str) -> Template | None:
        """The commune report template of a period kind (the first by key when there are several)."""
        found = sorted((t for t in self.templates.values() if t.period == kind and t.level == "commune"),
                       key=lambda t: t.key)
        return found[0] if found else None

    def _report_name(self, template: Template, period: Period) -> str:
        return template.report_name(period)

    async def _world(self, session: AsyncSession, periods: Iterable[str], channels: set[str] | None) -> _World:
        tree = await access.load_tree(session)
        users = list((await session.exec(
            select(User).where(User.role.in_([Role.officer, Role.leader, Role.supervisor])).order_by(User.id))).all())
        identities: dict[int, ChannelIdentity] = {}
        stmt = select(ChannelIdentity).where(ChannelIdentity.blocked == False).order_by(ChannelIdentity.id)  # noqa: E712
        for ident in (await session.exec(stmt)).all():
            if channels is None or ident.channel in channels:
                known = identities.get(ident.user_id)
                if known is None or _later(ident, known):
                    identities[ident.user_id] = ident  # the messenger used last (else the newest) wins
        keys = list(periods)
        logged: set[tuple[int, str, str]] = set()
        if keys:
            rows = await session.exec(
                select(ReminderLog.user_id, ReminderLog.period, ReminderLog.kind).where(ReminderLog.period.in_(keys)))
            logged = {tuple(r) for r in rows.all()}
        return _World(tree, await repo.deadline_rules(session), users, identities, logged)

    async def _progress(
        self, session: AsyncSession, org_ids: Sequence[int], period: Period, template: Template,
        world: _World,
    ) -> tuple[set[int], dict[int, Progress]]:
        """(communes that submitted, progress of the others) for ``period``."""
        reports: list[Report] = []
        for chunk in _chunks(org_ids):
            reports += (await session.exec(
                select(Report).where(Report.period == period.key, Report.template_key == template.key,
                                     Report.org_unit_id.in_(chunk)))).all()
        # submission is per (unit, template, period): another report of the period does not count
        submitted = {r.org_unit_id for r in reports if r.status == ReportStatus.submitted}
        drafts = {r.org_unit_id: r for r in reports if r.org_unit_id not in submitted}
        rows: dict[int, list[Answer]] = {r.id: [] for r in drafts.values()}
        for chunk in _chunks(list(rows)):
            for row in (await session.exec(select(Answer).where(Answer.report_id.in_(chunk)))).all():
                rows[row.report_id].append(row)
        empty_total = ReportState(template, {}).progress()[1]
        progress: dict[int, Progress] = {}
        for org_id in org_ids:
            if org_id in submitted:
                continue
            name = world.units[org_id].name
            draft = drafts.get(org_id)
            if draft is None:
                progress[org_id] = Progress(name, 0, empty_total, False)
            else:
                done, total = ReportState.from_stored(template, rows[draft.id]).progress()
                progress[org_id] = Progress(name, done, total, True, draft.status == ReportStatus.pending)
        return submitted, progress

    async def plan(self, now: datetime | None = None, channels: set[str] | None = None) -> list[Planned]:
        """Every reminder and digest due at ``now`` and not yet logged; sends nothing. Outside office
        hours nothing is due. ``channels``: only recipients reachable on these (None: any)."""
        now = as_utc(now or self.clock())
        if not self.policy.in_office_hours(now):
            return []
        today = self.policy.local(now).date()
        periods = [(p, t, None) for kind in ("half_year", "annual")
                   if (t := self._template_for(kind)) is not None for p in around(kind, today)]
        async with self.sessions() as session:
            regular = {(t.key, p.key) for p, t, _l in periods}
            periods += [(Period.from_key(row.period), self.templates[row.template_key], row)
                        for row in await repo.launches_at(session)  # a supervisor's launched reports
                        if row.template_key in self.templates and (row.template_key, row.period) not in regular]
            world = await self._world(session, [p.key for p, _t, _l in periods], channels)
            officers: dict[int, list[User]] = {}
            supervisors: list[User] = []
            for user in world.users:
                if user.role == Role.supervisor:
                    supervisors.append(user)
                elif (world.units.get(user.org_unit_id) and world.units[user.org_unit_id].kind in REPORTING_KINDS
                      and (user.role == Role.officer
                           or (user.role == Role.leader and workflow.needs_approval(world.tree, user.org_unit_id)))):
                    officers.setdefault(user.org_unit_id, []).append(user)  # leaders too when they approve
            planned: list[Planned] = []
            for period, template, launch in periods:
                planned += await self._plan_period(session, world, period, template, today, officers, supervisors,
                                                   launch)
        return planned

    async def _plan_period(
        self, session: AsyncSession, world: _World, period: Period, template: Template, today: date,
        officers: dict[int, list[User]], supervisors: list[User], launch: Launch | None = None,
    ) -> list[Planned]:
        """``launch``: a report a supervisor launched: only the units below the launching one, by its due date."""
        report_name = self._report_name(template, period)
        asked = set(world.tree.reporting_below(launch.org_unit_id)) if launch is not None else None
        # officers: the latest slot of their commune's series, unless already logged
        wanted: dict[int, tuple[date, Slot, list[User]]] = {}
        for org_id, users in officers.items():
            if asked is not None and org_id not in asked:
                continue
            due = launch.due if launch is not None else world.due(org_id, period)
            slot = self.policy.latest(self.policy.officer_slots(due), today)
            if slot is None:
                continue
            todo = [u for u in users if u.id in world.identities and (u.id, period.key, slot.kind) not in world.logged]
            if todo:
                wanted[org_id] = (due, slot, todo)
        # supervisors: the digest on the due date and each overdue slot of their own unit's deadline
        digests: list[tuple[User, date, Slot, list[int]]] = []
        for user in supervisors:
            if user.id not in world.identities:
                continue
            if launch is not None and user.org_unit_id not in world.tree.ancestors(launch.org_unit_id):
                continue  # a launched report: the launching unit's supervisors and those above
            due = launch.due if launch is not None else world.due(user.org_unit_id, period)
            slot = self.policy.latest(self.policy.late_slots(due), today)
            if slot is None or (user.id, period.key, f"digest-{slot.kind}") in world.logged:
                continue
            below = world.tree.reporting_below(user.org_unit_id)
            if asked is not None:
                below = [o for o in below if o in asked]
            if below:
                digests.append((user, due, slot, below))
        if not wanted and not digests:
            return []
        org_ids = sorted(set(wanted) | {o for *_rest, below in digests for o in below})
        submitted, progress = await self._progress(session, org_ids, period, template, world)
        out: list[Planned] = []
        for org_id, (due, slot, users) in wanted.items():
            if org_id in submitted:
                continue
            unit = world.units[org_id]
            for user in users:
                if progress[org_id].pending and user.role != Role.leader:
                    continue  # the officers' part is done: the report waits for the leader
                ident = world.identities[user.id]
                with use_locale(user.locale):
                    notice = messages.officer_reminder(report_name, unit.name, due, today, progress[org_id],
                                                       last_working_day=slot.kind == "due")
                out.append(Planned(user.id, user.full_name, ident.channel, ident.chat_id, org_id, unit.name,
                                   period.key, slot.kind, OFFICER, due, (notice,)))
        for user, due, slot, below in digests:
            late = [progress[o] for o in below if o not in submitted]
            if not late:
                continue  # every commune below has submitted: nothing to chase
            unit = world.units[user.org_unit_id]
            ident = world.identities[user.id]
            with use_locale(user.locale):
                notices = messages.supervisor_digest(report_name, unit.name, due, today, late, len(below) - len(late))
            out.append(Planned(user.id, user.full_name, ident.channel, ident.chat_id, unit.id, unit.name,
                               period.key, f"digest-{slot.kind}", DIGEST, due, notices))
        return out

    async def plan_notices(self, now: datetime | None = None, channels: set[str] | None = None) -> list[Planned]:
        """A notice to the supervisors above each commune that submitted recently and was not yet announced."""
        now = as_utc(now or self.clock())
        if not self.policy.in_office_hours(now):
            return []
        since = now - self.policy.notice_window
        async with self.sessions() as session:
            reports = list((await session.exec(
                select(Report).where(Report.status == ReportStatus.submitted, Report.submitted_at >= since,
                                     Report.submitted_at <= now)  # a plan --at in the past: not what came later
                .order_by(Report.submitted_at, Report.id))).all())
            events = [(e, r) for e, r in await workflow.events_since(session, since, now)
                      if e.action in EVENT_NOTICES]
            if not reports and not events:
                return []
            world = await self._world(session, {r.period for r in reports} | {r.period for _e, r in events}, channels)
            out = self._event_notices(world, events)
            by_unit: dict[int, list[User]] = {}
            for user in world.users:
                if user.role == Role.supervisor and user.id in world.identities:
                    by_unit.setdefault(user.org_unit_id, []).append(user)
            done_by_period: dict[str, set[int]] = {}
            for report in reports:
                if report.template_key not in self.templates or report.org_unit_id not in world.units:
                    continue
                at = as_utc(report.submitted_at)
                kind = f"submitted:{report.id}:{int(at.timestamp())}"
                period = Period.from_key(report.period)
                name = self._report_name(self.templates[report.template_key], period)
                commune = world.units[report.org_unit_id]
                for org_id in world.tree.ancestors(report.org_unit_id)[1:]:
                    for user in by_unit.get(org_id, []):
                        if (user.id, report.period, kind) in world.logged:
                            continue
                        done_key = f"{report.template_key}/{report.period}"
                        if done_key not in done_by_period:
                            done_by_period[done_key] = await access.submitted_units(
                                session, report.template_key, report.period)
                        below = world.tree.reporting_below(org_id)
                        done = len(done_by_period[done_key] & set(below))
                        unit = world.units[org_id]
                        ident = world.identities[user.id]
                        with use_locale(user.locale):
                            notice = messages.submit_notice(name, commune.name, self.policy.local(at), unit.name,
                            done, len(below))
                        out.append(Planned(user.id, user.full_name, ident.channel, ident.chat_id, commune.id,
                                           commune.name, report.period, kind, NOTICE, None, (notice,)))
        return out

    def _event_notices(self, world: _World, events: list) -> list[Planned]:  # (ReportEvent, Report) pairs
        """A notice for each status change to the people it concerns: a report sent back, returned
        or reopened goes to the unit's officers (and leaders); one waiting for approval to its leaders;
        an approval to its officers; a request to reopen to the supervisors above."""
        names = {u.id: u.full_name for u in world.users}
        out: list[Planned] = []
        for event, report in events:
            template = self.templates.get(report.template_key)
            unit = world.units.get(report.org_unit_id)
            if template is None or unit is None:
                continue
            roles = EVENT_NOTICES[event.action]
            above = set(world.tree.ancestors(unit.id)[1:])
            name = self._report_name(template, Period.from_key(report.period))
            for user in world.users:
                if user.id == event.user_id or user.id not in world.identities or Role(user.role) not in roles:
                    continue
                if (user.org_unit_id in above) != (Role(user.role) == Role.supervisor):
                    continue  # supervisors hear about units below them; officers and leaders about their own
                if Role(user.role) != Role.supervisor and user.org_unit_id != unit.id:
                    continue
                kind = f"event:{event.id}"
                if (user.id, report.period, kind) in world.logged:
                    continue
                ident = world.identities[user.id]
                with use_locale(user.locale):
                    notice = messages.event_notice(event.action, name, unit.name, names.get(event.user_id, ""),
                                                   event.comment)
                out.append(Planned(user.id, user.full_name, ident.channel, ident.chat_id, unit.id, unit.name,
                                   report.period, kind, NOTICE, None, (notice,)))
        return out

    # ------------------------------------------------------------------ sending

    async def run(self, now: datetime | None = None) -> RunResult:
        """Send the reminders and digests due now (the scheduler's job, each working day)."""
        now = as_utc(now or self.clock())
        return await self.send(await self.plan(now, self.dispatcher.channels), now)

    async def run_notices(self, now: datetime | None = None) -> RunResult:
        """Send the submit notices not yet sent (the scheduler's job, every minute in office hours)."""
        now = as_utc(now or self.clock())
        return await self.send(await self.plan_notices(now, self.dispatcher.channels), now)

    async def send(self, planned: list[Planned], now: datetime | None = None) -> RunResult:
        """Claim each planned item, send the ones this call won, record how each went."""
        now = as_utc(now or self.clock())
        result = RunResult(now, self.policy.in_office_hours(now), planned=len(planned))
        if not planned:
            return result
        claimed = await self._claim(now, planned)
        result.claimed = len(claimed)
        result.items = [p for _id, p in claimed]
        by_channel: dict[str, list[Delivery]] = {}
        for row_id, item in claimed:
            by_channel.setdefault(item.channel, []).append(Delivery(row_id, item.chat_id, item.notices))
        pending: list[Outcome] = []

        async def record(outcome: Outcome) -> None:
            pending.append(outcome)
            if len(pending) >= self.record_batch:
                batch = pending[:]
                pending.clear()
                await self._record(batch)

        for channel, deliveries in by_channel.items():
            stats = await self.dispatcher.deliver(channel, deliveries, record)
            result.sent += stats.sent
            result.failed += stats.failed
        await self._record(pending)
        if result.claimed:
            log.info("reminders at %s: %d planned, %d claimed, %d sent, %d failed",
                     now.isoformat(), result.planned, result.claimed, result.sent, result.failed)
        return result

    async def _claim(self, now: datetime, planned: list[Planned]) -> list[tuple[int, Planned]]:
        """Insert the log rows; only the rows this call inserted are returned (the others exist already)."""
        planned = sorted(planned, key=lambda p: p.key)  # one order everywhere: concurrent claims cannot deadlock
        won: list[tuple[int, Planned]] = []
        async with self.sessions() as session, session.begin():
            dialect = session.bind.dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            for start in range(0, len(planned), 500):
                chunk = planned[start:start + 500]
                rows = [dict(user_id=p.user_id, period=p.period, kind=p.kind, org_unit_id=p.org_unit_id,
                             channel=p.channel, chat_id=p.chat_id, status="pending", at=now) for p in chunk]
                stmt = (insert(ReminderLog).values(rows)
                        .on_conflict_do_nothing(index_elements=["user_id", "period", "kind"])
                        .returning(ReminderLog.id, ReminderLog.user_id, ReminderLog.period, ReminderLog.kind))
                inserted = {(r.user_id, r.period, r.kind): r.id for r in (await session.exec(stmt)).all()}
                won += [(inserted[p.key], p) for p in chunk if p.key in inserted]
        return won

    async def _record(self, outcomes: list[Outcome]) -> None:
        if not outcomes:
            return
        now = as_utc(self.clock())
        async with self.sessions() as session, session.begin():
            sent = [o.key for o in outcomes if o.ok]
            if sent:
                await session.exec(update(ReminderLog).where(ReminderLog.id.in_(sent)).values(status="sent", sent_at=now))
            for o in outcomes:
                if o.ok:
                    continue
                await session.exec(update(ReminderLog).where(ReminderLog.id == o.key).values(
                    status="failed", error=(o.error or "")[:255]))
                if o.unreachable:  # blocked bot, unknown chat: do not write there again until it comes back
                    row = await session.get(ReminderLog, o.key)
                    await repo.set_blocked(session, row.channel, row.chat_id, True)
