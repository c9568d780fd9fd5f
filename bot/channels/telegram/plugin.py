"""Telegram as a plug-in of the one runner: enabled by ``TELEGRAM_BOT_TOKEN``; long polling, or a
webhook on the process's HTTP server when ``TELEGRAM_WEBHOOK_URL`` is set. aiogram is imported only
when the channel starts."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from bot import redact
from bot.channels.base import NoticeSender
from bot.channels.plugin import TokenPlugin
from bot.channels.telegram.settings import TelegramSettings
from reports.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import App
    from bot.web import WebServer

log = logging.getLogger(__name__)
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as a webhook secret_token


def deep_link(username: str, code: str) -> str:
    """The link that opens the bot and sends ``/start CODE`` (here, so that the command line can make
    it without importing aiogram)."""
    return f"https://t.me/{username}?start={code}"


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


class RunningTelegram:
    def __init__(self, service: Any, settings: TelegramSettings) -> None:
        self.service, self.settings = service, settings
        self.channel = service.channel

    async def go(self) -> None:
        """Receive: register the webhook (the server listens by now), or poll until stopped."""
        if self.settings.webhook_url:
            await self.service.set_webhook(self.settings.webhook_url)
        else:
            log.info("long polling Telegram; press Ctrl-C to stop")
            await self.service.poll()

    async def stop(self) -> None:
        await self.service.stop()


class TelegramPlugin(TokenPlugin):
    name = "telegram"
    settings_class = TelegramSettings

    def help(self) -> str:
        return no_token_help()

    def problem(self) -> str | None:
        s = self.settings()
        if s.webhook_url and s.secret is not None and not SECRET_RE.match(s.secret):
            return _("TELEGRAM_WEBHOOK_SECRET may only hold letters, digits, “_” and “-” (1 to 256 characters).")
        return None

    async def start(self, app: "App", server: "WebServer") -> RunningTelegram:
        """Check the token, set the menu, and add the webhook route when there is one."""
        from bot.channels.telegram.service import TelegramService

        s = self.settings()
        service = TelegramService(app.core, app.sessions, s.token, s.api_url, pacing=self.budget())
        try:
            username = await service.prepare()
        except BaseException:
            await service.stop()
            raise
        log.info("bot @%s connected to %s", username, s.api_url)
        if s.webhook_url:
            service.add_webhook_route(server, s.webhook_url, s.secret)
        return RunningTelegram(service, s)

    def failure(self, exc: BaseException) -> str | None:
        """A one-line explanation of a start-up failure that is the setting's fault, else None."""
        from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

        if isinstance(exc, TelegramUnauthorizedError):
            return _("Telegram refused the token (Unauthorized): check TELEGRAM_BOT_TOKEN.")
        if isinstance(exc, TelegramNetworkError):
            return _("Cannot reach the Bot API server at {url}: {error}").format(
                url=self.settings().api_url, error=redact.redact(str(exc)))
        return None

    def budget(self):  # noqa: ANN201 - reminders.dispatch.RateLimiter
        """The process's one send budget for this bot: chat replies and reminders draw from it
        (Telegram's limits), replies first."""
        if getattr(self, "_budget", None) is None:
            from bot.channels.telegram.channel import LIMITS
            from reminders.dispatch import UNLIMITED, RateLimiter

            self._budget = RateLimiter(LIMITS if self.settings().pace else UNLIMITED)
        return self._budget

    def reminder_sender(self) -> NoticeSender:
        from bot.channels.telegram.service import notice_sender

        return notice_sender(self.settings().token, self.settings().api_url, budget=self.budget())

    async def username(self) -> str | None:
        """The bot's username for invite links: TELEGRAM_BOT_USERNAME, or asked from Telegram (getMe)."""
        s = self.settings()
        if s.bot_username:
            return s.bot_username.lstrip("@")
        if not s.token:
            return None
        import asyncio

        from bot.channels.telegram.retry import RetryMiddleware
        from bot.channels.telegram.service import build_bot

        bot = build_bot(s.token, s.api_url, RetryMiddleware(attempts=2))
        try:
            return (await asyncio.wait_for(bot.me(), 15)).username
        finally:
            await bot.session.close()

    def invite_link(self, username: str, code: str) -> str:
        return deep_link(username, code)


PLUGIN = TelegramPlugin()
