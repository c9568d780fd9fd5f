"""Alembic owns the schema: every revision goes up and down cleanly, and the models match it."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import storage.models  # noqa: F401
from storage.db import alembic_config, create_engine, downgrade, migrate


def _revisions():
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def test_stairway_up_down_up(db_url):
    engine = create_engine(db_url)
    try:
        previous = "base"
        for revision in _revisions():
            await migrate(engine, revision)
            await downgrade(engine, previous)
            await migrate(engine, revision)
            previous = revision
    finally:
        await engine.dispose()


async def test_models_match_migrations(db_url):
    engine = create_engine(db_url)
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            def diff(sync_conn):
                ctx = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return compare_metadata(ctx, SQLModel.metadata)

            assert await conn.run_sync(diff) == []
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert {"org_unit", "app_user", "channel_identity", "report", "answer", "answer_audit",
                "conversation", "processed_update", "invite"} <= tables
    finally:
        await engine.dispose()


async def test_sqlite_runs_in_wal_mode(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        async with engine.connect() as conn:
            mode = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
        assert mode == "wal"
    finally:
        await engine.dispose()
