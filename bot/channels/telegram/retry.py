"""Retrying Bot API calls: HTTP 429 waits ``retry_after``; network errors and 5xx back off.

aiogram does not retry by itself, so a 429 inside a handler would lose that reply. This request
middleware sits on the bot's session and wraps every call except ``getUpdates`` (the polling loop
has its own backoff). A 429 is Telegram saying "later", not "no": the call waits ``retry_after``
and goes again, as often as it takes within ``max_waiting`` seconds in all (a reply to an answer
already stored must not be dropped because the bot was busy); a single ``retry_after`` longer than
``max_retry_after`` is not waited for. Network errors and 5xx are tried at most ``attempts`` times.
A 403 (the user blocked the bot) or a 400 is never retried: the caller decides what it means.
"""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any, Awaitable, Callable

from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.exceptions import (
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import GetUpdates

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[Any]]


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(
        self,
        attempts: int = 5,
        base_delay: float = 0.5,
        max_delay: float = 30.0,
        max_retry_after: float = 300.0,
        max_waiting: float = 900.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.attempts = attempts
        self.max_waiting = max_waiting
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self.sleep = sleep

    def backoff(self, attempt: int) -> float:
        """The pause before retry number ``attempt`` (1, 2, …): exponential, capped, with jitter."""
        delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return delay * random.uniform(0.8, 1.0)

    async def __call__(self, make_request, bot, method):  # noqa: ANN001, ANN204 - aiogram's signature
        if isinstance(method, GetUpdates):
            return await make_request(bot, method)
        name = method.__api_method__
        attempt = 1
        waited = 0.0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as err:
                if err.retry_after > self.max_retry_after or waited + err.retry_after > self.max_waiting:
                    raise
                log.warning("%s: flood limit, waiting %s s before sending it again", name, err.retry_after)
                waited += err.retry_after
                await self.sleep(err.retry_after)
                continue
            except TelegramEntityTooLarge:
                raise
            except (TelegramServerError, TelegramNetworkError) as err:
                if attempt >= self.attempts:
                    raise
                delay = self.backoff(attempt)
                log.warning("%s failed (%s), retry %d in %.2f s", name, type(err).__name__, attempt, delay)
                await self.sleep(delay)
            attempt += 1
