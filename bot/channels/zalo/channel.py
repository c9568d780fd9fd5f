"""The Zalo side of the channel contract: texts of at most 2,000 characters, no buttons (choices are
a numbered list to type), no upload (a document is sent as a signed download link with its name and
size; an image through ``sendPhoto`` with such a link). API failures become SendError: 403 and an
unknown chat mean unreachable; 429 asks the caller to wait; 5xx and network errors are transient."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from bot.channels.base import TextOnly
from bot.channels.zalo.client import ZaloClient, ZaloError
from bot.links import FileLinks
from handlers.events import Choice, Document
from reminders.dispatch import Limits, SendError
from reports.formatting import fmt_number
from reports.i18n import _

NAME = "zalo"
TEXT_LIMIT = 2000
LIMITS = Limits(10.0, 1.0)  # no rate is documented: stay well under what a chat app tolerates
QUOTA_PAUSE = 5.0  # 429 "Quota exceeded" says nothing of how long: wait this long, then again
GONE = ("not found", "not exist", "invalid chat", "blocked")


def size_text(size: int) -> str:
    return f"{fmt_number(size / 1024, 0)} KB" if size >= 1024 else f"{size} B"


class ZaloChannel(TextOnly):
    name = NAME
    limit = TEXT_LIMIT
    caption_limit = 1500  # a document is a link in a text message: its caption heads that message
    send_limits = LIMITS

    def __init__(self, client: ZaloClient, links: FileLinks | None = None, *, retry: bool = True) -> None:
        self.client, self.links, self.retry = client, links, retry

    async def _call(self, method: str, **params: object) -> None:
        try:
            await self.client.call(method, retry=self.retry, **params)
        except ZaloError as err:
            if err.code == 429:
                raise SendError(f"zalo 429 {err.description}", retry_after=QUOTA_PAUSE) from None
            if err.code == 403 or (err.code == 400 and any(w in err.description.lower() for w in GONE)):
                raise SendError(f"zalo {err.code} {err.description}", unreachable=True) from None
            if err.code == 0 or err.code >= 500:
                raise SendError(f"zalo {err.code} {err.description}") from None
            raise SendError(f"zalo {err.code} {err.description}", permanent=True) from None

    async def send_text(self, chat_id: str, text: str, choices: Sequence[Choice] = (),
                        context: str | None = None) -> None:
        await self._call("sendMessage", chat_id=chat_id, text=text)

    def _link(self, path: Path, chat_id: str) -> str:
        if self.links is None:
            raise SendError("zalo: no file links configured", permanent=True)
        return self.links.url(path, chat_id)

    async def send_document(self, chat_id: str, document: Document, caption: str | None = None) -> None:
        url = self._link(document.path, chat_id)
        hours = max(1, self.links.ttl // 3600)
        lines = [caption] if caption else []
        lines += [f"📄 {document.filename} ({size_text(document.path.stat().st_size)})",
                  _("Download (the link works for {hours} hours, for you only):").format(hours=hours), url]
        await self._call("sendMessage", chat_id=chat_id, text="\n".join(lines))

    async def send_image(self, chat_id: str, path: Path, caption: str | None = None) -> None:
        params = {"chat_id": chat_id, "photo": self._link(path, chat_id)}
        if caption:
            params["caption"] = caption
        await self._call("sendPhoto", **params)
