"""Issue 12: the kinds of report the seeds hold beyond the 6-month and annual ones. The commune's
review of several years implementing a directive (seed 000's kind): a multi-year period offered as
"3 năm 2024–2026", two parts ("Phần thứ nhất", "Phần thứ hai") numbered I., 1., 1.1. in the Word
file, its own abstract; filled through the console channel."""

from __future__ import annotations

import re

import pytest
from docx.oxml.ns import qn

from tests.conftest import Chat
from tests.sample_answers import fill
from tests.test_report_chat import documents_of, read, submit
from tests.test_report_docx import body_paragraphs

REVIEW = {
    "natural_area": "4.840,67",
    "villages": "4",
    "households": "640",
    "population": "2.210",
    "situation_overview": "Dùng đoạn văn mẫu",
    "briefing_conferences": "1",
    "briefing_attendees": "82",
    "documents_issued": "Kế hoạch số 21/KH-UBND ngày 10/02/2024 về công tác dân vận chính quyền năm 2024\n"
                        "Kế hoạch số 15/KH-UBND ngày 05/02/2025 về công tác dân vận chính quyền năm 2025",
    "reception_visitors": "7",
    "petitions_received": "7",
    "petitions_resolved": "7",
    "dossiers_received": "3.450",
    "dossiers_on_time": "3.440",
    "models_total": "4",
    "yearly_figures": "2024; 2; 3; 1.100; 1\n2025; 3; 2; 1.150; 1\n2026; 2; 2; 1.200; 2",
    "strengths": "Dùng đoạn văn mẫu",
    "limitations": "Dùng đoạn văn mẫu",
    "tasks": "Tiếp tục quán triệt Chỉ thị 08 đến từng cán bộ, công chức\nNhân rộng các mô hình “Dân vận khéo”",
    "proposals": "/boqua",
}


async def test_a_review_of_three_years_in_two_parts(app, tmp_path):
    app.core.files_dir = tmp_path
    chat = Chat(app, channel="console")
    await chat.register()
    await chat.send("/baocaomoi")
    menu = [c.label for c in chat.last[-1].choices]
    assert "Báo cáo sơ kết thực hiện Chỉ thị 08" in menu  # chosen before its period
    await chat.send(choice="tpl:commune_directive_review")
    offered = [c.label for c in chat.last[-1].choices]
    assert offered[0] == "3 năm 2024–2026 (15/12/2023 – 14/12/2026)"  # on 16/06/2026
    started = await chat.send("1")
    assert "Bắt đầu lập báo cáo sơ kết 3 năm 2024–2026 thực hiện Chỉ thị 08." in started
    assert await fill(chat, REVIEW) >= 17
    await submit(chat)
    [document] = documents_of(chat)
    doc, text = read(document.path)
    assert "Sơ kết 3 năm 2024–2026 thực hiện Chỉ thị số 08-CT/TU ngày 25/5/2021 của Ban Thường vụ Tỉnh ủy" in text
    paragraphs = [p.text for p in body_paragraphs(doc)]
    headings = [t for t in paragraphs if re.match(r"^(Phần thứ |[IVX]+\. |\d+\.(\d+\.)? )", t) or t.isupper()]
    part_one = headings.index("Phần thứ nhất")
    assert headings[part_one + 1:part_one + 7] == [
        "ĐÁNH GIÁ KẾT QUẢ 3 NĂM 2024–2026 THỰC HIỆN CHỈ THỊ 08",
        "I. ĐẶC ĐIỂM TÌNH HÌNH", "II. KẾT QUẢ 3 NĂM 2024–2026 THỰC HIỆN CHỈ THỊ 08",
        "1. Công tác lãnh đạo, chỉ đạo", "1.1. Quán triệt, triển khai Chỉ thị 08", "1.2. Văn bản lãnh đạo, chỉ đạo"]
    assert headings.index("2. Kết quả thực hiện các nội dung") + 1 == headings.index(
        "2.1. Tiếp công dân, giải quyết đơn thư")
    assert "III. ĐÁNH GIÁ CHUNG" in headings and "1. Kết quả đạt được" in headings
    part_two = headings.index("Phần thứ hai")
    assert headings[part_two + 1:part_two + 3] == ["PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI", "I. NHIỆM VỤ, GIẢI PHÁP"]
    centred = [p for p in body_paragraphs(doc) if p.text in ("Phần thứ nhất", "Phần thứ hai")]
    assert all(p.alignment == 1 for p in centred)  # WD_ALIGN_PARAGRAPH.CENTER
    assert "3. Một số chỉ tiêu qua từng năm" in headings
    # the figures per year: a table right after its sentence, one row a year
    body = list(doc.element.body.iterchildren())
    texts = ["".join(t.text or "" for t in el.iter(qn("w:t"))) for el in body]
    intro = texts.index("Kết quả một số chỉ tiêu qua từng năm như sau:")
    assert body[intro + 1].tag.endswith("}tbl")
    [table] = [t for t in doc.tables if t.rows[0].cells[0].text == "Năm"]
    assert [c.text for c in table.rows[0].cells] == ["Năm", "Lượt công dân được tiếp", "Đơn thư tiếp nhận",
                                                    "Hồ sơ tiếp nhận", "Mô hình “Dân vận khéo”"]
    assert [[c.text for c in row.cells] for row in table.rows[1:]] == [
        ["2024", "2", "3", "1.100", "1"], ["2025", "3", "2", "1.150", "1"], ["2026", "2", "2", "1.200", "2"]]
    assert "[[bảng" not in text
    assert "với 82 người tham dự" in text
    assert "đã giải quyết 7/7 đơn, đạt 100%" in text
    assert "1. Tiếp tục quán triệt Chỉ thị 08 đến từng cán bộ, công chức." in text


PLAN = {
    "documents_issued": "Kế hoạch số 156/KH-UBND ngày 06/4/2025 về thực hiện Đề án 13 năm 2025",
    "models_target": "1",
    "models_built": "3",
    "poverty_target": "10",
    "poverty_reduced": "11",
    "online_target": "50",
    "dossiers_received": "1.200",
    "dossiers_online": "640",
    "tasks_notes": "Dùng đoạn văn mẫu",
    "strengths": "Dùng đoạn văn mẫu",
    "limitations": "Dùng đoạn văn mẫu",
    "tasks": "Duy trì các mô hình “Dân vận khéo” đã được công nhận",
}


async def test_a_plans_yearly_result_targets_against_results_and_the_plan_so_far(app, tmp_path):
    """The yearly result of a plan (seed 003's kind): each target against its result, and, from
    the plan's first year (``since: 2025``), the figures summed over the years so far."""
    app.core.files_dir = tmp_path
    chat = Chat(app, channel="console")
    await chat.register()
    await chat.open_report("commune_plan_result", period="2025")
    await fill(chat, PLAN)
    await submit(chat)
    [first] = documents_of(chat)
    _doc, text = read(first.path)
    assert "Kết quả thực hiện Đề án số 13-ĐA/TU ngày 10/10/2022 của Ban Thường vụ Tỉnh ủy" in text
    assert "Trong năm, xã xây dựng được 3 mô hình “Dân vận khéo”, đạt 300% chỉ tiêu của năm (1 mô hình)." in text
    assert "Từ khi triển khai Đề án 13 đến nay, xã đã xây dựng 3 mô hình, đạt 300%" in text  # the first year

    await chat.open_report("commune_plan_result", period="2026")
    await fill(chat, {**PLAN, "documents_issued": "Kế hoạch số 20/KH-UBND ngày 10/02/2026 về thực hiện Đề án 13",
                      "models_built": "4", "poverty_target": "5", "poverty_reduced": "3", "dossiers_online": "540"})
    await submit(chat)
    [second] = documents_of(chat)
    _doc, text = read(second.path)
    assert "Trong năm, xã xây dựng được 4 mô hình “Dân vận khéo”, đạt 400% chỉ tiêu của năm (1 mô hình)." in text
    # 3 + 4 models against 1 + 1 as the plan's targets so far
    assert "Từ khi triển khai Đề án 13 đến nay, xã đã xây dựng 7 mô hình, đạt 350% chỉ tiêu đề ra cho giai đoạn (2 mô hình)." in text
    assert "Số hộ nghèo giảm 3 hộ, đạt 60% chỉ tiêu của năm (5 hộ)." in text
    assert "Lũy kế từ khi triển khai, số hộ nghèo đã giảm 14 hộ, đạt 93,33% chỉ tiêu." in text
    assert "Tỷ lệ hồ sơ giải quyết trực tuyến đạt 45% (540 hồ sơ trên tổng số 1.200 hồ sơ), chưa đạt chỉ tiêu 50% đề ra." in text


async def test_a_total_that_would_miss_a_year_is_not_written(app, tmp_path):
    app.core.files_dir = tmp_path
    chat = Chat(app, channel="console")
    await chat.register()
    await chat.open_report("commune_plan_result", period="2026")  # 2025 was never reported
    await fill(chat, PLAN)
    await submit(chat)
    [document] = documents_of(chat)
    _doc, text = read(document.path)
    assert "Trong năm, xã xây dựng được 3 mô hình" in text
    assert "Từ khi triển khai" not in text and "Lũy kế" not in text


async def test_a_district_review_offers_the_figures_compiled_from_the_communes(app, tmp_path):
    """The district's one-year review of a regulation (seed 002's kind): its figures are compiled
    from the annual reports its communes submitted (Xã An and Xã Bình; Xã Cao's is a draft), each
    offered to keep at its question; the district's own answers stay its own."""
    from reports.logic import ReportState
    from storage import repo
    from storage.models import Role
    from tests.supervisor_support import COMMUNES, build_province, typed_values

    ids = await build_province(app, "commune_annual", "2026")
    commune = app.templates["commune_annual"]
    expected = {}  # the communes' typed answers, parsed as the chat parses them, summed
    for key, figure in (("reception_sessions_total", "reception_sessions"), ("petitions_received", "petitions_received"),
                        ("dialogues", "dialogues")):
        expected[figure] = sum(ReportState(commune, typed_values(commune, COMMUNES[code][3])).effective()[key]
                               for code in ("XA_AN", "XA_BINH"))
    async with app.sessions() as s, s.begin():
        invite = await repo.create_invite(s, "ILTOFFICER", ids["LAM_THAO"], Role.officer)
        await repo.register(s, invite, "console", "o_LAM_THAO", "o_LAM_THAO", "Cán bộ Huyện Lâm Thao")
    app.core.files_dir = tmp_path
    chat = Chat(app, "o_LAM_THAO", channel="console")
    await chat.send("/baocaomoi")
    assert [c.label for c in chat.last[-1].choices] == ["Báo cáo sơ kết thực hiện Quy chế công tác dân vận"]
    await chat.send(choice="tpl:district_regulation_review")
    opened = await chat.send(choice="per:2026")
    assert "Có 7 số liệu được tổng hợp từ báo cáo của các đơn vị cấp dưới (2/3 xã đã nộp)" in opened
    await chat.send("Kế hoạch số 45/KH-UBND ngày 20/02/2026 về thực hiện Quy chế công tác dân vận năm 2026")
    for _ in range(7):  # every compiled figure: shown, then kept as it is
        question = chat.last[-1].text
        assert "Tổng hợp từ cấp dưới (2/3 xã đã nộp):" in question, question
        await chat.send("/giunguyen")
    await fill(chat, {"results_notes": "/boqua", "assessment_text": "Dùng đoạn văn mẫu",
                      "tasks": "Tiếp tục quán triệt Quy chế đến các chi bộ"})
    await submit(chat)
    [document] = documents_of(chat)
    _doc, text = read(document.path)
    assert "Sơ kết năm 2026 thực hiện Quy chế công tác dân vận của hệ thống chính trị" in text
    assert (f"Trong năm, lãnh đạo cấp xã đã tổ chức {expected['dialogues']} cuộc đối thoại trực tiếp với Nhân dân "
            f"và {expected['reception_sessions']} buổi tiếp công dân.") in text
    assert f"Các xã đã tiếp nhận {expected['petitions_received']} đơn" in text


@pytest.mark.parametrize("key", ["commune_directive_review", "commune_plan_result", "district_regulation_review"])
def test_every_kind_passes_the_decree_layout_checks(tmp_path, key):
    """The Word file of each new kind, from sample answers, through the layout checks the 6-month
    report passes (Nghị định 30/2020: A4, margins, header, fonts, signer block, page numbers)."""
    from reports.schema import load_templates
    from tests import test_report_docx as layout

    doc = layout.make(tmp_path, load_templates()[key])
    for check in (layout.test_page_is_a4_portrait_with_the_decree_margins,
                  layout.test_header_is_a_borderless_two_column_table, layout.test_header_fonts_and_sizes,
                  layout.test_lines_under_the_issuing_body_and_the_motto_are_drawn,
                  layout.test_signer_block_and_recipients, layout.test_page_numbers_centred_in_the_top_margin_from_page_two,
                  layout.test_times_new_roman_throughout):
        check(doc)
    paragraphs = [p for p in body_paragraphs(doc)[2:] if p.text not in ("Phần thứ nhất", "Phần thứ hai")
                  and not p.text.isupper() or re.match(r"^[IVX]+\. ", p.text)]
    assert len(paragraphs) > 8
    for p in paragraphs:
        assert p.alignment == 3, p.text  # justified, headings included (a part's heading is centred)
