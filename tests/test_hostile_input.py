"""Hostile and odd input (issue 13, finding 6): every answer parser and the core's question flow,
fed with generated text, refuse clearly or store exactly — never "something went wrong"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from handlers.parsing import AnswerError, parse_answer, parse_number
from reports.schema import load_templates
from reports.values import display_item, from_json, to_json
from tests.conftest import Chat

TEMPLATES = load_templates()
INDICATORS = [ind for t in TEMPLATES.values() for ind in t.indicators]
ODD = st.one_of(
    st.text(max_size=60),
    st.sampled_from(["²", "①", "٣", "-0", "-0,0", "1" * 40, "9" * 29, "1,028", "12/KH-{abstract}", "\ud800x",
                     "0/0", "1.0.0", "  ", "không có", "—", "1e9", "NaN", "∞", "١٢"]),
)


@settings(max_examples=300, deadline=None)
@given(text=ODD, n=st.integers(min_value=0, max_value=len(INDICATORS) - 1))
def test_every_parser_refuses_clearly_or_gives_a_value_that_round_trips(text, n):
    ind = INDICATORS[n]
    try:
        value = parse_answer(ind, text)
    except AnswerError as err:
        assert str(err)  # a message for the officer
        return
    assert from_json(ind.type, to_json(ind.type, value)) == value  # stored exactly


@pytest.mark.parametrize("text", ["²", "①", "٣", "１２", "1" * 40, "0,0000001"])
def test_only_ascii_digits_and_sane_sizes_are_numbers(text):
    with pytest.raises(AnswerError):
        parse_number(text)


def test_minus_zero_is_zero():
    assert parse_number("-0") == 0 and str(parse_number("-0")) == "0"
    assert parse_number("-0,0").is_zero() and not parse_number("-0,0").is_signed()


def test_list_items_are_filled_in_one_pass():
    ind = next(i for i in INDICATORS if i.type == "list" and i.item_format and "{number_symbol}" in i.item_format)
    item = {f.key: "" for f in ind.fields} | {"number_symbol": "12/KH-{abstract}", "abstract": "công khai tài chính"}
    shown = display_item(ind, item)
    assert "số 12/KH-{abstract}" in shown and shown.endswith("về công khai tài chính")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(ODD, min_size=1, max_size=6))
async def test_the_core_never_fails_on_odd_text(mini_app, texts):
    chat = Chat(mini_app, user=f"h{abs(hash(tuple(texts))) % 10**8}")
    await chat.register()
    await chat.open_report("mini")
    for text in texts:
        reply = await chat.send(text)
        assert "có lỗi" not in reply and "went wrong" not in reply, (text, reply)


async def test_wrong_invite_codes_are_slowed_down(mini_app, clock):
    from datetime import timedelta

    chat = Chat(mini_app, "guesser")
    replies = [await chat.send(f"WRONG{n:03d}") for n in range(6)]
    assert all("không" in r for r in replies[:5])
    assert "quá nhiều lần" in replies[5] and "DEMO2026" not in replies[5]
    assert "quá nhiều lần" in await chat.send("DEMO2026")  # even the right code waits
    clock.now += timedelta(minutes=2)
    assert "Mã mời hợp lệ" in await chat.send("DEMO2026")


def test_decimal_sizes():
    assert parse_number("4.840,67") == Decimal("4840.67")
