"""Zalo as a plug-in of the one runner: enabled by ``ZALO_BOT_TOKEN``; long polling, or a webhook on
the process's HTTP server when ``ZALO_WEBHOOK_URL`` is set. The server also serves the signed file
links, so it runs whenever Zalo does."""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from bot import redact
from bot.channels.base import NoticeSender
from bot.channels.plugin import TokenPlugin
from bot.channels.zalo.channel import ZaloChannel
from bot.channels.zalo.client import ZaloClient, ZaloError
from bot.channels.zalo.settings import ZaloSettings
from bot.channels.zalo.updates import ZaloUpdates
from bot.links import ROUTE, FileLinks
from bot.settings import Settings
from reports.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    from bot.app import App
    from bot.web import WebServer

log = logging.getLogger(__name__)


def no_token_help() -> str:
    return _(
        "ZALO_BOT_TOKEN is not set, so there is no Zalo bot to run. To create one:\n"
        "  1. Open the Zalo Bot Platform (bot.zaloplatforms.com) with your Zalo account and create a bot.\n"
        "  2. Copy its token; put it in the .env file as ZALO_BOT_TOKEN=…\n"
        "  3. Run “danvan run” again."
    )


def file_links(settings: Settings, files_dir, host: str | None = None, port: int | None = None) -> FileLinks:  # noqa: ANN001
    """PUBLIC_BASE_URL, or this server's own address (fine on one machine, not for phones outside)."""
    host = host or settings.webhook_host
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    base = settings.public_base_url or f"http://{host}:{port or settings.webhook_port}"
    key = settings.file_link_secret.get_secret_value() if settings.file_link_secret else None
    return FileLinks(files_dir, base, key, ttl=settings.file_link_hours * 3600)


class RunningZalo:
    def __init__(self, updates: ZaloUpdates, settings: ZaloSettings) -> None:
        self.updates, self.settings = updates, settings
        self.channel = updates.channel

    async def go(self) -> None:
        if self.settings.webhook_url:
            await self.updates.client.call("setWebhook", url=self.settings.webhook_url,
                                           secret_token=self.updates.secret)
            log.info("zalo webhook registered for %s", urlsplit(self.settings.webhook_url).path or "/")
        else:
            await self.updates.poll(self.settings.polling_timeout)

    async def stop(self) -> None:
        await self.updates.stop()
        await self.updates.client.close()


class ZaloPlugin(TokenPlugin):
    name = "zalo"
    settings_class = ZaloSettings

    def help(self) -> str:
        return no_token_help()

    def problem(self) -> str | None:
        s = self.settings()
        if s.webhook_url and s.secret is not None and not 8 <= len(s.secret) <= 256:
            return _("ZALO_WEBHOOK_SECRET must be 8 to 256 characters long.")
        return None

    async def start(self, app: "App", server: "WebServer") -> RunningZalo:
        s = self.settings()
        client = ZaloClient(s.token, s.api_url, base_delay=s.retry_base_delay)
        try:
            me = await client.call("getMe") or {}
        except BaseException:
            await client.close()
            raise
        files_dir = app.core.files_dir
        files_dir.mkdir(parents=True, exist_ok=True)
        links = file_links(app.settings, files_dir, server.host, server.port)
        server.add_get(ROUTE, links.serve)
        secret = s.secret or secrets.token_urlsafe(32)
        redact.protect(secret)
        updates = ZaloUpdates(app.core, app.sessions, ZaloChannel(client, links), client,
                              bot_id=str(me.get("id") or ""), secret=secret)
        if s.webhook_url:
            server.add_post(urlsplit(s.webhook_url).path or "/", updates.webhook)
        await updates.inbox.recover()  # what an earlier process left unhandled
        log.info("zalo bot %s connected to %s", me.get("account_name") or me.get("id") or "?", s.api_url)
        return RunningZalo(updates, s)

    def failure(self, exc: BaseException) -> str | None:
        if isinstance(exc, ZaloError):
            if exc.code in (401, 403):
                return _("Zalo refused the token: check ZALO_BOT_TOKEN.")
            return _("Cannot reach the Zalo Bot API at {url}: {error}").format(url=self.settings().api_url,
                                                                               error=str(exc))
        return None

    def reminder_sender(self) -> NoticeSender:
        """Reminders through Zalo: no retries in the client, so a 429 reaches the dispatcher."""
        from bot.app import files_dir_for

        s = self.settings()
        client = ZaloClient(s.token, s.api_url, attempts=1)
        settings = Settings()
        links = file_links(settings, files_dir_for(settings))
        return NoticeSender(ZaloChannel(client, links, retry=False), client.close)


PLUGIN = ZaloPlugin()
