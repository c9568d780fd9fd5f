"""``danvan backup OUT`` and ``danvan restore FROM``: a consistent copy of the SQLite database while
the bot runs (SQLite's online backup API), and putting one back (with the bot stopped). For
PostgreSQL, use ``pg_dump`` / ``pg_restore`` (see the README)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from bot.settings import Settings
from reports.i18n import _


def _sqlite_path(settings: Settings) -> Path:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        typer.echo(_("This command copies a SQLite database; for PostgreSQL use pg_dump and pg_restore."), err=True)
        raise typer.Exit(1)
    return Path(url.database)


def copy_database(source: Path, target: Path) -> None:
    """Copy ``source`` into ``target`` page by page, consistent even while others write to it."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup(out: Path = typer.Argument(..., help="The backup file to write, e.g. backups/bot-2026-12-01.db.")) -> None:
    """Write a consistent copy of the SQLite database (safe while the bot runs)."""
    db = _sqlite_path(Settings())
    if not db.exists():
        typer.echo(_("There is no database at {path} yet.").format(path=db), err=True)
        raise typer.Exit(1)
    if out.exists():
        typer.echo(_("{path} exists already; choose a new file name.").format(path=out), err=True)
        raise typer.Exit(1)
    out.parent.mkdir(parents=True, exist_ok=True)
    copy_database(db, out)
    typer.echo(_("Backup written: {path}").format(path=out))


def restore(source: Path = typer.Argument(..., help="A backup made by “danvan backup”.")) -> None:
    """Put a backup back in place of the SQLite database (stop the bot first)."""
    db = _sqlite_path(Settings())
    try:
        check = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        check.execute("SELECT count(*) FROM alembic_version").fetchone()
        check.close()
    except sqlite3.Error:
        ok = False
    if not ok:
        typer.echo(_("{path} is not a backup of this assistant's database.").format(path=source), err=True)
        raise typer.Exit(1)
    db.parent.mkdir(parents=True, exist_ok=True)
    copy_database(source, db)
    typer.echo(_("Restored {path} from {source}.").format(path=db, source=source))
