"""Queries and writes on an open session. Nothing here commits: the caller owns the transaction."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import delete, or_, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Answer,
    AnswerAudit,
    ChannelIdentity,
    Conversation,
    Deadline,
    Invite,
    Launch,
    LinkCode,
    OrgUnit,
    ProcessedUpdate,
    Report,
    ReportStatus,
    Role,
    User,
    utcnow,
)
from storage.upsert import insert_on_conflict

async def claim_update(session: AsyncSession, channel: str, bot: str, update_id: str) -> bool:
    """Record ``update_id`` of ``bot`` on ``channel`` as processed; False when it was already (a
    repeated delivery). One statement: an INSERT that does nothing on a repeat."""
    stmt = insert_on_conflict(ProcessedUpdate.__table__,
                              [dict(channel=channel, bot=bot, update_id=update_id, at=utcnow())],
                              conflict=("channel", "bot", "update_id"), returning=("update_id",))
    return (await session.exec(stmt)).first() is not None


async def prune_processed(session: AsyncSession, before: datetime) -> int:
    """Forget the update ids handled before ``before`` (no channel redelivers that late)."""
    result = await session.exec(delete(ProcessedUpdate).where(ProcessedUpdate.at < before))
    return result.rowcount or 0


async def conversation_for(session: AsyncSession, channel: str, chat_id: str) -> Conversation:
    """The chat's conversation row, created on first contact and locked for this transaction."""
    stmt = select(Conversation).where(Conversation.channel == channel, Conversation.chat_id == chat_id)
    if session.bind.dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    conv = (await session.exec(stmt)).first()
    if conv is None:
        conv = Conversation(channel=channel, chat_id=chat_id)
        try:
            async with session.begin_nested():
                session.add(conv)
        except IntegrityError:  # another process created it at the same moment
            conv = (await session.exec(stmt)).one()
    return conv


async def user_and_identity(session: AsyncSession, channel: str, external_id: str) -> tuple[User, ChannelIdentity] | None:
    """The user a chat user of ``channel`` is, with that identity, in one query."""
    stmt = (
        select(User, ChannelIdentity)
        .join(ChannelIdentity, ChannelIdentity.user_id == User.id)
        .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
    )
    row = (await session.exec(stmt)).first()
    return (row[0], row[1]) if row is not None else None


async def user_for(session: AsyncSession, channel: str, external_id: str) -> User | None:
    found = await user_and_identity(session, channel, external_id)
    return found[0] if found is not None else None


def note_seen(session: AsyncSession, identity: ChannelIdentity, now: datetime,
              every: timedelta = timedelta(minutes=10)) -> None:
    """Note that the person used this messenger now; written at most once every ``every``, so an
    answer does not cost a statement for it."""
    if identity.last_seen_at is None or identity.last_seen_at < now - every:
        identity.last_seen_at = now
        session.add(identity)


async def create_link_code(session: AsyncSession, code: str, user_id: int, expires_at: datetime) -> LinkCode:
    await session.exec(delete(LinkCode).where(LinkCode.user_id == user_id))  # one open code a person
    link = LinkCode(code=code, user_id=user_id, expires_at=expires_at)
    session.add(link)
    await session.flush()
    return link


async def use_link_code(session: AsyncSession, code: str, now: datetime, channel: str, external_id: str,
                        chat_id: str) -> User | None:
    """Add this messenger to the user of ``code`` (used once, before it expires); None if it cannot be."""
    link = await session.get(LinkCode, code)
    if link is None:
        return None
    await session.delete(link)
    if link.expires_at <= now:
        return None
    session.add(ChannelIdentity(channel=channel, external_id=external_id, chat_id=chat_id, user_id=link.user_id,
                                last_seen_at=now))
    await session.flush()
    return await session.get(User, link.user_id)


async def find_invite(session: AsyncSession, code: str) -> Invite | None:
    return (await session.exec(select(Invite).where(Invite.code == code))).first()


def invite_problem(invite: Invite | None, now: datetime) -> str | None:
    """Why ``invite`` cannot be used now ("unknown", "used", "expired"), or None if it can."""
    if invite is None:
        return "unknown"
    if invite.uses_left is not None and invite.uses_left <= 0:
        return "used"
    if invite.expires_at is not None and invite.expires_at <= now:
        return "expired"
    return None


async def take_invite_use(session: AsyncSession, invite: Invite, now: datetime) -> bool:
    """Use one use of ``invite`` if it still has one and has not expired, in one conditional
    statement: two people racing for the last use cannot both get it."""
    stmt = update(Invite).where(
        Invite.id == invite.id,
        or_(Invite.uses_left.is_(None), Invite.uses_left > 0),
        or_(Invite.expires_at.is_(None), Invite.expires_at > now),
    )
    if invite.uses_left is not None:
        stmt = stmt.values(uses_left=Invite.uses_left - 1)
    else:
        stmt = stmt.values(code=Invite.code)  # unlimited: touch the row, so the check still holds
    result = await session.exec(stmt.execution_options(synchronize_session=False))
    return result.rowcount == 1


async def register(
    session: AsyncSession, invite: Invite, channel: str, external_id: str, chat_id: str, full_name: str,
    now: datetime | None = None,
) -> User | None:
    """A new user of the invite's unit and role; None when the invite has no use left (taken by
    someone else just now, or expired)."""
    if not await take_invite_use(session, invite, now or utcnow()):
        return None
    user = User(full_name=full_name, org_unit_id=invite.org_unit_id, role=invite.role)
    session.add(user)
    await session.flush()
    session.add(ChannelIdentity(channel=channel, external_id=external_id, chat_id=chat_id, user_id=user.id))
    await session.flush()
    return user


async def create_invite(
    session: AsyncSession,
    code: str,
    org_unit_id: int,
    role: Role,
    uses_left: int | None = None,
    expires_at: datetime | None = None,
    created_by: int | None = None,
) -> Invite:
    invite = Invite(
        code=code, org_unit_id=org_unit_id, role=role, uses_left=uses_left,
        expires_at=expires_at, created_by=created_by,
    )
    session.add(invite)
    await session.flush()
    return invite


async def org_by_code(session: AsyncSession, code: str) -> OrgUnit | None:
    return (await session.exec(select(OrgUnit).where(OrgUnit.code == code))).first()


async def set_layout(session: AsyncSession, code: str, layout: str | None) -> bool:
    """Give the org unit ``code`` its own Word layout (None: the standard one); False if no such unit."""
    unit = await org_by_code(session, code)
    if unit is None:
        return False
    values = dict(unit.settings or {})
    if layout is None:
        values.pop("layout", None)
    else:
        values["layout"] = layout
    unit.settings = values
    session.add(unit)
    return True


async def org_and_parent(session: AsyncSession, org_id: int) -> tuple[OrgUnit, OrgUnit | None]:
    org = await session.get(OrgUnit, org_id)
    parent = await session.get(OrgUnit, org.parent_id) if org.parent_id else None
    return org, parent


async def org_units(session: AsyncSession) -> list[OrgUnit]:
    return list((await session.exec(select(OrgUnit).order_by(OrgUnit.id))).all())


async def find_report(session: AsyncSession, org_unit_id: int, template_key: str, period: str) -> Report | None:
    stmt = select(Report).where(
        Report.org_unit_id == org_unit_id, Report.template_key == template_key, Report.period == period
    )
    return (await session.exec(stmt)).first()


async def reports_of(session: AsyncSession, org_unit_id: int, template_key: str) -> list[Report]:
    """Every report of the unit for this template, any period and status."""
    stmt = select(Report).where(Report.org_unit_id == org_unit_id, Report.template_key == template_key)
    return list((await session.exec(stmt)).all())


async def create_report(
    session: AsyncSession, org_unit_id: int, template_key: str, version: int, period: str, user_id: int | None
) -> Report:
    report = Report(
        org_unit_id=org_unit_id, template_key=template_key, template_version=version,
        period=period, created_by=user_id,
    )
    session.add(report)
    await session.flush()
    return report


async def drafts_of(session: AsyncSession, org_unit_id: int) -> list[Report]:
    stmt = (
        select(Report)
        .where(Report.org_unit_id == org_unit_id, Report.status == ReportStatus.draft)
        .order_by(Report.updated_at.desc())
    )
    return list((await session.exec(stmt)).all())


async def answers_of(session: AsyncSession, report_id: int) -> list[Answer]:
    """The report's answers as stored now (rows written by ``save_answer``'s upsert included)."""
    stmt = select(Answer).where(Answer.report_id == report_id).execution_options(populate_existing=True)
    return list((await session.exec(stmt)).all())


UNREAD = object()  # save_answer's ``old`` when the caller has not read it


async def save_answer(
    session: AsyncSession,
    report_id: int,
    key: str,
    value_type: str,
    value: Any,
    user_id: int | None,
    skipped: bool = False,
    old: Any = UNREAD,
    action: str | None = None,
) -> None:
    """Insert or replace one answer (one INSERT … ON CONFLICT, so two officers answering a question
    for the first time at once both succeed, the later one winning) and write the audit row.
    ``old``: the value stored before (None: none, or skipped), when the caller has read it in this
    transaction after locking the report; otherwise it is read here. ``action``: the audit row's
    (default ``set``, or ``skip`` when skipped)."""
    if old is UNREAD:
        old_row = (await session.exec(
            select(Answer.value, Answer.skipped).where(Answer.report_id == report_id, Answer.key == key))).first()
        old = None if old_row is None or old_row[1] else old_row[0]
    now = utcnow()
    values = dict(value_type=value_type, value=value, skipped=skipped, updated_by=user_id, updated_at=now)
    await session.exec(insert_on_conflict(Answer.__table__, [dict(report_id=report_id, key=key, **values)],
                                          conflict=("report_id", "key"), update=tuple(values)))
    session.add(AnswerAudit(report_id=report_id, key=key, old_value=old, new_value=value,
                            action=action or ("skip" if skipped else "set"), user_id=user_id))


async def answer_author(session: AsyncSession, report_id: int, key: str) -> tuple[int, str, datetime] | None:
    """Who stored the answer ``key`` last, and when: (user id, full name, time), or None."""
    stmt = (select(User.id, User.full_name, Answer.updated_at)
            .where(Answer.report_id == report_id, Answer.key == key, Answer.updated_by == User.id))
    row = (await session.exec(stmt)).first()
    return None if row is None else (row[0], row[1], row[2])


async def merge_profile(session: AsyncSession, org_id: int, changes: dict[str, Any]) -> None:
    """Merge ``changes`` into the unit's profile in the database itself (no read-modify-write in
    Python, so two officers storing different profile figures at once both keep theirs)."""
    patch = json.dumps(changes, ensure_ascii=False)
    if session.bind.dialect.name == "postgresql":
        expr = text("(CAST(profile AS jsonb) || CAST(:patch AS jsonb))::json")
    else:
        expr = text("json_patch(profile, json(:patch))")
    stmt = update(OrgUnit).where(OrgUnit.id == org_id).values(profile=expr.bindparams(patch=patch))
    await session.exec(stmt.execution_options(synchronize_session=False))


async def audit_of(session: AsyncSession, report_id: int) -> list[AnswerAudit]:
    stmt = select(AnswerAudit).where(AnswerAudit.report_id == report_id).order_by(AnswerAudit.id)
    return list((await session.exec(stmt)).all())


async def set_blocked(session: AsyncSession, channel: str, chat_id: str, blocked: bool = True) -> int:
    """Mark the identities reached through ``chat_id`` of ``channel`` as blocked (the user blocked the
    bot) or reachable again; returns how many rows changed."""
    stmt = select(ChannelIdentity).where(
        ChannelIdentity.channel == channel, ChannelIdentity.chat_id == chat_id, ChannelIdentity.blocked != blocked
    )
    rows = list((await session.exec(stmt)).all())
    for identity in rows:
        identity.blocked = blocked
        session.add(identity)
    await session.flush()
    return len(rows)


async def deadline_rules(session: AsyncSession, org_ids: Sequence[int] | None = None) -> dict[int, dict[str, dict]]:
    """Deadlines by org unit and kind: ``{org_id: {kind: {year or None: due date}}}``."""
    stmt = select(Deadline)
    if org_ids is not None:
        stmt = stmt.where(Deadline.org_unit_id.in_(list(org_ids)))
    rules: dict[int, dict[str, dict]] = {}
    for row in (await session.exec(stmt)).all():
        rules.setdefault(row.org_unit_id, {}).setdefault(row.kind, {})[row.year] = row.due
    return rules


async def set_deadline(
    session: AsyncSession, org_unit_id: int, kind: str, due: date, year: int | None, user_id: int | None
) -> Deadline:
    """Insert or replace the deadline of ``org_unit_id`` for ``kind`` and period ``year`` (None: default)."""
    stmt = select(Deadline).where(Deadline.org_unit_id == org_unit_id, Deadline.kind == kind)
    stmt = stmt.where(Deadline.year.is_(None) if year is None else Deadline.year == year)
    row = (await session.exec(stmt)).first()
    if row is None:
        row = Deadline(org_unit_id=org_unit_id, kind=kind, year=year, due=due)
    row.due, row.set_by, row.updated_at = due, user_id, utcnow()
    session.add(row)
    await session.flush()
    return row


async def launch(session: AsyncSession, org_unit_id: int, template_key: str, period: str, due: date,
                 user_id: int | None) -> Launch:
    """Ask every reporting unit below ``org_unit_id`` for ``template_key`` over ``period`` by ``due``
    (launched again: the new due date)."""
    stmt = select(Launch).where(Launch.org_unit_id == org_unit_id, Launch.template_key == template_key,
                                Launch.period == period)
    row = (await session.exec(stmt)).first()
    if row is None:
        row = Launch(org_unit_id=org_unit_id, template_key=template_key, period=period, due=due, created_by=user_id)
    else:
        row.due, row.created_by = due, user_id
    session.add(row)
    await session.flush()
    return row


async def launches_at(session: AsyncSession, org_ids: Sequence[int] | None = None) -> list[Launch]:
    """The reports launched by these units (a unit's chain up the tree: what it was asked for);
    None: every launch (the reminders')."""
    stmt = select(Launch).order_by(Launch.id)
    if org_ids is not None:
        if not org_ids:
            return []
        stmt = stmt.where(Launch.org_unit_id.in_(list(org_ids)))
    return list((await session.exec(stmt)).all())
