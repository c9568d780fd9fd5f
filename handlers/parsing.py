"""Turning what an officer typed into a typed answer, or a Vietnamese message saying what is expected.

Numbers follow Vietnamese writing: ``1.028`` is one thousand and twenty-eight, ``85,5`` is 85.5,
``8/10`` is a pair, ``không`` is zero. Nothing here touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from reports.i18n import _
from reports.formatting import fmt_number
from reports.schema import Choice, Indicator, ItemField
from reports.values import Pair

ZERO_WORDS = {"không", "khong", "ko", "k", "không có", "khong co", "chưa có", "chua co", "0"}
YES_WORDS = {"có", "co", "c", "yes", "y", "đúng", "dung", "rồi", "roi", "ok", "x"}
NO_WORDS = {"không", "khong", "ko", "k", "no", "n", "chưa", "chua", "sai", "không có", "khong co", "chưa có",
            "chua co"}
NONE_WORDS = ZERO_WORDS | {"không có gì", "none", "-"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
_PLAIN = re.compile(r"^\d+(,\d+)?$")
THOUSANDS_COMMA = re.compile(r"\d{1,3},\d{3}")  # "1,028": 1,028 the Vietnamese way, 1028 the English way


class AnswerError(ValueError):
    """The answer cannot be accepted; ``str(err)`` is the message for the officer."""


def normalize(text: str) -> str:
    """NFC (one code point per Vietnamese letter), no control characters and no lone surrogates
    (text that is not valid UTF-8 cannot be stored), trimmed."""
    return _CONTROL.sub("", unicodedata.normalize("NFC", _SURROGATE.sub("", text))).strip()


_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_NUMBER = Decimal(10) ** 15  # no figure of a commune report comes near it
MAX_DECIMALS = 6


def fold(text: str) -> str:
    """Lower case without diacritics, for matching labels typed loosely."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def parse_number(text: str, unit: str | None = None) -> Decimal:
    """A Vietnamese-written number; raises AnswerError when it is not one."""
    raw = normalize(text).lower()
    if unit:
        raw = _without_unit(raw, unit)
    raw = raw.removesuffix("%").strip()
    if raw in ZERO_WORDS:
        return Decimal(0)
    sign = -1 if raw.startswith("-") else 1
    body = raw.lstrip("-+").replace(" ", "").replace("\u00a0", "")
    if body.isascii() and (_GROUPED.match(body) or _PLAIN.match(body)):  # only 0-9 are digits: not ², ①, ٣
        try:
            value = sign * Decimal(body.replace(".", "").replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the patterns only let digits through
            value = None
        if value is not None:
            if abs(value) > MAX_NUMBER or -value.as_tuple().exponent > MAX_DECIMALS:
                raise AnswerError(_("“{text}” is too large or has too many decimals for a report figure.").format(
                    text=text.strip()[:40]))
            return value if value != 0 else Decimal(0)  # "-0" is 0
    if re.fullmatch(r"\d+\.\d+", body):
        raise AnswerError(
            _("“{text}” is not a Vietnamese-written number: use a comma for decimals (85,5) "
              "and a dot between thousands (1.028).").format(text=text.strip())
        )
    raise AnswerError(_("“{text}” is not a number.").format(text=text.strip()))


def _without_unit(raw: str, unit: str) -> str:
    """``raw`` without a unit word written after the number: the unit itself ("65 buổi"), or one
    or more of its words ("14 thôn" for "thôn, tổ dân phố", "70 lượt" for "lượt công dân")."""
    raw = re.sub(rf"\s*{re.escape(unit.lower())}\s*$", "", raw)
    m = re.fullmatch(r"([-+]?[\d.,\s]*\d)\s*([^\W\d_][^\d]*)", raw)
    if m is not None:
        words = fold(m.group(2)).replace(",", " ").split()
        if words and set(words) <= set(fold(unit).replace(",", " ").split()):
            return m.group(1)
    return raw


def _check_bounds(ind: Indicator, value: Decimal) -> None:
    if ind.min is not None and value < ind.min:
        raise AnswerError(_("The number must be at least {min}.").format(min=fmt_number(ind.min)))
    if ind.max is not None and value > ind.max:
        raise AnswerError(_("The number must be at most {max}.").format(max=fmt_number(ind.max)))


def parse_integer(ind: Indicator, text: str) -> int:
    value = parse_number(text, ind.unit)
    if value != value.to_integral_value():
        typed = normalize(text)
        if THOUSANDS_COMMA.fullmatch(typed):
            raise AnswerError(_("“{text}” has a decimal comma, but this figure is a whole number. If it is a "
                                "number in the thousands, write {grouped} (a dot between thousands).").format(
                text=typed, grouped=typed.replace(",", ".")))
        raise AnswerError(_("Please enter a whole number, without decimals."))
    _check_bounds(ind, value)
    return int(value)


def parse_decimal(ind: Indicator, text: str) -> Decimal:
    value = parse_number(text, ind.unit)
    _check_bounds(ind, value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def parse_percent(ind: Indicator, text: str) -> Decimal:
    value = parse_decimal(ind, text)
    if not Decimal(0) <= value <= Decimal(100):
        raise AnswerError(_("A percentage is between 0 and 100."))
    return value


def parse_pair(ind: Indicator, text: str) -> Pair:
    parts = re.split(r"\s*(?:/|trên|tren|of)\s*", normalize(text).lower())
    if len(parts) != 2 or not all(parts):
        raise AnswerError(_("Please write two numbers as “x/y”, for example 12/14."))
    num, den = (parse_number(p, ind.unit) for p in parts)
    if den <= 0:
        raise AnswerError(_("The second number (the total) must be greater than 0."))
    if num < 0:
        raise AnswerError(_("The number must be at least {min}.").format(min=0))
    _check_bounds(ind, num)
    _check_bounds(ind, den)
    return Pair(num, den)


def parse_yesno(text: str) -> bool:
    word = normalize(text).lower().rstrip(".!")
    if word in YES_WORDS or word == "1":
        return True
    if word in NO_WORDS or word == "2":
        return False
    raise AnswerError(_("Please answer “có” (yes) or “không” (no)."))


def parse_date(text: str) -> date:
    raw = normalize(text)
    m = re.fullmatch(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})", raw)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        raise AnswerError(_("“{text}” is not a real date.").format(text=raw)) from None
    raise AnswerError(_("Please write a date as day/month/year, for example 19/02/2024."))


def match_choice(choices: tuple[Choice, ...], text: str) -> str | None:
    """The id of the choice typed by number (1-based), label or id; None when nothing matches."""
    raw = normalize(text)
    if raw.isascii() and raw.isdigit() and len(raw) <= 4 and 1 <= int(raw) <= len(choices):
        return choices[int(raw) - 1].id
    folded = fold(raw)
    for c in choices:
        if folded in (fold(c.label), c.id):
            return c.id
    return None


def options_text(choices: tuple[Choice, ...]) -> str:
    """The options as a refusal lists them: ``1. Kế hoạch, 2. Quyết định, …``."""
    return ", ".join(f"{n}. {c.label}" for n, c in enumerate(choices, start=1))


def parse_choice(ind: Indicator | ItemField, text: str) -> str:
    found = match_choice(ind.choices, text)
    if found is None:
        raise AnswerError(_("Please pick one of the options, by its number or its name: {options}.").format(
            options=options_text(ind.choices)))
    return found


def parse_multichoice(ind: Indicator, text: str) -> list[str]:
    raw = normalize(text)
    if raw.lower() in NONE_WORDS:
        return []
    picked: list[str] = []
    for part in re.split(r"[,;\n]+|\s+(?=\d)", raw):
        if not part.strip():
            continue
        found = match_choice(ind.choices, part)
        if found is None:
            raise AnswerError(
                _("“{part}” is not one of the options. Type the numbers of the options, "
                  "separated by commas, for example: 1, 3.").format(part=part.strip())
            )
        if found not in picked:
            picked.append(found)
    return picked


def parse_text(ind: Indicator, text: str) -> str:
    value = normalize(text)
    if not value:
        raise AnswerError(_("The answer is empty."))
    if len(value) > ind.max_length:
        raise AnswerError(
            _("The text is too long ({n} characters); at most {max} are accepted.").format(
                n=len(value), max=ind.max_length
            )
        )
    return value


def _parse_field(field: ItemField, text: str) -> Any:
    if field.type == "date":
        return parse_date(text).isoformat()
    if field.type == "integer":
        value = parse_number(text)
        if value != value.to_integral_value():
            raise AnswerError(_("Please enter a whole number, without decimals."))
        return int(value)
    if field.type == "year":
        if not re.fullmatch(r"(?:năm\s+)?\d{4}", text.strip(), re.IGNORECASE):
            raise AnswerError(_("Please write the year in four digits, e.g. 2025."))
        year = int(text.strip()[-4:])
        if not 2000 <= year <= 2100:
            raise AnswerError(_("Please write a year between 2000 and 2100."))
        return year
    if field.type == "choice":
        return parse_choice(field, text)
    return text


def parse_list(ind: Indicator, text: str) -> list[dict[str, Any]]:
    """One item per line, its fields separated by ``;`` in the order the question gives."""
    raw = normalize(text)
    if raw.lower() in NONE_WORDS:
        return []
    lines = [line.strip(" -•\t") for line in re.split(r"\n|\s\|\s", raw) if line.strip(" -•\t")]
    if len(lines) > ind.max_items:
        raise AnswerError(_("At most {max} items are accepted.").format(max=ind.max_items))
    from handlers.citations import is_citation, parse_citation  # citations build on this module

    citation = is_citation(ind)
    items = []
    for number, line in enumerate(lines, start=1):
        if citation and ";" not in line:
            try:
                cited = parse_citation(ind, line)
            except AnswerError as exc:
                raise AnswerError(_("Line {line}: {error}").format(line=number, error=exc)) from None
            if cited is not None:
                items.append(cited)
                continue
        parts = [p.strip() for p in line.split(";")] if len(ind.fields) > 1 else [line]
        if len(parts) > len(ind.fields):
            raise AnswerError(
                _("Line {line} has {n} parts separated by “;” but {m} are expected.").format(
                    line=number, n=len(parts), m=len(ind.fields)
                )
            )
        item: dict[str, Any] = {}
        for field, part in zip(ind.fields, parts + [""] * (len(ind.fields) - len(parts))):
            if not part:
                if field.required:
                    raise AnswerError(
                        _("Line {line}: “{field}” is missing.").format(line=number, field=field.label)
                    )
                continue
            try:
                item[field.key] = _parse_field(field, part)
            except AnswerError as exc:
                raise AnswerError(
                    _("Line {line}, “{field}”: {error}").format(line=number, field=field.label, error=exc)
                ) from None
        items.append(item)
    if ind.required and not items:
        raise AnswerError(_("Please give at least one item."))
    return items


def parse_answer(ind: Indicator, text: str) -> Any:
    """Parse ``text`` as an answer to ``ind``; raise AnswerError with what is expected."""
    parser = {
        "integer": parse_integer,
        "decimal": parse_decimal,
        "percent": parse_percent,
        "pair": parse_pair,
        "yesno": lambda _ind, t: parse_yesno(t),
        "choice": parse_choice,
        "multichoice": parse_multichoice,
        "date": lambda _ind, t: parse_date(t),
        "text": parse_text,
        "list": parse_list,
    }[ind.type]
    return parser(ind, text)
