"""Pacing the bot's replies: every Bot API call that writes to a chat waits for its slot.

Telegram answers HTTP 429 when a bot writes to one chat faster than about once a second (short
bursts pass) or to everyone faster than about 30 messages a second. A button answer costs two
calls (the pressed message is edited to show the answer, then the next question is sent), so an
officer answering quickly would hit that limit, and each 429 costs seconds of waiting. This request
middleware takes a slot from a :class:`~reminders.dispatch.RateLimiter` (per chat with a small
burst, and over the bot) before each such call, so a normal report never triggers flood control;
a 429 that comes anyway pauses that chat for ``retry_after``. ``answerCallbackQuery`` (the
spinner on a pressed button) and ``getUpdates`` write to no chat and are never delayed. It sits
inside :class:`~bot.channels.telegram.retry.RetryMiddleware`, so a retried call is paced too.
"""

from __future__ import annotations

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import TelegramRetryAfter

from reminders.dispatch import RateLimiter


class PacingMiddleware(BaseRequestMiddleware):
    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def __call__(self, make_request, bot, method):  # noqa: ANN001, ANN204 - aiogram's signature
        chat = getattr(method, "chat_id", None)
        if chat is None:
            return await make_request(bot, method)
        chat = str(chat)
        await self.limiter.acquire(chat)
        try:
            return await make_request(bot, method)
        except TelegramRetryAfter as err:
            self.limiter.pause(float(err.retry_after), chat)
            raise
