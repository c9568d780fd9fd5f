"""Issue 11: "không có số liệu" is an answer of its own, never a zero. The officer types it (or
/khongro) on any question the template allows it for, required ones included; it counts as
answered, the Word file leaves out every sentence that needs the figure, the summary shows "—".
A zero that was entered as zero reads as a sentence of its own ("không phát sinh …")."""

from __future__ import annotations

import re

from sqlmodel import select

from reports.logic import NO_FIGURE, ReportState
from reports.prose import Figures, compose
from reports.schema import load_templates
from storage.models import Answer, AnswerAudit
from tests.conftest import MINI_TEMPLATES, Chat, make_app
from tests.sample_answers import HALF_YEAR, fill
from tests.test_report_chat import documents_of, read, submit, summaries_of

NONE_TYPED = {  # what the officer has no figure for, typed as an officer would
    "villages": "không có số liệu",  # a required question
    "dossiers_received": "/khongro",
    "reception_visitors": "Không rõ",
    "dialogue_attendees": "chưa có số liệu",
}


async def test_no_figure_answers_leave_their_sentences_out_of_the_word_file(app, tmp_path):
    app.core.files_dir = tmp_path
    chat = Chat(app, channel="telegram")
    await chat.register()
    await chat.open_report("commune_half_year")
    await fill(chat, {**HALF_YEAR, **NONE_TYPED})
    review = "\n".join(o.text for o in chat.last)
    assert "Số thôn, tổ dân phố: không có số liệu" in review
    assert "chưa trả lời" not in review and "còn thiếu" not in review  # required, yet answered
    async with app.sessions() as s:
        rows = {a.key: a for a in (await s.exec(select(Answer))).all()}
        audits = {a.key: a.action for a in (await s.exec(select(AnswerAudit))).all()}
    for key in NONE_TYPED:
        assert rows[key].skipped and rows[key].value is None and rows[key].value_type == "nofigure", key
        assert audits[key] == "nofigure"
    await submit(chat)
    summary = "\n".join(summaries_of(chat))
    assert "• Hồ sơ tiếp nhận: —" in summary and "• Tỷ lệ hồ sơ nộp trực tuyến: —" in summary
    [document] = documents_of(chat)
    _doc, text = read(document.path)
    assert "Địa bàn xã gồm" not in text  # the villages' sentence, not "0 thôn, tổ dân phố"
    assert "Bộ phận Một cửa xã tiếp nhận" not in text  # nor "tiếp nhận 0 hồ sơ"
    assert "đã tiếp" not in text.split("Qua các buổi tiếp", 1)[-1][:40]
    assert "thu hút" not in text  # the dialogues' attendees
    assert "Xã có tổng diện tích tự nhiên 2.706,51 ha." in text  # its sentence no longer shared with villages
    assert "2.363 hộ" in text and "32 buổi tiếp thường xuyên" in text  # what was given is all there
    # zeros entered as zeros have sentences of their own, not "0 đoàn đông người"
    assert "Không có đoàn đông người đến kiến nghị, phản ánh." in text
    assert "không phát sinh đơn thư gửi vượt cấp" in text
    assert "không có phản ánh nào của người dân về thái độ, tác phong phục vụ" in text
    assert not re.search(r"(?<![\d.,/])0 (?:đoàn|đơn|phản ánh|lượt|hồ sơ|thôn)", text), text


async def test_a_template_can_forbid_it_and_a_rule_catches_an_invented_combination(app):
    chat = Chat(app, channel="console")
    await chat.register()
    await chat.open_report("commune_half_year")
    template = app.core.templates["commune_half_year"]
    first = template.indicators[0]
    assert first.no_figure  # the default: every question may be answered so
    assert "/khongro" in await chat.send("/huongdan")
    await chat.send("/tieptuc")
    answers = dict(HALF_YEAR, reception_visitors="0")
    for _ in range(200):
        keys = [o.meta.get("key") for o in chat.last if o.meta.get("screen") == "question"]
        if keys[-1] == "reception_visitors":
            break
        await chat.send(answers[keys[-1]])
    question = "\n".join(o.text for o in chat.last)
    assert "/khongro" in question  # offered on the question's last line
    refused = await chat.send("0")  # 65 sessions held, 0 visitors: invented
    assert "Chưa hợp lệ" in refused and "phải lớn hơn 0" in refused and "/khongro" in refused
    assert "Câu" in (await chat.send("/khongro"))  # the next question


def test_no_figure_in_prose():
    template = load_templates()["commune_half_year"]
    state = ReportState(template, {"households": 2363, "population": 8093, "villages": NO_FIGURE})
    body = "\n".join(b.text for b in compose(Figures(template, state.effective(), None, state.no_figure())))
    assert "2.363 hộ" in body and "thôn" not in body
    assert state.missing_required() and all(i.key != "villages" for i in state.missing_required())


async def test_a_template_can_forbid_it(db_url, clock, tmp_path):  # noqa: ANN001
    mini = (MINI_TEMPLATES / "mini.yaml").read_text(encoding="utf-8")
    forbidding = mini.replace("        type: decimal\n        unit: ha\n",
                              "        type: decimal\n        unit: ha\n        no_figure: false\n", 1)
    assert forbidding != mini
    (tmp_path / "mini.yaml").write_text(forbidding, encoding="utf-8")
    app = await make_app(db_url, clock, tmp_path)
    try:
        chat = Chat(app, channel="console")
        await chat.register()
        question = await chat.open_report("mini")
        assert "Câu 1/" in question and "/khongro" not in question
        assert "không dùng “không có số liệu” được" in await chat.send("/khongro")
        assert "Chưa hợp lệ" in await chat.send("không có số liệu")  # then it is just not a number
        assert "Câu 2/" in await chat.send("4.840,67")
        assert "/khongro" in "\n".join(o.text for o in chat.last)  # the next question allows it
    finally:
        await app.close()
