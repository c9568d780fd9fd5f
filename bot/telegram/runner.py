"""Running the Telegram bot: the aiogram Bot and Dispatcher around the channel, in long polling or
as a webhook served by aiohttp, against Telegram's server, a self-hosted Bot API server or a double.

``danvan run`` (see :func:`run`) picks the mode from the settings: ``TELEGRAM_WEBHOOK_URL`` set means
webhook, otherwise long polling; ``TELEGRAM_API_URL`` chooses the Bot API server.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import signal
from contextlib import suppress
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.telegram import redact
from bot.telegram.adapter import ALLOWED_UPDATES, CoreLike, TelegramChannel, set_commands
from bot.telegram.retry import RetryMiddleware
from reports.i18n import _

log = logging.getLogger(__name__)
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as a webhook secret_token


def build_bot(token: str, api_url: str = "https://api.telegram.org", retry: RetryMiddleware | None = None) -> Bot:
    """An aiogram Bot on ``api_url`` with retries on 429/5xx/network errors; the token is
    registered for redaction from the logs before anything can log it."""
    redact.protect(token)
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
    session.middleware(retry or RetryMiddleware())
    return Bot(token=token, session=session)


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
        self.bot = build_bot(token, api_url, retry)
        self.channel = TelegramChannel(core, sessions, on_handled=on_handled)
        self.dispatcher = Dispatcher()
        self.channel.attach(self.dispatcher)
        self.polling_timeout = polling_timeout
        self.webhook_secret: str | None = None
        self._runner: web.AppRunner | None = None
        self._polling = False

    async def prepare(self) -> str:
        """Check the token (getMe) and set the command menu; returns the bot's username."""
        me = await self.bot.me()
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

    async def serve_webhook(self, url: str, secret: str | None, host: str, port: int) -> web.AppRunner:
        """Register ``url`` with Telegram and serve it; requests without the secret header get 401."""
        secret = secret or secrets.token_urlsafe(32)
        if not SECRET_RE.match(secret):
            raise ValueError("TELEGRAM_WEBHOOK_SECRET may only hold letters, digits, '_' and '-' (1 to 256)")
        redact.protect(secret)
        self.webhook_secret = secret
        app = web.Application()
        SimpleRequestHandler(self.dispatcher, self.bot, secret_token=secret).register(app, path=urlsplit(url).path or "/")
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                                   drop_pending_updates=False)
        log.info("webhook served on %s:%s%s", host, port, urlsplit(url).path or "/")
        return runner

    @property
    def webhook_port(self) -> int | None:
        """The port actually bound (useful with port 0)."""
        if self._runner is None:
            return None
        for address in self._runner.addresses:
            if isinstance(address, tuple):
                return int(address[1])
        return None

    async def stop(self) -> None:
        """Stop receiving, finish the updates in hand, then close the HTTP sessions."""
        if self._polling:
            with suppress(RuntimeError):
                await self.dispatcher.stop_polling()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await self.channel.drain()
        await self.bot.session.close()


async def run(settings, demo: bool = False) -> int:  # noqa: ANN001 - bot.settings.Settings
    """``danvan run``: polling, or a webhook when TELEGRAM_WEBHOOK_URL is set. Returns the exit code."""
    from bot.app import build_app

    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value().strip():
        print(no_token_help())
        return 1
    token = settings.telegram_bot_token.get_secret_value().strip()
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else None
    redact.protect(token, secret)
    if settings.telegram_webhook_url and secret is not None and not SECRET_RE.match(secret):
        print(_("TELEGRAM_WEBHOOK_SECRET may only hold letters, digits, “_” and “-” (1 to 256 characters)."))
        return 1
    app = await build_app(settings, seed_demo=demo)
    service = TelegramService(app.core, app.sessions, token, settings.telegram_api_url)
    stop_reminders = None
    try:
        username = await service.prepare()
        log.info("bot @%s connected to %s", username, settings.telegram_api_url)
        from bot.reminder_wiring import start_scheduler

        stop_reminders = await start_scheduler(app, settings)  # only with RUN_SCHEDULER=true
        if settings.telegram_webhook_url:
            await service.serve_webhook(settings.telegram_webhook_url, secret, settings.webhook_host,
                                        settings.webhook_port)
            await _wait_for_signal()
        else:
            log.info("long polling; press Ctrl-C to stop")
            await service.poll(handle_signals=True)
    except TelegramUnauthorizedError:
        print(_("Telegram refused the token (Unauthorized): check TELEGRAM_BOT_TOKEN."))
        return 1
    except TelegramNetworkError as err:
        print(_("Cannot reach the Bot API server at {url}: {error}").format(
            url=settings.telegram_api_url, error=redact.redact(str(err))))
        return 1
    except Exception:
        log.exception("the Telegram bot stopped on an error")
        return 1
    finally:
        if stop_reminders is not None:
            await stop_reminders()
        await service.stop()
        await app.close()
    return 0


def no_token_help() -> str:
    return _(
        "TELEGRAM_BOT_TOKEN is not set, so there is no Telegram bot to run. To create one:\n"
        "  1. In Telegram, open a chat with @BotFather and send /newbot.\n"
        "  2. Give the bot a name, then a username ending in “bot” (e.g. danvan_dongson_bot).\n"
        "  3. BotFather answers with a token such as 123456789:AA…; put it in the .env file as\n"
        "     TELEGRAM_BOT_TOKEN=123456789:AA…\n"
        "  4. Run “danvan run” again.\n"
        "To try the assistant without Telegram, run “danvan chat”."
    )


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
