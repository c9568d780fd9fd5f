"""Reminders through the real aiogram client to the local Telegram Bot API double: buttons, the rate
limits, HTTP 429 with retry_after, and failures recorded once (blocked bot, unknown chat). The
dispatcher's clock is a moving clock, so that waiting a second takes no time."""

import pytest
from sqlmodel import select

from bot.channels.telegram.service import notice_sender
from bot.channels.telegram.channel import LIMITS as TELEGRAM_LIMITS
from reminders.dispatch import Delivery, Dispatcher, Notice
from reminders.service import ReminderService
from storage.models import ChannelIdentity
from tests.reminders_support import MovingClock, build_tree, logs, vn
from tests.telegram_double import TelegramDouble

TOKEN = "123456:SECRET-reminders-token"


@pytest.fixture
async def double():
    api = await TelegramDouble(TOKEN).start()
    yield api
    await api.close()


@pytest.fixture
async def sender(double):  # noqa: ANN001
    s = notice_sender(TOKEN, double.base_url)
    yield s
    await s.close()


def telegram_service(app, sender, moving: MovingClock) -> ReminderService:  # noqa: ANN001
    dispatcher = Dispatcher([(sender, TELEGRAM_LIMITS)], now=moving.now, sleep=moving.sleep)
    return ReminderService(app.sessions, app.templates, dispatcher=dispatcher, clock=app.core.clock)


def people(double, *chats: int) -> None:  # noqa: ANN001
    for chat in chats:
        double.person(chat)


async def test_a_reminder_arrives_with_a_button_the_core_understands(mini_app, clock, double, sender):
    await build_tree(mini_app, channel="telegram")
    people(double, 1001, 1002, 1003, 2001, 2002)
    result = await telegram_service(mini_app, sender, MovingClock()).run()
    assert result.sent == 3
    sent = double.of("sendMessage", 1002)
    assert len(sent) == 1 and "còn 4 ngày" in sent[0].text
    buttons = sent[0].params["reply_markup"]["inline_keyboard"]
    assert buttons == [[{"text": "Bắt đầu báo cáo ngay", "callback_data": "new"}]]


async def test_429_pauses_the_channel_and_the_message_is_sent_once(mini_app, clock, double, sender):
    await build_tree(mini_app, channel="telegram")
    people(double, 1001, 1002, 1003)
    double.fail("sendMessage", 429, retry_after=3, times=1)
    moving = MovingClock()
    start = moving.t
    result = await telegram_service(mini_app, sender, moving).run()
    assert (result.sent, result.failed) == (3, 0)
    accepted = [c for c in double.of("sendMessage") if c.status == 200]
    assert sorted(c.chat_id for c in accepted) == [1001, 1002, 1003]  # none lost, none twice
    assert len(double.of("sendMessage")) == 4  # the refused one was sent again
    assert moving.t - start >= 3  # and only after the 3 seconds Telegram asked for
    assert {r.status for r in await logs(mini_app)} == {"sent"}


async def test_blocked_and_unknown_chats_are_recorded_and_not_retried(mini_app, clock, double, sender):
    await build_tree(mini_app, channel="telegram")
    people(double, 1001, 1002)  # 1003 never wrote to the bot: "chat not found"
    double.blocked.add(1002)
    double.fail("sendMessage", 502, times=1)  # one passing server error is retried
    svc = telegram_service(mini_app, sender, MovingClock())
    result = await svc.run()
    assert (result.sent, result.failed) == (1, 2)
    rows = {r.chat_id: r for r in await logs(mini_app)}
    assert rows["1001"].status == "sent"
    assert rows["1002"].status == "failed" and "blocked" in rows["1002"].error
    assert rows["1003"].status == "failed" and "chat not found" in rows["1003"].error
    assert all("SECRET" not in (r.error or "") for r in rows.values())
    assert len(double.of("sendMessage", 1002)) == 1  # a 403 is final
    async with mini_app.sessions() as s:
        blocked = {i.chat_id for i in (await s.exec(select(ChannelIdentity).where(ChannelIdentity.blocked))).all()}
    assert blocked == {"1002", "1003"}
    # later runs do not write to them again; the others go on being reminded
    assert (await svc.run()).claimed == 0
    clock.now = vn("2026-06-17 08:00")
    result = await svc.run()
    assert [i.chat_id for i in result.items] == ["1001"]
    assert len(double.of("sendMessage", 1002)) == 1


async def test_global_rate_and_one_message_a_second_per_chat(double, sender):
    chats = list(range(5001, 5061))
    people(double, *chats)
    moving = MovingClock()
    dispatcher = Dispatcher([(sender, TELEGRAM_LIMITS)], now=moving.now, sleep=moving.sleep)
    start = moving.t
    stats = await dispatcher.deliver("telegram", [Delivery(c, str(c), (Notice(f"tin {c}"),)) for c in chats])
    assert stats.sent == 60 and stats.failed == 0
    # 60 messages at no more than 30 a second take at least 59 intervals of 1/30 s
    assert moving.t - start >= 59 / 30
    # five parts of one digest to one chat: three at once (a short burst), then a second apart
    await moving.sleep(10)  # the chat's earlier message is long past
    start = moving.t
    parts = tuple(Notice(f"phần {n}") for n in range(5))
    sent_at = []
    real_send = sender.send

    async def timed(chat_id, notice):  # noqa: ANN001
        sent_at.append(moving.t - start)
        await real_send(chat_id, notice)

    sender.send = timed
    await dispatcher.deliver("telegram", [Delivery("digest", "5001", parts)])
    assert max(sent_at[:3]) < 0.2 and sent_at[3] >= 1.0 and sent_at[4] - sent_at[3] >= 1.0
    assert [c.text for c in double.of("sendMessage", 5001)][-5:] == [f"phần {n}" for n in range(5)]

