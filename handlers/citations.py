"""A document cited in one line, as officers write it — "Kế hoạch số 145/KH-UBND ngày 19/02/2024
về thực hiện …", "KH 145/KH-UBND 19/2/2024 …", "Quyết định 103-QĐ/ĐU ngày 30/3/2024 về việc …",
"Công văn số 37/UBND-VP ngày 4/3/2026 V/v …" — taken apart into the kind, the number and symbol,
the date and the abstract of a list item whose fields are named so (``kind``, ``number_symbol``,
``date``, ``abstract``). The kind may be left out when the symbol tells it (``…/KH-…`` is a plan,
``…/UBND-VP`` a letter)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from handlers.parsing import AnswerError, fold, match_choice, options_text, parse_date
from reports.i18n import _
from reports.schema import Choice, Indicator

FIELDS = ("kind", "number_symbol", "date", "abstract")

# a number and symbol: digits, then "/" or "-" joined parts of letters (Đ included) and digits
_SYMBOL = re.compile(r"(?<![\w/])(\d{1,5}[a-zA-Z]?(?:[/-][^\W_][\w.&]*)+)", re.UNICODE)
_DATE = re.compile(r"(?:ng[àa]y\s+)?(\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4})"
                   r"|(?:ng[àa]y\s+)?(\d{1,2})\s+th[áa]ng\s+(\d{1,2})\s+n[ăa]m\s+(\d{4})", re.IGNORECASE)
# "về …" before the abstract (dropped: the Word file writes it); "về việc …", "V/v …" keep their "việc"
_ABOUT = re.compile(r"^[\s,;:.\-–]*(?:(?:(?P<matter>v[ềe]\s+vi[ệe]c|v/v|v\.v|vv)|v[ềe])\b\.?[\s:]*)?",
                    re.IGNORECASE)
# the kinds' abbreviations in symbols (Nghị định 30/2020/NĐ-CP, Phụ lục III), folded
_ABBREVIATIONS = {
    "nq": "nghi quyet", "qd": "quyet dinh", "ct": "chi thi", "qc": "quy che", "tb": "thong bao",
    "hd": "huong dan", "ctr": "chuong trinh", "kh": "ke hoach", "pa": "phuong an", "da": "de an",
    "bc": "bao cao", "ttr": "to trinh", "gm": "giay moi", "cv": "cong van",
}
_SO = re.compile(r"\s*\bs[ốo]\b\.?\s*$", re.IGNORECASE)
# symbols that name the issuing body, not a kind of document: a letter (công văn) has no kind in
# its symbol (Nghị định 30/2020/NĐ-CP, Phụ lục III)
_BODIES = {"ubnd", "hdnd", "ub", "vp", "du", "tu", "hu", "mttq", "bch"}


def is_citation(ind: Indicator) -> bool:
    """True when the list's items are document citations (its fields are named as above)."""
    return ind.type == "list" and tuple(f.key for f in ind.fields) == FIELDS


def _by_abbreviation(choices: tuple[Choice, ...], abbreviation: str) -> str | None:
    label = _ABBREVIATIONS.get(abbreviation)
    return next((c.id for c in choices if fold(c.label) == label), None) if label else None


def kind_from(choices: tuple[Choice, ...], head: str, symbol: str) -> str | None:
    """The kind's choice id, from the words before the number (a label, its abbreviation, or a
    choice number) or else from the symbol; None when neither tells it."""
    head = _SO.sub("", head).strip(" ,:-")
    if head:
        found = match_choice(choices, head) or _by_abbreviation(choices, fold(head).replace(".", "").replace(" ", ""))
        if found is not None:
            return found
    parts = [fold(p) for p in re.split(r"[/-]", symbol)[1:]]
    if not parts:
        return None
    found = _by_abbreviation(choices, parts[0])
    if found is None and parts[0] in _BODIES:
        found = next((c.id for c in choices if fold(c.label) == "cong van"), None)
    return found


def parse_citation(ind: Indicator, line: str) -> dict[str, Any] | None:
    """The item for one line written as a citation, or None when the line has no number and
    symbol (then it is read the semicolon way). Raises AnswerError on a part that is wrong."""
    symbol_match = next((m for m in _SYMBOL.finditer(line) if any(c.isalpha() for c in m.group(1))), None)
    if symbol_match is None:  # a date alone is no symbol: a symbol has letters (KH-UBND)
        return None
    fields = {f.key: f for f in ind.fields}
    head, symbol = line[:symbol_match.start()], symbol_match.group(1).rstrip(".")
    rest = line[symbol_match.end():]
    kind = kind_from(fields["kind"].choices, head, symbol)
    if kind is None:
        raise AnswerError(_("Which kind of document is “{symbol}”? Begin the line with its kind: {options}.").format(
            symbol=symbol, options=options_text(fields["kind"].choices)))
    item: dict[str, Any] = {"kind": kind, "number_symbol": symbol}
    date_match = _DATE.search(rest)
    if date_match is not None and not rest[:date_match.start()].strip(" ,;:"):
        item["date"] = _date(date_match).isoformat()
        rest = rest[date_match.end():]
    elif fields["date"].required:
        raise AnswerError(_("The date of “{symbol}” is missing: write it after the number, e.g. ngày 19/02/2024.").format(
            symbol=symbol))
    about = _ABOUT.match(rest)
    abstract = rest[about.end():].strip().rstrip(";")
    if about.group("matter") and abstract:
        abstract = "việc " + abstract
    if abstract:
        item["abstract"] = abstract
    elif fields["abstract"].required:
        raise AnswerError(_("What is “{symbol}” about? Write it after the date, e.g. … về thực hiện quy chế dân chủ.").format(
            symbol=symbol))
    return item


def _date(m: re.Match[str]) -> date:
    if m.group(1):
        return parse_date(m.group(1))
    try:
        return date(int(m.group(4)), int(m.group(3)), int(m.group(2)))
    except ValueError:
        raise AnswerError(_("“{text}” is not a real date.").format(text=m.group(0).strip())) from None
