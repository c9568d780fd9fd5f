"""Two people (or processes) at once, on SQLite and on a real PostgreSQL server: a one-use invite
registers one person, simultaneous answers lose nothing, and any number of processes can start on
an empty database together (issue 13, findings 2–4)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from handlers.events import Incoming
from storage import repo
from storage.models import Answer, AnswerAudit, OrgUnit, Role, User
from tests.conftest import _pg_database, _pg_drop

DANVAN = str(Path(sys.executable).parent / "danvan")
ONE_USE = "ONEUSE01"


async def _event(app, chat: str, text: str, n: list[int]) -> list:  # noqa: ANN001
    n[0] += 1
    return await app.core.handle(Incoming("telegram", chat, chat, update_id=f"{chat}-{n[0]}", text=text))


async def test_twenty_people_racing_for_a_one_use_invite_register_one(mini_app):
    async with mini_app.sessions() as s, s.begin():
        org = await repo.org_by_code(s, "DONG_SON")
        await repo.create_invite(s, ONE_USE, org.id, Role.officer, uses_left=1)
    counter = [0]
    chats = [f"70{i:02d}" for i in range(20)]
    for chat in chats:
        await _event(mini_app, chat, f"/start {ONE_USE}", counter)
    replies = await asyncio.gather(*(_event(mini_app, chat, f"Người Thứ {chat}", counter) for chat in chats))
    texts = ["\n".join(o.text for o in r) for r in replies]
    assert sum("đã được đăng ký" in t for t in texts) == 1
    assert not any("có lỗi" in t for t in texts)  # the others are told the code is used up, not an error
    async with mini_app.sessions() as s:
        users = (await s.exec(select(User).where(User.full_name.like("Người Thứ%")))).all()
        invite = await repo.find_invite(s, ONE_USE)
    assert len(users) == 1 and invite.uses_left == 0


async def test_two_officers_answering_at_once_lose_nothing(mini_app):
    async with mini_app.sessions() as s, s.begin():
        org = await repo.org_by_code(s, "DONG_SON")
        await repo.create_invite(s, "TWOUSERS", org.id, Role.officer, uses_left=2)
    counter = [0]
    for chat, name in (("8001", "Nguyễn Văn An"), ("8002", "Trần Thị Bình")):
        await _event(mini_app, chat, "/start TWOUSERS", counter)
        await _event(mini_app, chat, name, counter)
    for chat in ("8001", "8002"):
        await _event(mini_app, chat, "/baocaomoi", counter)
        await _event(mini_app, chat, "1", counter)
        await _event(mini_app, chat, "1", counter)  # both open the same report
    # both answer the first question for the first time, at once: no error, one answer stored, and
    # the other officer is shown it and asked which stays (issue 10: nothing overwritten silently)
    first = await asyncio.gather(_event(mini_app, "8001", "4.840,67", counter), _event(mini_app, "8002", "100", counter))
    assert not any("có lỗi" in o.text for r in first for o in r)
    assert sum(any("Trong lúc anh/chị trả lời" in o.text for o in r) for r in first) == 1
    for turn in range(5):  # then two different commune figures at once, many times: both kept
        await _event(mini_app, "8001", "/sua 1", counter)
        await _event(mini_app, "8002", "/sua 2", counter)
        area, households = 100 + turn, 2000 + turn
        await asyncio.gather(_event(mini_app, "8001", str(area), counter),
                             _event(mini_app, "8002", f"{households:,}".replace(",", "."), counter))
        async with mini_app.sessions() as s:
            org = (await s.exec(select(OrgUnit).where(OrgUnit.code == "DONG_SON"))).one()
            answers = {a.key: a.value for a in (await s.exec(select(Answer))).all()}
        assert org.profile.get("area") == str(area) and org.profile.get("households") == households, org.profile
        assert answers["area"] == str(area) and answers["households"] == households
    async with mini_app.sessions() as s:
        audit = (await s.exec(select(AnswerAudit).where(AnswerAudit.key == "area"))).all()
    assert len(audit) == 1 + 5


@pytest.mark.postgres
async def test_five_processes_starting_at_once_on_an_empty_database_all_come_up(tmp_path):
    url, name = await _pg_database()
    try:
        env = {**os.environ, "DATABASE_URL": url}
        procs = [await asyncio.create_subprocess_exec(DANVAN, "migrate", env=env, cwd=tmp_path,
                                                      stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
                 for _ in range(5)]
        results = await asyncio.gather(*(asyncio.wait_for(p.communicate(), 120) for p in procs))
        assert [p.returncode for p in procs] == [0] * 5, [err.decode()[-400:] for _out, err in results]
    finally:
        await _pg_drop(name)


