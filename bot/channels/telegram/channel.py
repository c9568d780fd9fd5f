"""The Telegram side of the channel contract: sends through an aiogram ``Bot``.

Choices become inline buttons whose callback data is the choice id (at most 64 bytes); on a
question screen the question key is appended after ``|`` so that a press on an older question's
buttons can be told apart (``Incoming.context``). Several-choice questions and choices too long for
callback data are listed to type instead. Text is measured in UTF-16 code units, as Telegram
counts it. Bot API failures become :class:`~reminders.dispatch.SendError`: 429 carries
``retry_after``; 403 (blocked by the user) and "chat not found" mean unreachable; other 400s are
permanent; network errors and 5xx are transient. No error text carries the token.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator, Sequence

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.types import FSInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot import redact
from bot.channels.base import numbered, question_context
from bot.channels.telegram.plugin import deep_link
from bot.channels.text import split_message
from handlers.events import Choice, Document, Outgoing
from reminders.dispatch import Limits, SendError

NAME = "telegram"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CONTEXT_SEP = "|"
LIMITS = Limits(30.0, 1.0, per_chat_burst=3)  # about 1 a second per chat, short bursts pass
UNREACHABLE_400 = ("chat not found", "user not found", "peer_id_invalid", "chat_id is empty")


def utf16_len(text: str) -> int:
    """Telegram measures text in UTF-16 code units: an emoji such as 💡 counts twice."""
    return len(text.encode("utf-16-le")) // 2


def callback_data(choice: Choice, context: str | None = None) -> str | None:
    """The callback data for ``choice`` (qualified with the question key when it fits), or None
    when even the bare id exceeds Telegram's 64 bytes."""
    if context:
        qualified = f"{choice.id}{CONTEXT_SEP}{context}"
        if len(qualified.encode()) <= CALLBACK_DATA_LIMIT:
            return qualified
    return choice.id if len(choice.id.encode()) <= CALLBACK_DATA_LIMIT else None


def shows_buttons(out: Outgoing) -> bool:
    context = question_context(out)
    return not out.multi and all(callback_data(c, context) is not None for c in out.choices)


def keyboard(choices: Sequence[Choice], context: str | None) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=c.label, callback_data=callback_data(c, context))] for c in choices])


def render(out: Outgoing, username: str | None = None) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The message texts (each within 4,096 UTF-16 units) and the inline keyboard of the last one."""
    text, buttons = out.text, out.choices
    if buttons and not shows_buttons(out):
        text, buttons = numbered(text, buttons), ()
    code = out.meta.get("invite_code")
    if code and username:
        text += f"\n🔗 {deep_link(username, code)}"
    chunks = [c for c in split_message(text, TEXT_LIMIT, utf16_len) if c.strip()]
    return chunks, keyboard(buttons, question_context(out))


def chat_target(value: str) -> int | str:
    return int(value) if value.lstrip("-").isdigit() else value


@asynccontextmanager
async def bot_api_errors() -> AsyncIterator[None]:
    """Bot API failures as SendError, with the token masked."""
    try:
        yield
    except TelegramRetryAfter as err:
        raise SendError("429 Too Many Requests", retry_after=float(err.retry_after)) from None
    except TelegramForbiddenError as err:  # blocked by the user, or the account is gone
        raise SendError(redact.redact(f"forbidden: {err.message}"), unreachable=True) from None
    except TelegramBadRequest as err:
        gone = any(s in err.message.lower() for s in UNREACHABLE_400)
        raise SendError(redact.redact(f"bad request: {err.message}"), permanent=True, unreachable=gone) from None
    except (TelegramUnauthorizedError, TelegramNotFound):  # the token, not the recipient
        raise SendError("the Bot API refused the bot token", permanent=True) from None
    except (TelegramNetworkError, asyncio.TimeoutError) as err:
        raise SendError(redact.redact(f"network ({type(err).__name__}): {err}")) from None
    except AiogramError as err:  # 5xx, an unreadable answer: transient
        raise SendError(redact.redact(f"{type(err).__name__}: {err}")) from None


class TelegramChannel:
    name = NAME
    limit = TEXT_LIMIT
    caption_limit = CAPTION_LIMIT
    send_limits = LIMITS

    def __init__(self, bot: Bot, username: str | None = None) -> None:
        self.bot = bot
        self.username = username  # known after getMe; needed for invite deep links

    def measure(self, text: str) -> int:
        return utf16_len(text)

    def shows_buttons(self, out: Outgoing) -> bool:
        return shows_buttons(out)

    async def invite_link(self, code: str) -> str | None:
        if self.username is None:
            async with bot_api_errors():
                self.username = (await self.bot.me()).username or ""
        return deep_link(self.username, code) if self.username else None

    async def send_text(self, chat_id: str, text: str, choices: Sequence[Choice] = (),
                        context: str | None = None) -> None:
        async with bot_api_errors():
            await self.bot.send_message(chat_target(chat_id), text, reply_markup=keyboard(choices, context))

    async def send_document(self, chat_id: str, document: Document, caption: str | None = None) -> None:
        async with bot_api_errors():
            await self.bot.send_document(chat_target(chat_id), FSInputFile(document.path, filename=document.filename),
                                         caption=caption)

    async def send_image(self, chat_id: str, path: Path, caption: str | None = None) -> None:
        async with bot_api_errors():
            await self.bot.send_photo(chat_target(chat_id), FSInputFile(path), caption=caption)
