"""Several ``danvan run`` processes in webhook mode behind one address, as production runs them: a
round-robin HTTP proxy on 127.0.0.1 (the load balancer) in front of processes that share one
database, one webhook secret and one public webhook URL. Used by tests/test_several_processes.py and
bench/load.py."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
from collections import Counter
from pathlib import Path

import aiohttp
from aiohttp import web

from tests.telegram_harness import free_port
from tests.test_telegram_cli import DANVAN

WEBHOOK_PATH = "/telegram/webhook"


async def seed_province(database_url: str, communes: int, uses: int, registered: int = 0,
                        first_chat: int = 7_000_000) -> tuple[list[str], list[int]]:
    """A migrated database with a province and ``communes`` communes under it, each with an officer
    invite of ``uses`` uses of which ``registered`` are taken by officers on Telegram already.
    Returns the invite codes (one a commune) and the registered officers' chat ids (commune ``n``'s
    ``k``-th officer has chat ``first_chat + 10 n + k``)."""
    from bot.app import open_database
    from storage import repo
    from storage.db import session_factory
    from storage.models import OrgUnit, Role

    engine = await open_database(database_url)
    codes, chats = [], []
    try:
        async with session_factory(engine)() as s, s.begin():
            province = OrgUnit(code="TINH_THU", name="Tỉnh Thử Nghiệm", kind="province", place_name="Thử Nghiệm")
            s.add(province)
            await s.flush()
            for n in range(communes):
                unit = OrgUnit(code=f"XA_{n:03d}", name=f"Xã Thử {n:03d}", kind="commune", place_name=f"Thử {n:03d}",
                               parent_id=province.id, settings={"doc_symbol": "BC-UBND"})
                s.add(unit)
                await s.flush()
                codes.append(f"XA{n:03d}MOI")
                invite = await repo.create_invite(s, codes[-1], unit.id, Role.officer, uses_left=uses)
                for k in range(registered):
                    chat = first_chat + 10 * n + k
                    await repo.register(s, invite, "telegram", str(chat), str(chat), f"Cán bộ {n:03d}-{k}")
                    chats.append(chat)
    finally:
        await engine.dispose()
    return codes, chats


class RoundRobin:
    """The one public address: forwards each request to the next backend and answers what it answered
    (a backend that cannot be reached answers 502, and Telegram delivers again)."""

    def __init__(self) -> None:
        self.backends: list[str] = []
        self.answered: Counter[str] = Counter()  # backend -> requests it answered 200
        self._next = itertools.count()
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = 0

    async def start(self) -> "RoundRobin":
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        self.port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._client = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200))
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{WEBHOOK_PATH}"

    async def _forward(self, request: web.Request) -> web.Response:
        if not self.backends:
            return web.Response(status=502)
        backend = self.backends[next(self._next) % len(self.backends)]
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        try:
            async with self._client.request(request.method, backend + request.path_qs, headers=headers,
                                            data=await request.read()) as resp:
                body = await resp.read()
                if resp.status == 200:
                    self.answered[backend] += 1
                return web.Response(status=resp.status, body=body, content_type=resp.content_type)
        except aiohttp.ClientError:
            return web.Response(status=502)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()


class Process:
    """One ``danvan run``, its log in ``<folder>/run-<name>.log`` (a pipe nobody reads would stall it)."""

    def __init__(self, name: str, env: dict[str, str], folder: Path, port: int) -> None:
        self.name, self.env, self.folder, self.port = name, env, folder, port
        self.log = folder / f"run-{name}.log"
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    async def start(self, *args: str, timeout: float = 60.0) -> None:
        with open(self.log, "ab") as out:
            self.proc = await asyncio.create_subprocess_exec(DANVAN, "run", *args, env=self.env, cwd=self.folder,
                                                             stdout=out, stderr=out)
        for _ in range(int(timeout * 10)):
            if "webhook registered" in self.log_text():
                return
            if self.proc.returncode is not None:
                break
            await asyncio.sleep(0.1)
        raise AssertionError(f"danvan run {self.name} did not come up:\n{self.log_text()[-3000:]}")

    async def stop(self) -> int | None:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGINT)
        try:
            return await asyncio.wait_for(self.proc.wait(), 60)
        except asyncio.TimeoutError:
            self.proc.kill()
            return await self.proc.wait()


def cluster_env(database_url: str, token: str, api_url: str, public_url: str, secret: str, port: int,
                **extra: str) -> dict[str, str]:
    """The environment of one process: the shared settings, and its own port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL",
                                                                     "RUN_SCHEDULER"))}
    env.update(DATABASE_URL=database_url, TELEGRAM_BOT_TOKEN=token, TELEGRAM_API_URL=api_url,
               TELEGRAM_WEBHOOK_URL=public_url, TELEGRAM_WEBHOOK_SECRET=secret,
               WEBHOOK_HOST="127.0.0.1", WEBHOOK_PORT=str(port), LOG_LEVEL="INFO", **extra)
    return env


async def start_cluster(count: int, folder: Path, balancer: RoundRobin, database_url: str, token: str,
                        api_url: str, secret: str, *args: str, **extra: str) -> list[Process]:
    """``count`` processes, started one after the other (each migrates under the lock and registers
    the same webhook), each added to the balancer once it listens."""
    processes = []
    for n in range(count):
        port = free_port()
        env = cluster_env(database_url, token, api_url, balancer.url, secret, port, **extra)
        process = Process(chr(ord("a") + n), env, folder, port)
        processes.append(process)
        await process.start(*args)
        balancer.backends.append(process.address)
    return processes


class Officer:
    """An officer in a private chat whose updates reach the processes through the webhook (or,
    when the bot long-polls, through getUpdates)."""

    def __init__(self, double, chat_id: int, first_name: str = "An", last_name: str = "Nguyễn") -> None:  # noqa: ANN001
        self.double, self.chat_id = double, chat_id
        double.person(chat_id, first_name, last_name)
        self.arrived = double.waiters.setdefault(chat_id, asyncio.Event())
        self.statuses: list[int] = []

    def messages(self) -> list[dict]:
        return self.double.bot_messages(self.chat_id)

    def last(self) -> str:
        return self.messages()[-1].get("text", "")

    async def _deliver(self, update: dict, timeout: float, settle: float) -> None:
        self.arrived.clear()
        if self.double.webhook is None:  # long polling: the bot fetches it with getUpdates
            await self.double.push(update)
            self.statuses.append(200)
            await asyncio.wait_for(self.arrived.wait(), timeout)
            return
        status = await self.double.deliver(update)
        self.statuses.append(status)
        while status != 200:  # as Telegram does: the same update again, a little later
            await asyncio.sleep(0.5)
            status = await self.double.deliver(update)
            self.statuses.append(status)
        await asyncio.wait_for(self.arrived.wait(), timeout)
        if settle:
            await asyncio.sleep(settle)  # a reply of several messages

    async def wait_for(self, part: str, timeout: float = 30.0) -> str:
        """The bot's newest message once it holds ``part`` (a reply may come in several messages)."""
        for _ in range(int(timeout * 20)):
            if part in self.last():
                return self.last()
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), 0.05)
            except asyncio.TimeoutError:
                pass
        raise AssertionError(f"{self.chat_id}: no {part!r} in {self.last()!r}")

    async def say(self, text: str, timeout: float = 30.0, settle: float = 0.0) -> None:
        await self._deliver(self.double.message_update(self.chat_id, text), timeout, settle)

    def _button(self, prefix: str) -> tuple[dict, str] | None:
        keyboards = [m for m in self.messages() if m.get("reply_markup")]
        if not keyboards:
            return None
        message = keyboards[-1]
        data = [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                if b["callback_data"].startswith(prefix)]
        return (message, data[0]) if data else None

    async def press(self, prefix: str, timeout: float = 30.0, settle: float = 0.0) -> None:
        """Press the button starting with ``prefix`` on the newest keyboard, once it is on screen."""
        for _ in range(int(timeout * 20)):
            found = self._button(prefix)
            if found is not None:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"{self.chat_id}: no button {prefix!r} in "
                                 f"{[m.get('text', '')[:80] for m in self.messages()]}")
        message, data = found
        await self._deliver(self.double.press_update(self.chat_id, message["message_id"], data), timeout, settle)
