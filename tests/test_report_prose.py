"""Prose and the summary message, written from typed answers through the real templates' patterns."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from handlers.samples import sample_answers
from bot.channels.text import split_message
from reports.logic import SKIPPED, ReportState
from reports.periods import Period
from reports.prose import Figures, compose, render_pattern, section_paragraphs
from reports.schema import load_template, load_templates
from reports.summary import summary_lines, summary_text
from reports.values import Pair
from tests.conftest import MINI_TEMPLATES

PERIOD = Period(2026, "half_year")


@pytest.fixture(scope="module")
def half_year():
    return load_templates()["commune_half_year"]


@pytest.fixture(scope="module")
def mini():
    return load_templates(MINI_TEMPLATES)["mini"]


def figures(template, answers, previous=None) -> Figures:
    values = ReportState(template, answers).effective()
    prev = ReportState(template, previous).effective() if previous is not None else None
    return Figures(template, values, prev)


def body_text(fig: Figures) -> str:
    return "\n".join(b.text for b in compose(fig))


def test_figures_read_the_vietnamese_way(half_year):
    answers = sample_answers(half_year, PERIOD) | {
        "natural_area": Decimal("4840.67"), "dossiers_received": 1028, "dossiers_online": 879,
        "petitions_received": 10, "petitions_eligible": 10, "petitions_resolved": 8, "petitions_in_progress": 2,
    }
    text = body_text(figures(half_year, answers))
    assert "tổng diện tích tự nhiên 4.840,67 ha" in text
    assert "tiếp nhận 1.028 hồ sơ" in text
    assert "879 hồ sơ được nộp trực tuyến, chiếm 85,51%" in text  # 879/1028 = 0.855058… half-up
    assert "đã giải quyết 8/10 đơn, đạt 80%." in text
    assert "1028" not in text and "80,00" not in text


def test_rates_round_half_up(mini):
    # 1/8 = 12,5%: Babel alone would print 12% (half-even); 0.125 → two places → 12,5%
    fig = figures(mini, {"received": 8, "resolved": 1})
    assert "đạt 12,5%" in body_text(fig)
    fig = figures(mini, {"received": 200000, "resolved": 170957})  # 85,4785% → 85,48%
    assert "đạt 85,48%" in body_text(fig)


def test_units_are_not_written_twice(mini):
    """mini.yaml writes the unit in its patterns (“{received} đơn”); the renderer then leaves it out."""
    text = body_text(figures(mini, {"received": 10, "resolved": 8}))
    assert "tiếp nhận 10 đơn." in text and "đơn đơn" not in text
    assert "Đã giải quyết 8/10 đơn, đạt 80%." in text


def test_a_skipped_or_irrelevant_indicator_leaves_no_sentence(half_year):
    answers = sample_answers(half_year, PERIOD) | {
        "ntm_level": SKIPPED,  # skipped
        "situation_overview": SKIPPED,
        "petitions_received": 0,  # makes the other petition questions irrelevant
        "people_contributions": SKIPPED,
    }
    answers.pop("land_donated")  # never answered
    text = body_text(figures(half_year, answers))
    assert "nông thôn mới, hiện nay xã" not in text
    assert "Trong 6 tháng đầu năm, tình hình" not in text
    assert "đủ điều kiện xử lý" not in text and "vượt cấp" not in text
    assert "tự nguyện đóng góp" not in text and "đã hiến" not in text
    assert "tiếp nhận 0 đơn khiếu nại" in text  # the answered figure itself stays
    # the same answers with those indicators answered do produce the sentences
    full = body_text(figures(half_year, sample_answers(half_year, PERIOD) | {"ntm_level": "advanced"}))
    assert "hiện nay xã đã đạt chuẩn nông thôn mới nâng cao." in full


def test_free_text_goes_in_as_written(half_year):
    own = "Năm nay mưa nhiều; đường liên thôn sạt lở 2 điểm.\nNhân dân góp công sửa chữa."
    answers = sample_answers(half_year, PERIOD) | {"situation_overview": own,
                                                     "overdue_reason": "do mất điện kéo dài."}
    fig = figures(half_year, answers)
    overview = section_paragraphs(half_year.sections[0], fig)
    assert overview[-2:] == ["Năm nay mưa nhiều; đường liên thôn sạt lở 2 điểm.", "Nhân dân góp công sửa chữa."]
    # an answer that ends its own sentence does not get a second full stop
    assert "Nguyên nhân hồ sơ quá hạn: do mất điện kéo dài. " in body_text(fig) + " "


def test_change_against_the_same_period_last_year(mini):
    text = body_text(figures(mini, {"received": 10, "resolved": 8}, {"received": 12, "resolved": 6}))
    assert "tiếp nhận 10 đơn, giảm 2 đơn (16,67%) so với cùng kỳ năm trước." in text
    text = body_text(figures(mini, {"received": 10, "resolved": 8}, {"received": 10}))
    assert "tiếp nhận 10 đơn, bằng cùng kỳ năm trước." in text
    text = body_text(figures(mini, {"received": 1028, "resolved": 8}, {"received": 1000}))
    assert "tăng 28 đơn (2,8%) so với cùng kỳ năm trước" in text
    # no report last year, or no value in it: the sentence stays, without a comparison
    for previous in (None, {"level": "good"}):
        text = body_text(figures(mini, {"received": 10, "resolved": 8}, previous))
        assert "tiếp nhận 10 đơn." in text and "cùng kỳ" not in text


def test_rates_change_in_percentage_points(half_year):
    now = sample_answers(half_year, PERIOD) | {"petitions_eligible": 10, "petitions_resolved": 9}
    before = dict(now) | {"petitions_eligible": 10, "petitions_resolved": 8, "petitions_in_progress": 1}
    lines = "\n".join(summary_lines(figures(half_year, now, before)))
    assert "Tỷ lệ giải quyết đơn thư: 90% (9/10 đơn) — tăng 10 điểm phần trăm so với cùng kỳ năm trước" in lines


def test_sections_are_numbered_in_template_order(half_year):
    blocks = compose(figures(half_year, sample_answers(half_year, PERIOD)), period=PERIOD)
    headings = [(b.level, b.number, b.key) for b in blocks if b.level]
    top = [(n, k) for level, n, k in headings if level == 1]
    assert top == [("I.", "overview"), ("II.", "leadership"), ("III.", "results"), ("IV.", "assessment"),
                   ("V.", "next_tasks"), ("VI.", "proposals_section")]
    subs = [(n, k) for level, n, k in headings if level == 2]
    assert subs[:4] == [("1.", "grassroots_democracy"), ("2.", "admin_reform"), ("3.", "public_service"),
                        ("4.", "citizen_reception")]
    assert next(b.text for b in blocks if b.key == "overview") == "KHÁI QUÁT ĐẶC ĐIỂM TÌNH HÌNH"
    assert next(b.text for b in blocks if b.key == "next_tasks") == "PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2026"


def test_a_section_with_nothing_to_say_is_left_out_and_numbering_closes_up(half_year):
    answers = sample_answers(half_year, PERIOD)
    answers["proposals"] = SKIPPED
    for key in ("tasks",):
        answers.pop(key)
    blocks = compose(figures(half_year, answers))
    assert [b.key for b in blocks if b.level == 1][-1] == "assessment"
    assert "next_tasks" not in [b.key for b in blocks]


def test_third_level_sections_are_lettered(tmp_path: Path):
    (tmp_path / "deep.yaml").write_text(
        """key: deep
version: 1
period: annual
name: "Thử"
abstract: "Thử {year}"
sections:
  - key: a
    title: "Phần một"
    sections:
      - key: b
        title: "Mục một"
        sections:
          - key: c
            title: "Điểm thứ nhất"
            prose: ["Có {n} việc."]
            indicators:
              - {key: n, question: "Bao nhiêu?", hint: "Ví dụ: 3", type: integer, unit: "việc"}
          - key: d
            title: "Điểm thứ hai"
            prose: ["Có {m} việc khác."]
            indicators:
              - {key: m, question: "Bao nhiêu?", hint: "Ví dụ: 3", type: integer}
""",
        encoding="utf-8",
    )
    template = load_template(tmp_path / "deep.yaml")
    blocks = compose(figures(template, {"n": 3, "m": 4}))
    assert [(b.number, b.text) for b in blocks] == [
        ("I.", "PHẦN MỘT"), ("1.", "Mục một"), ("a)", "Điểm thứ nhất"), ("", "Có 3 việc."),
        ("b)", "Điểm thứ hai"), ("", "Có 4 việc khác."),
    ]


def test_a_pattern_naming_a_missing_key_is_dropped(mini):
    fig = figures(mini, {"received": 5})
    assert render_pattern("Đã giải quyết {resolved}/{received}.", fig) is None
    assert render_pattern("Tiếp nhận {received.raw} lá đơn.", fig) == "Tiếp nhận 5 lá đơn."


def test_summary_gives_counts_rates_and_changes(half_year):
    answers = sample_answers(half_year, PERIOD) | {
        "petitions_received": 10, "petitions_eligible": 10, "petitions_resolved": 8, "petitions_in_progress": 2,
        "cultural_areas": Pair(Decimal(12), Decimal(14)),
    }
    before = dict(answers) | {"dossiers_received": 1000}
    lines = summary_lines(figures(half_year, answers, before))
    assert "• Tỷ lệ giải quyết đơn thư: 80% (8/10 đơn) — bằng cùng kỳ năm trước" in lines
    assert "• Khu dân cư văn hóa: 12/14 khu dân cư (85,71%) — bằng cùng kỳ năm trước" in lines
    assert "• Hồ sơ tiếp nhận: 1.028 hồ sơ — tăng 28 hồ sơ (2,8%) so với cùng kỳ năm trước" in lines
    assert len(lines) == len(half_year.summary)
    # order follows the template's summary list
    labels = [line.split(":")[0][2:] for line in lines]
    assert labels[0] == "Số hộ" and labels[-1] == "Tỷ lệ hộ nghèo"


def test_summary_leaves_out_figures_not_answered(mini):
    fig = figures(mini, {"received": 0})
    assert summary_lines(fig) == ["• Số đơn thư tiếp nhận trong 6 tháng đầu năm: 0 đơn"]
    text = summary_text(figures(mini, {}), "Tóm tắt", "Chưa có số liệu.")
    assert text == "Tóm tắt\n\nChưa có số liệu."


def test_a_long_summary_splits_under_2000_characters(tmp_path: Path):
    """Fifty figures with long labels: every piece fits Zalo's 2,000 characters, nothing is lost."""
    indicators = "\n".join(
        f"      - {{key: k{i}, label: \"Chỉ tiêu thứ {i} về công tác dân vận chính quyền ở thôn, tổ dân phố\","
        f" question: \"Bao nhiêu?\", hint: \"Ví dụ: 3\", type: integer, unit: \"lượt người\"}}"
        for i in range(50)
    )
    (tmp_path / "long.yaml").write_text(
        f"""key: long
version: 1
period: half_year
name: "Dài"
abstract: "Dài {{year}}"
sections:
  - key: s
    title: "Mục"
    indicators:
{indicators}
summary: [{", ".join(f"k{i}" for i in range(50))}]
""",
        encoding="utf-8",
    )
    template = load_template(tmp_path / "long.yaml")
    fig = figures(template, {f"k{i}": 1000 + i for i in range(50)}, {f"k{i}": 900 for i in range(50)})
    text = summary_text(fig, "Tóm tắt", "")
    assert len(text) > 2000
    pieces = split_message(text, 2000)
    assert len(pieces) >= 3 and all(len(p) <= 2000 for p in pieces)
    for i in range(50):
        assert sum(f"Chỉ tiêu thứ {i} về" in p for p in pieces) == 1  # each line whole, in one piece


def test_split_measures_with_the_channel_length():
    from bot.channels.telegram.channel import utf16_len

    text = "\n".join(["💡" * 30] * 10)  # 30 emoji = 60 UTF-16 units a line
    pieces = split_message(text, 130, length=utf16_len)
    assert all(utf16_len(p) <= 130 for p in pieces) and len(pieces) == 5
    assert "\n".join(pieces) == text


def test_compiled_free_texts_are_grouped_by_text(half_year):
    """A proposal three units wrote alike is printed once with their names; one all units share is
    said once for all; a unit's own text keeps its name."""
    from reports.aggregate import Compiled, UnitValues

    base = ReportState(half_year, sample_answers(half_year, PERIOD)).effective()
    same = "Đề nghị hỗ trợ kinh phí duy trì mô hình."
    units = [UnitValues(i, name, {**base, "proposals": text}) for i, (name, text) in enumerate(
        [("Xã An", same), ("Xã Bình", "Đề nghị mở lớp tập huấn."), ("Xã Cao", same)])]
    body = "\n".join(b.text for b in compose(Compiled.of(half_year, units, 3, []), compiled=True))
    assert "- Xã An, Xã Cao: Đề nghị hỗ trợ kinh phí duy trì mô hình." in body
    assert "- Xã Bình: Đề nghị mở lớp tập huấn." in body
    alike = [UnitValues(i, n, {**base, "proposals": same}) for i, n in enumerate(["Xã An", "Xã Bình"])]
    body = "\n".join(b.text for b in compose(Compiled.of(half_year, alike, 3, ["Xã Cao"]), compiled=True))
    assert "- Tất cả các đơn vị: Đề nghị hỗ trợ kinh phí duy trì mô hình." in body
    assert "Xã An, Xã Bình:" not in body
