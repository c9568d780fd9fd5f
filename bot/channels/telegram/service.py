"""The running Telegram bot: the aiogram Bot and Dispatcher around the channel, in long polling or
as a webhook on the process's HTTP server, against Telegram, a self-hosted Bot API server or a double.

Updates are stored before Telegram learns they arrived (``bot.channels.inbox``): in long polling the
next getUpdates offset, which confirms them, is sent only once the batch is committed; a webhook
request is answered 200 only once its update is committed (a refused store answers 503, and
Telegram delivers again). What a process left unhandled is handled at the next start.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import GetUpdates
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import redact
from bot.channels.base import NoticeSender
from bot.channels.inbox import Inbox
from bot.channels.telegram.adapter import ALLOWED_UPDATES, CoreLike, TelegramUpdates, chat_of, set_commands
from bot.channels.telegram.channel import LIMITS, NAME, TelegramChannel
from bot.channels.telegram.pacing import PacingMiddleware
from bot.channels.telegram.retry import RetryMiddleware
from bot.web import WebServer
from reminders.dispatch import RateLimiter

log = logging.getLogger(__name__)
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as a webhook secret_token
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def build_bot(token: str, api_url: str = "https://api.telegram.org", retry: RetryMiddleware | None = None,
              timeout: float | None = None, pacing: RateLimiter | None = None) -> Bot:
    """An aiogram Bot on ``api_url``, with retries on 429/5xx/network errors when ``retry`` is given
    and its writes to chats paced by ``pacing`` when given (inside the retries, so that a retry is
    paced too); the token is registered for redaction before anything can log it."""
    redact.protect(token)
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url), **({"timeout": timeout} if timeout else {}))
    if retry is not None:
        session.middleware(retry)
    if pacing is not None:
        session.middleware(PacingMiddleware(pacing))
    return Bot(token=token, session=session)


def notice_sender(token: str, api_url: str = "https://api.telegram.org",
                  budget: RateLimiter | None = None) -> NoticeSender:
    """The reminders' sender, on a bot of its own without retries, so that a 429 reaches the
    dispatcher's rate limiter instead of stalling one worker; within ``budget`` when given (the
    one the chat replies of this process draw from)."""
    bot = build_bot(token, api_url, timeout=30.0)
    return NoticeSender(TelegramChannel(bot), bot.session.close, budget=budget)


class TelegramService:
    """The bot, its dispatcher and the channel, with start and stop for both modes."""

    def __init__(
        self,
        core: CoreLike,
        sessions: async_sessionmaker[AsyncSession],
        token: str,
        api_url: str = "https://api.telegram.org",
        *,
        retry: RetryMiddleware | None = None,
        on_handled=None,  # noqa: ANN001 - called with each update id once it is handled
        polling_timeout: int = 30,
        pacing: RateLimiter | None = None,
    ) -> None:
        # the replies' pace, per chat and over the bot (the plug-in shares it with the reminders)
        self.pacing = pacing if pacing is not None else RateLimiter(LIMITS)
        self.bot = build_bot(token, api_url, retry or RetryMiddleware(), pacing=self.pacing)
        self.channel = TelegramChannel(self.bot)
        self.updates = TelegramUpdates(core, sessions, self.channel, on_handled=on_handled)
        self.dispatcher = Dispatcher()
        self.updates.attach(self.dispatcher)
        self.inbox = Inbox(sessions, NAME, str(self.bot.id), self._feed, chat_of)
        self.polling_timeout = polling_timeout
        self.webhook_secret: str | None = None
        self._server: WebServer | None = None
        self._own_server = False
        self._stop = asyncio.Event()
        self._polled: asyncio.Event | None = None  # set when the polling loop has ended

    async def prepare(self) -> str:
        """Check the token (getMe), set the command menu, and hand what an earlier process left
        unhandled to the handlers; returns the bot's username."""
        me = await self.bot.me()
        self.channel.username = me.username or ""
        await set_commands(self.bot)
        await self.inbox.recover()
        return me.username or ""

    async def _feed(self, payload: dict[str, Any] | Update, recovered: bool = False) -> None:
        """Handle one stored update: the Update as received, or its stored form (recovered)."""
        update = payload if isinstance(payload, Update) else Update.model_validate(payload, context={"bot": self.bot})
        await self.dispatcher.feed_update(self.bot, update, recovered=recovered)

    # ------------------------------------------------------------------ long polling

    async def poll(self) -> None:
        """Long polling until :meth:`stop`: each batch is stored, then confirmed by the next offset.
        Failures (network, the Bot API, the database) are waited out with growing pauses; the
        unconfirmed batch is then delivered again."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        self._polled = asyncio.Event()
        offset: int | None = None
        pause = 0.5
        log.info("polling Telegram for updates")
        try:
            while not self._stop.is_set():
                try:
                    updates = await self._next_batch(offset)
                    if updates is None:  # stopping
                        break
                    await self.inbox.receive(
                        [(str(u.update_id), u.model_dump(mode="json", exclude_none=True)) for u in updates], updates)
                except Exception as exc:  # noqa: BLE001 - polling must outlive a failure it can wait out
                    log.warning("getUpdates or storing its updates failed (%s: %s); next try in %.1f s",
                                type(exc).__name__, redact.redact(str(exc))[:200], pause)
                    await self._pause(pause)
                    pause = min(pause * 2, 30.0)
                    continue
                pause = 0.5
                if updates:
                    offset = updates[-1].update_id + 1
            if offset is not None:  # confirm the last batch, so that a restart does not get it again
                await self._confirm(offset)
        finally:
            self._polled.set()
            log.info("polling stopped")

    async def _next_batch(self, offset: int | None) -> list[Update] | None:
        """One getUpdates long poll, or None when :meth:`stop` came first (the poll is dropped: what
        it would have carried stays unconfirmed and comes with the next one)."""
        call = GetUpdates(offset=offset, timeout=self.polling_timeout, allowed_updates=ALLOWED_UPDATES)
        request = asyncio.ensure_future(self.bot(call, request_timeout=self.polling_timeout + 30))
        stopping = asyncio.ensure_future(self._stop.wait())
        await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not request.done():
            request.cancel()
            return None
        return list(request.result())

    async def _confirm(self, offset: int) -> None:
        try:
            await self.bot(GetUpdates(offset=offset, timeout=0, limit=1, allowed_updates=ALLOWED_UPDATES),
                           request_timeout=10)
        except Exception as exc:  # noqa: BLE001 - they are handled already; a repeat is ignored
            log.info("the last updates were not confirmed (%s); they will be ignored when sent again",
                     type(exc).__name__)

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    # ------------------------------------------------------------------ webhook

    async def _webhook(self, request: web.Request) -> web.StreamResponse:
        """One update from Telegram: 401 without the secret (the body is not read), 400 when it is
        not an update, 503 when it cannot be stored (Telegram tries again), else 200 once stored."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self.webhook_secret or not hmac.compare_digest(given.encode(), self.webhook_secret.encode()):
            return web.Response(status=401, text="Unauthorized")
        try:
            payload = await request.json()
            update = Update.model_validate(payload, context={"bot": self.bot})
        except (ValueError, ValidationError):
            return web.Response(status=400, text="not an update")
        try:
            await self.inbox.receive([(str(update.update_id), payload)], [update])
        except Exception as exc:  # noqa: BLE001 - Telegram delivers it again
            log.error("an update could not be stored (%s); Telegram will send it again", type(exc).__name__)
            return web.Response(status=503, text="try again")
        return web.json_response({})

    def add_webhook_route(self, server: WebServer, url: str, secret: str | None) -> str:
        """Serve ``url``'s path on ``server``; requests without the secret header get 401. Returns the
        secret (random when none is given)."""
        secret = secret or secrets.token_urlsafe(32)
        if not SECRET_RE.match(secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may only hold letters, digits, '_' and '-' (1 to 256)")
        redact.protect(secret)
        self.webhook_secret = secret
        server.add_post(urlsplit(url).path or "/", self._webhook)
        self._server = server
        return secret

    async def set_webhook(self, url: str) -> None:
        """Tell Telegram where to deliver (once the server listens)."""
        await self.bot.set_webhook(url, secret_token=self.webhook_secret, allowed_updates=ALLOWED_UPDATES,
                                   drop_pending_updates=False)
        log.info("webhook registered for %s", urlsplit(url).path or "/")

    async def serve_webhook(self, url: str, secret: str | None, host: str, port: int) -> WebServer:
        """A server of its own for the webhook (the one runner shares one server instead)."""
        server = WebServer(host, port)
        self.add_webhook_route(server, url, secret)
        await server.start()
        self._own_server = True
        await self.set_webhook(url)
        return server

    @property
    def webhook_port(self) -> int | None:
        return self._server.bound_port if self._server is not None else None

    async def stop(self) -> None:
        """Stop receiving, finish the updates in hand, then close the HTTP sessions."""
        self._stop.set()
        if self._polled is not None:
            await self._polled.wait()
        if self._server is not None and self._own_server:
            await self._server.stop()
        self._server = None
        await self.inbox.drain()
        await self.bot.session.close()
