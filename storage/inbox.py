"""The inbox of received updates: stored before the channel is told they arrived, deleted once
handled, and what is left after a crash handed back at the next start. Nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import delete, update
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import InboxUpdate, utcnow
from storage.upsert import insert_on_conflict

MAX_ATTEMPTS = 3  # an update that was being handled at three crashes in a row is given up


@dataclass(frozen=True)
class Stored:
    id: int
    payload: dict[str, Any]


async def store(session: AsyncSession, channel: str, bot: str,
                updates: Sequence[tuple[str, dict[str, Any]]]) -> dict[str, int]:
    """Insert ``(update id, payload)`` pairs in one statement; returns the new row id of each update
    id that was not in the inbox already (a repeated delivery of an update still in hand is not)."""
    if not updates:
        return {}
    now = utcnow()
    stmt = insert_on_conflict(InboxUpdate.__table__,
                              [dict(channel=channel, bot=bot, update_id=uid, payload=payload, attempts=0,
                                    received_at=now)
                               for uid, payload in updates],
                              conflict=("channel", "bot", "update_id"), returning=("id", "update_id"))
    rows = (await session.exec(stmt)).all()
    return {uid: row_id for row_id, uid in rows}


async def take_left(session: AsyncSession, channel: str, bot: str) -> tuple[list[Stored], int]:
    """The updates a process left unhandled, in arrival order, each counted as one more attempt;
    and how many were given up (deleted) after :data:`MAX_ATTEMPTS`."""
    mine = (InboxUpdate.channel == channel, InboxUpdate.bot == bot)
    gone = await session.exec(delete(InboxUpdate).where(*mine, InboxUpdate.attempts >= MAX_ATTEMPTS))
    await session.exec(update(InboxUpdate).where(*mine).values(attempts=InboxUpdate.attempts + 1))
    rows = (await session.exec(select(InboxUpdate.id, InboxUpdate.payload)
                               .where(*mine).order_by(InboxUpdate.id))).all()
    return [Stored(*row) for row in rows], gone.rowcount or 0


async def forget(session: AsyncSession, ids: Sequence[int]) -> None:
    """Delete handled rows (one statement for a batch)."""
    if ids:
        await session.exec(delete(InboxUpdate).where(InboxUpdate.id.in_(list(ids))))
