"""Issue 11, fewer inputs: a new report offers last period's answers that tend to carry over (the
commune's profile, the leader in charge, edited standard paragraphs) — one question at a time
(/giunguyen) or a whole section (/giunguyenmuc) — taken from the unit's latest *earlier* report,
never from a later period's."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Answer, Report
from tests.conftest import Chat


async def _answers(app, period: str) -> dict:  # noqa: ANN001
    async with app.sessions() as s:
        report = (await s.exec(select(Report).where(Report.period == period))).one()
        return {a.key: a.value for a in (await s.exec(select(Answer).where(Answer.report_id == report.id))).all()}


async def after_last_period(app) -> tuple[Chat, str]:  # noqa: ANN001
    """An officer who answered the two profile figures of 2025's mini report opens 2026's: the chat
    and the opening reply."""
    chat = Chat(app)
    await chat.register()
    await chat.open_report("mini", period="2025-H1")
    await chat.send("4.840,67")
    await chat.send("2.363")
    return chat, await chat.open_report("mini", period="2026-H1")


async def test_last_periods_answers_are_offered_one_at_a_time(mini_app):
    chat, reply = await after_last_period(mini_app)
    assert "Có 2 câu trả lời của Báo cáo thử 2025 có thể giữ nguyên" in reply
    assert "Câu 1/" in reply and "Kỳ trước: 4.840,67 ha" in reply and "/giunguyen" in reply
    assert await _answers(mini_app, "2026-H1") == {}  # offered, nothing stored unasked
    reply = await chat.send("/giunguyen")
    assert "Câu 2/" in reply and "Kỳ trước: 2.363 hộ" in reply
    reply = await chat.send("2.401")  # this period's figure differs: typed as usual
    assert "Câu 3/" in reply and "Kỳ trước" not in reply  # not a carried question
    assert await _answers(mini_app, "2026-H1") == {"area": "4840.67", "households": 2401}
    await chat.send("/quaylai")  # answered now: the offer is gone, the current answer shown
    assert "Kỳ trước" not in chat.last[-1].text and "Câu trả lời hiện tại: 2.401 hộ" in chat.last[-1].text


async def test_a_whole_section_at_once(mini_app):
    chat, _opening = await after_last_period(mini_app)
    reply = await chat.send("/giunguyenmuc")
    assert "Đã giữ nguyên như kỳ trước: Diện tích, Số hộ" in reply and "Câu 3/" in reply
    assert await _answers(mini_app, "2026-H1") == {"area": "4840.67", "households": 2363}


async def test_a_later_periods_answers_never_go_into_an_earlier_report(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini", period="2026-H1")
    await chat.send("4.840,67")
    await chat.send("2.363")
    reply = await chat.open_report("mini", period="2025-H1")  # filled in late, after 2026's
    assert "Kỳ trước" not in reply and "giữ nguyên" not in reply
    assert await _answers(mini_app, "2025-H1") == {}
    assert "chưa có câu trả lời để giữ nguyên" in (await chat.send("/giunguyen"))  # nothing to keep
