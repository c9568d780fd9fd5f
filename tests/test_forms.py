"""Issue 11, a section at once: /phieu gives the waiting question's section as a fill-in form; the
officer fills it in a notes app and sends it back in one message; every line is checked and stored
as if answered alone, the refused ones are asked again."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Answer
from tests.conftest import Chat


async def test_a_section_filled_in_one_message(app):
    chat = Chat(app, channel="zalo")
    await chat.register()
    await chat.open_report("commune_half_year")
    form = await chat.send("/phieu")
    assert form.startswith("Phiếu nhập mục “Khái quát đặc điểm tình hình”")
    labels = [line.split(":")[0] for line in form.splitlines()[2:]]
    assert labels == ["Diện tích tự nhiên", "Số thôn, tổ dân phố", "Số hộ", "Số nhân khẩu", "Hộ dân tộc thiểu số",
                      "Tình hình chung"]
    filled = "\n".join([
        "Diện tích tự nhiên: 4.840,67 ha",
        "Số thôn, tổ dân phố: 14 thôn",
        "Số hộ: 2.363",
        "Số nhân khẩu: 1.000",  # fewer people than households: the rule refuses it
        "Hộ dân tộc thiểu số: không có số liệu",
        "Tình hình chung: ",  # left empty: asked later as usual
    ])
    reply = await chat.send(filled)
    assert "Đã ghi từ phiếu: Diện tích tự nhiên, Số thôn, tổ dân phố, Số hộ, Hộ dân tộc thiểu số." in reply
    assert "Chưa hợp lệ (sẽ hỏi lại):" in reply and "• Số nhân khẩu: Số hộ không thể lớn hơn số nhân khẩu" in reply
    assert "Câu 4/" in chat.last[-1].text and "nhân khẩu" in chat.last[-1].text  # the refused one, asked again
    async with app.sessions() as s:
        stored = {a.key: (a.value, a.value_type) for a in (await s.exec(select(Answer))).all()}
    assert stored == {"natural_area": ("4840.67", "decimal"), "villages": (14, "integer"),
                      "households": (2363, "integer"), "ethnic_minority_households": (None, "nofigure")}
    assert "Câu 6/" in await chat.send("8.093")  # then on as usual
    again = await chat.send("/phieu")  # the form shows what is stored; sent back unchanged, nothing changes
    assert "Số hộ: 2.363" in again and "Hộ dân tộc thiểu số: không có số liệu" in again
    reply = await chat.send("\n".join(again.splitlines()[2:]))
    assert "Phiếu không có nội dung mới" in reply


async def test_a_multiline_answer_that_is_no_form_is_an_answer(app):
    chat = Chat(app, channel="telegram")
    await chat.register()
    await chat.open_report("commune_half_year")
    for _ in range(10):
        if "văn bản nào" in chat.last[-1].text:
            break
        await chat.send("/khongro")
    reply = await chat.send("Kế hoạch số 145/KH-UBND ngày 19/02/2026 về tiếp dân\n"
                            "Quyết định số 156/QĐ-UBND ngày 26/02/2026 về quy chế dân chủ")
    assert "Đã ghi từ phiếu" not in reply and "Câu" in reply
