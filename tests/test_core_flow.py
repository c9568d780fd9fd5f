"""The conversation core end to end on a real database: the officer's whole path through a report."""

from sqlmodel import select

from storage import repo
from storage.models import Answer, AnswerAudit, Conversation, Report, ReportStatus
from tests.conftest import Chat, make_app, MINI_TEMPLATES
from tests.sample_answers import HALF_YEAR, fill


async def _answers(app, report_id=None):
    async with app.sessions() as s:
        stmt = select(Answer) if report_id is None else select(Answer).where(Answer.report_id == report_id)
        return {a.key: (None if a.skipped else a.value) for a in (await s.exec(stmt)).all()}


async def _audit_count(app):
    async with app.sessions() as s:
        return len((await s.exec(select(AnswerAudit))).all())


async def test_unregistered_chat_can_only_register_or_read_help(mini_app):
    chat = Chat(mini_app)
    assert "mã mời" in await chat.send("/baocaomoi")
    assert "mã mời" in await chat.send("/huongdan")
    assert "không có trong hệ thống" in await chat.send("/start NOPE")
    assert "họ và tên" in await chat.send("demo2026")
    assert "Xã Đông Sơn" in await chat.send("Nguyễn Văn An")


async def test_expired_and_used_codes(mini_app, clock):
    from datetime import timedelta

    async with mini_app.sessions() as s, s.begin():
        org = await repo.org_by_code(s, "DONG_SON")
        await repo.create_invite(s, "OLD1", org.id, "officer", expires_at=clock.now - timedelta(days=1))
        await repo.create_invite(s, "ONCE", org.id, "officer", uses_left=1)
    assert "hết hạn" in await Chat(mini_app, "a").send("/start OLD1")
    first = Chat(mini_app, "b")
    await first.register(code="ONCE")
    assert "hết lượt" in await Chat(mini_app, "c").send("/start ONCE")


async def test_valid_answer_is_stored_before_the_reply_and_bad_one_stores_nothing(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini")
    before = await _audit_count(mini_app)
    reply = await chat.send("4.840.67")
    assert "Chưa hợp lệ" in reply and "4.840,67" in reply  # the hint with its example
    assert await _audit_count(mini_app) == before
    assert await _answers(mini_app) == {}
    reply = await chat.send("4.840,67")
    assert "Số hộ" in reply
    assert await _answers(mini_app) == {"area": "4840.67"}


async def test_cross_field_rule_rejects_and_keeps_old_value(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini")
    for text in ("100", "200", "10"):
        await chat.send(text)
    reply = await chat.send("12")
    assert "không được lớn hơn số đơn tiếp nhận" in reply
    assert "resolved" not in await _answers(mini_app)
    await chat.send("8")
    assert (await _answers(mini_app))["resolved"] == 8


async def test_skip_logic_no_petitions_skips_details(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini")
    await chat.send("100")
    await chat.send("200")
    reply = await chat.send("không")
    assert "Mức độ hoàn thành" in reply


async def test_back_skip_keep_edit_review_submit(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini")
    await chat.send("100")
    assert "đầu tiên" not in await chat.send("/quaylai")  # back to the area question
    assert "Câu trả lời hiện tại: 100 ha" in chat.last[-1].text
    assert "Số hộ" in await chat.send("/giunguyen")
    assert "bắt buộc" in await chat.send("/boqua")  # households is required
    await chat.send("200")
    await chat.send("10")
    await chat.send("8")
    await chat.send("1, 3")
    assert "Mức độ" in await chat.send("/boqua")  # bypass is optional
    await chat.send(choice="a:good")
    await chat.send("/skip")
    await chat.send("12/14")
    await chat.send("/boqua")
    await chat.send("Kế hoạch; 145/KH-UBND; 19/02/2026; công khai | Quyết định; 156/QĐ-UBND; 26/02/2026")
    reply = await chat.send(choice="std")
    assert "Đã trả lời hết" in reply and "Tiến độ: đã trả lời 12/12" in reply
    assert "3. Số đơn thư tiếp nhận trong 6 tháng đầu năm: 10 đơn" in reply
    assert "6. Có đơn vượt cấp không: (bỏ qua)" in reply
    # edit from the review: back to the review afterwards, the rule still applies
    reply = await chat.send("/sua 3")
    assert "Câu trả lời hiện tại: 10 đơn" in reply
    assert "không được lớn hơn" in await chat.send("5")
    reply = await chat.send("20")
    assert "Xem lại" in reply and "3. Số đơn thư tiếp nhận trong 6 tháng đầu năm: 20 đơn" in reply
    answers = await _answers(mini_app)
    assert answers["received"] == 20 and answers["strengths"] == "Đoạn mẫu do nhóm viết để thử."
    assert answers["documents"][1] == {"kind": "qd", "number": "156/QĐ-UBND", "date": "2026-02-26"}
    # submit asks for confirmation, then locks
    assert "Nộp" in await chat.send("/nop")
    assert chat.choices == ["confirm:yes", "confirm:no"]
    reply = await chat.send(choice="confirm:yes")
    assert "Đã nộp" in reply and "16/06/2026" in reply and "09:00" in reply
    async with mini_app.sessions() as s:
        report = (await s.exec(select(Report))).one()
        assert report.status == ReportStatus.submitted
        audit = (await s.exec(select(AnswerAudit).where(AnswerAudit.key == "received"))).all()
        assert [(a.old_value, a.new_value) for a in audit] == [(None, 10), (10, 20)]
    # edits refused after submit, nothing changes
    assert "đã khóa" in await chat.send("/sua 3")
    assert (await _answers(mini_app))["received"] == 20


async def test_submit_refused_while_required_answers_missing(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini")
    await chat.send("100")
    reply = await chat.send("/nop")
    assert "Chưa nộp được" in reply and "2. Số hộ: chưa trả lời" in reply
    async with mini_app.sessions() as s:
        assert (await s.exec(select(Report))).one().status == ReportStatus.draft


async def test_pause_and_resume_after_restart(db_url, clock):
    app = await make_app(db_url, clock, MINI_TEMPLATES)
    chat = Chat(app)
    await chat.register()
    await chat.open_report("mini")
    await chat.send("100")
    await chat.send("200")
    assert "Đã lưu" in await chat.send("/tamdung")
    assert "tạm dừng" in await chat.send("12")
    await app.close()

    restarted = await make_app(db_url, clock, MINI_TEMPLATES)
    try:
        chat = Chat(restarted)
        reply = await chat.send("/start")
        assert "đã trả lời 2/" in reply and "Số đơn thư tiếp nhận" in reply
        await chat.send("7")
        assert (await _answers(restarted)) == {"area": "100", "households": 200, "received": 7}
    finally:
        await restarted.close()


async def test_repeated_update_id_is_ignored(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini")
    await chat.send("100", update_id="u-500")
    assert await chat.send("999", update_id="u-500") == ""
    assert await _answers(mini_app) == {"area": "100"}
    async with mini_app.sessions() as s:
        conv = (await s.exec(select(Conversation))).one()
        assert conv.current_key == "households"


async def test_one_report_per_commune_type_and_period(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini")
    await chat.send("100")
    other = Chat(mini_app, "officer2")
    await other.register(name="Trần Thị Bình")
    reply = await other.open_report("mini")
    assert "đã có" in reply and "Số hộ" in reply
    async with mini_app.sessions() as s:
        assert len((await s.exec(select(Report))).all()) == 1


async def test_profile_answers_reused_next_period(mini_app):
    from tests.test_carry import after_last_period

    _chat, reply = await after_last_period(mini_app)  # offered, not stored unasked (tests/test_carry.py)
    assert "Có 2 câu trả lời của Báo cáo thử 2025 có thể giữ nguyên" in reply and "Kỳ trước: 4.840,67 ha" in reply


async def test_english_on_request(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    assert "English" in await chat.send("/language en")
    assert "Start a new report" in await chat.send("/help") or "start a new report" in chat.last[0].text
    reply = await chat.send("/nop")
    assert "There is no report open" in reply


async def test_whole_real_six_month_report(app):
    chat = Chat(app)
    await chat.register()
    reply = await chat.open_report("commune_half_year")
    assert "Câu 1/" in reply
    answered = await fill(chat, HALF_YEAR)
    assert answered >= 60
    assert "Đã trả lời hết" in chat.last[0].text
    await chat.send("/nop")
    reply = await chat.send(choice="confirm:yes")
    assert "Đã nộp" in reply
    answers = await _answers(app)
    assert answers["dossiers_received"] == 1028 and answers["natural_area"] == "2706.51"
    assert answers["cultural_areas"] == ["12", "14"] and answers["petition_subjects"] == ["land_disputes"]


async def test_unmatched_text_on_a_menu_repeats_the_options(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    await chat.send("/baocaomoi")
    reply = await chat.send("báo cáo quý")
    assert "chọn một phương án theo số thứ tự" in reply and chat.choices == ["tpl:mini"]
    assert "Báo cáo cho kỳ nào" in await chat.send("1")


async def test_a_failure_rolls_back_and_the_update_can_be_resent(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini")
    async with mini_app.engine.begin() as conn:  # the audit table becomes unavailable
        await conn.exec_driver_sql("ALTER TABLE answer_audit RENAME TO answer_audit_away")
    reply = await chat.send("100", update_id="u-900")
    assert "chưa có gì được lưu" in reply
    assert await _answers(mini_app) == {}
    async with mini_app.engine.begin() as conn:
        await conn.exec_driver_sql("ALTER TABLE answer_audit_away RENAME TO answer_audit")
    assert "Số hộ" in await chat.send("100", update_id="u-900")
    assert await _answers(mini_app) == {"area": "100"}
