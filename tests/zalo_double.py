"""A Zalo Bot API double: an aiohttp server on 127.0.0.1 that keeps the documented contract.

``POST /bot<TOKEN>/<method>`` with a JSON body; every answer is the envelope ``{ok, result}`` or
``{ok: false, error_code, description}`` (HTTP 200 for API errors, as the platform answers; 5xx for
injected server failures). ``getUpdates`` long-polls for ``timeout`` seconds and hands out **one**
update per answer, with no offset; an idle poll answers ``ok: false, error_code: 408``. Texts are
1–2,000 characters; there are no buttons, no documents and no edits; ``sendPhoto`` takes a URL
only. ``setWebhook`` needs an HTTPS URL and a secret of 8–256 characters (``allow_http`` lets the
tests serve plain HTTP on 127.0.0.1), and webhook posts carry ``X-Bot-Api-Secret-Token``. Polling
and a webhook exclude each other. A test acts as users (``push``, ``deliver``) and injects
failures (``fail``: 5xx, 429 "Quota exceeded", 403 for a user who blocked the bot).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

TEXT_LIMIT = 2000


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200
    ok: bool = True
    at: float = field(default_factory=time.monotonic)

    @property
    def chat_id(self) -> str | None:
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        return self.params.get("text", self.params.get("caption"))


class ZaloDouble:
    def __init__(self, token: str, *, allow_http: bool = True) -> None:
        self.token = token
        self.allow_http = allow_http
        self.calls: list[Call] = []
        self.pending: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.webhook: dict[str, str] | None = None
        self.failures: list[list[Any]] = []  # [method, status or error code, times, chat or None]
        self.blocked: set[str] = set()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> "ZaloDouble":
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001
        self._session = aiohttp.ClientSession()
        return self

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ------------------------------------------------------------------ acting as users

    def message(self, chat_id: str, text: str | None = None, *, event: str = "message.text.received",
                name: str = "Nguyễn Văn An") -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": f"m{next(self._ids):06d}", "date": int(time.time() * 1000),
            "from": {"id": chat_id, "display_name": name, "is_bot": False},
            "chat": {"id": chat_id, "chat_type": "PRIVATE"},
        }
        if text is not None:
            message["text"] = text
        return {"event_name": event, "message": message}

    async def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates."""
        await self.pending.put(update)
        return update

    async def deliver(self, update: dict[str, Any], url: str | None = None, secret: str | None = "default") -> int:
        """POST an update to the registered webhook as the platform does; returns the HTTP status."""
        assert self.webhook is not None or url, "no webhook registered"
        target = url or self.webhook["url"]
        headers = {}
        secret = self.webhook["secret_token"] if secret == "default" and self.webhook else secret
        if secret is not None:
            headers["X-Bot-Api-Secret-Token"] = secret
        async with self._session.post(target, json={"ok": True, "result": update}, headers=headers) as resp:
            await resp.read()
            return resp.status

    def fail(self, method: str, code: int, times: int = 1, chat: str | None = None) -> None:
        """The next ``times`` calls of ``method`` fail: 5xx as HTTP errors, 429/403/400 as API errors."""
        self.failures.append([method, code, times, chat])

    # ------------------------------------------------------------------ what the bot did

    def sent(self, chat_id: str | None = None, method: str = "sendMessage") -> list[Call]:
        return [c for c in self.calls if c.method == method and c.ok and (chat_id is None or c.chat_id == chat_id)]

    def texts(self, chat_id: str) -> list[str]:
        return [c.params["text"] for c in self.sent(chat_id)]

    def mark(self) -> int:
        return len(self.calls)

    def since(self, mark: int, chat_id: str) -> list[str]:
        return [c.params["text"] for c in self.calls[mark:]
                if c.method == "sendMessage" and c.ok and c.chat_id == chat_id]

    # ------------------------------------------------------------------ the API

    def _failure(self, method: str, chat: str | None) -> int | None:
        for failure in self.failures:
            if failure[0] == method and failure[2] > 0 and (failure[3] is None or failure[3] == chat):
                failure[2] -= 1
                return failure[1]
        return None

    @staticmethod
    def _error(code: int, description: str) -> web.Response:
        return web.json_response({"ok": False, "error_code": code, "description": description})

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        try:
            params = await request.json() if request.can_read_body else {}
        except ValueError:
            return self._error(400, "Bad Request: body is not JSON")
        call = Call(method, params)
        self.calls.append(call)
        code = self._failure(method, params.get("chat_id"))
        if code is not None:
            call.ok = False
            if code >= 500:
                call.status = code
                return web.Response(status=code, text="upstream error")
            return self._error(code, {429: "Quota exceeded", 403: "Forbidden: user blocked the bot"}.get(
                code, "Bad Request"))
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            call.ok = False
            return self._error(404, f"Not Found: method {method}")
        answer = await handler(params)
        if isinstance(answer, web.Response):
            call.ok = False
            return answer
        return web.json_response({"ok": True, "result": answer})

    async def _m_getMe(self, params: dict) -> Any:
        return {"id": "bot-4242", "account_name": "danvan.bot", "account_type": "BASIC", "can_join_groups": False}

    async def _m_getUpdates(self, params: dict) -> Any:
        if self.webhook is not None:
            return self._error(409, "Conflict: a webhook is set; delete it before polling")
        timeout = float(params.get("timeout", 30) or 0)
        try:
            return await asyncio.wait_for(self.pending.get(), timeout=max(timeout, 0.01))
        except asyncio.TimeoutError:
            return self._error(408, "Request timeout")

    async def _m_setWebhook(self, params: dict) -> Any:
        url, secret = str(params.get("url", "")), str(params.get("secret_token", ""))
        if not (url.startswith("https://") or (self.allow_http and url.startswith("http://127.0.0.1"))):
            return self._error(400, "Bad Request: webhook url must be https")
        if not 8 <= len(secret) <= 256:
            return self._error(400, "Bad Request: secret_token must be 8-256 characters")
        self.webhook = {"url": url, "secret_token": secret}
        return {"url": url, "updated_at": int(time.time() * 1000)}

    async def _m_deleteWebhook(self, params: dict) -> Any:
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _m_getWebhookInfo(self, params: dict) -> Any:
        return {"url": (self.webhook or {}).get("url", ""), "updated_at": 0}

    def _recipient(self, params: dict) -> web.Response | None:
        chat = params.get("chat_id")
        if not isinstance(chat, str) or not chat:
            return self._error(400, "Bad Request: chat_id must be a non-empty string")
        if chat in self.blocked:
            return self._error(403, "Forbidden: user blocked the bot")
        for key in ("reply_markup", "keyboard", "buttons"):
            if key in params:
                return self._error(400, f"Bad Request: {key} is not supported")
        return None

    async def _m_sendMessage(self, params: dict) -> Any:
        problem = self._recipient(params)
        if problem is not None:
            return problem
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
            return self._error(400, f"Bad Request: text must be 1-{TEXT_LIMIT} characters")
        return {"message_id": f"b{next(self._ids):06d}", "date": int(time.time() * 1000)}

    async def _m_sendPhoto(self, params: dict) -> Any:
        problem = self._recipient(params)
        if problem is not None:
            return problem
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            return self._error(400, "Bad Request: photo must be a URL")
        return {"message_id": f"b{next(self._ids):06d}", "date": int(time.time() * 1000)}

    async def _m_sendChatAction(self, params: dict) -> Any:
        problem = self._recipient(params)
        return problem if problem is not None else True
