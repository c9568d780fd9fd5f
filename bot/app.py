"""Wiring shared by every entry point: settings → engine → migrations → templates → core."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import redact
from bot.settings import Settings
from handlers.core import Core
from handlers.flood import ChatRate
from reports.clock import Clock
from reports.i18n import _
from reports.schema import TEMPLATES_DIR, Template, load_templates
from storage.db import create_engine, migrate, session_factory
from storage import repo
from storage.demo import ensure_demo
from storage.models import utcnow


class StartupError(RuntimeError):
    """The process cannot start for a reason a person can fix; ``str(err)`` says which, in one line."""


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    templates: dict[str, Template]
    core: Core

    async def close(self) -> None:
        await self.engine.dispose()


def _where(url: str) -> str:
    """The database URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as given, masked
        return redact.redact(url)


async def open_database(url: str) -> AsyncEngine:
    """An engine on ``url`` with the schema migrated, or StartupError in one line."""
    try:
        engine = create_engine(url)
    except Exception as exc:  # noqa: BLE001 - a malformed URL, an unknown driver
        raise StartupError(_("DATABASE_URL cannot be used ({url}): {error}").format(
            url=_where(url), error=redact.redact(str(exc)).splitlines()[0] if str(exc) else type(exc).__name__)) from None
    try:
        await migrate(engine)
    except Exception as exc:  # noqa: BLE001 - unreachable server, refused login, unwritable file
        await engine.dispose()
        reason = (str(getattr(exc, "orig", None) or exc) or type(exc).__name__).splitlines()[0]
        raise StartupError(_("Cannot open the database at {url}: {error}").format(
            url=_where(url), error=redact.redact(reason))) from None
    return engine


def files_dir_for(settings: Settings) -> Path:
    """Where Word files go: FILES_DIR, else a "files" folder beside the SQLite database (so two
    databases never share files), else data/files."""
    if settings.files_dir is not None:
        return settings.files_dir
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database).resolve().parent / "files"
    return Path("data") / "files"


def remove_stale_files(folder: Path, before: datetime) -> int:
    """Delete the Word files not touched since ``before`` (they are rebuilt on demand); blocking."""
    removed = 0
    for path in folder.glob("report-*/*.docx") if folder.is_dir() else ():
        if datetime.fromtimestamp(path.stat().st_mtime, timezone.utc) < before:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


async def build_app(settings: Settings | None = None, *, seed_demo: bool = False, clock: Clock = utcnow) -> App:
    settings = settings or Settings()
    templates = load_templates(settings.templates_dir or TEMPLATES_DIR)
    engine = await open_database(settings.database_url)
    sessions = session_factory(engine)
    before = clock() - timedelta(days=settings.keep_days)
    async with sessions() as session, session.begin():
        if seed_demo:
            await ensure_demo(session)
        await repo.prune_processed(session, before)
    core = Core(sessions, templates, clock=clock, rate=ChatRate(settings.chat_burst, settings.chat_per_second))
    core.files_dir = files_dir_for(settings)
    await asyncio.to_thread(remove_stale_files, core.files_dir, before)
    return App(settings, engine, sessions, templates, core)
