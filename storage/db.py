"""The async engine and sessions, and bringing the schema to the newest Alembic revision.

SQLite has one writer at a time. Left to itself, a second writer sleeps in SQLite's busy handler
and polls (1, 2, 5 … 100 ms), so twenty officers answering at once queue for seconds. Here a write
transaction — ``async with session.begin():`` — first waits its turn on an asyncio lock of the
engine (first come, first served, woken the moment the previous writer commits), then begins with
``BEGIN IMMEDIATE``; a session that only reads (no ``begin()``) starts a plain deferred
transaction, which in WAL mode waits for nobody. SQLite's own busy timeout is left for writers of
other processes (the command line while the bot runs). PostgreSQL needs none of this.
"""

from __future__ import annotations

import asyncio
import weakref
from contextlib import asynccontextmanager
from pathlib import Path
from typing import AsyncIterator

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
DEFAULT_URL = "sqlite+aiosqlite:///data/bot.db"


WRITE = "danvan_write"  # the execution option that makes a SQLite transaction BEGIN IMMEDIATE
_write_locks: "weakref.WeakKeyDictionary[object, asyncio.Lock]" = weakref.WeakKeyDictionary()


def create_engine(url: str = DEFAULT_URL) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # noqa: ANN001
            # Let SQLAlchemy, not the driver, open transactions (savepoints then work) …
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # in WAL mode NORMAL syncs at checkpoints, not at every commit: a committed transaction
            # survives the process being killed (only a power cut can take the last ones)
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn):  # noqa: ANN001
            # … a writer takes the write lock at once (a session's turn came on the engine's asyncio
            # lock; migrations and the command line queue in SQLite's busy handler); a session that
            # only reads begins deferred
            write = conn.get_execution_options().get(WRITE, True)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_async_engine(url, pool_pre_ping=True)


def _write_lock(engine: AsyncEngine) -> asyncio.Lock:
    """The engine's writers' queue (one per database file: engines with other options share the pool)."""
    pool = engine.sync_engine.pool
    lock = _write_locks.get(pool)
    if lock is None:
        lock = _write_locks[pool] = asyncio.Lock()
    return lock


class Session(AsyncSession):
    """``begin()`` is a write transaction (on SQLite: in turn, then BEGIN IMMEDIATE); without it a
    session reads in a deferred transaction that takes no lock."""

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[object]:  # type: ignore[override]
        bind = self.bind
        if bind is None or bind.dialect.name != "sqlite":
            async with super().begin() as tx:
                yield tx
            return
        async with _write_lock(bind):
            async with super().begin() as tx:
                await self.connection(execution_options={WRITE: True})
                yield tx


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine``: on SQLite they read in deferred transactions unless ``begin()``."""
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(**{WRITE: False})
    return async_sessionmaker(engine, class_=Session, expire_on_commit=False)


def alembic_config():  # noqa: ANN201 - alembic.config.Config (imported only to migrate)
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


MIGRATION_LOCK = int.from_bytes(b"danvanMG", "big") - (1 << 63)  # a signed 64-bit advisory lock key


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply Alembic migrations up to ``revision`` on ``engine`` (run at every start). Any number of
    processes may start at once: on PostgreSQL they queue on an advisory lock held for the
    migration's transaction (the later ones then find nothing to do); SQLite's write lock
    (BEGIN IMMEDIATE) does the same there."""

    from alembic import command

    def _upgrade(sync_conn) -> None:  # noqa: ANN001
        if sync_conn.dialect.name == "postgresql":
            sync_conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    from alembic import command

    def _down(sync_conn) -> None:  # noqa: ANN001
        cfg = alembic_config()
        cfg.attributes["connection"] = sync_conn
        command.downgrade(cfg, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_down)
