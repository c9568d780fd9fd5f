"""Driving the real aiogram bot against the Bot API double: start/stop/restart it in polling or
webhook mode, and act as a Telegram user who types and presses buttons."""

from __future__ import annotations

import asyncio
import copy
import socket
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

import pytest

from bot.app import App
from bot.channels.telegram.retry import RetryMiddleware
from bot.channels.telegram.service import TelegramService
from reminders.dispatch import UNLIMITED, Limits, RateLimiter
from tests.telegram_double import Call, TelegramDouble

TOKEN = "7405261984:AAHtestSecretPart-do_not_LOG-9f3c2b7e1d"
SECRET_PART = TOKEN.split(":", 1)[1]


async def until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.005)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BotRunner:
    """The bot as `danvan run` builds it (TelegramService), pointed at the double by base URL."""

    def __init__(self, double: TelegramDouble, app: App, retry: RetryMiddleware | None = None,
                 limits: Limits = UNLIMITED) -> None:
        self.double, self.app = double, app
        self.retry = retry
        # unpaced unless a test asks for Telegram's limits (tests/test_telegram_pacing.py): the
        # double applies no flood control by default, and pacing every test would only slow them
        self.limits = limits
        self.handled: Counter[int] = Counter()
        self.service: TelegramService | None = None
        self._task: asyncio.Task | None = None

    def _handled(self, update_id: int) -> None:
        self.handled[update_id] += 1

    def _new_service(self) -> TelegramService:
        retry = self.retry or RetryMiddleware(base_delay=0.01, max_delay=0.05)
        return TelegramService(self.app.core, self.app.sessions, TOKEN, self.double.base_url, retry=retry,
                               on_handled=self._handled, polling_timeout=2, pacing=RateLimiter(self.limits))

    async def start_polling(self) -> None:
        self.service = self._new_service()
        await self.service.prepare()
        seen = len(self.double.getupdates_offsets)
        self._task = asyncio.create_task(self.service.poll())
        await until(lambda: len(self.double.getupdates_offsets) > seen, what="the first getUpdates")

    async def start_webhook(self, secret: str | None = None) -> str:
        self.service = self._new_service()
        await self.service.prepare()
        port = free_port()
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        await self.service.serve_webhook(url, secret, "127.0.0.1", port)
        return url

    async def stop(self) -> None:
        if self.service is not None:
            await self.service.stop()
            self.service = None
        if self._task is not None:
            await self._task
            self._task = None

    async def wait_handled(self, update_id: int, times: int = 1, timeout: float = 15.0) -> None:
        await until(lambda: self.handled[update_id] >= times, timeout, f"update {update_id} to be handled")


@dataclass
class Replies:
    """What the bot did in one chat in answer to one update."""

    calls: list[Call]

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    @property
    def texts(self) -> list[str]:
        return [c.params["text"] for c in self.of("sendMessage") if c.status == 200]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def documents(self) -> list[Call]:
        return [c for c in self.of("sendDocument") if c.status == 200]

    @property
    def answers(self) -> list[Call]:
        return self.of("answerCallbackQuery")


class TgUser:
    """A Telegram user in a private chat with the bot."""

    def __init__(self, double: TelegramDouble, runner: BotRunner, chat_id: int,
                 first_name: str = "An", last_name: str = "Nguyễn") -> None:
        self.double, self.runner, self.chat_id = double, runner, chat_id
        double.person(chat_id, first_name, last_name)

    async def _push(self, update: dict[str, Any]) -> Replies:
        mark = self.double.mark()
        uid = await self.double.push(update)
        await self.runner.wait_handled(uid)
        return Replies(self.double.since(mark, self.chat_id))

    async def send(self, text: str) -> Replies:
        return await self._push(self.double.message_update(self.chat_id, text))

    def messages(self) -> list[dict[str, Any]]:
        """The bot's messages as the user sees them now (copies: later edits do not change them)."""
        return copy.deepcopy(self.double.bot_messages(self.chat_id))

    def message(self, message_id: int) -> dict[str, Any]:
        return next(m for m in self.messages() if m["message_id"] == message_id)

    def keyboard_message(self) -> dict[str, Any]:
        with_keyboard = [m for m in self.messages() if m.get("reply_markup")]
        assert with_keyboard, "no message with buttons in the chat"
        return with_keyboard[-1]

    @staticmethod
    def buttons(message: dict[str, Any]) -> list[dict[str, str]]:
        return [b for row in message.get("reply_markup", {}).get("inline_keyboard", []) for b in row]

    def button(self, message: dict[str, Any], choice: str | None = None, label: str | None = None) -> dict[str, str]:
        for b in self.buttons(message):
            if (choice is not None and b["callback_data"].split("|")[0] == choice) or b["text"] == label:
                return b
        raise AssertionError(f"no button {choice or label!r} in {[b['text'] for b in self.buttons(message)]}")

    async def press(self, choice: str | None = None, *, label: str | None = None,
                    message: dict[str, Any] | None = None, data: str | None = None) -> Replies:
        """Press the button for ``choice`` (a choice id) or ``label`` on ``message`` (default: the
        newest message with buttons); ``data`` presses raw callback data, as a forged client would."""
        message = message or self.keyboard_message()
        if data is None:
            data = self.button(message, choice, label)["callback_data"]
        return await self._push(self.double.press_update(self.chat_id, message["message_id"], data))


@pytest.fixture
async def double():
    server = await TelegramDouble(TOKEN).start()
    yield server
    await server.close()
