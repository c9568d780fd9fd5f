"""Reliability fixes of issue 13 that do not need races: group chats are refused, Word files live
beside their own database, old update ids are pruned, and the SQLite database is backed up while
the bot runs and restored."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlmodel import select

from bot.app import files_dir_for
from bot.settings import Settings
from handlers.events import Incoming
from storage.models import Conversation, ProcessedUpdate
from tests.conftest import Chat, make_app
from tests.sample_answers import fill  # noqa: F401 - the answers helper of the other suites
from tests.telegram_harness import BotRunner, TgUser, double  # noqa: F401 - the double fixture

DANVAN = str(Path(sys.executable).parent / "danvan")


async def test_a_group_chat_is_refused_and_nothing_is_stored(mini_app, double):
    runner = BotRunner(double, mini_app)
    await runner.start_polling()
    try:
        user = TgUser(double, runner, 4001)
        double.person(-100777, "Cán bộ xã", "")  # the group, as a chat the bot may write to
        update = double.message_update(4001, "/start DEMO2026")
        update["message"]["chat"] = {"id": -100777, "type": "supergroup", "title": "Cán bộ xã"}
        await double.push(update)
        await runner.wait_handled(update["update_id"])
        [reply] = [m["text"] for m in double.bot_messages(-100777)]
        assert "tin nhắn riêng" in reply
        async with mini_app.sessions() as s:
            assert (await s.exec(select(Conversation))).all() == []
        assert user.messages() == []
    finally:
        await runner.stop()


def test_word_files_live_beside_their_own_database(tmp_path):
    one = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'a' / 'bot.db'}")
    two = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'b' / 'bot.db'}")
    assert files_dir_for(one) == tmp_path / "a" / "files" and files_dir_for(one) != files_dir_for(two)
    assert files_dir_for(Settings(database_url="postgresql+asyncpg://u@h/db")) == Path("data") / "files"
    assert files_dir_for(Settings(files_dir=tmp_path / "x")) == tmp_path / "x"


async def test_old_update_ids_are_pruned_at_start(db_url, clock):
    app = await make_app(db_url, clock)
    try:
        await app.core.handle(Incoming("telegram", "1", "1", update_id="old", text="/start"))
        async with app.sessions() as s, s.begin():
            row = (await s.exec(select(ProcessedUpdate))).one()
            row.at = clock() - timedelta(days=40)
            s.add(row)
        await app.core.handle(Incoming("telegram", "1", "1", update_id="new", text="/start"))
    finally:
        await app.close()
    app = await make_app(db_url, clock)
    try:
        async with app.sessions() as s:
            assert [r.update_id for r in (await s.exec(select(ProcessedUpdate))).all()] == ["new"]
    finally:
        await app.close()


async def test_backup_while_running_and_restore(tmp_path, clock):
    db = tmp_path / "bot.db"
    app = await make_app(f"sqlite+aiosqlite:///{db}", clock)
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{db}"}
    try:
        chat = Chat(app)
        await chat.register()
        await chat.open_report("commune_half_year")
        await chat.send("2.706,51")
        out = subprocess.run([DANVAN, "backup", str(tmp_path / "copy.db")], capture_output=True, text=True, env=env,
                             cwd=tmp_path, timeout=60)  # the app still has the database open
        assert out.returncode == 0 and "Đã sao lưu" in out.stdout, out.stderr
        await chat.send("14")  # after the backup
    finally:
        await app.close()
    bad = tmp_path / "not-a-backup.db"
    bad.write_bytes(b"hello")
    refused = subprocess.run([DANVAN, "restore", str(bad)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert refused.returncode == 1 and "không phải bản sao lưu" in refused.stderr
    done = subprocess.run([DANVAN, "restore", str(tmp_path / "copy.db")], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=60)
    assert done.returncode == 0, done.stderr
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        keys = [r[0] for r in conn.execute(text("SELECT key FROM answer ORDER BY key"))]
    engine.dispose()
    assert keys == ["natural_area"]  # as it was at the backup, the later answer not in it


async def test_an_answer_corrected_with_telegrams_edit_is_stored(mini_app, double):
    from storage.models import Answer

    runner = BotRunner(double, mini_app)
    await runner.start_polling()
    try:
        user = TgUser(double, runner, 4101)
        await user.send("/start DEMO2026")
        await user.send("Nguyễn Văn An")
        await user.press("new")
        await user.press("tpl:mini")
        await user.press("per:2026-H1")
        first = double.message_update(4101, "4.840,67")
        await double.push(first)
        await runner.wait_handled(first["update_id"])
        await user.send("2.363")
        edit = double.edit_update(4101, first["message"]["message_id"], "5.000")
        await double.push(edit)
        await runner.wait_handled(edit["update_id"])
        replies = [m["text"] for m in user.messages()]
        assert "Đã cập nhật theo tin nhắn đã sửa: Diện tích tự nhiên — 5.000 ha." in replies[-1] or \
            "Đã cập nhật theo tin nhắn đã sửa" in replies[-1], replies[-1]
        async with mini_app.sessions() as s:
            answers = {a.key: a.value for a in (await s.exec(select(Answer))).all()}
        assert answers["area"] == "5000" and answers["households"] == 2363
        old = double.edit_update(4101, 1, "/start SOMETHING")  # the very first message: not an answer
        await double.push(old)
        await runner.wait_handled(old["update_id"])
        assert "Sửa tin nhắn chỉ thay được" in user.messages()[-1]["text"]
    finally:
        await runner.stop()


async def test_a_chat_that_floods_the_bot_is_refused_without_touching_the_database(mini_app):
    """Finding 7, any chat's rate: 20 updates at once pass, then one a second; the first refused
    update gets one notice, the next ones nothing; nothing is stored for them; other chats and the
    terminal are not slowed."""
    from handlers.flood import ChatRate

    now = [1000.0]
    mini_app.core.rate = ChatRate(burst=20, per_second=1.0, now=lambda: now[0])
    flooder, other, local = Chat(mini_app, "9001", "telegram"), Chat(mini_app, "9002", "telegram"), Chat(mini_app)
    replies = [await flooder.send("/huongdan") for _ in range(25)]
    assert all("/baocaomoi" in r or "/start" in r for r in replies[:20]), replies[0]
    assert "nhanh hơn mức trợ lý kịp tiếp nhận" in replies[20] and "gửi lại" in replies[20]
    assert replies[21:] == ["", "", "", ""]
    async with mini_app.sessions() as s:
        assert len((await s.exec(select(ProcessedUpdate))).all()) == 20  # the refused ones left no trace
    assert "nhanh hơn" not in await other.send("/huongdan")
    assert ["nhanh hơn" in await local.send("/huongdan") for _ in range(30)] == [False] * 30
    now[0] += 3.0  # three seconds later: three more
    assert ["nhanh hơn" not in await flooder.send("/huongdan") for _ in range(4)] == [True, True, True, False]
