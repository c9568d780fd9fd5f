"""Store before acknowledging, for every channel that receives updates.

A channel hands :meth:`Inbox.receive` what it just got (a getUpdates answer, a webhook request, a
Zalo poll); the updates are committed to the ``inbox_update`` table before ``receive`` returns, and
only then does the channel tell its server they arrived (the next getUpdates offset, the webhook's
200). Each stored update is handled in its own task, one chat's updates one after the other in
arrival order (:class:`~bot.channels.base.ChatLocks`, taken first thing in the task), different
chats at once. Handled rows are deleted in batches; if the process dies, the rows left are handed
back by :meth:`Inbox.recover` at the next start, in arrival order, marked as recovered. Handling
twice is harmless: the core claims each update id once (``processed_update``), and for a recovered
update it had handled already it shows the chat's current screen again, since the process may have
died before the reply went out."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.base import ChatLocks
from storage import inbox

log = logging.getLogger(__name__)
Payload = dict[str, Any]


class Inbox:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channel: str,
        bot: str,
        handle: Callable[[Payload, bool], Awaitable[Any]],  # (payload, recovered at a start)
        chat_of: Callable[[Payload], str | None],
        *,
        flush_every: float = 0.2,
    ) -> None:
        self.sessions, self.channel, self.bot = sessions, channel, bot
        self.handle, self.chat_of = handle, chat_of
        self.flush_every = flush_every
        self._locks = ChatLocks()
        self._tasks: set[asyncio.Task] = set()
        self._handled: list[int] = []
        self._flusher: asyncio.Task | None = None
        self._closing = False  # drain() is waiting for the flusher to finish its round
        self._waiting: list[tuple[Sequence[tuple[str, Payload]], asyncio.Future]] = []  # to store
        self._storing: asyncio.Task | None = None

    async def receive(self, updates: Sequence[tuple[str, Payload]], parsed: Sequence[Any] | None = None) -> None:
        """Commit ``(update id, payload)`` pairs, then start handling those not in hand already
        (each handed over as its ``parsed`` object when the channel has decoded it already, so that
        it is not decoded twice). Raises when they could not be stored: the caller must then not
        acknowledge them."""
        if not updates:
            return
        stored = asyncio.get_running_loop().create_future()
        self._waiting.append((updates, stored))
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store_waiting(), name=f"{self.channel}-inbox-store")
        ids = await stored
        for n, (update_id, payload) in enumerate(updates):
            if update_id in ids:
                self._spawn(ids.pop(update_id), payload, handed=None if parsed is None else parsed[n])

    async def _store_waiting(self) -> None:
        """Group commit: what arrived while the last transaction ran is stored by the next one, so
        at the rush a webhook request costs a share of one write instead of a write of its own. A
        batch that fails is tried again request by request: one bad update fails only its own."""
        while self._waiting:
            batch, self._waiting = self._waiting, []
            if len(batch) > 1 and await self._store_group(batch, fail=False):
                continue
            for one in batch:  # one by one: a bad update fails only the request it came in
                await self._store_group([one], fail=True)

    async def _store_group(self, group: list[tuple[Sequence[tuple[str, Payload]], asyncio.Future]],
                           fail: bool) -> bool:
        """Store the group's updates in one transaction and wake their requests; on an error, hand it
        to them when ``fail`` (else leave them waiting). True when stored."""
        try:
            async with self.sessions() as session, session.begin():
                ids = await inbox.store(session, self.channel, self.bot,
                                        [u for updates, _ in group for u in updates])
        except Exception as exc:  # noqa: BLE001 - handed to the request(s) that wait
            for _, stored in group:
                if fail and not stored.done():
                    stored.set_exception(exc)
            return False
        for _, stored in group:
            if not stored.done():
                stored.set_result(ids)  # shared: each request takes (pops) its own ids
        return True

    async def recover(self) -> int:
        """Hand back, in arrival order, what an earlier process left unhandled; returns how many."""
        async with self.sessions() as session, session.begin():
            rows, given_up = await inbox.take_left(session, self.channel, self.bot)
        if given_up:
            log.error("%s: %d stored updates failed at %d starts in a row and were given up",
                      self.channel, given_up, inbox.MAX_ATTEMPTS)
        if rows:
            log.info("%s: handling %d updates received before the last stop", self.channel, len(rows))
        for row in rows:
            self._spawn(row.id, row.payload, recovered=True)
        return len(rows)

    # ------------------------------------------------------------------ handling

    def _spawn(self, row_id: int, payload: Payload, recovered: bool = False, handed: Any = None) -> None:
        task = asyncio.create_task(self._run(row_id, payload, recovered, handed),
                                   name=f"{self.channel}-update-{row_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_loop(), name=f"{self.channel}-inbox-flush")

    async def _run(self, row_id: int, payload: Payload, recovered: bool, handed: Any) -> None:
        key = self.chat_of(payload)
        item = payload if handed is None else handed
        try:
            if key is None:
                await self.handle(item, recovered)
            else:
                async with self._locks.hold(key):
                    await self.handle(item, recovered)
        except Exception:  # noqa: BLE001 - one update's failure must not stop the others
            log.exception("%s: an update could not be handled", self.channel)
        finally:
            self._handled.append(row_id)

    async def _flush_loop(self) -> None:
        while (self._tasks or self._handled) and not self._closing:
            await asyncio.sleep(self.flush_every)
            await self.flush()

    async def flush(self) -> None:
        """Delete the rows handled so far (kept for the next try if the database refuses)."""
        batch, self._handled = self._handled, []
        if not batch:
            return
        try:
            async with self.sessions() as session, session.begin():
                await inbox.forget(session, batch)
        except Exception as exc:  # noqa: BLE001 - they would only be handled (as repeats) again
            log.warning("%s: handled updates not cleared yet (%s)", self.channel, type(exc).__name__)
            self._handled[:0] = batch

    @property
    def in_hand(self) -> int:
        return len(self._tasks)

    async def drain(self, timeout: float = 30.0) -> bool:
        """Let the updates in hand finish and clear their rows; False when some did not in time."""
        for _turn in range(3):  # tasks created just before the stop begin and are counted
            await asyncio.sleep(0)
        finished = True
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
            if pending:
                log.warning("%s: %d updates were still being handled after %.0f s", self.channel,
                            len(pending), timeout)
                finished = False
        # let the flusher end its round rather than cancel it in the middle of a DELETE (the rows
        # would stay, and be handed back at the next start as if never handled)
        self._closing = True
        try:
            if self._flusher is not None:
                await self._flusher
        finally:
            self._flusher, self._closing = None, False
        await self.flush()
        return finished
