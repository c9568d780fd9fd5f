"""A small client of the Zalo Bot API on aiohttp: ``POST <api>/bot<TOKEN>/<method>`` with JSON, and
the envelope ``{ok, result}`` / ``{ok: false, error_code, description}`` checked, not only the HTTP
status. Network errors and 5xx are retried with growing pauses; 429 "Quota exceeded" (which carries
no ``retry_after``) is backed off; nothing it raises or logs carries the token.

We wrote our own: six documented endpoints, and the PyPI wrappers are a python-telegram-bot fork
with placeholder metadata and an older host, or unfinished.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

import aiohttp

from bot import redact

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[Any]]


class ZaloError(Exception):
    """An answer with ``ok: false`` (``code`` is its ``error_code``), or a failed request (code 0)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(redact.redact(f"{code} {description}"))
        self.code = code
        self.description = redact.redact(description)


class ZaloClient:
    def __init__(self, token: str, api_url: str = "https://bot-api.zaloplatforms.com", *,
                 attempts: int = 4, base_delay: float = 0.5, max_delay: float = 8.0,
                 sleep: Sleep = asyncio.sleep, timeout: float = 60.0) -> None:
        redact.protect(token)
        self._url = f"{api_url.rstrip('/')}/bot{token}/"
        self.attempts, self.base_delay, self.max_delay, self.sleep = attempts, base_delay, max_delay, sleep
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _once(self, method: str, params: dict[str, Any], timeout: float | None) -> Any:
        try:
            async with self._http().post(self._url + method, json=params,
                                         timeout=aiohttp.ClientTimeout(total=timeout or self.timeout)) as resp:
                if resp.status >= 500:
                    raise ZaloError(resp.status, f"server error on {method}")
                try:
                    body = await resp.json(content_type=None)
                except ValueError:
                    raise ZaloError(resp.status or 0, f"unreadable answer to {method}") from None
        except (aiohttp.ClientError, asyncio.TimeoutError) as err:
            raise ZaloError(0, f"network error on {method}: {type(err).__name__}") from None
        if not isinstance(body, dict):
            raise ZaloError(resp.status, f"unexpected answer to {method}")
        if body.get("ok") is True:
            return body.get("result")
        raise ZaloError(int(body.get("error_code") or resp.status or 0), str(body.get("description") or "error"))

    async def call(self, method: str, *, retry: bool = True, http_timeout: float | None = None, **params: Any) -> Any:
        """The method's ``result``; ZaloError when it did not succeed (after the retries, if any)."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._once(method, params, http_timeout)
            except ZaloError as err:
                transient = err.code == 0 or err.code >= 500 or err.code == 429
                if not retry or not transient or attempt >= self.attempts:
                    raise
                delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1) * (4 if err.code == 429 else 1))
                log.warning("zalo %s failed (%s), retry %d in %.2f s", method, err.code, attempt, delay)
                await self.sleep(delay)
