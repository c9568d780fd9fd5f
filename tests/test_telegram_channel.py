"""The Telegram channel's behaviour against the Bot API double, with the real aiogram bot: buttons,
stale presses, registration rules, ordering, repeated updates, long texts, documents, invites."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import select

from handlers.commands import cmd, descriptions
from handlers.events import Document, Outgoing
from reports.i18n import _
from handlers.invites import create_invite
from handlers.screens import help_text
from storage import repo
from storage.models import Answer, AnswerAudit, ChannelIdentity, Conversation, Invite, OrgUnit, Report, Role
from tests.telegram_harness import BotRunner, TgUser, double  # noqa: F401 - the double fixture

STALE = _("This button belongs to an earlier question. Please answer the current question.")


async def _register(user: TgUser, code: str = "DEMO2026", name: str = "Nguyễn Văn An") -> None:
    await user.send(f"/start {code}")
    replies = await user.send(name)
    assert "Xã Đông Sơn" in replies.texts[0], replies.texts


async def _open_mini(user: TgUser) -> None:
    await user.press("new")
    await user.press("tpl:mini")
    await user.press("per:2026-H1")


async def _answers(app) -> dict:
    async with app.sessions() as s:
        return {a.key: a.value for a in (await s.exec(select(Answer))).all()}


async def _polling(double, app) -> BotRunner:
    runner = BotRunner(double, app)
    await runner.start_polling()
    return runner


async def test_buttons_edit_the_question_and_a_stale_press_only_gets_a_notice(mini_app, double):
    runner = await _polling(double, mini_app)
    try:
        user = TgUser(double, runner, 1001)
        await _register(user)
        await _open_mini(user)
        for typed in ("4.840,67", "2.363", "10", "8"):
            await user.send(typed)
        subjects = user.messages()[-1]
        # several choices may be picked: a numbered list to type, not buttons
        assert "reply_markup" not in subjects
        assert "1. Tranh chấp đất đai" in subjects["text"] and "3. Dân sự" in subjects["text"]
        await user.send("1, 3")
        bypass = user.keyboard_message()
        assert [b["callback_data"] for b in user.buttons(bypass)] == ["a:yes|bypass", "a:no|bypass"]
        await user.send("không")  # answered by typing: the yes/no buttons stay on screen
        level = user.keyboard_message()
        assert "Mức độ hoàn thành" in level["text"]

        # an old button of an earlier question: a short notice, nothing stored, nothing sent
        replies = await user.press("a:yes", message=bypass)
        assert [c.params.get("text") for c in replies.answers] == [STALE]
        assert replies.of("sendMessage") == []
        assert (await _answers(mini_app))["bypass"] is False and "level" not in await _answers(mini_app)
        assert "reply_markup" not in user.message(bypass["message_id"])  # its keyboard is gone

        # the current question by button: answered, and the question shows the answer, keyboard gone
        replies = await user.press("a:good")
        assert len(replies.answers) == 1 and replies.answers[0].params.get("text") is None
        edited = user.message(level["message_id"])
        assert edited["text"] == level["text"] + "\n\n✅ Tốt" and "reply_markup" not in edited
        assert "Tỷ lệ hộ nghèo" in replies.texts[-1]
        # a forged press on that answered question cannot change it
        replies = await user.press(message=level, data="a:fair|level")
        assert [c.params.get("text") for c in replies.answers] == [STALE]
        assert (await _answers(mini_app))["level"] == "good"
    finally:
        await runner.stop()


async def test_unregistered_chat_can_only_register_and_read_help(mini_app, double):
    runner = await _polling(double, mini_app)
    try:
        user = TgUser(double, runner, 1002)
        replies = await user.send("/baocaomoi")
        assert replies.texts == [_("Please register first: send your invite code, e.g. /start ABC123.")]
        replies = await user.send("/huongdan")
        assert replies.texts == [help_text(registered=False)]
        replies = await user.press(message={"message_id": replies.of("sendMessage")[0].result["message_id"]},
                                   data="tpl:mini")  # a forged button press
        assert len(replies.answers) == 1
        assert replies.texts == [_("Please send your invite code.")]
        async with mini_app.sessions() as s:
            assert (await s.exec(select(Report))).all() == []
            assert (await s.exec(select(ChannelIdentity))).all() == []
    finally:
        await runner.stop()


async def test_expired_invite_code_is_refused(mini_app, clock, double):
    async with mini_app.sessions() as s, s.begin():
        org = await repo.org_by_code(s, "DONG_SON")
        invite = await create_invite(s, org, Role.officer, uses=5, days=1, now=clock())
    clock.now += timedelta(days=2)
    runner = await _polling(double, mini_app)
    try:
        user = TgUser(double, runner, 1003)
        replies = await user.send(f"/start {invite.code}")
        assert replies.texts == [_("The invite code “{code}” has expired. Ask your supervisor for a new one.").format(
            code=invite.code)]
        replies = await user.send("Nguyễn Văn Bình")  # not taken as a name: still no registration
        assert "Xã Đông Sơn" not in replies.text
        async with mini_app.sessions() as s:
            assert (await s.exec(select(ChannelIdentity))).all() == []
            assert (await s.get(Invite, invite.id)).uses_left == 5
    finally:
        await runner.stop()


async def test_two_quick_messages_of_one_chat_are_handled_in_order(mini_app, double):
    runner = await _polling(double, mini_app)
    try:
        user = TgUser(double, runner, 1004)
        other = TgUser(double, runner, 1005)
        # the first reply is slow to send; the second message must still wait for it
        double.delay("sendMessage", 0.3)
        mark = double.mark()
        first, name, stranger = await double.push_many([
            double.message_update(1004, "/start DEMO2026"),
            double.message_update(1004, "Nguyễn Văn An"),
            double.message_update(1005, "/huongdan"),
        ])
        for uid in (first, name, stranger):
            await runner.wait_handled(uid)
        # what the user sees, in the order the messages arrived in the chat
        assert [m["text"] for m in user.messages()] == [
            _("The code is valid. What is your full name?"),
            _("Thank you, {name}. You are registered for {org}.").format(name="Nguyễn Văn An", org="Xã Đông Sơn"),
            _("What would you like to do?"),
        ]
        sent = [c for c in double.since(mark, 1004) if c.method == "sendMessage"]
        # another chat is not held up behind the slow one
        help_sent = [c for c in double.since(mark, 1005) if c.method == "sendMessage"][0]
        assert help_sent.at < sent[1].at
        assert other.messages()[-1]["text"] == help_text(registered=False)
    finally:
        await runner.stop()


async def test_webhook_needs_the_secret_header_and_ignores_a_repeated_update(mini_app, double):
    runner = BotRunner(double, mini_app)
    url = await runner.start_webhook(secret="webhook-Secret_for-tests")
    try:
        assert double.webhook == {"url": url, "secret_token": "webhook-Secret_for-tests",
                                  "allowed_updates": ["message", "edited_message", "callback_query", "my_chat_member"]}
        user = TgUser(double, runner, 1006)
        forged = double.message_update(1006, "/start DEMO2026")
        assert await double.deliver(forged, secret=None) == 401
        assert await double.deliver(forged, secret="webhook-Secret_for-tests-not") == 401
        await asyncio.sleep(0.05)
        assert runner.handled[forged["update_id"]] == 0 and double.of("sendMessage") == []

        await _register(user)  # delivered by the double with the registered secret
        await _open_mini(user)
        update = double.message_update(1006, "4.840,67")
        await double.push(update)
        await runner.wait_handled(update["update_id"])
        mark = double.mark()
        # Telegram delivers the same update again (e.g. our answer to it was lost)
        assert await double.deliver(update) == 200
        await runner.service.inbox.drain()  # a repeat still in hand is not handled again; a later one is a no-op
        assert double.since(mark, 1006) == []
        assert await _answers(mini_app) == {"area": "4840.67"}
        async with mini_app.sessions() as s:
            assert len((await s.exec(select(AnswerAudit))).all()) == 1
        # polling cannot run while the webhook is set; the bot removes it when it switches to polling
        await runner.stop()
        await runner.start_polling()
        assert double.webhook is None
        replies = await user.send("2.363")
        assert "Số đơn thư tiếp nhận" in replies.texts[-1]
    finally:
        await runner.stop()


async def test_webhook_secret_is_generated_when_not_configured(mini_app, double):
    runner = BotRunner(double, mini_app)
    await runner.start_webhook(secret=None)
    try:
        secret = double.webhook["secret_token"]
        assert secret and len(secret) >= 32 and secret == runner.service.webhook_secret
        update = double.message_update(1007, "/huongdan")
        assert await double.deliver(update, secret=None) == 401
        assert await double.deliver(update) == 200
        await runner.wait_handled(update["update_id"])
        assert double.bot_messages(1007)[-1]["text"] == help_text(registered=False)
    finally:
        await runner.stop()


async def test_long_text_is_split_and_documents_are_sent_as_files(mini_app, double, tmp_path):
    runner = await _polling(double, mini_app)
    try:
        user = TgUser(double, runner, 1008)
        await user.send("/huongdan")
        lines = [f"{n}. Dòng thứ {n} của một tin nhắn rất dài 💡 có dấu tiếng Việt" for n in range(1, 400)]
        path = tmp_path / "bao-cao.docx"
        path.write_bytes(b"PK\x03\x04 a small stand-in for a Word file")
        long = Outgoing("\n".join(lines))
        with_file = Outgoing("Báo cáo 6 tháng đầu năm 2026", document=Document(path, "Bao cao 6 thang.docx"))
        mark = double.mark()
        await runner.service.updates.send("1008", [long, with_file])
        sent = double.since(mark, 1008)
        texts = [c.params["text"] for c in sent if c.method == "sendMessage"]
        assert len(texts) >= 4 and all(len(t.encode("utf-16-le")) // 2 <= 4096 for t in texts)
        assert "\n".join(texts) == "\n".join(lines)  # split at line breaks, nothing lost
        document = [c for c in sent if c.method == "sendDocument"]
        assert len(document) == 1 and document[0].status == 200
        assert document[0].files["document"] == ("Bao cao 6 thang.docx", path.read_bytes())
        assert document[0].params["caption"] == "Báo cáo 6 tháng đầu năm 2026"
    finally:
        await runner.stop()


async def test_supervisor_creates_invite_codes_in_the_chat(mini_app, clock, double):
    async with mini_app.sessions() as s, s.begin():
        province = await repo.org_by_code(s, "BAC_NINH")
        other = OrgUnit(code="HA_NAM", name="Tỉnh Hà Nam", kind="province")
        s.add(other)
        boss = await create_invite(s, province, Role.supervisor, uses=1, days=3, now=clock())
    runner = await _polling(double, mini_app)
    try:
        supervisor = TgUser(double, runner, 1010, "Bình", "Trần")
        await supervisor.send(f"/start {boss.code}")
        await supervisor.send("Trần Văn Bình")
        # once registered, the supervisor's chat gets the longer command menu
        assert double.commands["vi@1010"] == [{"command": c, "description": d}
                                              for c, d in descriptions(supervisor=True)]
        assert {"command": "moi", "description": _("Create an invite code: /moi officer DONG_SON")} in \
            double.commands["vi@1010"]
        assert "en@1010" in double.commands

        replies = await supervisor.send("/moi officer dong_son 3")
        async with mini_app.sessions() as s:
            invite = (await s.exec(select(Invite).where(Invite.created_by.is_not(None)))).one()
            commune = await repo.org_by_code(s, "DONG_SON")
        assert (invite.org_unit_id, invite.role, invite.uses_left) == (commune.id, Role.officer, 3)
        assert invite.expires_at.replace(tzinfo=clock.now.tzinfo) == clock.now + timedelta(days=14)
        assert invite.code in replies.text
        assert f"https://t.me/danvan_test_bot?start={invite.code}" in replies.text

        replies = await supervisor.send("/moi officer HA_NAM")
        assert "HA_NAM" in replies.text and "DONG_SON" in replies.text  # not theirs; lists theirs
        replies = await supervisor.send("/moi boss DONG_SON")
        assert replies.texts == [_("Unknown role “{word}”: use officer, leader or supervisor.").format(word="boss")]

        # guided by buttons: the role, then the unit
        await supervisor.send("/moi")
        replies = await supervisor.press("inv:leader")
        units = [b["text"] for b in supervisor.buttons(supervisor.keyboard_message())]
        assert units == ["Tỉnh Bắc Ninh (BAC_NINH)", "Xã Đông Sơn (DONG_SON)"]
        replies = await supervisor.press(label="Xã Đông Sơn (DONG_SON)")
        async with mini_app.sessions() as s:
            leader_invite = (await s.exec(select(Invite).where(Invite.role == Role.leader))).one()
        assert leader_invite.code in replies.text and leader_invite.uses_left == 1

        # the officer opens the deep link: Telegram sends "/start CODE"
        officer = TgUser(double, runner, 1011)
        await _register(officer, code=invite.code)
        replies = await officer.send("/moi officer DONG_SON")
        assert replies.texts == [_("Only supervisors can create invite codes. Ask your supervisor for one.")]
        assert "vi@1011" not in double.commands  # an officer keeps the default menu
        async with mini_app.sessions() as s:
            assert (await s.get(Invite, invite.id)).uses_left == 2
    finally:
        await runner.stop()


async def test_menu_text_is_typed_choice_and_unknown_command_answered(mini_app, double):
    """Buttons are optional: typing the number of a menu entry works as in the other channels."""
    runner = await _polling(double, mini_app)
    try:
        user = TgUser(double, runner, 1012)
        await _register(user)
        replies = await user.send("1")
        assert replies.texts == [_("Which report do you want to prepare?")]
        replies = await user.send("/khongco")
        assert replies.texts == [_("Unknown command /{name}. Type {help} for the list.").format(
            name="khongco", help=cmd("help"))]
        async with mini_app.sessions() as s:
            conv = (await s.exec(select(Conversation))).one()
        assert conv.channel == "telegram" and conv.chat_id == "1012"
    finally:
        await runner.stop()


def test_choices_too_long_for_callback_data_become_a_numbered_list():
    from bot.channels.telegram.channel import callback_data, render
    from handlers.events import Choice

    short = Choice("a:land", "Tranh chấp đất đai")
    assert callback_data(short, "petition_subjects") == "a:land|petition_subjects"
    assert callback_data(short, "k" * 60) == "a:land"  # the question key does not fit: the bare id
    texts, keyboard = render(Outgoing("Chọn một", (short, Choice("x" * 65, "Quá dài"))))
    assert keyboard is None and texts == ["Chọn một\n\n1. Tranh chấp đất đai\n2. Quá dài"]
    texts, keyboard = render(Outgoing("Chọn một", (short,), meta={"screen": "question", "key": "subjects"}))
    assert texts == ["Chọn một"]
    assert [[b.callback_data for b in row] for row in keyboard.inline_keyboard] == [["a:land|subjects"]]
    texts, _kb = render(Outgoing("Mã mời: ABCD2345", meta={"invite_code": "ABCD2345"}), "danvan_bot")
    assert texts == ["Mã mời: ABCD2345\n🔗 https://t.me/danvan_bot?start=ABCD2345"]
