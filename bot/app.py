"""Wiring shared by every entry point: settings → engine → migrations → templates → core."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.settings import Settings
from handlers.core import Clock, Core
from reports.schema import TEMPLATES_DIR, Template, load_templates
from storage.db import create_engine, migrate, session_factory
from storage.demo import ensure_demo
from storage.models import utcnow


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    templates: dict[str, Template]
    core: Core

    async def close(self) -> None:
        await self.engine.dispose()


async def build_app(settings: Settings | None = None, *, seed_demo: bool = False, clock: Clock = utcnow) -> App:
    settings = settings or Settings()
    templates = load_templates(settings.templates_dir or TEMPLATES_DIR)
    engine = create_engine(settings.database_url)
    await migrate(engine)
    sessions = session_factory(engine)
    if seed_demo:
        async with sessions() as session, session.begin():
            await ensure_demo(session)
    return App(settings, engine, sessions, templates, Core(sessions, templates, clock=clock))
