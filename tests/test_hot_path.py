"""What an answer costs the database (issue 14): the SQL statements one event sends, counted with
SQLAlchemy's cursor events on SQLite and PostgreSQL. A stored answer: claim the update, read the
conversation, the user, the open report and its answers, store the answer and its audit row, update
the conversation (a commune-profile figure adds one statement). A refused answer stops after the
reads. The numbers are kept here so that a change that adds a query is seen."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from tests.conftest import Chat

STORED = 9  # BEGIN IMMEDIATE on SQLite (PostgreSQL begins without a statement of its own) + 8
PROFILE = 1  # a figure of the commune's profile is merged into the org unit too
REFUSED = 5


@contextmanager
def counted(app):  # noqa: ANN001
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(" ".join(statement.split())[:90])

    engine = app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


async def test_an_answer_costs_a_few_statements(mini_app):
    sqlite = mini_app.engine.dialect.name == "sqlite"
    chat = Chat(mini_app, "7001", "telegram")
    await chat.register()
    await chat.open_report("mini")
    with counted(mini_app) as area:  # a profile figure
        assert "Câu 2/" in await chat.send("4.840,67")
    with counted(mini_app) as households:
        assert "Câu 3/" in await chat.send("2.363")
    with counted(mini_app) as received:  # not a profile figure
        assert "Câu 4/" in await chat.send("10")
    with counted(mini_app) as refused:
        assert "Chưa hợp lệ" in await chat.send("mười")
    with counted(mini_app) as repeat:  # the same update delivered again: claimed already, nothing else
        await chat.send("8", update_id="repeat-1")
        await chat.send("8", update_id="repeat-1")
    begin = 1 if sqlite else 0
    assert len(received) == STORED - 1 + begin, received
    assert len(area) == len(households) == STORED - 1 + begin + PROFILE, area
    assert len(refused) == REFUSED - 1 + begin, refused
    assert sum(s.replace('"', "").startswith("INSERT INTO processed_update") for s in repeat) == 2
    assert len(repeat) == len(received) + (1 + begin), repeat  # the repeat: BEGIN and the claim only
