"""Every answer type, valid and invalid, and Vietnamese number writing."""

from datetime import date
from decimal import Decimal

import pytest

from reports.i18n import use_locale
from handlers.parsing import AnswerError, parse_answer, parse_number
from reports.schema import load_template, load_templates
from reports.values import Pair
from tests.conftest import MINI_TEMPLATES

T = load_template(MINI_TEMPLATES / "mini.yaml")


def ind(key):
    return T.by_key[key]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1.028", Decimal(1028)),
        ("1028", Decimal(1028)),
        ("85,5", Decimal("85.5")),
        ("4.840,67", Decimal("4840.67")),
        ("1.234.567", Decimal(1234567)),
        ("1 028", Decimal(1028)),
        ("không", Decimal(0)),
        ("Không có", Decimal(0)),
        ("0", Decimal(0)),
        ("12 đơn", Decimal(12)),
        ("-3", Decimal(-3)),
    ],
)
def test_vietnamese_numbers(text, expected):
    assert parse_number(text, unit="đơn") == expected


@pytest.mark.parametrize("text", ["abc", "1.5", "12,5,3", "", "1..0", "mười"])
def test_not_numbers(text):
    with pytest.raises(AnswerError):
        parse_number(text)


def test_dot_decimal_explains_vietnamese_writing():
    with use_locale("vi"), pytest.raises(AnswerError) as err:
        parse_number("1.5")
    assert "dấu phẩy" in str(err.value) and "85,5" in str(err.value)


VALID = [
    ("households", "2.363", 2363),
    ("area", "4.840,67", Decimal("4840.67")),
    ("area", "4.840,67 ha", Decimal("4840.67")),
    ("share", "85,5%", Decimal("85.5")),
    ("cultural", "8/10", Pair(Decimal(8), Decimal(10))),
    ("cultural", "12 trên 14", Pair(Decimal(12), Decimal(14))),
    ("bypass", "có", True),
    ("bypass", "Không", False),
    ("level", "2", "fair"),
    ("level", "tot", "good"),
    ("level", "Khá", "fair"),
    ("subjects", "1, 3", ["land", "civil"]),
    ("subjects", "3 1", ["civil", "land"]),
    ("subjects", "không", []),
    ("meeting_date", "19/02/2024", date(2024, 2, 19)),
    ("meeting_date", "3-6-2024", date(2024, 6, 3)),
    ("strengths", "  Làm tốt công tác tiếp dân.  ", "Làm tốt công tác tiếp dân."),
    (
        "documents",
        "Kế hoạch; 145/KH-UBND; 19/02/2024; công khai\nQuyết định; 156/QĐ-UBND; 26/02/2024",
        [
            {"kind": "kh", "number": "145/KH-UBND", "date": "2024-02-19", "abstract": "công khai"},
            {"kind": "qd", "number": "156/QĐ-UBND", "date": "2024-02-26"},
        ],
    ),
    ("documents", "không", []),
]


@pytest.mark.parametrize("key, text, expected", VALID)
def test_valid_answers(key, text, expected):
    assert parse_answer(ind(key), text) == expected


INVALID = [
    ("households", "12,5", "số nguyên"),
    ("households", "-1", "lớn hơn hoặc bằng 0"),
    ("households", "nhiều", "không phải là một số"),
    ("area", "1.5", "dấu phẩy"),
    ("share", "120", "từ 0 đến 100"),
    ("cultural", "12", "x/y"),
    ("cultural", "3/0", "lớn hơn 0"),
    ("bypass", "có lẽ", "“có” hoặc “không”"),
    ("level", "7", "1. Tốt, 2. Khá"),
    ("subjects", "1, 9", "không có trong các phương án"),
    ("meeting_date", "31/02/2024", "không phải là ngày có thật"),
    ("meeting_date", "tháng hai", "ngày/tháng/năm"),
    ("strengths", "   ", "để trống"),
    ("documents", "Kế hoạch; 145/KH-UBND", "Dòng 1: còn thiếu “Ngày”"),
    ("documents", "Kế hoạch; 145/KH-UBND; 32/01/2024", "Dòng 1, “Ngày”"),
    ("documents", "Công văn; 1/CV; 01/01/2024", "Dòng 1, “Loại”"),
    ("documents", "a; b; 01/01/2024; d; e", "có 5 phần"),
]


@pytest.mark.parametrize("key, text, fragment", INVALID)
def test_invalid_answers_say_what_is_expected_in_vietnamese(key, text, fragment):
    with use_locale("vi"), pytest.raises(AnswerError) as err:
        parse_answer(ind(key), text)
    assert fragment in str(err.value)


def test_text_length_limit_and_control_characters():
    long = "a" * 10_001
    with use_locale("vi"), pytest.raises(AnswerError) as err:
        parse_answer(ind("strengths"), long)
    assert "quá dài" in str(err.value)
    assert parse_answer(ind("strengths"), "ab\x00c\x07d") == "abcd"


def test_decomposed_vietnamese_is_stored_composed():
    decomposed = "Kha\u0301"  # "Khá" typed with a combining accent
    assert parse_answer(ind("level"), decomposed) == "fair"
    assert parse_answer(ind("strengths"), "Tô\u0301t") == "Tốt"


def test_english_errors_available():
    with use_locale("en"), pytest.raises(AnswerError) as err:
        parse_answer(ind("households"), "nhiều")
    assert "is not a number" in str(err.value)


# ---------------------------------------------------------------- issue 11: answers as officers write them

def _commune(key):  # noqa: ANN001, ANN202
    return load_templates()["commune_half_year"].by_key[key]


@pytest.mark.parametrize("key, typed, value", [
    ("villages", "14 thôn", 14),  # one word of the unit "thôn, tổ dân phố"
    ("villages", "14 thôn, tổ dân phố", 14),
    ("reception_visitors", "70 lượt", 70),
    ("reception_regular", "32 buổi", 32),
    ("households", "2.363 hộ", 2363),
])
def test_a_unit_word_after_the_number(key, typed, value):
    assert parse_answer(_commune(key), typed) == value


def test_a_word_that_is_no_unit_is_refused():
    with pytest.raises(AnswerError, match="không phải là một số"):
        parse_answer(_commune("households"), "14 con mèo")


def test_an_english_thousands_comma_on_a_whole_number_says_how_to_write_it():
    with pytest.raises(AnswerError, match="xin gõ 1.028"):
        parse_answer(_commune("households"), "1,028")
    with pytest.raises(AnswerError, match="xin gõ 2.500"):
        parse_answer(_commune("households"), "2,500")


@pytest.mark.parametrize("typed, value", [("có", True), ("không", False), ("không có", False), ("Chưa có", False)])
def test_yes_no_as_written(typed, value):
    ind = next(i for i in load_templates()["commune_half_year"].indicators if i.type == "yesno")
    assert parse_answer(ind, typed) is value
