"""The one contract every channel implements, and what all channels share beside it.

A channel (console, Telegram, Zalo, the in-memory fake of the tests) says who it is, how it measures
text and how much fits in one message, whether a message's choices can be buttons, and how it sends
a text, a document and an image to one chat. A failed send raises
:class:`~reminders.dispatch.SendError` (``unreachable`` for a recipient who blocked the bot or no
longer exists, ``retry_after`` for a rate limit). Everything else lives here, once:

* :func:`deliver` turns the core's whole messages into sends: choices a channel cannot show as
  buttons become a numbered list to type, long texts are split at the channel's limit (at line
  breaks where possible), a short text rides with a document as its caption, an invite code gets
  the channel's link;
* :class:`NoticeSender` lets the reminders send through any channel (a reminder's choice is a
  command: a button where the channel has buttons, the command to type where it has none);
* :class:`ChatLocks` keeps one chat's updates in order while different chats run at once.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import AsyncIterator, Awaitable, Callable, Protocol, Sequence

from bot.channels.text import split_message
from handlers.commands import COMMANDS, cmd
from handlers.events import Choice, Document, Outgoing
from reminders.dispatch import Limits, Notice, RateLimiter, SendError
from reports.i18n import _, use_locale

log = logging.getLogger(__name__)


class Channel(Protocol):
    name: str  # "console", "telegram", "zalo": stored with identities and conversations
    limit: int  # the longest text one message may hold, as ``measure`` counts it
    caption_limit: int  # the longest caption a document may carry (0: documents take none)
    send_limits: Limits  # how fast it may send (overall and per chat)

    def measure(self, text: str) -> int: ...

    def shows_buttons(self, out: Outgoing) -> bool:
        """True when ``out``'s choices can be shown as buttons; else they are listed to type."""

    async def invite_link(self, code: str) -> str | None:
        """A link that registers with ``code`` at once (Telegram's deep link), or None."""

    async def send_text(self, chat_id: str, text: str, choices: Sequence[Choice] = (),
                        context: str | None = None) -> None:
        """One message; ``choices`` only when :meth:`shows_buttons` said so; ``context`` is the
        question the buttons belong to."""

    async def send_document(self, chat_id: str, document: Document, caption: str | None = None) -> None: ...

    async def send_image(self, chat_id: str, path: Path, caption: str | None = None) -> None: ...


class TextOnly:
    """The contract's defaults for a channel without buttons or deep links, that counts characters
    (the console, Zalo): choices become a numbered list to type."""

    def measure(self, text: str) -> int:
        return len(text)

    def shows_buttons(self, out: Outgoing) -> bool:
        return False

    async def invite_link(self, code: str) -> str | None:
        return None


def private_only() -> Outgoing:
    """The answer to a command in a group chat: reports are kept per person and unit, and a group
    would show one commune's figures to everyone in it, so the assistant works in private chats only."""
    with use_locale(None):
        return Outgoing(_("The assistant works only in a private chat, so that each unit's figures stay its "
                          "own. Please open a private chat with the assistant."))


def numbered(text: str, choices: Sequence[Choice]) -> str:
    """``text`` followed by the choices as a numbered list (the officer types the number or label)."""
    if not choices:
        return text
    return text + "\n\n" + "\n".join(f"{n}. {c.label}" for n, c in enumerate(choices, start=1))


def question_context(out: Outgoing) -> str | None:
    return out.meta.get("key") if out.meta.get("screen") == "question" else None


async def render(channel: Channel, out: Outgoing) -> tuple[list[str], tuple[Choice, ...]]:
    """The texts to send for ``out`` (each within the channel's limit) and the buttons of the last."""
    text, buttons = out.text, out.choices
    if buttons and not channel.shows_buttons(out):
        text, buttons = numbered(text, buttons), ()
    code = out.meta.get("invite_code")
    link = await channel.invite_link(code) if code else None
    if link:
        text += f"\n🔗 {link}"
    chunks = [c for c in split_message(text, channel.limit, channel.measure) if c.strip()]
    return chunks or ([text] if buttons else []), buttons


async def send_one(channel: Channel, chat_id: str, out: Outgoing) -> None:
    """Send one of the core's messages; raises SendError."""
    chunks, buttons = await render(channel, out)
    caption = None
    if (out.document is not None and not buttons and len(chunks) == 1
            and channel.measure(chunks[0]) <= channel.caption_limit):
        caption, chunks = chunks[0], []
    for n, chunk in enumerate(chunks, start=1):
        last = n == len(chunks)
        await channel.send_text(chat_id, chunk, buttons if last else (), question_context(out) if last else None)
    if out.document is not None:
        await channel.send_document(chat_id, out.document, caption)
    if out.image is not None:
        await channel.send_image(chat_id, out.image)


async def deliver(
    channel: Channel, chat_id: str, replies: Sequence[Outgoing],
    on_unreachable: Callable[[str], Awaitable[None]] | None = None,
) -> list[str]:
    """Send the core's replies (to ``chat_id`` unless a reply names another chat), in order. A chat
    found unreachable is reported to ``on_unreachable`` once and skipped; a reply refused as it is
    is logged and the next one still goes. Returns the unreachable chats."""
    unreachable: list[str] = []
    for out in replies:
        target = out.chat_id or chat_id
        if target in unreachable:
            continue
        try:
            await send_one(channel, target, out)
        except SendError as err:
            if err.unreachable:
                log.info("%s chat %s cannot be reached (%s); marked as blocked", channel.name, target, err.reason)
                unreachable.append(target)
                if on_unreachable is not None:
                    await on_unreachable(target)
            else:
                log.error("%s refused a reply to chat %s: %s", channel.name, target, err.reason)
    return unreachable


def split_outgoing(channel_limit: int, measure: Callable[[str], int], out: Outgoing) -> list[Outgoing]:
    """``out`` as the pieces a channel with this limit sends; choices, file and meta stay on the last."""
    chunks = [c for c in split_message(out.text, channel_limit, measure) if c.strip()] or [out.text]
    if len(chunks) == 1:
        return [out]
    head = [Outgoing(c, meta=dict(out.meta)) for c in chunks[:-1]]
    return [*head, replace(out, text=chunks[-1])]


def notice_outgoing(channel: Channel, notice: Notice) -> Outgoing:
    """A reminder as a message: its choices are commands, shown as buttons or as the command to type."""
    choices = tuple(Choice(cid, label) for cid, label in notice.choices)
    out = Outgoing(notice.text, choices)
    if not choices or channel.shows_buttons(out):
        return out
    lines = [f"▸ {label}: {cmd(cid)}" if cid in COMMANDS else f"▸ {label}" for cid, label in notice.choices]
    return Outgoing(notice.text + "\n" + "\n".join(lines))


class NoticeSender:
    """The reminders' ``Sender`` for any channel: one notice to one chat, or SendError."""

    def __init__(self, channel: Channel, close: Callable[[], Awaitable[None]] | None = None,
                 budget: RateLimiter | None = None) -> None:
        self.target = channel
        self.channel = channel.name
        self._close = close
        self.budget = budget  # the send budget shared with the chat replies, if the channel has one

    async def send(self, chat_id: str, notice: Notice) -> None:
        await send_one(self.target, chat_id, notice_outgoing(self.target, notice))

    async def close(self) -> None:
        if self._close is not None:
            await self._close()


class ChatLocks:
    """One lock a chat, made on first use and dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, list] = {}  # chat -> [lock, holders and waiters]

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = [asyncio.Lock(), 0]
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)
