"""INSERT … ON CONFLICT statements that SQLAlchemy compiles once: the dialects' own ``insert()``
constructs with ``on_conflict_*`` are not cacheable (every execution compiled them again, ~0.3 ms
on the hot path of an answer), while a textual statement is. The SQL is the same on SQLite (≥ 3.35)
and PostgreSQL; each parameter carries its column's type, so JSON and timestamps are bound as the
ORM would bind them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

from sqlalchemy import Table, bindparam, text
from sqlalchemy.sql.elements import TextClause


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@lru_cache(maxsize=64)
def _statement(table: Table, columns: tuple[str, ...], rows: int, conflict: tuple[str, ...],
               update: tuple[str, ...], returning: tuple[str, ...]) -> TextClause:
    names = ", ".join(_quoted(c) for c in columns)
    values = ", ".join("(" + ", ".join(f":{c}_{n}" for c in columns) + ")" for n in range(rows))
    target = "(" + ", ".join(_quoted(c) for c in conflict) + ")"
    action = ("DO UPDATE SET " + ", ".join(f"{_quoted(c)} = excluded.{_quoted(c)}" for c in update)
              if update else "DO NOTHING")
    sql = f"INSERT INTO {_quoted(table.name)} ({names}) VALUES {values} ON CONFLICT {target} {action}"
    if returning:
        sql += " RETURNING " + ", ".join(_quoted(c) for c in returning)
    params = [bindparam(f"{c}_{n}", type_=table.c[c].type) for n in range(rows) for c in columns]
    return text(sql).bindparams(*params)


def insert_on_conflict(table: Table, rows: Sequence[dict[str, Any]], conflict: Sequence[str],
                       update: Sequence[str] = (), returning: Sequence[str] = ()) -> Any:
    """``INSERT INTO table … VALUES rows ON CONFLICT (conflict)``: ``DO UPDATE`` the ``update``
    columns with the new row's values, or ``DO NOTHING`` when there are none; ``RETURNING`` the
    ``returning`` columns. Every row has the same keys, and gives every column that has no server
    default (the models' Python-side defaults are not applied here). Returns an executable statement."""
    columns = tuple(rows[0])
    stmt = _statement(table, columns, len(rows), tuple(conflict), tuple(update), tuple(returning))
    return stmt.params({f"{c}_{n}": row[c] for n, row in enumerate(rows) for c in columns})
