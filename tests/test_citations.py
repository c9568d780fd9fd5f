"""Issue 11: documents are accepted as officers cite them, in one line, and taken apart into kind,
number and symbol, date and abstract; the semicolon form stays; a refusal says what is missing
and lists the kinds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.parsing import AnswerError, parse_answer
from reports.schema import load_templates
from tests.conftest import Chat
from tests.sample_answers import no_figure_until

DOCS = load_templates()["commune_half_year"].by_key["documents_issued"]


@pytest.mark.parametrize("typed, kind, symbol, issued, abstract", [
    ("Kế hoạch số 145/KH-UBND ngày 19/02/2024 về thực hiện công tác dân vận chính quyền năm 2024",
     "ke_hoach", "145/KH-UBND", "2024-02-19", "thực hiện công tác dân vận chính quyền năm 2024"),
    ("KH 145/KH-UBND 19/2/2024 triển khai quy chế dân chủ ở cơ sở",
     "ke_hoach", "145/KH-UBND", "2024-02-19", "triển khai quy chế dân chủ ở cơ sở"),
    ("Quyết định 103-QĐ/ĐU ngày 30/3/2024 về việc ban hành quy chế làm việc",
     "quyet_dinh", "103-QĐ/ĐU", "2024-03-30", "việc ban hành quy chế làm việc"),  # "về việc" kept
    ("145/KH-UBND ngày 19/02/2024 về công khai thông tin",  # the kind from the symbol
     "ke_hoach", "145/KH-UBND", "2024-02-19", "công khai thông tin"),
    ("37/UBND-VP ngày 04/3/2026 V/v đôn đốc tiếp công dân định kỳ",  # a letter's symbol has no kind
     "cong_van", "37/UBND-VP", "2026-03-04", "việc đôn đốc tiếp công dân định kỳ"),
    ("Chỉ thị số 08-CT/TU, ngày 25/5/2021 về nâng cao chất lượng công tác dân vận",
     "chi_thi", "08-CT/TU", "2021-05-25", "nâng cao chất lượng công tác dân vận"),
    ("ke hoach so 12/KH-UBND ngay 3 thang 4 nam 2026 ve kiem tra quy che dan chu",  # no diacritics
     "ke_hoach", "12/KH-UBND", "2026-04-03", "kiem tra quy che dan chu"),
    ("Tờ trình 5/TTr-UBND ngày 1/1/2026 về đề nghị hỗ trợ kinh phí",
     "to_trinh", "5/TTr-UBND", "2026-01-01", "đề nghị hỗ trợ kinh phí"),
    ("2 15/QĐ-UBND ngày 2/2/2026 về thành lập tổ công tác",  # the kind by its number in the list
     "quyet_dinh", "15/QĐ-UBND", "2026-02-02", "thành lập tổ công tác"),
    ("Kế hoạch; 145/KH-UBND; 19/02/2024; công khai thông tin năm 2024",  # the semicolon form stays
     "ke_hoach", "145/KH-UBND", "2024-02-19", "công khai thông tin năm 2024"),
    ("Quyết dinh; 156/QĐ-UBND; 26/02/2024; ban hành quy chế",  # a kind typed loosely
     "quyet_dinh", "156/QĐ-UBND", "2024-02-26", "ban hành quy chế"),
])
def test_a_citation_in_one_line(typed, kind, symbol, issued, abstract):
    assert parse_answer(DOCS, typed) == [{"kind": kind, "number_symbol": symbol, "date": issued,
                                          "abstract": abstract}]


def test_several_documents_one_a_line_in_either_form():
    items = parse_answer(DOCS, "- Kế hoạch số 145/KH-UBND ngày 19/02/2024 về công khai\n"
                               "• Báo cáo; 20/BC-UBND; 10/6/2024; kết quả sáu tháng")
    assert [(i["kind"], i["number_symbol"]) for i in items] == [("ke_hoach", "145/KH-UBND"), ("bao_cao", "20/BC-UBND")]


@pytest.mark.parametrize("typed, says", [
    ("Kế hoạch số 145/KH-UBND về công khai", "Dòng 1: Văn bản “145/KH-UBND” còn thiếu ngày ban hành"),
    ("Kế hoạch số 145/KH-UBND ngày 19/02/2024", "còn thiếu trích yếu"),
    ("Kế hoạch số 145/KH-UBND ngày 31/02/2024 về công khai", "“31/02/2024” không phải là ngày có thật"),
    ("5/ABC-XYZ ngày 1/1/2026 về việc gì đó", "1. Kế hoạch, 2. Quyết định, 3. Công văn"),  # lists the kinds
    ("Thư; 1/ABC; 1/1/2026; x", "Xin chọn một phương án, gõ số thứ tự hoặc tên: 1. Kế hoạch"),
])
def test_a_refusal_says_what_is_missing(typed, says):
    with pytest.raises(AnswerError) as err:
        parse_answer(DOCS, typed)
    assert says in str(err.value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_an_item_list_or_a_clear_refusal(text):
    try:
        items = parse_answer(DOCS, text)
    except AnswerError as err:
        assert str(err)
        return
    for item in items:
        assert set(item) <= {"kind", "number_symbol", "date", "abstract"}
        assert item["kind"] in {c.id for c in DOCS.fields[0].choices}


async def test_the_hints_own_example_is_accepted_in_the_chat(app):
    chat = Chat(app, channel="telegram")
    await chat.register()
    await chat.open_report("commune_half_year")
    question = await no_figure_until(chat, "văn bản nào")
    assert "ghi như khi trích dẫn" in question
    example = question.split("ví dụ: ", 1)[1].split("\n", 1)[0].rstrip(".")
    reply = await chat.send(example)
    assert "Chưa hợp lệ" not in reply and "Câu" in reply
    await chat.send("/xemlai")
    assert "Kế hoạch số 145/KH-UBND ngày 19/02/2026 về thực hiện công tác dân vận" in chat.last[-1].text


async def test_a_slip_is_questioned_and_confirmed_by_sending_it_again(app):
    """An ambiguous decimal ("1,028": 1,028 ha, or 1.028 written the English way) and a document
    dated outside the period and the year before are asked about, not guessed; the same answer sent
    again is stored."""
    chat = Chat(app, channel="telegram")
    await chat.register()
    await chat.open_report("commune_half_year")  # 2026-H1, today 16/06/2026
    reply = await chat.send("1,028")
    assert "“1,028” được hiểu là 1,03" not in reply  # the figure is kept as typed, not rounded
    assert "được hiểu là 1,028 (dấu phẩy là phần thập phân)" in reply and "xin gõ 1.028" in reply
    assert "Câu 1/" not in reply and "Nếu đúng, xin gửi lại" in reply
    assert "Câu 2/" in await chat.send("1,028")  # confirmed: 1,028 ha
    await no_figure_until(chat, "văn bản nào")
    reply = await chat.send("Kế hoạch số 145/KH-UBND ngày 19/02/2030 về công khai")
    assert "Ngày 19/02/2030 nằm ngoài kỳ 6 tháng đầu năm 2026 và năm trước đó (từ 15/12/2024 đến 14/06/2026)" in reply
    assert "Câu" not in reply
    assert "Câu" in await chat.send("Kế hoạch số 145/KH-UBND ngày 19/02/2025 về công khai")  # corrected
