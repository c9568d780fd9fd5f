"""The Telegram side of ``reminders.dispatch.Sender``: one notice → ``sendMessage`` through aiogram.

It renders with the Telegram channel's own ``render`` (choices become inline buttons whose callback
data the core understands) and maps Bot API failures onto the dispatcher's terms: HTTP 429 →
``retry_after`` (the dispatcher pauses the whole channel, then sends again); 403 (the user blocked
the bot) and 400 (e.g. chat not found) → permanent, never retried; network errors and 5xx →
transient, retried a few times. The bot used here has no retrying middleware of its own, so that a
429 reaches the dispatcher's rate limiter instead of stalling one worker. No error text carries the
token.
"""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)

from bot.telegram import redact
from bot.telegram.adapter import CHANNEL, render
from handlers.events import Choice, Outgoing
from reminders.dispatch import Notice, SendError

UNREACHABLE_400 = ("chat not found", "user not found", "peer_id_invalid", "chat_id is empty")


class TelegramSender:
    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    @classmethod
    def create(cls, token: str, api_url: str = "https://api.telegram.org", timeout: float = 30.0) -> "TelegramSender":
        redact.protect(token)
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url), timeout=timeout)
        return cls(Bot(token=token, session=session))

    async def send(self, chat_id: str, notice: Notice) -> None:
        out = Outgoing(notice.text, tuple(Choice(cid, label) for cid, label in notice.choices))
        chunks, keyboard = render(out)
        target: int | str = int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id
        try:
            for n, chunk in enumerate(chunks, start=1):
                await self.bot.send_message(target, chunk, reply_markup=keyboard if n == len(chunks) else None)
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
            raise SendError(redact.redact(f"network: {err}")) from None
        except AiogramError as err:  # 5xx, an unreadable answer: transient
            raise SendError(redact.redact(f"{type(err).__name__}: {err}")) from None

    async def close(self) -> None:
        await self.bot.session.close()
