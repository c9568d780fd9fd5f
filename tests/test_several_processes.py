"""Two ``danvan run`` processes in webhook mode behind one address on one PostgreSQL database (the
README's "Several processes"): both take updates, every officer's answers are stored once and in
order whichever process got them, one process runs the reminder scheduler, and a clean stop of
both leaves nothing in the inbox."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func
from sqlmodel import select

from storage.db import create_engine, session_factory
from storage.models import Answer, AnswerAudit, InboxUpdate, Report, User
from tests.cluster import Officer, RoundRobin, seed_province, start_cluster
from tests.conftest import MINI_TEMPLATES, PG_URL, _pg_database, _pg_drop
from tests.telegram_double import TelegramDouble
from tests.telegram_harness import TOKEN

pytestmark = pytest.mark.postgres
SECRET = "one-secret-for-every-process"
TYPED = ["4.840,67", "2.363", "10", "8"]  # area, households, received, resolved (mini template)


async def _officer(double: TelegramDouble, chat_id: int, code: str) -> Officer:
    officer = Officer(double, chat_id, "Cán bộ", f"Số {chat_id}")
    await officer.say(f"/start {code}")
    await officer.say(f"Nguyễn Văn {chat_id}")
    await officer.wait_for("Xã Thử")
    await officer.press("new", settle=0.2)
    await officer.press("tpl:mini", settle=0.2)
    await officer.press("per:")
    await officer.wait_for("Câu 1/")
    for text in TYPED:
        await officer.say(text)
    assert "Câu 5/" in officer.last(), officer.last()
    return officer


async def test_two_webhook_processes_behind_one_address_share_the_work(tmp_path):
    if not PG_URL:
        pytest.skip("needs PostgreSQL")
    url, name = await _pg_database()
    double = await TelegramDouble(TOKEN).start()
    balancer = await RoundRobin().start()
    processes = []
    try:
        codes, _chats = await seed_province(url, 8, 1)
        processes = await start_cluster(2, tmp_path, balancer, url, TOKEN, double.base_url, SECRET,
                                        TEMPLATES_DIR=str(MINI_TEMPLATES), RUN_SCHEDULER="true")
        assert double.webhook["url"] == balancer.url and double.webhook["secret_token"] == SECRET

        officers = await asyncio.gather(*(_officer(double, 6100 + n, code) for n, code in enumerate(codes)))
        assert all(s == 200 for o in officers for s in o.statuses)
        assert len(balancer.answered) == 2 and min(balancer.answered.values()) >= 10, balancer.answered
        for officer in officers:
            texts = [m.get("text", "") for m in officer.messages()]
            assert not any("sự cố" in t or "went wrong" in t for t in texts), texts

        # one scheduler among the processes, the other stands by
        for _ in range(100):
            logs = [p.log_text() for p in processes]
            if sum("reminder scheduler started" in t for t in logs) == 1 and any("standing by" in t for t in logs):
                break
            await asyncio.sleep(0.1)
        assert sum("reminder scheduler started" in t for t in logs) == 1, logs
        assert sum("standing by" in t for t in logs) == 1, logs

        assert [await p.stop() for p in processes] == [0, 0]
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as s:
                users = (await s.exec(select(func.count()).select_from(User))).one()
                reports = (await s.exec(select(func.count()).select_from(Report))).one()
                answers = (await s.exec(select(Answer.key, Answer.value))).all()
                audits = (await s.exec(select(func.count()).select_from(AnswerAudit))).one()
                left = (await s.exec(select(func.count()).select_from(InboxUpdate))).one()
        finally:
            await engine.dispose()
        assert (users, reports, audits, left) == (8, 8, 8 * len(TYPED), 0)
        assert sorted(answers) == sorted([("area", "4840.67"), ("households", 2363), ("received", 10),
                                          ("resolved", 8)] * 8)
    finally:
        for p in processes:
            await p.stop()
        await balancer.close()
        await double.close()
        await _pg_drop(name)
