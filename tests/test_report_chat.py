"""The compiled report through the conversation core: after submit, on request for a draft, the
commune's settings edited in the chat, the comparison with last year, and ``danvan export``."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import zipfile
from pathlib import Path

import docx
from lxml import etree
from sqlmodel import select

from storage import repo
from storage.models import Report
from tests.conftest import Chat, make_app
from tests.sample_answers import HALF_YEAR, fill
from tests.test_report_docx import plain

ROOT = Path(__file__).resolve().parent.parent

MINI = {
    "area": "4.840,67", "households": "1.028", "received": "12", "resolved": "6", "subjects": "1, 3",
    "bypass": "không", "level": "1", "share": "3,5", "cultural": "12/14", "meeting_date": "19/02/2025",
    "documents": "Kế hoạch; 145/KH-UBND; 19/02/2025; công khai thông tin", "strengths": "1",
}


def texts_of(chat: Chat) -> list[str]:
    return [o.text for o in chat.last]


def documents_of(chat: Chat) -> list:
    return [o.document for o in chat.last if o.document is not None]


def summaries_of(chat: Chat) -> list[str]:
    return [o.text for o in chat.last if o.meta.get("screen") == "summary"]


def read(path: Path) -> tuple[docx.document.Document, str]:
    doc = plain(docx.Document(str(path)))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return doc, "\n".join([p.text for p in doc.paragraphs] + cells)


async def submit(chat: Chat) -> None:
    await chat.send("/nop")
    await chat.send(choice="confirm:yes")


async def test_submit_sends_the_summary_and_the_word_file(app, tmp_path):
    app.core.files_dir = tmp_path
    chat = Chat(app, channel="zalo")
    await chat.register()
    await chat.open_report("commune_half_year")
    await fill(chat, HALF_YEAR)
    await submit(chat)
    replies = texts_of(chat)
    assert replies[0].startswith("Đã nộp")
    summary = "\n".join(summaries_of(chat))
    assert all(len(t) <= 2000 for t in texts_of(chat))  # Zalo's limit
    assert summary.startswith("📊 Tóm tắt — Báo cáo 6 tháng đầu năm 2026")
    assert "(bản nháp)" not in summary
    assert "• Hồ sơ tiếp nhận: 1.028 hồ sơ" in summary
    assert "• Tỷ lệ giải quyết đơn thư: 80% (8/10 đơn)" in summary
    assert "• Khu dân cư văn hóa: 12/14 khu dân cư (85,71%)" in summary
    assert "Chưa có báo cáo đã nộp của 6 tháng đầu năm 2025 để so sánh cùng kỳ." in summary
    [document] = documents_of(chat)
    assert document.filename == "BaoCao_DONG_SON_commune_half_year_2026-H1.docx" and document.path.parent.parent == tmp_path
    doc, text = read(document.path)
    header = doc.tables[0]
    assert header.cell(1, 1).text == "Đông Sơn, ngày 16 tháng 6 năm 2026"  # the day it was submitted
    assert re.fullmatch(r"Số: +/BC-UBND", header.cell(1, 0).text)
    assert [p.text for p in header.cell(0, 0).paragraphs][:3] == ["UBND TỈNH BẮC NINH", "ỦY BAN NHÂN DÂN", "XÃ ĐÔNG SƠN"]
    assert "Bộ phận Một cửa xã tiếp nhận 1.028 hồ sơ; trong đó 1.000 hồ sơ được nộp trực tuyến, chiếm 97,28%." in text
    assert "Nguyên nhân hồ sơ quá hạn: Mất điện kéo dài nên không kịp xử lý trên hệ thống." in text
    footer = doc.tables[-1]
    assert [p.text for p in footer.cell(0, 0).paragraphs] == ["Nơi nhận:", "- UBND tỉnh Bắc Ninh;", "- Lưu: VT, VP."]
    assert [t for t in (p.text for p in footer.cell(0, 1).paragraphs) if t] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    # asked again later, the submitted report gives the same dated file
    await chat.send("/tep")
    [again] = documents_of(chat)
    assert read(again.path)[0].tables[0].cell(1, 1).text == "Đông Sơn, ngày 16 tháng 6 năm 2026"


async def test_a_draft_summary_and_file_at_any_time(mini_app, tmp_path):
    mini_app.core.files_dir = tmp_path
    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini")
    for text in ("4.840,67", "1.028", "10", "8"):
        await chat.send(text)
    question = chat.last[-1].meta.get("key")
    await chat.send("/tomtat")
    [summary] = summaries_of(chat)
    assert summary.startswith("📊 Tóm tắt — Báo cáo thử 2026 (bản nháp)")
    assert "• Số đơn đã giải quyết: 8 đơn" in summary and "• Tỷ lệ giải quyết: 80% (8/10 đơn)" in summary
    await chat.send("/tep")
    [document] = documents_of(chat)
    assert "bản nháp" in chat.last[-1].text and document.filename == "BaoCao_DONG_SON_mini_2026-H1_DuThao.docx"
    doc, text = read(document.path)
    assert doc.tables[0].cell(1, 1).text == "Đông Sơn, ngày     tháng 6 năm 2026"
    assert "Trong 6 tháng đầu năm tiếp nhận 10 đơn." in text and "Đã giải quyết 8/10 đơn, đạt 80%." in text
    # the question flow goes on where it was
    reply = await chat.send("/tieptuc")
    assert chat.last[-1].meta.get("key") == question, reply


async def test_no_report_open(mini_app):
    chat = Chat(mini_app)
    await chat.register()
    assert "Chưa có báo cáo nào đang mở" in await chat.send("/tomtat")
    assert "Chưa có báo cáo nào đang mở" in await chat.send("/tep")
    assert documents_of(chat) == []


async def _fill_mini(chat: Chat, period: str, received: str) -> None:
    await chat.open_report("mini", period)
    await fill(chat, MINI | {"received": received})


async def test_change_against_the_submitted_report_of_last_year(mini_app, tmp_path):
    mini_app.core.files_dir = tmp_path
    chat = Chat(mini_app)
    await chat.register()
    await _fill_mini(chat, "2025-H1", "12")
    await submit(chat)
    await _fill_mini(chat, "2026-H1", "10")
    await submit(chat)
    summary = "\n".join(summaries_of(chat))
    assert "• Số đơn thư tiếp nhận trong 6 tháng đầu năm: 10 đơn — giảm 2 đơn (16,67%) so với cùng kỳ năm trước" in summary
    assert "• Tỷ lệ giải quyết: 60% (6/10 đơn) — tăng 10 điểm phần trăm so với cùng kỳ năm trước" in summary
    assert "Mức tăng, giảm được tính so với báo cáo đã nộp của 6 tháng đầu năm 2025." in summary
    [document] = documents_of(chat)
    assert "tiếp nhận 10 đơn, giảm 2 đơn (16,67%) so với cùng kỳ năm trước." in read(document.path)[1]


async def test_a_draft_of_last_year_is_not_compared_with(mini_app, tmp_path):
    mini_app.core.files_dir = tmp_path
    chat = Chat(mini_app)
    await chat.register()
    await _fill_mini(chat, "2025-H1", "12")  # answered but never submitted
    await _fill_mini(chat, "2026-H1", "10")
    await chat.send("/tomtat")
    summary = "\n".join(summaries_of(chat))
    assert "cùng kỳ năm trước" not in summary.replace("so sánh cùng kỳ", "")
    assert "Chưa có báo cáo đã nộp của 6 tháng đầu năm 2025 để so sánh cùng kỳ." in summary


async def _org(app):
    async with app.sessions() as s:
        return await repo.org_by_code(s, "DONG_SON")


async def test_settings_are_edited_in_the_chat_and_reach_the_file(mini_app, tmp_path):
    mini_app.core.files_dir = tmp_path
    chat = Chat(mini_app)
    await chat.register()
    shown = await chat.send("/caidat")
    assert "Thông tin trình bày tệp Word của Xã Đông Sơn:" in shown
    assert "• người ký — họ và tên người ký: (để trống)" in shown
    assert "• cơ quan chủ quản — " in shown and ": UBND TỈNH BẮC NINH" in shown
    reply = await chat.send("người ký: Trần Thị  Bình\nchức vụ: phó chủ tịch\nKý thay: kt. chủ tịch\nsố: 7\n"
                            "nơi nhận: UBND tỉnh Bắc Ninh; Ban Dân vận Tỉnh ủy; Lưu: VT, VP")
    assert reply.startswith("Đã lưu: người ký, chức vụ, ký thay, số, nơi nhận.")
    org = await _org(mini_app)
    assert org.settings["signer_name"] == "Trần Thị Bình" and org.settings["signer_title"] == "PHÓ CHỦ TỊCH"
    assert org.settings["recipients"] == ["UBND tỉnh Bắc Ninh", "Ban Dân vận Tỉnh ủy", "Lưu: VT, VP"]
    assert org.settings["doc_symbol"] == "BC-UBND"  # the demo's own setting is kept

    # wrong lines: a message for each, and nothing stored
    reply = await chat.send("/caidat số: bảy\nngười ký: 12345\nmàu: đỏ\nký hiệu BC")
    assert reply.startswith("Chưa thay đổi gì:")
    assert "Dòng 1: Số văn bản là một số nguyên, ví dụ: 05." in reply
    assert "Dòng 2: Tên người ký phải là họ và tên viết bằng chữ" in reply
    assert "Dòng 3: “màu” không phải là tên mục." in reply
    assert "Dòng 4: viết theo dạng “tên: giá trị”" in reply
    reply = await chat.send("/caidat chức vụ: -")
    assert "Mục “chức vụ” không được để trống." in reply
    assert (await _org(mini_app)).settings == org.settings

    await chat.send("/caidat địa danh: Sơn Đông")
    await chat.open_report("mini")
    await chat.send("/tep")
    [document] = documents_of(chat)
    doc, _text = read(document.path)
    assert doc.tables[0].cell(1, 0).text == "Số: 07/BC-UBND"
    assert doc.tables[0].cell(1, 1).text.startswith("Sơn Đông, ngày ")
    footer = doc.tables[-1]
    assert [t for t in (p.text for p in footer.cell(0, 1).paragraphs) if t] == [
        "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Thị Bình"]
    assert [p.text for p in footer.cell(0, 0).paragraphs] == [
        "Nơi nhận:", "- UBND tỉnh Bắc Ninh;", "- Ban Dân vận Tỉnh ủy;", "- Lưu: VT, VP."]


async def test_a_broken_commune_layout_falls_back_and_says_why(mini_app, tmp_path):
    mini_app.core.files_dir = tmp_path
    broken = tmp_path / "mau-xa.docx"
    broken.write_text("not a Word file", encoding="utf-8")
    async with mini_app.sessions() as s, s.begin():
        org = await repo.org_by_code(s, "DONG_SON")
        org.settings = {**org.settings, "layout": str(broken)}
        s.add(org)
    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini")
    reply = await chat.send("/tep")
    assert "Mẫu trình bày Word đã đặt cho Xã Đông Sơn không dùng được" in reply
    assert "mau-xa.docx: not a Word .docx file" in reply
    [document] = documents_of(chat)
    assert docx.Document(str(document.path)).tables[0].cell(0, 1).paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


async def test_hostile_answers_through_the_chat_give_a_valid_file(app, tmp_path):
    app.core.files_dir = tmp_path
    chat = Chat(app)
    await chat.register()
    await chat.open_report("commune_half_year")
    hostile = ("<w:p><w:t>x</w:t></w:p> & ]]> \x1b\x07 {{ body }} 😀 " * 60)[:2990]
    await fill(chat, HALF_YEAR | {"situation_overview": hostile})
    await chat.send("/tep")
    [document] = documents_of(chat)
    with zipfile.ZipFile(document.path) as z:
        etree.fromstring(z.read("word/document.xml"))
    _doc, text = read(document.path)
    assert "<w:p><w:t>x</w:t></w:p> & ]]> {{ body }} 😀" in text


async def test_a_summary_too_long_for_one_message_is_split_per_channel(db_url, clock, tmp_path):
    keys = [f"k{i}" for i in range(50)]
    indicators = "\n".join(
        f"      - {{key: {k}, label: \"Chỉ tiêu thứ {i} về công tác dân vận chính quyền ở thôn, tổ dân phố\","
        f" question: \"Câu {i}?\", hint: \"Ví dụ: 3\", type: integer, unit: \"lượt người\"}}"
        for i, k in enumerate(keys)
    )
    (tmp_path / "long.yaml").write_text(
        "key: long\nversion: 1\nperiod: half_year\nname: \"Báo cáo dài\"\nabstract: \"Dài {year}\"\n"
        f"sections:\n  - key: s\n    title: \"Mục\"\n    indicators:\n{indicators}\nsummary: [{', '.join(keys)}]\n",
        encoding="utf-8",
    )
    app = await make_app(db_url, clock, tmp_path)
    try:
        zalo, telegram = Chat(app, "z", channel="zalo"), Chat(app, "t", channel="telegram")
        await zalo.register()
        await zalo.open_report("long")
        await fill(zalo, {k: "1.234" for k in keys})
        await zalo.send("/tomtat")
        pieces = summaries_of(zalo)
        assert len(pieces) >= 3 and all(len(p) <= 2000 for p in pieces)
        assert sum(p.count("• Chỉ tiêu thứ") for p in pieces) == 50
        await telegram.register()
        await telegram.send("/tieptuc")
        await telegram.send("/tomtat")
        pieces = summaries_of(telegram)
        assert 2 <= len(pieces) <= 3 and all(len(p) <= 4096 for p in pieces)
    finally:
        await app.close()


# ---------------------------------------------------------------------------- danvan export


async def _danvan(*args: str, env: dict | None = None) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, cwd=ROOT, env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    return proc.returncode, out.decode(), err.decode()


async def test_export_sample_and_a_stored_report(mini_app, db_url, tmp_path):
    code, out, err = await _danvan("export", "--sample", "--out", str(tmp_path / "mau.docx"), "--summary")
    assert code == 0, err
    assert "• Hồ sơ tiếp nhận: 1.028 hồ sơ" in out and "Đã ghi:" in out
    doc, text = read(tmp_path / "mau.docx")
    assert "I. KHÁI QUÁT ĐẶC ĐIỂM TÌNH HÌNH" in text and doc.tables[0].cell(1, 0).text == "Số: 05/BC-UBND"

    chat = Chat(mini_app)
    await chat.register()
    await chat.open_report("mini")
    await fill(chat, MINI)
    async with mini_app.sessions() as s:
        [report] = (await s.exec(select(Report))).all()
    env = {"DATABASE_URL": db_url, "TEMPLATES_DIR": str(ROOT / "tests" / "templates")}
    code, out, err = await _danvan("export", "--report", str(report.id), "--out", str(tmp_path / "bc.docx"),
                                   "--summary", env=env)
    assert code == 0, err
    assert "(bản nháp)" in out and "Tỷ lệ giải quyết: 50% (6/12 đơn)" in out
    _doc, text = read(tmp_path / "bc.docx")
    assert "Đã giải quyết 6/12 đơn, đạt 50%." in text

    code, _out, err = await _danvan("export", "--report", "999", "--out", str(tmp_path / "x.docx"), env=env)
    assert code == 1 and "Không có báo cáo mang mã số 999." in err


async def test_export_with_a_broken_layout_names_the_problem(tmp_path):
    d = docx.Document()
    d.add_paragraph("{% for x in body %}{{ x.text }")
    d.save(str(tmp_path / "sai.docx"))
    code, _out, err = await _danvan("export", "--sample", "--layout", str(tmp_path / "sai.docx"),
                                    "--out", str(tmp_path / "x.docx"))
    assert code == 1
    assert "Mẫu trình bày Word không dùng được: sai.docx: a template tag is broken" in err
    assert not (tmp_path / "x.docx").exists()
    code, _out, err = await _danvan("export", "--out", str(tmp_path / "x.docx"))
    assert code == 1 and "Chọn đúng một trong hai" in err


async def test_layout_command_checks_then_sets_the_org_layout(mini_app, db_url, tmp_path):
    env = {"DATABASE_URL": db_url}
    (tmp_path / "sai.docx").write_text("no", encoding="utf-8")
    code, _out, err = await _danvan("layout", "DONG_SON", str(tmp_path / "sai.docx"), env=env)
    assert code == 1 and "not a Word .docx file" in err
    assert "layout" not in (await _org(mini_app)).settings
    d = docx.Document()
    d.add_paragraph("{{ date_line }} {{ signer_name }}")
    d.save(str(tmp_path / "rieng.docx"))
    code, out, err = await _danvan("layout", "DONG_SON", str(tmp_path / "rieng.docx"), env=env)
    assert code == 0, err
    assert (await _org(mini_app)).settings["layout"] == str((tmp_path / "rieng.docx").resolve())
    code, out, err = await _danvan("layout", "DONG_SON", "-", env=env)
    assert code == 0 and "layout" not in (await _org(mini_app)).settings
