"""The Zalo channel end to end: the real runner's Zalo plug-in (our aiohttp client, the updates loop,
the HTTP server with its signed file links) against the local Zalo Bot API double, with the real
core on a real database. An officer registers, fills a whole 6-month report by typing, restarts the
bot half-way, submits, downloads the Word file from the link; webhooks, repeats, 5xx and 429."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import time

import aiohttp
import docx
import pytest
from sqlmodel import select

from bot.channels import ZALO
from bot.channels.zalo.channel import LIMITS
from bot.web import WebServer
from reminders.dispatch import Dispatcher
from reminders.service import ReminderService
from storage.models import Answer, Conversation
from tests.reminders_support import build_tree
from tests.sample_answers import HALF_YEAR
from tests.telegram_harness import free_port, until
from tests.zalo_double import ZaloDouble

TOKEN = "2345678901234567890:ZaloSecretPart-do-not-log-77"
SECRET_PART = TOKEN.split(":", 1)[1]


class ZaloBot:
    """The Zalo plug-in as ``danvan run`` starts it, on one HTTP server."""

    def __init__(self, app, double: ZaloDouble) -> None:  # noqa: ANN001
        self.app, self.double = app, double
        self.port = free_port()
        self.running = None
        self.server: WebServer | None = None
        self.task: asyncio.Task | None = None

    async def start(self) -> "ZaloBot":
        self.server = WebServer("127.0.0.1", self.port)
        self.running = await ZALO.start(self.app, self.server)
        await self.server.start()
        self.task = asyncio.create_task(self.running.go())
        if ZALO.settings().webhook_url:
            await self.task
        else:
            await until(lambda: any(c.method == "getUpdates" for c in self.double.calls), what="the first poll")
        return self

    async def stop(self) -> None:
        await self.running.stop()
        if self.task is not None and not self.task.done():
            await asyncio.wait_for(self.task, 60)
        await self.server.stop()

    async def settle(self) -> None:
        """Until every pushed update has been taken, stored and handled: the poll after the one that
        took the last update starts only once that update is stored and being handled."""
        await until(lambda: self.double.pending.empty(), 30, "the updates to be taken")
        if self.double.webhook is None:
            polls = sum(c.method == "getUpdates" for c in self.double.calls)
            await until(lambda: sum(c.method == "getUpdates" for c in self.double.calls) > polls, 30, "the next poll")
        await until(lambda: not self.running.updates.inbox.in_hand, 30, "the updates to be handled")


@pytest.fixture
async def double():
    server = await ZaloDouble(TOKEN).start()
    yield server
    await server.close()


@pytest.fixture
def zalo_env(monkeypatch, double, tmp_path):  # noqa: ANN001
    monkeypatch.setenv("ZALO_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("ZALO_API_URL", double.base_url)
    monkeypatch.setenv("ZALO_POLLING_TIMEOUT", "1")
    monkeypatch.setenv("ZALO_RETRY_BASE_DELAY", "0.01")
    monkeypatch.delenv("ZALO_WEBHOOK_URL", raising=False)
    return monkeypatch


async def say(bot: ZaloBot, chat: str, text: str) -> list[str]:
    mark = bot.double.mark()
    await bot.double.push(bot.double.message(chat, text))
    await bot.settle()
    return bot.double.since(mark, chat)


def question_key(app, text: str) -> str | None:  # noqa: ANN001
    template = app.templates["commune_half_year"]
    if not re.search(r"Câu \d+/\d+", text):
        return None
    return next((ind.key for ind in template.indicators if f"\n{ind.question}" in text), None)


async def test_an_officer_fills_and_submits_a_whole_report_on_zalo(app, double, zalo_env, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    app.core.files_dir = tmp_path / "files"
    bot = await ZaloBot(app, double).start()
    try:
        assert "Mã mời hợp lệ" in "\n".join(await say(bot, "z1", "DEMO2026"))
        welcome = "\n".join(await say(bot, "z1", "Nguyễn Văn An"))
        assert "Xã Đông Sơn" in welcome and "1. Bắt đầu báo cáo mới" in welcome  # a numbered list, no buttons
        await say(bot, "z1", "1")
        await say(bot, "z1", "báo cáo 6 tháng đầu năm")  # a label typed loosely picks it too
        replies = await say(bot, "z1", "1")
        answered = 0
        for _turn in range(200):
            key = question_key(app, replies[-1])
            if key is None:
                break
            if answered == 25:  # the officer pauses, the bot restarts, the officer types "tiep tuc"
                assert "Đã lưu" in (await say(bot, "z1", "/tamdung"))[0]
                await bot.stop()
                bot = await ZaloBot(app, double).start()
                replies = await say(bot, "z1", "tiep tuc")
                assert "Tiếp tục Báo cáo 6 tháng đầu năm 2026" in replies[0]
                assert question_key(app, replies[-1]) == key
            replies = await say(bot, "z1", HALF_YEAR[key])
            answered += 1
        assert any("Đã trả lời hết" in r for r in replies), replies[-1]
        assert all(1 <= len(t) <= 2000 for t in double.texts("z1"))
        await say(bot, "z1", "/nop")
        replies = await say(bot, "z1", "1")
        assert replies[0].startswith("Đã nộp")
        link_message = next(r for r in replies if "📄 BaoCao_DONG_SON_commune_half_year_2026-H1.docx" in r)
        url = re.search(r"https?://\S+", link_message).group(0)
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as resp:
                assert resp.status == 200 and "attachment" in resp.headers["Content-Disposition"]
                body = await resp.read()
            document = docx.Document(io.BytesIO(body))
            cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
            text = "\n".join([p.text for p in document.paragraphs] + cells)
            assert "XÃ ĐÔNG SƠN" in text and "1.028" in text  # the right report, with its figures
            tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
            async with http.get(tampered) as resp:
                assert resp.status == 403 and "không đúng" in await resp.text()
            links = bot.running.updates.channel.links
            links.clock = lambda: time.time() - links.ttl - 60  # a link made a day ago
            old = links.url(app.core.files_dir / url_file(url, links), "z1")
            links.clock = time.time
            async with http.get(old) as resp:
                assert resp.status == 410 and "hết hạn" in await resp.text()
        async with app.sessions() as s:
            stored = {a.key for a in (await s.exec(select(Answer))).all()}
        assert len(stored) >= 60
    finally:
        await bot.stop()
    logged = caplog.text
    assert SECRET_PART not in logged and TOKEN not in logged


def url_file(url: str, links) -> str:  # noqa: ANN001
    """The file a link names (read back through the link checker)."""
    status, path = links.check(url.rsplit("/", 1)[1])
    assert status == 200
    return path.relative_to(links.files_dir).as_posix()


async def test_repeats_failures_and_other_messages(mini_app, double, zalo_env):
    bot = await ZaloBot(mini_app, double).start()
    try:
        update = double.message("z2", "/start DEMO2026")
        await double.push(update)
        await double.push(update)  # delivered twice: one effect
        await bot.settle()
        assert double.texts("z2") == ["Mã mời hợp lệ. Xin cho biết họ và tên của anh/chị?"]
        double.fail("sendMessage", 502, times=2)
        double.fail("sendMessage", 429, times=1)
        replies = await say(bot, "z2", "Trần Thị Bình")
        assert len(replies) == 2 and "Xã Đông Sơn" in replies[0]  # each delivered once, in order
        assert replies[1].startswith("Anh/chị muốn làm gì?")
        mark = double.mark()
        await double.push(double.message("z2", None, event="message.sticker.received"))
        await double.push(double.message("z2", None, event="message.unsupported.received"))
        await bot.settle()
        assert double.since(mark, "z2") == ["Xin lỗi, trợ lý chỉ hiểu tin nhắn chữ. Anh/chị hãy gõ câu trả lời."] * 2
        order = [await say(bot, "z2", t) for t in ("1", "1", "1")]
        assert "Câu 1/" in order[-1][-1]
    finally:
        await bot.stop()


async def test_webhook_posts_need_the_secret(mini_app, double, zalo_env, caplog):
    caplog.set_level(logging.DEBUG)
    port = free_port()
    zalo_env.setenv("ZALO_WEBHOOK_URL", f"http://127.0.0.1:{port}/zalo/hook")
    zalo_env.setenv("ZALO_WEBHOOK_SECRET", "Zalo-hook-secret-42")
    bot = ZaloBot(mini_app, double)
    bot.port = port
    await bot.start()
    try:
        assert double.webhook == {"url": f"http://127.0.0.1:{port}/zalo/hook", "secret_token": "Zalo-hook-secret-42"}
        update = double.message("z3", "/start DEMO2026")
        assert await double.deliver(update, secret=None) == 401
        assert await double.deliver(update, secret="wrong-secret") == 401
        await asyncio.sleep(0.2)
        async with mini_app.sessions() as s:
            assert (await s.exec(select(Conversation))).all() == []  # nothing was read, nothing stored
        assert await double.deliver(update) == 200
        await bot.settle()
        assert double.texts("z3") == ["Mã mời hợp lệ. Xin cho biết họ và tên của anh/chị?"]
        assert not any(c.method == "getUpdates" for c in double.calls)  # webhook and polling exclude each other
    finally:
        await bot.stop()
    assert "Zalo-hook-secret-42" not in caplog.text and SECRET_PART not in caplog.text


async def test_an_image_goes_by_a_signed_link_through_send_photo(mini_app, double, zalo_env, tmp_path):
    mini_app.core.files_dir = tmp_path / "files"
    chart = mini_app.core.files_dir / "charts" / "tinh-hinh.png"
    chart.parent.mkdir(parents=True)
    chart.write_bytes(b"\x89PNG\r\n\x1a\n a small stand-in for a chart")
    bot = await ZaloBot(mini_app, double).start()
    try:
        await bot.running.channel.send_image("z5", chart, "Tình hình nộp báo cáo")
        [call] = double.sent("z5", "sendPhoto")
        assert call.params["caption"] == "Tình hình nộp báo cáo"
        async with aiohttp.ClientSession() as http:
            async with http.get(call.params["photo"]) as resp:
                assert resp.status == 200 and await resp.read() == chart.read_bytes()
    finally:
        await bot.stop()


async def test_a_reminder_reaches_a_zalo_officer_with_the_command_to_type(mini_app, double, zalo_env):
    await build_tree(mini_app, channel="zalo")
    sender = ZALO.reminder_sender()
    try:
        service = ReminderService(mini_app.sessions, mini_app.templates, dispatcher=Dispatcher([(sender, LIMITS)]),
                                  clock=mini_app.core.clock)
        result = await service.run()
    finally:
        await sender.close()
    assert result.sent == 3
    [text] = double.texts("1002")
    assert "Nhắc việc" in text and "Bắt đầu báo cáo ngay: /baocaomoi" in text
    assert all("reply_markup" not in c.params for c in double.calls)


async def test_one_person_on_telegram_and_zalo_sees_the_same_draft(mini_app, double, zalo_env):
    from tests.conftest import Chat

    telegram = Chat(mini_app, "555", channel="telegram")
    await telegram.register()
    await telegram.open_report("mini")
    await telegram.send("4.840,67")
    reply = await telegram.send("/lienket")
    code = re.search(r"Mã liên kết: ([A-Z0-9]{8})", reply).group(1)
    bot = await ZaloBot(mini_app, double).start()
    try:
        linked = await say(bot, "z9", code)
        assert linked[0].startswith("Đã liên kết: Nguyễn Văn An (Xã Đông Sơn)")
        again = await say(bot, "z8", code)  # used once: a second messenger cannot take it
        assert "không đúng" in again[0] or "không tồn tại" in again[0] or "Mã mời" in again[0]
        continued = await say(bot, "z9", "/tieptuc")
        assert "đã trả lời 1/" in continued[0] and "Số hộ" in continued[-1]  # the same draft
    finally:
        await bot.stop()
    # the reminder goes to the messenger used last: Zalo now
    sender = ZALO.reminder_sender()
    try:
        from bot.channels.fake import FakeChannel
        from bot.channels.base import NoticeSender

        fake_telegram = FakeChannel.like("telegram")
        service = ReminderService(mini_app.sessions, mini_app.templates, clock=mini_app.core.clock,
                                  dispatcher=Dispatcher([(sender, LIMITS), (NoticeSender(fake_telegram), LIMITS)]))
        result = await service.run()
    finally:
        await sender.close()
    assert result.sent == 1 and fake_telegram.sent == []
    assert any("Nhắc việc" in t for t in double.texts("z9"))
