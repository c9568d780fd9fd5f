"""End to end through Telegram: the real aiogram bot, pointed at the Bot API double by base URL,
registers with an invite code, fills the whole commune 6-month report by button presses and typed
answers, is restarted in the middle and resumes at the right question, submits, gets the .docx."""

from __future__ import annotations

import io

from sqlmodel import select

from handlers.commands import descriptions
from reports.i18n import _, use_locale
from handlers.invites import create_invite
from handlers.parsing import parse_yesno
from reports.schema import Indicator, Template
from storage import repo
from storage.models import Answer, ChannelIdentity, Report, ReportStatus, User
from tests.conftest import make_app
from tests.sample_answers import HALF_YEAR
from tests.telegram_harness import BotRunner, TgUser, double  # noqa: F401 - the double fixture

CHAT = 730001


def question_on(template: Template, text: str) -> Indicator | None:
    """The indicator whose question a bot message asks, as the officer reads it on screen."""
    asked = [ind for ind in template.indicators if ind.question in text]
    return max(asked, key=lambda ind: len(ind.question)) if asked else None


def button_for(ind: Indicator) -> str | None:
    """The button an officer presses to give the sample answer, when the bot offers one."""
    typed = HALF_YEAR[ind.key]
    if ind.type == "yesno":
        return "a:yes" if parse_yesno(typed) else "a:no"
    if ind.type == "choice" and typed.isdigit():
        return f"a:{ind.choices[int(typed) - 1].id}"
    if ind.type == "text" and ind.standard and typed == "1":
        return "std"
    return None


async def answer(user: TgUser, ind: Indicator):
    """Answer like an officer: buttons where the bot offers them, typing everywhere else."""
    choice = button_for(ind)
    if choice is not None:
        return await user.press(choice, message=user.messages()[-1])
    return await user.send(HALF_YEAR[ind.key])


async def test_whole_half_year_report_over_telegram_with_a_restart(app, db_url, clock, double):
    template = app.templates["commune_half_year"]
    runner = BotRunner(double, app)
    await runner.start_polling()
    try:
        # the command menu, in Vietnamese by default and in English for English clients
        with use_locale("vi"):
            assert double.commands[""] == [{"command": c, "description": d} for c, d in descriptions()]
        with use_locale("en"):
            assert double.commands["en"] == [{"command": c, "description": d} for c, d in descriptions()]
        assert "callback_query" in double.allowed_updates

        async with app.sessions() as s, s.begin():
            commune = await repo.org_by_code(s, "DONG_SON")
            invite = await create_invite(s, commune, "officer", uses=1, days=7, now=clock())
        user = TgUser(double, runner, CHAT)
        # the deep link https://t.me/<bot>?start=CODE arrives as "/start CODE"
        replies = await user.send(f"/start {invite.code}")
        assert replies.texts == [_("The code is valid. What is your full name?")]
        replies = await user.send("Nguyễn Văn An")
        assert "Xã Đông Sơn" in replies.texts[0]
        await user.press("new")
        await user.press(f"tpl:{template.key}")
        replies = await user.press("per:2026-H1")
        period_message = user.messages()[-3]
        assert period_message["text"].endswith("✅ 6 tháng đầu năm 2026 (15/12/2025 – 14/06/2026)")
        assert "reply_markup" not in period_message  # the answered keyboard is gone

        asked: list[str] = []
        pressed = 0
        while (ind := question_on(template, user.messages()[-1]["text"])) is not None:
            asked.append(ind.key)
            if len(asked) == 30:  # the bot stops and starts again in the middle of the report
                await runner.stop()
                await app.close()
                runner.app = app = await make_app(db_url, clock)
                await runner.start_polling()
                replies = await user.send("/tieptuc")
                assert question_on(template, replies.texts[-1]) is ind, "resumed at another question"
            replies = await answer(user, ind)
            pressed += bool(replies.answers)
            assert len(asked) < 150, "the questions never ended"
            assert all(c.status == 200 for c in replies.calls), [c for c in replies.calls if c.status != 200]
        # yes/no, choices and standard paragraphs went by button, each press answered
        assert pressed == sum(button_for(template.by_key[k]) is not None for k in asked) >= 5
        assert len(set(asked)) == len(asked)  # no question was asked twice, restart included

        # every question answered: the review (long: split at 4,096) ends with the submit button
        review = user.keyboard_message()
        assert user.button(review, "submit")
        replies = await user.press("submit")
        replies = await user.press("confirm:yes")
        assert replies.answers and all(c.status == 200 for c in replies.calls)
        async with app.sessions() as s:
            report = (await s.exec(select(Report))).one()
            assert report.status == ReportStatus.submitted
            stored = {a.key for a in (await s.exec(select(Answer).where(Answer.report_id == report.id))).all()}
            identity = (await s.exec(select(ChannelIdentity))).one()
            officer = (await s.exec(select(User))).one()
        assert stored == set(asked)
        assert (identity.channel, identity.chat_id, identity.blocked) == ("telegram", str(CHAT), False)
        assert officer.full_name == "Nguyễn Văn An" and officer.org_unit_id == commune.id

        # the Word file arrives as a document (the compiled report, issue 3)
        assert replies.documents, "no .docx was sent after submitting"
        filename, data = replies.documents[-1].files["document"]
        assert filename.endswith(".docx")
        from docx import Document as Docx

        docx = Docx(io.BytesIO(data))
        body = "\n".join(p.text for p in docx.paragraphs).replace("\u00a0", " ")  # no-break spaces kept aside
        header = "\n".join(cell.text for table in docx.tables for row in table.rows for cell in row.cells)
        assert "BÁO CÁO" in body and "6 tháng đầu năm 2026" in body
        assert "XÃ ĐÔNG SƠN" in header  # the issuing body, in the header table
    finally:
        await runner.stop()
        await app.close()
