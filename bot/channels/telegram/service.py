"""The running Telegram bot: the aiogram Bot and Dispatcher around the channel, in long polling or
as a webhook on the process's HTTP server, against Telegram, a self-hosted Bot API server or a double.
"""

from __future__ import annotations

import logging
import re
import secrets
from contextlib import suppress
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import redact
from bot.channels.base import NoticeSender
from bot.channels.telegram.adapter import ALLOWED_UPDATES, CoreLike, TelegramUpdates, set_commands
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.retry import RetryMiddleware
from bot.web import WebServer

log = logging.getLogger(__name__)
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as a webhook secret_token


def build_bot(token: str, api_url: str = "https://api.telegram.org", retry: RetryMiddleware | None = None,
              timeout: float | None = None) -> Bot:
    """An aiogram Bot on ``api_url``, with retries on 429/5xx/network errors unless ``retry`` is
    False-y and not given; the token is registered for redaction before anything can log it."""
    redact.protect(token)
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url), **({"timeout": timeout} if timeout else {}))
    if retry is not None:
        session.middleware(retry)
    return Bot(token=token, session=session)


def notice_sender(token: str, api_url: str = "https://api.telegram.org") -> NoticeSender:
    """The reminders' sender, on a bot of its own without retries, so that a 429 reaches the
    dispatcher's rate limiter instead of stalling one worker."""
    bot = build_bot(token, api_url, timeout=30.0)
    return NoticeSender(TelegramChannel(bot), bot.session.close)


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
    ) -> None:
        self.bot = build_bot(token, api_url, retry or RetryMiddleware())
        self.channel = TelegramChannel(self.bot)
        self.updates = TelegramUpdates(core, sessions, self.channel, on_handled=on_handled)
        self.dispatcher = Dispatcher()
        self.updates.attach(self.dispatcher)
        self.polling_timeout = polling_timeout
        self.webhook_secret: str | None = None
        self._server: WebServer | None = None
        self._own_server = False
        self._polling = False

    async def prepare(self) -> str:
        """Check the token (getMe) and set the command menu; returns the bot's username."""
        me = await self.bot.me()
        self.channel.username = me.username or ""
        await set_commands(self.bot)
        return me.username or ""

    async def poll(self, handle_signals: bool = False) -> None:
        """Long polling until :meth:`stop` (or SIGINT/SIGTERM with ``handle_signals``)."""
        await self.bot.delete_webhook(drop_pending_updates=False)
        self._polling = True
        try:
            await self.dispatcher.start_polling(
                self.bot, allowed_updates=ALLOWED_UPDATES, handle_signals=handle_signals,
                close_bot_session=False, polling_timeout=self.polling_timeout,
            )
        finally:
            self._polling = False

    def add_webhook_route(self, server: WebServer, url: str, secret: str | None) -> str:
        """Serve ``url``'s path on ``server``; requests without the secret header get 401. Returns the
        secret (random when none is given)."""
        secret = secret or secrets.token_urlsafe(32)
        if not SECRET_RE.match(secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may only hold letters, digits, '_' and '-' (1 to 256)")
        redact.protect(secret)
        self.webhook_secret = secret
        SimpleRequestHandler(self.dispatcher, self.bot, secret_token=secret).register(
            server.app, path=urlsplit(url).path or "/")
        server.routes.append(urlsplit(url).path or "/")
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
        if self._polling:
            with suppress(RuntimeError):
                await self.dispatcher.stop_polling()
        if self._server is not None and self._own_server:
            await self._server.stop()
        self._server = None
        await self.updates.drain()
        await self.bot.session.close()
