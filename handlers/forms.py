"""A section as a fill-in form: the officer asks for it (/phieu), copies it into a notes app, writes
each answer after its label and sends the whole form back in one message. The form's text is
made here, and a message is recognised as a filled form (every line a label of the section, then a
colon) and taken apart into (question, typed answer) pairs, in the section's order."""

from __future__ import annotations

from handlers.commands import cmd
from handlers.parsing import fold, normalize
from reports.i18n import _
from reports.logic import NO_FIGURE, SKIPPED, ReportState
from reports.schema import Indicator, Section
from reports.values import display, display_item


def _key(label: str) -> str:
    return fold(label).rstrip(" :*").strip()


def printed(ind: Indicator, state: ReportState) -> str:
    """The answer as the form shows it (empty when unanswered), in a form it can be read back in."""
    value = state.answers.get(ind.key)
    if value is None or value is SKIPPED:
        return ""
    if value is NO_FIGURE:
        return "không có số liệu"
    if ind.type == "list":
        return " | ".join(" ".join(display_item(ind, item).split()) for item in value)
    return " ".join(display(ind, value, yes="có", no="không").split())


def form_questions(state: ReportState, section: Section) -> list[Indicator]:
    """The section's questions that are or may still become relevant, in order."""
    possible = set(state.possible_keys())
    return [ind for ind in section.indicators if ind.key in possible]


def form_text(state: ReportState, section: Section) -> str:
    lines = [_("Form for “{section}”: copy it, write each answer after its colon and send the whole form back "
               "in one message. Lines left as they are do not change anything; {nofigure} or “không có số liệu” "
               "if there is no figure.").format(section=section.title, nofigure=cmd("nofigure")), ""]
    lines += [f"{ind.short_label}: {printed(ind, state)}".rstrip() + ("" if printed(ind, state) else " ")
              for ind in form_questions(state, section)]
    return "\n".join(lines)


def read_form(section: Section, text: str) -> list[tuple[Indicator, str]] | None:
    """(question, typed answer) for every line of a filled form, or None when ``text`` is not one:
    at least two lines, each ``label: answer`` with a label of this section."""
    by_label = {_key(ind.short_label): ind for ind in section.indicators}
    lines = [line for line in normalize(text).splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    pairs: list[tuple[Indicator, str]] = []
    for line in lines:
        # the longest label before a colon: a label may hold a colon itself ("Mô hình mới: kinh tế")
        cuts = [n for n, char in enumerate(line) if char == ":"]
        found = next(((by_label[_key(line[:n].strip(" -•\t"))], line[n + 1:]) for n in reversed(cuts)
                      if _key(line[:n].strip(" -•\t")) in by_label), None)
        if found is None:
            return None
        pairs.append((found[0], found[1].strip()))
    order = {ind.key: n for n, ind in enumerate(section.indicators)}
    return sorted(pairs, key=lambda pair: order[pair[0].key])
