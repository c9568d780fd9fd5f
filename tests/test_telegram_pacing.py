"""Flood control: an officer who answers as fast as the bot replies never meets Telegram's HTTP 429.

The double applies flood control per chat (a burst of 5 writes, then 1 a second, as Telegram
roughly does); the bot paces its writes to each chat (a burst of 3, then about 1 a second). A button
answer costs two writes (the pressed message is edited, the next question is sent)."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlmodel import select

from bot.channels.telegram.channel import LIMITS
from reminders.dispatch import UNLIMITED, Limits, RateLimiter
from storage.models import Answer, Report, ReportStatus
from tests.conftest import MINI_TEMPLATES, make_app
from tests.reminders_support import MovingClock
from tests.telegram_double import CHAT_WRITES, Flood
from tests.telegram_harness import BotRunner, TgUser, double  # noqa: F401 - the double fixture

CHAT = 8801


@pytest.fixture
async def mini_app(tmp_path, clock):  # noqa: ANN001 - pacing is the channel's: SQLite is enough
    app = await make_app(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", clock, MINI_TEMPLATES)
    yield app
    await app.close()

# the mini report as a quick officer answers it: typed, or a button press
STEPS = [("send", "/start DEMO2026"), ("send", "Nguyễn Văn An"), ("press", "new"), ("press", "tpl:mini"),
         ("press", "per:2026-H1"), ("send", "4.840,67"), ("send", "2.363"), ("send", "10"), ("send", "8"),
         ("send", "1, 3"), ("press", "a:yes"), ("press", "a:good"), ("send", "3,5"), ("send", "12/14"),
         ("send", "/boqua"), ("send", "/boqua"), ("press", "std"), ("press", "submit"), ("press", "confirm:yes")]


async def _run(user: TgUser, steps) -> list[float]:
    """Each step as soon as the previous reply has arrived; the seconds each one took."""
    took = []
    for kind, value in steps:
        started = time.monotonic()
        if kind == "send":
            await user.send(value)
        else:
            await user.press(value, message=user.keyboard_message())
        took.append(time.monotonic() - started)
    print("steps took (s):", [round(t, 2) for t in took])
    return took


def _writes(double, chat: int):
    return [c for c in double.calls if c.method in CHAT_WRITES and c.chat_id == chat]


async def test_a_fast_officer_fills_and_submits_a_report_without_one_429(mini_app, double):
    double.flood = Flood(burst=5, per_second=1.0)
    runner = BotRunner(double, mini_app, limits=LIMITS)
    await runner.start_polling()
    try:
        user = TgUser(double, runner, CHAT)
        took = await _run(user, STEPS)
    finally:
        await runner.stop()
    writes = _writes(double, CHAT)
    assert [c for c in double.calls if c.status == 429] == []
    assert any(c.method == "sendDocument" for c in writes)  # the Word file arrived
    async with mini_app.sessions() as s:
        report = (await s.exec(select(Report))).one()
        keys = {a.key for a in (await s.exec(select(Answer).where(Answer.report_id == report.id))).all()}
    assert report.status == ReportStatus.submitted
    assert {"area", "households", "received", "resolved", "subjects", "bypass", "level", "share", "cultural",
            "strengths"} <= keys
    # the pace the bot promises: at most 3 writes at once, then one a second
    for i in range(len(writes)):
        for j in range(i + 1, len(writes)):
            assert j - i + 1 <= 3 + (writes[j].at - writes[i].at) + 0.05, (i, j)
    print(f"\n{len(writes)} writes in {writes[-1].at - writes[0].at:.1f} s; a step took "
          f"median {statistics.median(took):.2f} s, at most {max(took):.2f} s")
    assert statistics.median(took) < 1.5  # paced, not waiting out 429s


async def test_without_pacing_the_same_officer_meets_flood_control(mini_app, double):
    """The double's flood control is real: the unpaced bot gets 429s on the first button answers
    (and gets through only by waiting them out)."""
    double.flood = Flood(burst=5, per_second=1.0)
    runner = BotRunner(double, mini_app, limits=UNLIMITED)
    await runner.start_polling()
    try:
        await _run(TgUser(double, runner, CHAT), STEPS[:6])
    finally:
        await runner.stop()
    flooded = [c for c in double.calls if c.status == 429]
    assert flooded and all(c.method in CHAT_WRITES for c in flooded)


async def test_a_chat_gets_its_burst_at_once_then_one_a_second_and_others_are_not_held_up():
    clock = MovingClock()
    limiter = RateLimiter(Limits(30.0, 1.0, headroom=1.0, per_chat_burst=3), clock.now, clock.sleep)
    times = []
    for _ in range(6):
        await limiter.acquire("a")
        times.append(round(clock.t - 1000.0, 3))
    assert times[:3] == [0.0, round(1 / 30, 3), round(2 / 30, 3)]  # the burst, spaced by the bot's rate
    assert times[3:] == [1.0, 2.0, 3.0]
    before = clock.t
    await limiter.acquire("b")  # another chat is not paced by the first one's sends
    assert clock.t - before < 0.05
    limiter.pause(5.0, "b")  # a 429 for one chat pauses that chat only
    start = clock.t
    await limiter.acquire("c")
    assert clock.t - start < 0.05
    await limiter.acquire("b")
    assert clock.t - start >= 5.0


async def test_replies_go_before_reminders_when_they_share_the_budget():
    """One budget for the bot (issue 14): 40 reminders are sending when 40 replies (to other chats)
    come, at 50 a second: the reminders had taken the idle slot and one ahead, then every reply
    gets its slot before the other reminders, and nothing waits longer than the rate requires. (At
    200 a second a slot is 5 ms, less than starting 80 tasks can take on a busy CI machine.)"""
    import asyncio

    limiter = RateLimiter(Limits(50.0, 1.0, headroom=1.0))
    granted: list[tuple[str, float]] = []
    start = time.monotonic()

    async def take(kind: str, chat: str) -> None:
        await limiter.acquire(chat, low=kind == "reminder")
        granted.append((kind, time.monotonic() - start))

    await asyncio.gather(*[take("reminder", f"r{n}") for n in range(40)], *[take("reply", f"a{n}") for n in range(40)])
    kinds = [kind for kind, _at in granted]
    ahead = kinds.index("reply")
    assert ahead <= 2 and kinds == ["reminder"] * ahead + ["reply"] * 40 + ["reminder"] * (40 - ahead), kinds
    assert granted[ahead + 39][1] < 1.3 and granted[-1][1] < 2.4  # 80 slots at 50/s: 1.6 s


def test_the_telegram_plugin_gives_replies_and_reminders_one_budget(monkeypatch):
    from bot.channels.telegram.plugin import TelegramPlugin

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "7405261984:AAHtestSecretPart-do_not_LOG-9f3c2b7e1d")
    plugin = TelegramPlugin()
    sender = plugin.reminder_sender()
    assert sender.budget is plugin.budget() and sender.budget.limits == LIMITS
