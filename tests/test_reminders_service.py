"""Reminders, digests and submit notices planned from the database and sent through the console channel,
with a clock the tests move (Tuesday 16 June 2026, 09:00 in Hà Nội unless moved)."""

import asyncio
from datetime import date

from sqlmodel import select

from bot.app import build_app
from bot.settings import Settings
from storage import repo
from storage.models import ChannelIdentity, OrgUnit, User
from tests.conftest import MINI_TEMPLATES, Chat
from tests.reminders_support import (
    Console, build_tree, draft, logs, service, submit, vn,
)
from tests.sample_answers import fill

OFFICER_CHATS = {"1001", "1002", "1003"}

MINI_ANSWERS = {
    "area": "4.840,67", "households": "2.363", "received": "10", "resolved": "8", "subjects": "1, 3",
    "bypass": "không", "level": "1", "share": "3,5", "cultural": "12/14", "meeting_date": "19/02/2026",
    "documents": "không", "strengths": "1",
}


async def test_only_officers_of_communes_that_have_not_submitted_are_reminded(mini_app, clock):
    await build_tree(mini_app)
    await submit(mini_app, "DONG_SON")
    await draft(mini_app, "DUNG_LIET", {"area": 100, "households": 200})
    console = Console()
    result = await service(mini_app, console).run()
    assert sorted(console.chats()) == ["1002", "1003"]  # not 1001: Đông Sơn has submitted
    assert result.sent == 2 and result.failed == 0
    binh, chi = console.to("1002")[0], console.to("1003")[0]
    # Saturday's "7 days before" reminder goes out at the next office hour, saying how long is left
    assert "Xã Dũng Liệt có hạn nộp ngày 20/06/2026, còn 4 ngày" in binh
    assert "Đến nay đã trả lời 2/12 câu hỏi." in binh and "Làm tiếp ngay: /tieptuc" in binh
    assert "Báo cáo chưa được bắt đầu (gồm 12 câu hỏi)." in chi and "Bắt đầu báo cáo ngay: /baocaomoi" in chi
    rows = await logs(mini_app)
    assert {(r.chat_id, r.period, r.kind, r.status) for r in rows} == {
        ("1002", "2026-H1", "before-7", "sent"), ("1003", "2026-H1", "before-7", "sent")}


async def test_the_continue_button_of_a_reminder_continues_the_report(mini_app, clock):
    await build_tree(mini_app)
    chat = Chat(mini_app, "1002")
    await chat.open_report("mini")
    await chat.send("4.840,67")
    await chat.send("/tamdung")
    plan = await service(mini_app, Console()).plan()
    notice = next(p for p in plan if p.chat_id == "1002").notices[0]
    assert notice.choices[0][0] == "continue"
    reply = await chat.send(choice=notice.choices[0][0])
    assert "1/12" in reply and "Số hộ" in reply  # straight back to the next question


async def test_reminders_speak_the_recipients_language(mini_app, clock):
    await build_tree(mini_app)
    async with mini_app.sessions() as s, s.begin():
        user = await repo.user_for(s, "console", "1003")
        user.locale = "en"
        s.add(user)
    console = Console()
    await service(mini_app, console).run()
    assert "is due on 20/06/2026, in 4 days" in console.to("1003")[0]
    assert "còn 4 ngày" in console.to("1002")[0]


async def test_nothing_is_sent_outside_office_hours_or_at_weekends(mini_app, clock):
    await build_tree(mini_app)
    console = Console()
    svc = service(mini_app, console)
    for moment in ("2026-06-16 07:29", "2026-06-16 17:00", "2026-06-20 09:00", "2026-06-21 10:00"):
        clock.now = vn(moment)
        assert await svc.plan() == []
        result = await svc.run()
        assert (result.office_hours, result.sent) == (False, 0)
    assert console.messages() == [] and await logs(mini_app) == []
    clock.now = vn("2026-06-22 07:30")  # Monday, office opens: the due-date reminder, sent late
    assert len((await svc.run()).items) == 3 + 2  # three officers, two supervisors' digests
    assert sorted(console.chats()) == ["1001", "1002", "1003", "2001", "2002"]


async def test_no_duplicate_across_a_restart(db_url, clock):
    settings = Settings(database_url=db_url, templates_dir=MINI_TEMPLATES)
    app = await build_app(settings, seed_demo=True, clock=clock)
    await build_tree(app)
    first = Console()
    assert (await service(app, first).run()).sent == 3
    assert (await service(app, first).run()).claimed == 0  # the 14:00 run of the same day
    await app.close()
    restarted = await build_app(settings, seed_demo=True, clock=clock)  # a new process on the same database
    try:
        second = Console()
        result = await service(restarted, second).run()
        assert (result.planned, result.claimed, second.messages()) == (0, 0, [])
        assert len(await logs(restarted)) == 3
    finally:
        await restarted.close()


async def test_two_processes_at_once_send_each_reminder_once(db_url, clock):
    """Two processes (two engines on one database) run the same job at the same moment."""
    settings = Settings(database_url=db_url, templates_dir=MINI_TEMPLATES)
    a = await build_app(settings, seed_demo=True, clock=clock)
    b = await build_app(settings, seed_demo=True, clock=clock)
    try:
        await build_tree(a)
        ca, cb = Console(), Console()
        sa, sb = service(a, ca), service(b, cb)
        pa, pb = await sa.plan(), await sb.plan()
        assert len(pa) == len(pb) == 3  # both see the same three reminders due …
        ra, rb = await asyncio.gather(sa.send(pa), sb.send(pb))
        assert ra.claimed + rb.claimed == 3  # … and between them claim each once
        assert sorted(ca.chats() + cb.chats()) == sorted(OFFICER_CHATS)
        # whole runs racing each other: nothing more goes out
        ra, rb = await asyncio.gather(sa.run(), sb.run())
        assert ra.claimed + rb.claimed == 0
        rows = await logs(a)
        assert len(rows) == 3 and all(r.status == "sent" for r in rows)
    finally:
        await a.close()
        await b.close()


async def test_after_downtime_only_the_latest_missed_reminder_is_sent_once(mini_app, clock):
    await build_tree(mini_app)
    console = Console()
    svc = service(mini_app, console)
    await svc.run()  # Tuesday 16 June: "7 days before"
    console.clear()
    # down from Tuesday until Monday 22 June: missed "3 days before", "1 day before" and the due date
    clock.now = vn("2026-06-22 08:00")
    result = await svc.run()
    officer_items = [i for i in result.items if i.category == "reminder"]
    assert sorted((i.chat_id, i.kind) for i in officer_items) == [
        ("1001", "due"), ("1002", "due"), ("1003", "due")]
    assert len(console.to("1002")) == 1
    assert "có hạn nộp ngày 20/06/2026, nay đã chậm 2 ngày" in console.to("1002")[0]
    assert (await svc.run()).claimed == 0
    console.clear()
    clock.now = vn("2026-06-23 14:00")  # two working days after Saturday the 20th
    await svc.run()
    assert sorted(console.chats()) == ["1001", "1002", "1003", "2001", "2002"]
    kinds = {(r.chat_id, r.kind) for r in await logs(mini_app)}
    assert ("1002", "before-3") not in kinds and ("1002", "before-1") not in kinds
    assert {("1002", "before-7"), ("1002", "due"), ("1002", "overdue-1")} <= kinds


async def test_supervisor_digest_on_the_due_date_and_on_each_overdue_day(mini_app, clock):
    """Due on Saturday 20/06/2026: officers and supervisors hear on Friday 19, the last working day
    before it; nothing more on Monday; the first overdue digest on Tuesday 23, two working days on."""
    await build_tree(mini_app)
    await submit(mini_app, "DONG_SON")
    await draft(mini_app, "DUNG_LIET", {"area": 100, "households": 200, "received": 0})
    console = Console()
    svc = service(mini_app, console)
    clock.now = vn("2026-06-19 09:00")  # Friday, the last working day before the due date
    await svc.run()
    assert sorted(console.chats()) == ["1002", "1003", "2001", "2002"]
    assert "rơi vào ngày nghỉ; hôm nay là ngày làm việc cuối cùng trước hạn" in console.to("1002")[0]
    province, district = console.to("2001"), console.to("2002")
    assert len(province) == len(district) == 1
    assert "Tỉnh Bắc Ninh, hạn nộp ngày mai, 20/06/2026" in province[0]
    assert "Đã nộp: 1/3 xã. Chưa nộp (2):" in province[0]
    assert "• Xã Dũng Liệt: đã trả lời 3/9 (33%)" in province[0]  # progress as the officer sees it
    assert "• Xã Tam Giang: chưa bắt đầu" in province[0]
    assert "Đông Sơn" not in province[0]
    assert "Huyện Yên Phong" in district[0] and "Đã nộp: 0/2 xã. Chưa nộp (2):" in district[0]
    console.clear()
    clock.now = vn("2026-06-22 09:00")  # Monday after the Saturday due date: nothing new yet
    await svc.run()
    assert console.chats() == []
    clock.now = vn("2026-06-23 09:00")  # Tuesday: the first overdue reminder and digest
    await svc.run()
    assert "Tỉnh Bắc Ninh, hạn nộp 20/06/2026, đã quá 3 ngày" in console.to("2001")[0]
    console.clear()
    await submit(mini_app, "DUNG_LIET")
    await submit(mini_app, "TAM_GIANG")
    clock.now = vn("2026-06-25 09:00")  # the second overdue day: everyone has submitted now
    result = await svc.run()
    assert [i for i in result.items if i.category in ("reminder", "digest")] == []


async def test_a_long_digest_is_split_into_messages_any_channel_takes(mini_app, clock):
    await build_tree(mini_app)
    async with mini_app.sessions() as s, s.begin():
        district = await repo.org_by_code(s, "YEN_PHONG")
        for n in range(60):
            s.add(OrgUnit(code=f"XA_{n}", name=f"Xã Thử Nghiệm Có Tên Khá Dài Số {n}", kind="commune",
                          parent_id=district.id))
    clock.now = vn("2026-06-22 09:00")
    console = Console()
    await service(mini_app, console).run()
    parts = console.to("2002")
    assert len(parts) > 1 and all(len(p) <= 1800 for p in parts)
    assert parts[1].startswith("(tiếp theo)")
    assert sum(p.count("chưa bắt đầu") for p in parts) == 62
    assert len([r for r in await logs(mini_app) if r.chat_id == "2002"]) == 1  # one digest, several messages


async def test_submit_notice_once_to_the_supervisors_above(mini_app, clock):
    await build_tree(mini_app)
    chat = Chat(mini_app, "1003")  # Hoàng Văn Chí of Xã Tam Giang, registered by build_tree
    await chat.open_report("mini")
    await fill(chat, MINI_ANSWERS)
    await chat.send("/nop")
    assert "Đã nộp" in await chat.send(choice="confirm:yes")
    console = Console()
    svc = service(mini_app, console)
    clock.now = vn("2026-06-16 09:01")
    result = await svc.run_notices()
    assert sorted(console.chats()) == ["2001", "2002"]
    district = console.to("2002")[0]
    assert "✅ Xã Tam Giang đã nộp Báo cáo thử 2026 lúc 09:00 ngày 16/06/2026." in district
    assert "Đến nay Huyện Yên Phong đã có 1/2 xã nộp báo cáo." in district
    assert "Đến nay Tỉnh Bắc Ninh đã có 1/3 xã nộp báo cáo." in console.to("2001")[0]
    assert result.sent == 2
    assert (await svc.run_notices()).claimed == 0  # once only
    # and the officer who submitted is not reminded any more
    console.clear()
    await svc.run()
    assert "1003" not in console.chats()


async def test_a_submission_in_the_evening_is_announced_next_morning(mini_app, clock):
    await build_tree(mini_app)
    await submit(mini_app, "DUNG_LIET", at=vn("2026-06-19 20:15"))  # Friday evening
    console = Console()
    svc = service(mini_app, console)
    clock.now = vn("2026-06-19 20:16")
    assert (await svc.run_notices()).sent == 0
    clock.now = vn("2026-06-22 07:31")  # Monday morning
    await svc.run_notices()
    assert "lúc 20:15 ngày 19/06/2026" in console.to("2002")[0]


async def test_inherited_and_overridden_deadlines_drive_the_reminders(mini_app, clock):
    ids = await build_tree(mini_app)
    async with mini_app.sessions() as s, s.begin():
        await repo.set_deadline(s, ids["BAC_NINH"], "half_year", date(2025, 6, 25), None, None)  # every year
        await repo.set_deadline(s, ids["YEN_PHONG"], "half_year", date(2026, 6, 18), 2026, None)  # this year
    svc = service(mini_app, Console())
    clock.now = vn("2026-06-17 08:00")
    due = {(p.chat_id, p.kind, p.due) for p in await svc.plan()}
    assert due == {("1002", "before-1", date(2026, 6, 18)), ("1003", "before-1", date(2026, 6, 18))}
    clock.now = vn("2026-06-18 08:00")
    due = {(p.chat_id, p.kind, p.due) for p in await svc.plan()}
    assert ("1001", "before-7", date(2026, 6, 25)) in due  # Đông Sơn: the province's default
    assert ("1002", "due", date(2026, 6, 18)) in due  # Dũng Liệt: the district's setting for 2026
    assert ("2002", "digest-due", date(2026, 6, 18)) in due
    assert not any(chat == "2001" for chat, _k, _d in due)  # the province's own date is the 25th
    # the district's setting was for 2026 only: in 2027 the province's default reaches it again
    clock.now = vn("2027-06-18 08:00")
    assert {(p.chat_id, p.kind, p.due) for p in await svc.plan() if p.chat_id == "1002"} == {
        ("1002", "before-7", date(2027, 6, 25))}


async def test_a_blocked_identity_is_skipped_and_another_channel_is_used(mini_app, clock):
    await build_tree(mini_app)
    async with mini_app.sessions() as s, s.begin():
        await repo.set_blocked(s, "console", "1002", True)
    assert "1002" not in {p.chat_id for p in await service(mini_app, Console()).plan()}
    async with mini_app.sessions() as s, s.begin():
        binh = (await s.exec(select(User).where(User.full_name == "Trần Thị Bình"))).one()
        s.add(ChannelIdentity(channel="console", external_id="binh-2", chat_id="1002b", user_id=binh.id))
    assert "1002b" in {p.chat_id for p in await service(mini_app, Console()).plan()}


async def test_the_annual_report_across_the_new_year(app, clock):
    """The real templates: on 16 December the annual report still due is that year's, not the next."""
    ids = await build_tree(app)
    console = Console()
    svc = service(app, console)
    clock.now = vn("2026-12-16 08:00")  # due on Sunday 20: "3 days before" steps back to Wednesday 16
    items = await svc.run()
    assert {(i.chat_id, i.period, i.kind) for i in items.items} == {
        ("1001", "2026", "before-3"), ("1002", "2026", "before-3"), ("1003", "2026", "before-3")}
    assert "Báo cáo năm 2026" in console.to("1001")[0]
    assert "còn 4 ngày" in console.to("1001")[0]
    # the province moves the 2026 annual report into January 2027
    async with app.sessions() as s, s.begin():
        await repo.set_deadline(s, ids["BAC_NINH"], "annual", date(2027, 1, 5), 2026, None)
    console.clear()
    clock.now = vn("2027-01-04 08:00")  # Monday
    items = await svc.run()
    assert {(i.chat_id, i.period, i.kind) for i in items.items} == {
        ("1001", "2026", "before-1"), ("1002", "2026", "before-1"), ("1003", "2026", "before-1")}
    assert "có hạn nộp ngày mai, 05/01/2027" in console.to("1001")[0]


async def test_a_plan_for_an_earlier_moment_leaves_out_what_was_submitted_later(mini_app, clock):
    await build_tree(mini_app)
    await submit(mini_app, "DUNG_LIET", at=vn("2026-06-16 09:00"))
    svc = service(mini_app, Console())
    assert await svc.plan_notices(vn("2026-06-15 10:00")) == []  # the day before: not submitted yet
    assert {p.chat_id for p in await svc.plan_notices(vn("2026-06-16 10:00"))} == {"2001", "2002"}
