"""Store before acknowledging (issue 13): an update is committed before Telegram learns it arrived,
and what a process left unhandled is handled at the next start, in each chat's order.

The crash tests kill a real ``danvan run`` (long polling the Bot API double) while it handles an
answer: on SQLite the test holds the database's write lock, so the answer cannot even be stored
and must not be confirmed; on PostgreSQL the test locks the chat's conversation row, so the answer
is stored and confirmed but its handling cannot finish. Either way the answer is in the report
after the restart, once, and the officer gets the next question."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import select

from handlers.events import Incoming
from storage import inbox
from storage.db import create_engine, session_factory
from storage.models import Answer, AnswerAudit, InboxUpdate, User
from tests.conftest import MINI_TEMPLATES
from tests.telegram_double import TelegramDouble
from tests.telegram_harness import BotRunner, TgUser, double, until  # noqa: F401
from tests.test_telegram_cli import DANVAN, _env


async def _rows(sessions) -> list[InboxUpdate]:  # noqa: ANN001
    async with sessions() as s:
        return list((await s.exec(select(InboxUpdate))).all())


async def test_updates_left_by_a_dead_process_are_handled_at_start_in_order(mini_app, double):
    double.person(4001, "Bình", "Trần")
    left = [double.message_update(4001, "/start DEMO2026"), double.message_update(4001, "Trần Thị Bình")]
    async with mini_app.sessions() as s, s.begin():  # what a process stored, then died before handling
        await inbox.store(s, "telegram", "7405261984", [(str(u["update_id"]), u) for u in left])
    runner = BotRunner(double, mini_app)
    await runner.start_polling()
    try:
        await runner.wait_handled(left[1]["update_id"])
        await runner.service.inbox.drain()
        texts = [m["text"] for m in double.bot_messages(4001)]
        assert texts[0].startswith("Mã mời hợp lệ") and "Xã Đông Sơn" in texts[1]  # in the order sent
        async with mini_app.sessions() as s:
            assert [u.full_name for u in (await s.exec(select(User))).all()] == ["Trần Thị Bình"]
        assert await _rows(mini_app.sessions) == []  # handled rows are cleared
    finally:
        await runner.stop()


async def test_an_update_handled_before_a_crash_but_not_replied_to_gets_its_screen_at_start(mini_app, double):
    """Issue 14: the process committed the answer, then died before the reply went out (the update
    still in the inbox). At the next start the answer is not stored twice and the officer gets the
    screen they are at, the next question, instead of silence."""
    runner = BotRunner(double, mini_app)
    await runner.start_polling()
    user = TgUser(double, runner, 4003)
    try:
        await user.send("/start DEMO2026")
        await user.send("Nguyễn Văn An")
        await user.press("new")
        await user.press("tpl:mini")
        assert "Câu 1/" in (await user.press("per:2026-H1")).texts[-1]
    finally:
        await runner.stop()
    update = double.message_update(4003, "4.840,67")
    event = Incoming("telegram", "4003", "4003", update_id=str(update["update_id"]), text="4.840,67",
                     bot="7405261984")
    assert "Câu 2/" in (await mini_app.core.handle(event))[-1].text  # handled and committed …
    async with mini_app.sessions() as s, s.begin():  # … but the row is still in the inbox: no reply went out
        await inbox.store(s, "telegram", "7405261984", [(str(update["update_id"]), update)])
    before = len(double.bot_messages(4003))
    runner = BotRunner(double, mini_app)
    await runner.start_polling()
    try:
        await runner.wait_handled(update["update_id"])
        await runner.service.inbox.drain()
    finally:
        await runner.stop()
    shown = [m["text"] for m in double.bot_messages(4003)[before:]]
    assert shown[0].startswith("Tiếp tục Báo cáo thử 2026: đã trả lời 1/12 câu."), shown  # as /tieptuc shows it
    assert len(shown) == 2 and "Câu 2/" in shown[1] and "Số hộ" in shown[1], shown
    async with mini_app.sessions() as s:
        assert [(a.key, a.value) for a in (await s.exec(select(Answer))).all()] == [("area", "4840.67")]
        assert len((await s.exec(select(AnswerAudit))).all()) == 1
    # a repeat Telegram delivers later (not recovered) still has no effect and gets nothing
    assert await mini_app.core.handle(event) == []


async def test_a_clean_stop_clears_every_handled_row_even_while_a_clear_is_under_way(mini_app, monkeypatch):
    """The rows of handled updates are deleted in rounds; a stop that came in the middle of a round
    used to cancel it, and the next start handed those updates back as if never handled."""
    from bot.channels.inbox import Inbox
    from storage import inbox as store

    real_forget = store.forget

    async def slow_forget(session, ids):  # noqa: ANN001 - a busy database
        await asyncio.sleep(0.4)
        return await real_forget(session, ids)

    monkeypatch.setattr(store, "forget", slow_forget)
    handled = []

    async def handle(payload, recovered):  # noqa: ANN001
        handled.append(payload["n"])

    box = Inbox(mini_app.sessions, "telegram", "1", handle, lambda p: str(p["n"] % 3), flush_every=0.05)
    await box.receive([(str(n), {"n": n}) for n in range(9)])
    await asyncio.sleep(0.15)  # handled; the flusher is in the middle of its DELETE now
    await box.drain()
    assert sorted(handled) == list(range(9))
    assert await _rows(mini_app.sessions) == []


async def test_a_webhook_update_is_answered_200_only_once_stored(mini_app, double):
    runner = BotRunner(double, mini_app)
    await runner.start_webhook(secret="inbox-test-secret")
    try:
        double.person(4002)
        update = double.message_update(4002, "/start DEMO2026")
        async with mini_app.engine.begin() as conn:  # the inbox cannot be written to
            await conn.execute(text("ALTER TABLE inbox_update RENAME TO inbox_away"))
        assert await double.deliver(update) == 503  # Telegram will deliver it again
        async with mini_app.engine.begin() as conn:
            await conn.execute(text("ALTER TABLE inbox_away RENAME TO inbox_update"))
        await asyncio.sleep(0.3)
        assert double.bot_messages(4002) == []  # not handled either
        assert await double.deliver(update) == 200
        assert await double.deliver(update) == 200  # a repeat: handled once
        await runner.service.inbox.drain()
        assert [m["text"][:13] for m in double.bot_messages(4002)] == ["Mã mời hợp lệ"]
        assert await double.deliver({"update_id": "x", "message": 5}) == 400
        assert await _rows(mini_app.sessions) == []
    finally:
        await runner.stop()


# ---------------------------------------------------------------------------------- crash tests


class Officer:
    """An officer in a private chat with a separate ``danvan run`` process, through the double."""

    def __init__(self, double: TelegramDouble, chat_id: int) -> None:  # noqa: F811
        self.double, self.chat_id = double, chat_id
        double.person(chat_id)

    def _count(self) -> int:
        return len(self.double.bot_messages(self.chat_id))

    async def send(self, text_: str, wait: bool = True) -> int:
        before = self._count()
        update = self.double.message_update(self.chat_id, text_)
        await self.double.push(update)
        if wait:
            await until(lambda: self._count() > before, 30, f"a reply to {text_!r}")
            await asyncio.sleep(0.3)  # a reply of several messages
        return update["update_id"]

    async def press(self, prefix: str) -> None:
        message = [m for m in self.double.bot_messages(self.chat_id) if m.get("reply_markup")][-1]
        data = next(b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row
                    if b["callback_data"].startswith(prefix))
        before = self._count()
        await self.double.push(self.double.press_update(self.chat_id, message["message_id"], data))
        await until(lambda: self._count() > before, 30, f"a reply to the button {prefix}")
        await asyncio.sleep(0.3)

    def last(self) -> str:
        return self.double.bot_messages(self.chat_id)[-1]["text"]


def _confirmed(double: TelegramDouble, update_id: int) -> bool:  # noqa: F811
    """Telegram forgets an update once getUpdates is called with an offset past it."""
    return any(o is not None and o > update_id for o in double.getupdates_offsets)


async def _start(env: dict[str, str], cwd: Path, double: TelegramDouble) -> asyncio.subprocess.Process:  # noqa: F811
    """``danvan run`` with its log in ``run.log`` (a pipe nobody reads would stall it)."""
    polls = len(double.getupdates_offsets)
    with open(cwd / "run.log", "ab") as log:
        proc = await asyncio.create_subprocess_exec(DANVAN, "run", "--demo", env=env, cwd=cwd,
                                                    stdout=log, stderr=log)
    await until(lambda: len(double.getupdates_offsets) > polls or proc.returncode is not None, 60, "danvan run")
    assert proc.returncode is None, (cwd / "run.log").read_text()[-2000:]
    return proc


async def _kill(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGKILL)
    await proc.wait()


async def _stop(proc: asyncio.subprocess.Process) -> int:
    proc.send_signal(signal.SIGINT)
    return await asyncio.wait_for(proc.wait(), 60)


async def _stored(url: str) -> tuple[list[tuple], int, int]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as s:
            answers = [(a.key, a.value) for a in (await s.exec(select(Answer))).all()]
            audits = len((await s.exec(select(AnswerAudit))).all())
            left = len((await s.exec(select(InboxUpdate))).all())
        return answers, audits, left
    finally:
        await engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def test_killing_danvan_run_while_it_handles_an_answer_loses_nothing(backend, tmp_path, double):  # noqa: F811
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    else:
        from tests.conftest import _pg_database, _pg_drop

        url, name = await _pg_database()
    env = _env(tmp_path / "bot.db", TELEGRAM_BOT_TOKEN="7405261984:AAHtestSecretPart-do_not_LOG-9f3c2b7e1d",
               TELEGRAM_API_URL=double.base_url, TEMPLATES_DIR=str(MINI_TEMPLATES))
    env.update(DATABASE_URL=url, LOG_LEVEL="INFO")
    proc = await _start(env, tmp_path, double)
    officer = Officer(double, 4101)
    try:
        await officer.send("/start DEMO2026")
        await officer.send("Nguyễn Văn An")
        await officer.press("new")
        await officer.press("tpl:mini")
        await officer.press("per:")
        await until(lambda: "Câu 1/" in officer.last(), 10, "the first question")  # paced after "Báo cáo mới"
        for _ in range(50):  # the handled updates' rows are cleared (in batches) before the test starts
            if (await _stored(url))[2] == 0:
                break
            await asyncio.sleep(0.1)

        if backend == "sqlite":  # the database is busy: the answer cannot be stored, so not confirmed
            holder = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            release = holder.close  # closing rolls the open transaction back
        else:  # the chat's conversation row is locked: stored and confirmed, handling blocked
            engine = create_async_engine(make_url(url))
            conn = await engine.connect()
            trans = await conn.begin()
            await conn.execute(text("SELECT id FROM conversation WHERE chat_id = '4101' FOR UPDATE"))

            async def release() -> None:
                await trans.rollback()
                await conn.close()
                await engine.dispose()
        answer_id = await officer.send("4.840,67", wait=False)
        await until(lambda: any(c.method == "getUpdates" and any(u["update_id"] == answer_id for u in c.result or ())
                                for c in double.calls), 10, "the answer to be fetched")
        await asyncio.sleep(1.5)  # the bot is in the middle of it now
        replies = len(double.bot_messages(4101))
        if backend == "sqlite":
            assert not _confirmed(double, answer_id)  # not stored: Telegram still holds it
        else:
            await until(lambda: _confirmed(double, answer_id), 10, "the stored answer to be confirmed")
        await _kill(proc)
        if backend == "sqlite":
            release()
            assert (await _stored(url))[2] == 0  # nothing in the inbox: Telegram sends it again
        else:
            await release()
            assert (await _stored(url))[2] == 1  # in the inbox: the restart handles it
            assert all(u["update_id"] != answer_id for u in double.pending)  # Telegram forgot it
        assert len(double.bot_messages(4101)) == replies  # the officer got nothing yet

        proc = await _start(env, tmp_path, double)
        await until(lambda: "Câu 2/" in officer.last(), 30, "the next question after the restart")
        answers, audits, _left = await _stored(url)
        assert answers == [("area", "4840.67")] and audits == 1
        assert await _stop(proc) == 0
        assert (await _stored(url))[2] == 0  # a clean stop leaves nothing in the inbox
    finally:
        if proc.returncode is None:
            await _kill(proc)
        if backend == "postgresql":
            await _pg_drop(name)


async def test_requests_arriving_together_share_one_write_and_a_bad_one_fails_alone(mini_app):
    """Issue 14, group commit: webhook requests that arrive while the inbox is writing are stored
    by its next transaction together; an update that cannot be stored fails its own request only."""
    from sqlalchemy import event

    from bot.channels.inbox import Inbox

    handled: list[str] = []

    async def handle(payload, recovered):  # noqa: ANN001
        handled.append(payload["update_id"])

    box = Inbox(mini_app.sessions, "telegram", "bot-g", handle, lambda p: str(p["update_id"]))
    writes: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if statement.lstrip().upper().startswith("INSERT"):
            writes.append(statement)

    engine = mini_app.engine.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        together = await asyncio.gather(*(box.receive([(f"u{n}", {"update_id": f"u{n}"})]) for n in range(30)))
        stored_together = len(writes)
        good = [box.receive([(f"v{n}", {"update_id": f"v{n}"})]) for n in range(6)]
        bad = box.receive([("bad", {"update_id": "bad", "unstorable": {1, 2}})])  # a set is no JSON
        results = await asyncio.gather(*good[:3], bad, *good[3:], return_exceptions=True)
        await box.drain()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert together == [None] * 30
    assert stored_together <= 2, stored_together  # the first request alone, the 29 that came meanwhile in one
    assert isinstance(results[3], Exception)
    assert sum(isinstance(r, Exception) for r in results) == 1  # only the bad request failed
    expected = [f"u{n}" for n in range(30)] + [f"v{n}" for n in range(6)]
    assert sorted(handled) == sorted(expected)  # every good update handled, once
    assert await _rows(mini_app.sessions) == []  # handled rows cleared
