"""Two officers of one commune filling the same draft (issue 10, #7): an answer to a question that
the other officer changed since it was shown is not stored silently; the officer sees the other's
value and chooses which stays. On real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import select

from storage.models import Answer, AnswerAudit
from tests.conftest import Chat

CLASH = "Trong lúc anh/chị trả lời"


async def _area(app) -> str | None:  # noqa: ANN001
    async with app.sessions() as s:
        row = (await s.exec(select(Answer).where(Answer.key == "area"))).first()
        return None if row is None else row.value


@pytest.fixture
async def two(mini_app):  # noqa: ANN001
    """Officer An and officer Bình, both looking at the first question of one draft."""
    an, binh = Chat(mini_app, "officer1"), Chat(mini_app, "officer2")
    await an.register(name="Nguyễn Văn An")
    await binh.register(name="Trần Thị Bình")
    assert "Diện tích tự nhiên" in await an.open_report("mini")
    assert "Diện tích tự nhiên" in await binh.open_report("mini")
    return an, binh


async def test_the_later_answer_shows_the_other_value_and_mine_can_be_stored(mini_app, two):
    an, binh = two
    assert "Số hộ" in await binh.send("100")  # Bình answers first: stored, next question
    reply = await an.send("4.840,67")
    assert CLASH in reply and "Trần Thị Bình" in reply and "“Diện tích”" in reply
    assert "100 ha" in reply and "4.840,67 ha" in reply
    assert an.choices == ["cf:mine", "cf:theirs"]
    assert await _area(mini_app) == "100"  # nothing stored yet
    reply = await an.send(choice="cf:mine")
    assert "Đã ghi câu trả lời của anh/chị: 4.840,67 ha" in reply and "Số hộ" in reply
    assert await _area(mini_app) == "4840.67"
    async with mini_app.sessions() as s:
        audit = (await s.exec(select(AnswerAudit).where(AnswerAudit.key == "area").order_by(AnswerAudit.id))).all()
    assert [(a.old_value, a.new_value) for a in audit] == [(None, "100"), ("100", "4840.67")]


async def test_keeping_the_other_value_stores_nothing_and_moves_on(mini_app, two):
    an, binh = two
    await binh.send("100")
    await an.send("4.840,67")
    reply = await an.send("2")  # typed, as on Zalo (no buttons): option 2, keep Bình's
    assert "Đã giữ câu trả lời đang có" in reply and "Số hộ" in reply
    assert await _area(mini_app) == "100"
    assert "thuộc một câu hỏi trước" in await an.send(choice="cf:mine")  # the choice is gone


async def test_no_clash_for_the_same_value_or_for_a_question_nobody_else_touched(mini_app, two):
    an, binh = two
    await binh.send("100")
    reply = await an.send("100")  # the same figure: nothing to choose
    assert CLASH not in reply and "Số hộ" in reply
    await an.send("2.363")
    await binh.send("2.363")  # Bình's screen showed no households yet, but the value is the same
    await an.send("/sua 1")  # An changes their own commune's area after seeing it: no clash
    reply = await an.send("120")
    assert CLASH not in reply and await _area(mini_app) == "120"


async def test_a_new_answer_after_the_clash_is_stored(mini_app, two):
    an, binh = two
    await binh.send("100")
    await an.send("4.840,67")
    assert "100 ha" in await an.send("/sua 1")  # back to the question, now showing Bình's value
    reply = await an.send("150")
    assert CLASH not in reply and await _area(mini_app) == "150"


async def test_answering_at_the_same_moment_one_is_stored_and_the_other_chooses(mini_app, two):
    an, binh = two
    replies = await asyncio.gather(an.send("4.840,67"), binh.send("100"))
    clashes = [r for r in replies if CLASH in r]
    assert len(clashes) == 1, replies  # the report row is locked: the second sees the first's answer
    async with mini_app.sessions() as s:
        assert len((await s.exec(select(AnswerAudit).where(AnswerAudit.key == "area"))).all()) == 1
