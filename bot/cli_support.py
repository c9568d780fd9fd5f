"""What the command-line modules share: failing with one line on standard error, and opening the
database (migrated) or failing with the one-line reason."""

from __future__ import annotations

from typing import NoReturn

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.settings import Settings


def fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)


async def open_engine(settings: Settings) -> AsyncEngine:
    """The migrated database of ``settings``; an unreachable or unusable one ends the command."""
    from bot.app import StartupError, open_database

    try:
        return await open_database(settings.database_url)
    except StartupError as err:
        fail(str(err))
