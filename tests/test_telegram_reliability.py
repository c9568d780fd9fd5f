"""Failures between the bot and the Bot API: 429 waits retry_after, 5xx and dropped connections are
retried with bounded backoff, a user who blocked the bot is recorded and not retried, and the token
never reaches a log line."""

from __future__ import annotations

import logging

import aiohttp
from sqlmodel import select

from bot import redact
from bot.channels.telegram.retry import RetryMiddleware
from reports.i18n import _
from storage.models import ChannelIdentity
from tests.telegram_harness import SECRET_PART, TOKEN, BotRunner, TgUser, double, until  # noqa: F401

CODE_OK = _("The code is valid. What is your full name?")


async def _identity(app, chat_id: int) -> ChannelIdentity:
    async with app.sessions() as s:
        return (await s.exec(select(ChannelIdentity).where(ChannelIdentity.chat_id == str(chat_id)))).one()


async def test_429_waits_retry_after_then_the_reply_arrives(mini_app, double):
    runner = BotRunner(double, mini_app)
    await runner.start_polling()
    try:
        user = TgUser(double, runner, 2001)
        double.fail("sendMessage", 429, retry_after=1)
        replies = await user.send("/start DEMO2026")
        attempts = replies.of("sendMessage")
        assert [c.status for c in attempts] == [429, 200]
        assert attempts[1].at - attempts[0].at >= 1.0  # waited the retry_after Telegram asked for
        assert user.messages()[-1]["text"] == CODE_OK
    finally:
        await runner.stop()


async def test_a_busy_spell_of_429s_delays_the_reply_but_never_drops_it(mini_app, double):
    """Issue 14: six 429s in a row (more than the 5 attempts a transient error gets, which used to
    drop the reply) and the reply still arrives once Telegram takes it."""
    runner = BotRunner(double, mini_app)
    await runner.start_polling()
    try:
        user = TgUser(double, runner, 2005)
        double.fail("sendMessage", 429, times=6, retry_after=1)
        replies = await user.send("/start DEMO2026")
        assert [c.status for c in replies.of("sendMessage")] == [429] * 6 + [200]
        assert user.messages()[-1]["text"] == CODE_OK
    finally:
        await runner.stop()


async def test_5xx_and_dropped_connections_are_retried_with_growing_pauses(mini_app, double):
    runner = BotRunner(double, mini_app, retry=RetryMiddleware(attempts=5, base_delay=0.1, max_delay=1.0))
    await runner.start_polling()
    try:
        user = TgUser(double, runner, 2002)
        double.fail("sendMessage", 502, times=2)
        double.fail("sendMessage", disconnect=True)
        replies = await user.send("/start DEMO2026")
        attempts = replies.of("sendMessage")
        assert [c.status for c in attempts] == [502, 502, 500, 200]
        gaps = [b.at - a.at for a, b in zip(attempts, attempts[1:])]
        assert gaps[0] >= 0.08 and gaps[1] >= 0.16 and gaps[2] >= 0.32  # 0.1, 0.2, 0.4 s less jitter
        assert user.messages()[-1]["text"] == CODE_OK
    finally:
        await runner.stop()


async def test_retries_are_bounded(mini_app, double, caplog):
    runner = BotRunner(double, mini_app, retry=RetryMiddleware(attempts=3, base_delay=0.01))
    await runner.start_polling()
    try:
        user = TgUser(double, runner, 2003)
        double.fail("sendMessage", 500, times=50)
        replies = await user.send("/start DEMO2026")
        assert [c.status for c in replies.of("sendMessage")] == [500, 500, 500]
        assert "TelegramServerError" in caplog.text  # the lost reply is logged, not retried forever
        # the conversation itself went on: the code was accepted and stored before the reply
        double.failures.clear()
        replies = await user.send("Nguyễn Văn An")
        assert "Xã Đông Sơn" in replies.texts[0]
    finally:
        await runner.stop()


async def test_a_user_who_blocked_the_bot_is_recorded_and_not_retried(mini_app, double):
    runner = BotRunner(double, mini_app)
    await runner.start_polling()
    try:
        user = TgUser(double, runner, 2004)
        await user.send("/start DEMO2026")
        await user.send("Nguyễn Văn An")
        assert (await _identity(mini_app, 2004)).blocked is False

        double.blocked.add(2004)
        replies = await user.send("/xemlai")
        assert [c.status for c in replies.of("sendMessage")] == [403]  # once: no retry
        assert (await _identity(mini_app, 2004)).blocked is True

        # Telegram tells the bot when the user restarts it, and again when they block it
        double.blocked.discard(2004)
        uid = await double.push(double.member_update(2004, "member"))
        await runner.wait_handled(uid)
        assert (await _identity(mini_app, 2004)).blocked is False
        uid = await double.push(double.member_update(2004, "kicked"))
        await runner.wait_handled(uid)
        assert (await _identity(mini_app, 2004)).blocked is True
    finally:
        await runner.stop()


async def test_the_token_never_appears_in_a_log_line(mini_app, double, caplog):
    caplog.set_level(logging.DEBUG)
    runner = BotRunner(double, mini_app, retry=RetryMiddleware(attempts=3, base_delay=0.01))
    await runner.start_polling()
    try:
        user = TgUser(double, runner, 2005)
        double.fail("sendMessage", 429, retry_after=1)
        double.fail("sendMessage", 502)
        double.fail("sendMessage", disconnect=True)
        await user.send("/start DEMO2026")
        double.fail("sendMessage", 500, times=3)
        await user.send("Nguyễn Văn An")
        double.blocked.add(2005)
        await user.send("/xemlai")
        double.fail("getUpdates", 502)  # the polling loop logs the failure and backs off
        await until(lambda: "getUpdates or storing its updates failed" in caplog.text, 10, "the polling failure to be logged")
        # a library error that carries the full request URL, as some HTTP errors do
        try:
            async with aiohttp.ClientSession() as client:
                async with client.get(f"{double.base_url}/bot{TOKEN}/getMe", raise_for_status=True,
                                      headers={"X-Force": "1"}, params={"x": "1"}) as resp:
                    await resp.read()
                async with client.get(f"{double.base_url}/bot{TOKEN}/noSuchMethod", raise_for_status=True) as resp:
                    await resp.read()
        except aiohttp.ClientResponseError:
            logging.getLogger("danvan.test").exception("request to the Bot API failed")
    finally:
        await runner.stop()
    # something was logged about every one of these failures …
    for expected in ("flood limit", "TelegramServerError", "TelegramNetworkError", "blocked",
                     "getUpdates or storing its updates failed", "noSuchMethod"):
        assert expected in caplog.text, expected
    # … and the token nowhere, not even its secret half, not even in a traceback
    assert TOKEN not in caplog.text and SECRET_PART not in caplog.text
    for record in caplog.records:
        assert SECRET_PART not in record.getMessage()
        assert SECRET_PART not in (record.exc_text or "")
    assert f"bot{redact.MASK}/noSuchMethod" in caplog.text or f"bot7405261984:{redact.MASK}" in caplog.text


def test_redaction_covers_messages_arguments_and_tracebacks(caplog):
    redact.protect("123456:ABCdefGHIjklMNOpqr-stu", "hook_secret_value-1234")
    log = logging.getLogger("danvan.test.redact")
    with caplog.at_level(logging.INFO):
        log.info("GET https://api.telegram.org/bot%s/getMe", "123456:ABCdefGHIjklMNOpqr-stu")
        log.info("secret header %s", "hook_secret_value-1234")
        try:
            raise RuntimeError("POST https://api.telegram.org/bot123456:ABCdefGHIjklMNOpqr-stu/sendMessage")
        except RuntimeError:
            log.exception("failed")
    assert "ABCdefGHIjklMNOpqr-stu" not in caplog.text and "hook_secret_value-1234" not in caplog.text
    assert "bot***/getMe" in caplog.text and "secret header ***" in caplog.text
    assert "RuntimeError: POST https://api.telegram.org/bot***/sendMessage" in caplog.text
