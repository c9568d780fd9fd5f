"""A section, or the whole report, as a fill-in form: the officer asks for it (/phieu, /phieu tatca),
copies it into a notes app, writes each answer after its label and sends it back — in one message
or several. The form's text is made here (what is stored shown, last period's answers that carry
over filled in), and a message is recognised as a filled form (every line a question's label of the
report, then a colon; section headings ignored) and taken apart into (question, typed answer) pairs,
in the report's order."""

from __future__ import annotations

from typing import Any, Callable

from handlers.parsing import fold, normalize
from reports.logic import NO_FIGURE, SKIPPED, ReportState
from reports.schema import Indicator, Section, Template
from reports.values import display, display_item

HEADING = "▸ "  # a section's heading line in a form; ignored when the form comes back
WHOLE = ("tatca", "tat ca", "all", "ca bao cao", "toan bo")  # /phieu tatca: the whole report


def _key(label: str) -> str:
    return fold(label).rstrip(" :*").strip()


def shown(ind: Indicator, value: Any) -> str:
    """An answer as a form shows it, in a form it can be read back in (empty when there is none)."""
    if value is None or value is SKIPPED:
        return ""
    if value is NO_FIGURE:
        return "không có số liệu"
    if ind.type == "list":
        return " | ".join(" ".join(display_item(ind, item).split()) for item in value)
    return " ".join(display(ind, value, yes="có", no="không").split())


def printed(ind: Indicator, state: ReportState) -> str:
    """The stored answer as the form shows it: a line sent back with it unchanged changes nothing."""
    return shown(ind, state.answers.get(ind.key))


def form_lines(state: ReportState, sections: list[Section], previous: Callable[[str], Any]) -> list[str]:
    """One line a question that is or may still become relevant (``label: answer``), under each
    section's heading when there are several sections; an unanswered question shows last period's
    answer, if one carries over (``previous``)."""
    possible = set(state.possible_keys())
    lines: list[str] = []
    for section in sections:
        questions = [ind for ind in section.indicators if ind.key in possible]
        if not questions:
            continue
        if len(sections) > 1:
            lines.append(HEADING + section.title)
        for ind in questions:
            value = printed(ind, state) or shown(ind, previous(ind.key))
            lines.append(f"{ind.short_label}: {value}".rstrip())
    return lines


def sections_of(template: Template) -> list[Section]:
    """The sections that hold questions, in order."""
    return [section for _depth, section in template.walk() if section.indicators]


def read_form(template: Template, text: str) -> list[tuple[Indicator, str]] | None:
    """(question, typed answer) for every line of a filled form, in the report's order, or None when
    ``text`` is not one: at least two lines, each ``label: answer`` with a question's label (a label
    may hold a colon itself: the longest one is taken), section headings aside."""
    by_label = {_key(ind.short_label): ind for ind in template.indicators}
    lines = [line for line in normalize(text).splitlines() if line.strip() and not line.startswith(HEADING.strip())]
    if len(lines) < 2:
        return None
    pairs: list[tuple[Indicator, str]] = []
    for line in lines:
        cuts = [n for n, char in enumerate(line) if char == ":"]
        found = next(((by_label[_key(line[:n].strip(" -•\t"))], line[n + 1:]) for n in reversed(cuts)
                      if _key(line[:n].strip(" -•\t")) in by_label), None)
        if found is None:
            return None
        pairs.append((found[0], found[1].strip()))
    order = {ind.key: n for n, ind in enumerate(template.indicators)}
    return sorted(pairs, key=lambda pair: order[pair[0].key])
