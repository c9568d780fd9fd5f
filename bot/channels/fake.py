"""An in-memory channel for the tests: it keeps every message it was asked to send, per chat.

It implements the same contract as the real channels, with the limit and the buttons of the
channel it stands in for (``FakeChannel.like("zalo")``), so a scenario run through it meets the
same splitting and the same numbered lists as officers do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from bot.channels.base import deliver
from handlers.events import Choice, Document, Incoming, Outgoing
from reminders.dispatch import UNLIMITED, SendError


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


PROFILES = {  # name: (limit, measure, buttons, caption limit)
    "console": (4000, len, False, 4000),
    "telegram": (4096, utf16_len, True, 1024),
    "zalo": (2000, len, False, 1500),
}


@dataclass
class Sent:
    chat_id: str
    text: str = ""
    choices: tuple[Choice, ...] = ()
    context: str | None = None
    document: Document | None = None
    image: Path | None = None


@dataclass
class FakeChannel:
    name: str = "console"
    limit: int = 4000
    buttons: bool = False
    caption_limit: int = 0
    measure_utf16: bool = False
    send_limits = UNLIMITED
    sent: list[Sent] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)  # chats that raise as a blocked user does

    @classmethod
    def like(cls, name: str) -> "FakeChannel":
        limit, measure, buttons, caption = PROFILES.get(name, PROFILES["zalo"])
        return cls(name, limit, buttons, caption, measure is utf16_len)

    def measure(self, text: str) -> int:
        return utf16_len(text) if self.measure_utf16 else len(text)

    def shows_buttons(self, out: Outgoing) -> bool:
        return self.buttons and not out.multi

    async def invite_link(self, code: str) -> str | None:
        return None

    def _check(self, chat_id: str) -> None:
        if chat_id in self.unreachable:
            raise SendError("blocked", unreachable=True)

    async def send_text(self, chat_id: str, text: str, choices: Sequence[Choice] = (),
                        context: str | None = None) -> None:
        self._check(chat_id)
        assert 0 < self.measure(text) <= self.limit, f"a {self.name} message of {self.measure(text)} units"
        self.sent.append(Sent(chat_id, text, tuple(choices), context))

    async def send_document(self, chat_id: str, document: Document, caption: str | None = None) -> None:
        self._check(chat_id)
        self.sent.append(Sent(chat_id, caption or "", document=document))

    async def send_image(self, chat_id: str, path: Path, caption: str | None = None) -> None:
        self._check(chat_id)
        self.sent.append(Sent(chat_id, caption or "", image=path))

    def to(self, chat_id: str) -> list[Sent]:
        return [s for s in self.sent if s.chat_id == chat_id]

    async def exchange(self, core, chat_id: str, text: str | None = None, choice: str | None = None,  # noqa: ANN001
                       user_id: str | None = None, update_id: str | None = None) -> list[Sent]:
        """One user message or press through the core, and what this channel sent back."""
        mark = len(self.sent)
        event = Incoming(self.name, chat_id, user_id or chat_id, update_id=update_id, text=text, choice=choice)
        await deliver(self, chat_id, await core.handle(event))
        return self.sent[mark:]
