"""Shared fixtures: a fresh database per test (a SQLite file, and PostgreSQL when TEST_DATABASE_URL
is set), the application wired on it, and a chat driver that talks to the core like a channel."""

from __future__ import annotations

import itertools
from contextlib import asynccontextmanager
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.app import App, build_app
from bot.channels.base import split_outgoing
from bot.channels.fake import FakeChannel
from bot.settings import Settings
from handlers.events import Incoming, Outgoing

TESTS_DIR = Path(__file__).parent
MINI_TEMPLATES = TESTS_DIR / "templates"
PG_URL = os.environ.get("TEST_DATABASE_URL")

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def pytest_collection_modifyitems(config, items):  # noqa: ANN001
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="TEST_DATABASE_URL is not set: no PostgreSQL server to test against")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@asynccontextmanager
async def _pg_admin():
    """A connection to the server's maintenance database, for creating and dropping test databases."""
    import asyncpg

    base = make_url(PG_URL)
    conn = await asyncpg.connect(
        host=base.host, port=base.port or 5432, user=base.username, password=base.password,
        database=base.database or "postgres",
    )
    try:
        yield conn
    finally:
        await conn.close()


async def _pg_database() -> tuple[str, str]:
    name = f"danvan_test_{uuid.uuid4().hex[:12]}"
    async with _pg_admin() as admin:
        await admin.execute(f'CREATE DATABASE "{name}"')
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), name


async def _pg_drop(name: str) -> None:
    async with _pg_admin() as admin:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
async def db_url(request, tmp_path):  # noqa: ANN001
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    url, name = await _pg_database()
    try:
        yield url
    finally:
        await _pg_drop(name)


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 6, 16, 2, 0, tzinfo=timezone.utc))  # 09:00 in Hà Nội


async def make_app(db_url: str, clock: Clock, templates_dir: Path | None = None) -> App:
    # the tests' officers answer far faster than a person can: the per-chat limit is tested on its own
    settings = Settings(database_url=db_url, templates_dir=templates_dir, chat_burst=100_000)
    return await build_app(settings, seed_demo=True, clock=clock)


@pytest.fixture
async def mini_app(db_url, clock):  # noqa: ANN001
    app = await make_app(db_url, clock, MINI_TEMPLATES)
    yield app
    await app.close()


@pytest.fixture
async def app(db_url, clock):  # noqa: ANN001
    app = await make_app(db_url, clock)
    yield app
    await app.close()


class Chat:
    """Talks to the core as one chat of one channel would; every message gets a new update id."""

    _ids = itertools.count(1)

    def __init__(self, app: App, user: str = "officer1", channel: str = "console") -> None:
        self.app, self.user, self.channel = app, user, channel
        self.last: list[Outgoing] = []

    async def send(self, text: str | None = None, choice: str | None = None, update_id: str | None = None) -> str:
        uid = update_id or str(next(self._ids))
        event = Incoming(self.channel, self.user, self.user, update_id=uid, text=text, choice=choice)
        # the core returns whole messages; split them as this chat's channel does
        fake = FakeChannel.like(self.channel)
        self.last = [piece for out in await self.app.core.handle(event)
                     for piece in split_outgoing(fake.limit, fake.measure, out)]
        return "\n".join(o.text for o in self.last)

    @property
    def choices(self) -> list[str]:
        return [c.id for o in self.last for c in o.choices]

    async def register(self, name: str = "Nguyễn Văn An", code: str = "DEMO2026") -> None:
        await self.send(f"/start {code}")
        await self.send(name)

    async def open_report(self, template_choice: str, period: str = "2026-H1") -> str:
        await self.send("/baocaomoi")
        await self.send(choice=f"tpl:{template_choice}")
        return await self.send(choice=f"per:{period}")
