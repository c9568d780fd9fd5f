"""Issue 11: list answers read in the Word file as the office writes them, one paragraph an item —
documents and models with a dash ("- Kế hoạch số …;", a full stop after the last), the next
period's tasks numbered ("1. Đẩy mạnh …."), each after the sentence that introduces it."""

from __future__ import annotations

import pytest

from handlers.samples import sample_answers
from reports.periods import Period
from reports.schema import TemplateError, load_template, load_templates
from tests.test_report_docx import body_paragraphs, make

DOCUMENTS = [
    {"kind": "Kế hoạch", "number_symbol": "145/KH-UBND", "date": "2026-02-19",
     "abstract": "thực hiện công tác dân vận chính quyền năm 2026"},
    {"kind": "Quyết định", "number_symbol": "156/QĐ-UBND", "date": "2026-02-26",
     "abstract": "ban hành quy chế thực hiện dân chủ ở cơ sở."},  # typed with a full stop: not doubled
    {"kind": "Công văn", "number_symbol": "37/UBND-VP", "date": "2026-03-04",
     "abstract": "đôn đốc tiếp công dân định kỳ"},
]
TASKS = [{"task": "đẩy mạnh dịch vụ công trực tuyến, phấn đấu trên 80% hồ sơ nộp trực tuyến"},
         {"task": "Tổ chức đối thoại giữa Chủ tịch UBND xã với Nhân dân các thôn;"}]


def test_documents_with_a_dash_and_tasks_numbered_one_paragraph_each(tmp_path):
    template = load_templates()["commune_half_year"]
    answers = {**sample_answers(template, Period(2026, "half_year")), "documents_issued": DOCUMENTS,
               "documents_count": 3, "tasks": TASKS}
    texts = [p.text for p in body_paragraphs(make(tmp_path, template, answers))]
    intro = next(n for n, t in enumerate(texts) if "đã ban hành 3 văn bản" in t)
    assert texts[intro].endswith("gồm:")
    assert texts[intro + 1:intro + 4] == [
        "- Kế hoạch số 145/KH-UBND ngày 19/02/2026 về thực hiện công tác dân vận chính quyền năm 2026;",
        "- Quyết định số 156/QĐ-UBND ngày 26/02/2026 về ban hành quy chế thực hiện dân chủ ở cơ sở;",
        "- Công văn số 37/UBND-VP ngày 04/03/2026 về đôn đốc tiếp công dân định kỳ.",
    ]
    assert not texts[intro + 4].startswith("- ")  # the section goes on in a paragraph of its own
    tasks = next(n for n, t in enumerate(texts) if t.endswith("nhiệm vụ trọng tâm sau:"))
    assert texts[tasks + 1:tasks + 3] == [
        "1. Đẩy mạnh dịch vụ công trực tuyến, phấn đấu trên 80% hồ sơ nộp trực tuyến.",
        "2. Tổ chức đối thoại giữa Chủ tịch UBND xã với Nhân dân các thôn.",
    ]
    assert not any("145/KH-UBND" in t and "156/QĐ-UBND" in t for t in texts)  # nothing run together
    assert not any("trực tuyến; Tổ chức" in t for t in texts)


BASE = """key: t
version: 1
period: half_year
name: Báo cáo thử
abstract: Báo cáo thử {year}
sections:
  - key: s
    title: Mục
    indicators:
      - key: items
        question: Những việc đã làm?
        hint: Mỗi dòng một việc.
        type: %(type)s
%(extra)s    prose:
      - "%(prose)s"
"""
FIELDS = "        fields:\n          - key: task\n            label: Việc\n"


@pytest.mark.parametrize("type_, extra, prose, problem", [
    ("text", "        list_style: dash\n", "Gồm: {items}.", "only allowed for type list"),
    ("list", FIELDS + "        list_style: number\n", "Gồm: {items}, và hơn nữa.", "must end its sentence"),
])
def test_a_template_is_checked_for_its_list_styles(tmp_path, type_, extra, prose, problem):
    path = tmp_path / "t.yaml"
    path.write_text(BASE % {"type": type_, "extra": extra, "prose": prose}, encoding="utf-8")
    with pytest.raises(TemplateError, match=problem):
        load_template(path)
    path.write_text(BASE % {"type": "list", "extra": FIELDS + "        list_style: number\n", "prose": "Gồm: {items}."},
                    encoding="utf-8")
    assert load_template(path).by_key["items"].list_style == "number"
