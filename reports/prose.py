"""Prose from figures: each section's sentences come from the ``prose`` patterns of the template.

A pattern is a Vietnamese sentence with placeholders:

- ``{key}``: the value of an indicator or a computed field, formatted the Vietnamese way
  (``1.028``, ``4.840,67``, ``85,48%``), with the indicator's unit after numbers and pairs;
  free-text answers go in as written; lists and multiple choices are joined inline.
- ``{key.raw}``: the same value without its unit.
- ``{key.change}``: the change against the same period of the previous year, as a clause
  starting with a comma (``, tăng 57 hồ sơ (5,87%) so với cùng kỳ năm trước``); empty when the
  previous year's report does not exist or has no value for ``key``.

A sentence is dropped when any key it names has no value (skipped, answered "không có số
liệu", not relevant, unanswered, an empty list). A prose item may instead be a
:class:`~reports.schema.Sentence`: a condition on the values choosing between two patterns, so
that a zero reads as a sentence of its own ("Trong kỳ, không có đơn thư vượt cấp."). A pattern that is a single free-text placeholder is a paragraph of its own; the
other sentences of a section run on into one paragraph. Pure functions, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Mapping

from reports.formatting import fmt_number, fmt_percent, roman
from reports.periods import Period
from reports.expressions import evaluate
from reports.schema import PLACEHOLDER_RE, Computed, Indicator, Prose, Section, Template, block_list
from reports.values import Pair, display, display_item, item_texts

SAME_PERIOD = "so với cùng kỳ năm trước"
_END_PUNCT = tuple(".!?…")
_LETTERS = "abcdđeghiklmnopqrstuvxy"  # points follow the Vietnamese alphabet: a), b), c), d), đ), e)…


@dataclass(frozen=True)
class Figures:
    """The values a report's prose is written from: this period's and, if known, last year's."""

    template: Template
    values: Mapping[str, Any]  # ReportState.effective(): relevant answered indicators + computed
    previous: Mapping[str, Any] | None = None  # the same for the same period of the previous year
    no_figure: frozenset[str] = frozenset()  # answered "không có số liệu": no sentence, "—" in the summary

    def has(self, key: str) -> bool:
        return has_value(self.values.get(key))

    def text(self, key: str, unit: bool = True) -> str:
        return value_text(self.template, key, self.values[key], unit=unit)

    def change(self, key: str) -> str:
        """The change clause (``tăng 57 hồ sơ (5,87%) so với cùng kỳ năm trước``), or ``""``."""
        if self.previous is None or not self.has(key) or not has_value(self.previous.get(key)):
            return ""
        return change_phrase(self.template, key, self.values[key], self.previous[key])


@dataclass(frozen=True)
class Block:
    """One paragraph of the body: a numbered heading (level 1–3) or a paragraph (level 0)."""

    level: int
    number: str
    text: str
    key: str = ""  # the section key, for headings
    children: tuple["Block", ...] = field(default=(), compare=False, repr=False)
    part: bool = False  # a part's heading ("Phần thứ nhất" above its title, centred)
    table: "Table | None" = None  # a table in the body (a paragraph of its own)

    def as_context(self) -> dict[str, Any]:
        return {"level": self.level, "number": self.number, "text": self.text, "key": self.key, "part": self.part}


def has_value(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, tuple)) and not isinstance(value, Pair):
        return bool(value)
    return True


# ---------------------------------------------------------------------------- values


def _unit(ind: Indicator) -> str | None:
    return ind.unit if ind.unit and ind.type in ("integer", "decimal", "pair") else None


def format_computed(comp: Computed, value: Any) -> str:
    if comp.format == "percent":
        return fmt_percent(value)
    if comp.format == "integer":
        return fmt_number(value, 0)
    return fmt_number(value)


def value_text(template: Template, key: str, value: Any, unit: bool = True) -> str:
    """A value as it reads inside a sentence: ``1.028 hồ sơ``, ``85,48%``, ``12/14 khu dân cư``."""
    ind = template.by_key.get(key)
    if ind is None:
        return format_computed(template.computed_by_key[key], value)
    if ind.type == "text":
        return str(value).strip()
    text = display(ind, value)
    if unit and _unit(ind):
        text = f"{text} {ind.unit}"
    return text


def _number(value: Any) -> Decimal | None:
    if isinstance(value, Pair):
        return Decimal(value.num)
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, float)):
        return None
    return Decimal(str(value))


def _is_rate(template: Template, key: str) -> tuple[bool, Decimal]:
    """(is a rate, factor to percentage points) for ``key``."""
    ind = template.by_key.get(key)
    if ind is not None:
        return ind.type == "percent", Decimal(1)
    comp = template.computed_by_key.get(key)
    return bool(comp and comp.format == "percent"), Decimal(100)


def change_phrase(template: Template, key: str, current: Any, previous: Any) -> str:
    """``tăng 57 hồ sơ (5,87%) so với cùng kỳ năm trước``, ``giảm 2,5 điểm phần trăm …``,
    ``bằng cùng kỳ năm trước``; ``""`` when the values are not numbers."""
    cur, prev = _number(current), _number(previous)
    if cur is None or prev is None:
        return ""
    rate, factor = _is_rate(template, key)
    if rate:
        diff = (cur - prev) * factor
        amount = fmt_number(abs(diff), 2)
        if amount == "0":
            return "bằng cùng kỳ năm trước"
        verb = "tăng" if diff > 0 else "giảm"
        return f"{verb} {amount} điểm phần trăm {SAME_PERIOD}"
    ind = template.by_key.get(key)
    places = 0 if (ind is not None and ind.type == "integer") or (
        ind is None and template.computed_by_key[key].format == "integer") else 2
    diff = cur - prev
    amount = fmt_number(abs(diff), places)
    if amount == "0":
        return "bằng cùng kỳ năm trước"
    verb = "tăng" if diff > 0 else "giảm"
    unit = _unit(ind) if ind is not None else None
    amount = f"{amount} {unit}" if unit else amount
    if prev > 0:
        return f"{verb} {amount} ({fmt_percent(abs(diff) / prev)}) {SAME_PERIOD}"
    return f"{verb} {amount} {SAME_PERIOD}"


# ---------------------------------------------------------------------------- sentences


def pattern_keys(pattern: str) -> set[str]:
    return {name for name, _attr in PLACEHOLDER_RE.findall(pattern)}


def _lone_text_key(template: Template, pattern: str) -> str | None:
    """The key when ``pattern`` is nothing but one free-text placeholder (a paragraph of its own)."""
    m = PLACEHOLDER_RE.fullmatch(pattern.strip())
    if m and not m.group(2):
        ind = template.by_key.get(m.group(1))
        if ind is not None and ind.type == "text":
            return ind.key
    return None


def _unit_follows(ind: Indicator | None, rest: str) -> bool:
    """True when the pattern itself writes the unit (``{received} đơn``) or a fraction follows
    (``{resolved}/{received}``): the value then goes in without its unit."""
    if ind is None or not _unit(ind):
        return False
    if rest.startswith("/"):
        return True
    rest = rest.lstrip()
    return rest.startswith(ind.unit) and not rest[len(ind.unit):len(ind.unit) + 1].isalnum()


def render_pattern(pattern: str, figures: Figures) -> str | None:
    """The sentence for ``pattern``, or None when a key it names has no value."""
    if not all(figures.has(k) for k in pattern_keys(pattern)):
        return None
    pattern = " ".join(pattern.split())
    out: list[str] = []
    pos = 0
    for m in PLACEHOLDER_RE.finditer(pattern):
        out.append(pattern[pos:m.start()])
        pos = m.end()
        key, attr = m.group(1), m.group(2)
        if attr == "change":
            phrase = figures.change(key)
            out.append(f", {phrase}" if phrase else "")
            continue
        if attr == "total":  # the plan's figure so far (reports.logic.with_total)
            total = getattr(figures.values[key], "total", None)
            if total is None:
                return None
            out.append(value_text(figures.template, key, total, unit=not _unit_follows(
                figures.template.by_key.get(key), pattern[pos:])))
            continue
        ind = figures.template.by_key.get(key)
        text = figures.text(key, unit=attr != "raw" and not _unit_follows(ind, pattern[pos:]))
        if ind is not None and ind.type == "text":
            text = " ".join(text.split())  # inside a sentence, a free text runs on
            if text.endswith(_END_PUNCT) and pattern[pos:pos + 1] == ".":
                pos += 1  # the answer already ends the sentence
        out.append(text)
    out.append(pattern[pos:])
    return "".join(out).strip()


def _lone_paragraphs(value: Any) -> list[str]:
    """A free text's paragraphs; collected across units (``entries``), one paragraph for each
    different text, headed by the units that wrote it (a text many units share is printed once)."""
    entries = getattr(value, "entries", None)
    if entries is not None:
        by_text: dict[str, list[str]] = {}
        for name, text in entries:
            by_text.setdefault(" ".join(text.split()), []).append(name)
        everyone = getattr(value, "units", 0)
        return [f"- {'Tất cả các đơn vị' if everyone > 1 and len(names) == everyone else ', '.join(names)}: {text}"
                for text, names in by_text.items()]
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return [" ".join(p.split()) for p in text.split("\n") if p.strip()]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Table:
    """A list answered as a table in the body: the fields' labels, then one row an item."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def table_marker(n: int) -> str:
    """The text of the body paragraph the ``n``-th table takes the place of (reports.annex.place_tables)."""
    return f"[[bảng {n}]]"


def list_paragraphs(ind: Indicator, items: list[Any]) -> list["str | Table"]:
    """A list one paragraph an item, as the office writes it: ``- Kế hoạch số …;`` with a full stop
    after the last (``dash``), or ``1. Đẩy mạnh ….`` (``number``); or one table (``table``)."""
    if ind.list_style == "table":
        header = tuple(f.label.split(" (")[0] for f in ind.fields)
        return [Table(header, tuple(item_texts(ind, item) for item in items))]
    texts = [_capital(" ".join(display_item(ind, item).split()).rstrip(" .;,")) for item in items]
    texts = [t for t in texts if t]
    if ind.list_style == "number":
        return [f"{n}. {t}." for n, t in enumerate(texts, start=1)]
    return [f"- {t}{'.' if n == len(texts) else ';'}" for n, t in enumerate(texts, start=1)]


def chosen(item: Prose, figures: Figures) -> str | None:
    """The pattern a prose item stands for with these figures: the item itself, or the alternative
    its condition picks (None: the condition cannot be told, or its alternative is empty)."""
    if isinstance(item, str):
        return item
    holds = evaluate(item.when, figures.values)
    if holds is None:
        return None
    return (item.text if holds else item.otherwise) or None


def section_paragraphs(section: Section, figures: Figures, compiled: bool = False) -> list["str | Table"]:
    """The paragraphs of one section (not its subsections), in pattern order; ``compiled``: its
    sentences for the compiled report across units (``Section.compiled``)."""
    paragraphs: list[str] = []
    run: list[str] = []
    for item in (section.compiled if compiled else section.prose):
        pattern = chosen(item, figures)
        if pattern is None:
            continue
        lone = _lone_text_key(figures.template, pattern)
        if lone is not None:
            if run:
                paragraphs.append(" ".join(run))
                run = []
            if figures.has(lone):
                paragraphs += _lone_paragraphs(figures.values[lone])
            continue
        block = block_list(figures.template, pattern)
        if block is not None and isinstance(figures.values.get(block[1].key), list):
            if not all(figures.has(k) for k in pattern_keys(pattern)):
                continue
            head, ind = block
            intro = (render_pattern(head, figures) or "").rstrip(" ,;")
            if intro:
                run.append(intro if intro.endswith(":") else intro + ":")
            if run:
                paragraphs.append(" ".join(run))
                run = []
            paragraphs += list_paragraphs(ind, figures.values[ind.key])
            continue
        sentence = render_pattern(pattern, figures)
        if sentence:
            run.append(sentence)
    if run:
        paragraphs.append(" ".join(run))
    return paragraphs


# ---------------------------------------------------------------------------- the body


_ORDINALS = ("nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười")


def _number_for(depth: int, n: int, parent: str, decimal: bool) -> str:
    """``I.``, ``1.``, then ``a)`` (or ``1.1.`` with ``decimal``, from the parent's number), then ``-``."""
    if depth == 0:
        return f"{roman(n)}."
    if depth == 1:
        return f"{n}."
    if decimal and depth in (2, 3):
        return f"{parent}{n}."
    if depth == 2:
        letters = _LETTERS
        return f"{letters[(n - 1) % len(letters)] * ((n - 1) // len(letters) + 1)})"
    return "-"


def part_name(n: int) -> str:
    """``Phần thứ nhất``, ``Phần thứ hai`` … (a part of a review's report)."""
    return f"Phần thứ {_ORDINALS[n - 1]}" if n <= len(_ORDINALS) else f"Phần {n}"


def _heading(sec: Section, period: Period | None) -> str:
    """The section's heading in the Word file, its years filled in for ``period``."""
    text = " ".join((sec.heading or sec.title).split())
    return period.with_years(text) if period is not None else text


def _compose(sections: tuple[Section, ...], figures: Figures, depth: int, compiled: bool,
             period: Period | None, parent: str = "") -> list[Block]:
    """``depth``: 0 for the roman-numbered sections, -1 for a template's parts above them."""
    template = figures.template
    blocks: list[Block] = []
    n = 0
    for sec in sections:
        paragraphs = [Block(0, "", p) if isinstance(p, str) else Block(0, "", "", table=p)
                      for p in section_paragraphs(sec, figures, compiled)]
        number = ""
        if depth >= 0:
            number = _number_for(depth, n + 1, parent, template.subnumbers == "decimal")
        children = _compose(sec.sections, figures, depth + 1, compiled, period, number)
        if not paragraphs and not children:
            continue  # nothing to say: the heading is left out and the numbering closes up
        n += 1
        title = _heading(sec, period)
        if depth < 0:  # a part: its name above its title, in capitals
            blocks.append(Block(1, part_name(n), title.upper(), sec.key, tuple(paragraphs + children), part=True))
            continue
        text = title.upper() if depth == 0 else title  # I., II. in capitals
        blocks.append(Block(min(depth + 1, 3), number, text, sec.key, tuple(paragraphs + children)))
    return blocks


def compose(figures: Figures, compiled: bool = False, period: Period | None = None) -> list[Block]:
    """The body as a flat list of headings and paragraphs, numbered ``I.``, ``1.``, ``a)`` by depth;
    sections with nothing to say are left out. ``compiled``: the compiled report's sentences, from
    ``reports.aggregate.Compiled`` figures; ``period`` fills in the years a heading names."""
    flat: list[Block] = []

    def walk(blocks: list[Block] | tuple[Block, ...]) -> None:
        for b in blocks:
            flat.append(Block(b.level, b.number, b.text, b.key, part=b.part, table=b.table))
            walk(b.children)

    walk(_compose(figures.template.sections, figures, -1 if figures.template.parts else 0, compiled, period))
    return flat
