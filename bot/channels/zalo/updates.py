"""Zalo updates in: long polling (one update per answer, no offset: a repeated message is recognised
by its message id, which the core claims like Telegram's update id) or a webhook whose every
request must carry the secret (``X-Bot-Api-Secret-Token``; without it: 401, and the body is not
read). Text messages go to the core; an image, a sticker, a voice message or withheld content gets
a kind reply that only text is understood. Every update is stored first (``bot.channels.inbox``): a
webhook request is answered 200 only once it is committed (503 otherwise, so that Zalo sends it
again); a polled update, which Zalo does not send twice, is stored as soon as it arrives. One chat's
messages are handled in order, and what a process left unhandled is handled at the next start."""

from __future__ import annotations

import asyncio
import hmac
import logging
import uuid
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.base import deliver, private_only
from bot.channels.inbox import Inbox
from bot.channels.zalo.channel import NAME, ZaloChannel
from bot.channels.zalo.client import ZaloClient, ZaloError
from handlers.events import Incoming, Outgoing
from reports.i18n import _, use_locale
from storage import repo

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Bot-Api-Secret-Token"
TEXT_EVENT = "message.text.received"


def _unwrap(update: Any) -> dict[str, Any] | None:
    """The update itself, whether it comes bare or inside ``{ok, result}`` (sources differ)."""
    if isinstance(update, dict) and "event_name" not in update and isinstance(update.get("result"), dict):
        update = update["result"]
    return update if isinstance(update, dict) and isinstance(update.get("message"), dict) else None


def _chat(message: dict[str, Any]) -> str:
    return str((message.get("chat") or {}).get("id") or (message.get("from") or {}).get("id") or "")


def chat_of(raw: Any) -> str | None:
    update = _unwrap(raw)
    return (_chat(update["message"]) or None) if update is not None else None


def update_key(raw: Any) -> str:
    """The inbox key of an update: its message id (what the core claims), else a key of its own."""
    update = _unwrap(raw)
    message_id = update["message"].get("message_id") if update is not None else None
    return str(message_id)[:64] if message_id else "local-" + uuid.uuid4().hex


class ZaloUpdates:
    def __init__(self, core: Any, sessions: async_sessionmaker[AsyncSession], channel: ZaloChannel,
                 client: ZaloClient, bot_id: str = "", secret: str | None = None) -> None:
        self.core, self.sessions, self.channel, self.client = core, sessions, channel, client
        self.bot_id, self.secret = bot_id, secret
        self.inbox = Inbox(sessions, NAME, bot_id, self.handle, chat_of)
        self._stop = asyncio.Event()
        self._polling: asyncio.Event | None = None  # set once the polling loop has ended

    # ------------------------------------------------------------------ one update

    async def handle(self, raw: Any, recovered: bool = False) -> None:
        update = _unwrap(raw)
        if update is None:
            log.info("zalo: an update without a message was ignored")
            return
        message = update["message"]
        chat_id = _chat(message)
        if not chat_id:
            return
        sender = message.get("from") or {}
        if str((message.get("chat") or {}).get("chat_type", "PRIVATE")).upper() != "PRIVATE":
            if str(message.get("text") or "").startswith("/"):  # groups are refused, commands get told why
                await deliver(self.channel, chat_id, [private_only()], self._blocked)
            return
        if update.get("event_name") == TEXT_EVENT and isinstance(message.get("text"), str):
            event = Incoming(NAME, chat_id, str(sender.get("id") or chat_id),
                             update_id=str(message.get("message_id")) if message.get("message_id") else None,
                             text=message["text"], display_name=str(sender.get("display_name") or ""),
                             bot=self.bot_id, recovered=recovered)
            replies = await self.core.handle(event)
        else:
            with use_locale(None):
                replies = [Outgoing(_("Sorry, the assistant only understands text messages. "
                                      "Please type your answer."))]
        await deliver(self.channel, chat_id, replies, self._blocked)

    async def receive(self, raw: Any) -> None:
        """Store, then handle. Zalo does not deliver a polled update again, so one that cannot be
        stored is still handled (its answer is saved by the core, which is the point)."""
        try:
            await self.inbox.receive([(update_key(raw), raw)])
        except Exception as exc:  # noqa: BLE001 - see above
            log.error("zalo: an update could not be stored (%s); handling it anyway", type(exc).__name__)
            await self.handle(raw)

    async def _blocked(self, chat_id: str) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_blocked(session, NAME, chat_id, True)

    # ------------------------------------------------------------------ polling

    async def poll(self, timeout: int = 30) -> None:
        """Long polling until :meth:`stop`: an idle poll (408) is not an error; other failures are
        waited out with growing pauses."""
        self._polling = asyncio.Event()
        try:
            await self._poll(timeout)
        finally:
            self._polling.set()

    async def _poll(self, timeout: int) -> None:
        await self.client.call("deleteWebhook")
        pause = 0.5
        log.info("zalo: long polling")
        while not self._stop.is_set():
            try:
                update = await self.client.call("getUpdates", retry=False, http_timeout=timeout + 15, timeout=str(timeout))
            except ZaloError as err:
                if err.code == 408:
                    pause = 0.5
                    continue
                log.warning("zalo: getUpdates failed (%s); next try in %.1f s", err.code, pause)
                try:
                    await asyncio.wait_for(self._stop.wait(), pause)
                except asyncio.TimeoutError:
                    pass
                pause = min(pause * 2, 30.0)
                continue
            pause = 0.5
            if update is not None:
                await self.receive(update)

    # ------------------------------------------------------------------ webhook

    async def webhook(self, request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
            return web.json_response({"ok": False, "description": "Unauthorized"}, status=401)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"ok": False, "description": "not JSON"}, status=400)
        try:
            await self.inbox.receive([(update_key(body), body)])
        except Exception as exc:  # noqa: BLE001 - Zalo delivers it again
            log.error("zalo: an update could not be stored (%s); asking Zalo to send it again", type(exc).__name__)
            return web.json_response({"ok": False, "description": "try again"}, status=503)
        return web.json_response({"ok": True})

    # ------------------------------------------------------------------ stopping

    async def stop(self, timeout: float = 30.0) -> None:
        """Stop polling (the poll in flight is let finish: without an offset, an update handed to a
        poll nobody reads any more would be lost) and let the updates in hand finish."""
        self._stop.set()
        if self._polling is not None:
            await asyncio.wait_for(self._polling.wait(), timeout)
        await self.inbox.drain(timeout)
