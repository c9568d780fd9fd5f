"""Queries and writes on an open session. Nothing here commits: the caller owns the transaction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Sequence

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
    OrgUnit,
    ProcessedUpdate,
    Report,
    ReportStatus,
    Role,
    User,
    utcnow,
)


async def claim_update(session: AsyncSession, channel: str, update_id: str) -> bool:
    """Record ``update_id`` as processed; False when it was already (a repeated delivery)."""
    if await session.get(ProcessedUpdate, (channel, update_id)) is not None:
        return False
    try:
        async with session.begin_nested():
            session.add(ProcessedUpdate(channel=channel, update_id=update_id))
    except IntegrityError:
        return False
    return True


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


async def user_for(session: AsyncSession, channel: str, external_id: str) -> User | None:
    stmt = (
        select(User)
        .join(ChannelIdentity, ChannelIdentity.user_id == User.id)
        .where(ChannelIdentity.channel == channel, ChannelIdentity.external_id == external_id)
    )
    return (await session.exec(stmt)).first()


async def identities_of(session: AsyncSession, user_ids: Sequence[int]) -> list[ChannelIdentity]:
    stmt = select(ChannelIdentity).where(ChannelIdentity.user_id.in_(list(user_ids)))
    return list((await session.exec(stmt)).all())


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


async def register(
    session: AsyncSession, invite: Invite, channel: str, external_id: str, chat_id: str, full_name: str
) -> User:
    user = User(full_name=full_name, org_unit_id=invite.org_unit_id, role=invite.role)
    session.add(user)
    await session.flush()
    session.add(ChannelIdentity(channel=channel, external_id=external_id, chat_id=chat_id, user_id=user.id))
    if invite.uses_left is not None:
        invite.uses_left -= 1
        session.add(invite)
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


async def org_units(session: AsyncSession) -> list[OrgUnit]:
    return list((await session.exec(select(OrgUnit).order_by(OrgUnit.id))).all())


async def children_of(session: AsyncSession, org_id: int) -> list[OrgUnit]:
    """Every org unit below ``org_id`` (any depth), in id order."""
    units = await org_units(session)
    below: list[OrgUnit] = []
    frontier = {org_id}
    while frontier:
        level = [u for u in units if u.parent_id in frontier]
        below.extend(level)
        frontier = {u.id for u in level}
    return sorted(below, key=lambda u: u.id)


async def find_report(session: AsyncSession, org_unit_id: int, template_key: str, period: str) -> Report | None:
    stmt = select(Report).where(
        Report.org_unit_id == org_unit_id, Report.template_key == template_key, Report.period == period
    )
    return (await session.exec(stmt)).first()


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
    return list((await session.exec(select(Answer).where(Answer.report_id == report_id))).all())


async def save_answer(
    session: AsyncSession,
    report_id: int,
    key: str,
    value_type: str,
    value: Any,
    user_id: int | None,
    skipped: bool = False,
) -> Answer:
    """Insert or replace one answer and write the audit row of the change."""
    stmt = select(Answer).where(Answer.report_id == report_id, Answer.key == key)
    answer = (await session.exec(stmt)).first()
    old = None if answer is None or answer.skipped else answer.value
    if answer is None:
        answer = Answer(report_id=report_id, key=key, value_type=value_type)
    answer.value_type = value_type
    answer.value = value
    answer.skipped = skipped
    answer.updated_by = user_id
    answer.updated_at = utcnow()
    session.add(answer)
    session.add(
        AnswerAudit(
            report_id=report_id, key=key, old_value=old, new_value=value,
            action="skip" if skipped else "set", user_id=user_id,
        )
    )
    await session.flush()
    return answer


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


async def ancestors_of(session: AsyncSession, org_id: int) -> list[OrgUnit]:
    """``org_id`` itself, then its parent, up to the root of the tree."""
    chain: list[OrgUnit] = []
    seen: set[int] = set()
    unit = await session.get(OrgUnit, org_id)
    while unit is not None and unit.id not in seen:
        chain.append(unit)
        seen.add(unit.id)
        unit = await session.get(OrgUnit, unit.parent_id) if unit.parent_id is not None else None
    return chain


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
