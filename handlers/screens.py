"""The texts and choices of each screen: a question, the review list, menus, help."""

from __future__ import annotations

from typing import Any

from handlers.choices import encode
from handlers.citations import is_citation
from handlers.commands import cmd
from handlers.events import Choice, Outgoing
from reports.i18n import _
from reports.logic import NO_FIGURE, SKIPPED, ReportState
from reports.schema import Indicator, Template
from reports.values import display



def answer_text(ind: Indicator, value: Any) -> str:
    if value is SKIPPED:
        return _("(skipped)")
    if value is NO_FIGURE:
        return _("no figure")
    if ind.type == "list" and not value:
        return _("none")
    text = display(ind, value, yes=_("yes"), no=_("no"))
    if ind.unit and ind.type in ("integer", "decimal"):
        text = f"{text} {ind.unit}"
    return text


def _section_path(template: Template, key: str) -> str:
    return template.section_of(key).title


def question(state: ReportState, key: str, *, editing: bool = False, previous: Any = None,
             compiled_from: str | None = None) -> Outgoing:
    """``previous``: an answer offered to keep, last period's or (``compiled_from``: "8/10 xã") the
    figure compiled from the units below."""
    template = state.template
    ind = template.by_key[key]
    keys = state.possible_keys()  # a total that does not jump up as skip logic opens questions
    number = keys.index(key) + 1 if key in keys else 0
    lines = [
        _("Question {n}/{total} · {section}").format(n=number, total=len(keys), section=_section_path(template, key)),
        "",
        ind.question + (f" ({ind.unit})" if ind.unit and ind.type in ("integer", "decimal", "pair")
                        and ind.unit not in ind.question else ""),  # not "… bao nhiêu ha? (ha)"
        f"💡 {ind.hint}",
    ]
    choices: list[Choice] = []
    multi = False
    if ind.type == "yesno":
        choices = [Choice(encode("a", "yes"), _("Yes")), Choice(encode("a", "no"), _("No"))]
    elif ind.type == "choice":
        choices = [Choice(encode("a", c.id), c.label) for c in ind.choices]
    elif ind.type == "multichoice":
        choices = [Choice(encode("a", c.id), c.label) for c in ind.choices]
        multi = True
        lines.append(_("Type the numbers of every option that applies, separated by commas (e.g. 1, 3), or “không”."))
    elif is_citation(ind):
        lines.append(_("One document per line, written as you would cite it: kind, number and symbol, date, "
                       "what it is about (as in the example). The kind may be left out when the symbol shows it."))
        if not ind.required:
            lines.append(_("Type “không” if there is none."))
    elif ind.type == "list":
        fields = " ; ".join(f.label + ("" if f.required else _(" (optional)")) for f in ind.fields)
        if len(ind.fields) > 1:
            lines.append(_("One item per line (or items separated by “ | ”), parts separated by “;” in this order: {fields}.").format(fields=fields))
        else:
            lines.append(_("One item per line (or items separated by “ | ”)."))
        if not ind.required:
            lines.append(_("Type “không” if there is none."))
    elif ind.type == "text" and ind.standard:
        lines += ["", _("Standard paragraph:"), f"«{ind.standard}»", "",
                  _("Choose 1 to use it as it is, or send your own text (you may copy it, edit it and send it back).")]
        choices = [Choice(encode("std"), _("Use the standard paragraph"))]
    if previous is not None and compiled_from is not None:
        lines += ["", _("Compiled from the units below ({reporting} submitted): {value}").format(
            reporting=compiled_from, value=answer_text(ind, previous)),
                  _("{keep} keeps it; or send another figure.").format(keep=cmd("keep"))]
    elif previous is not None:
        lines += ["", _("Last period: {value}").format(value=answer_text(ind, previous)),
                  _("{keep} keeps it, {section} keeps every answer of this section from last period; or send a "
                    "new answer.").format(keep=cmd("keep"), section=cmd("keepsection"))]
    current = state.answers.get(key)
    if key in state.answers:
        lines += ["", _("Current answer: {value}").format(value=answer_text(ind, current))]
        lines.append(_("Send a new answer, or {keep} to keep it.").format(keep=cmd("keep")))
    footer = [cmd("back")]
    if not ind.required:
        footer.append(cmd("skip"))
    if ind.no_figure:
        footer.append(cmd("nofigure"))
    footer.append(cmd("form"))
    footer += [cmd("review"), cmd("pause")]
    lines += ["", "  ".join(footer)]
    return Outgoing("\n".join(lines), tuple(choices), multi=multi,
                    meta={"screen": "question", "key": key, "editing": editing})


def review(state: ReportState, title: str, locked: bool = False) -> Outgoing:
    template = state.template
    done, total = state.progress()
    lines = [title, _("Progress: {done}/{total} answered.").format(done=done, total=total)]
    current_section = None
    for n, key in enumerate(state.relevant_keys(), start=1):
        ind = template.by_key[key]
        section = template.section_of(key).title
        if section != current_section:
            lines += ["", f"▸ {section}"]
            current_section = section
        value = answer_text(ind, state.answers[key]) if key in state.answers else _("… not answered")
        if len(value) > 80:
            value = value[:77] + "…"
        mark = "*" if ind.required and key not in state.answers else ""
        lines.append(f"{n}. {ind.short_label}{mark}: {value}")
    missing = state.missing_required()
    lines.append("")
    if locked:
        lines.append(_("This report has been submitted and can no longer be changed."))
        return Outgoing("\n".join(lines), meta={"screen": "review"})
    if missing:
        lines.append(_("{n} required answers are still missing (marked *).").format(n=len(missing)))
    lines.append(_("To change an answer, type {edit} followed by its number, e.g. {edit} 3.").format(edit=cmd("edit")))
    choices = [Choice(encode("submit"), _("Submit the report")), Choice(encode("continue"), _("Continue answering")),
               Choice(encode("edit"), _("Edit an answer"))]
    return Outgoing("\n".join(lines), tuple(choices), meta={"screen": "review"})


def supervisor_help() -> str:
    return "\n".join([
        _("How to use the assistant (supervisors):"),
        _("{cmd} — who has submitted, who is late, with a chart; {cmd} nam 2025 for another period").format(
            cmd=cmd("status")),
        _("{cmd} — the compiled report of the units below: summary, Word file and Excel workbook").format(
            cmd=cmd("compile")),
        _("{cmd} N — the Word file of unit N in the status list (or its code)").format(cmd=cmd("file")),
        _("{cmd} N reason — send unit N's submitted report back to its officers").format(cmd=cmd("sendback")),
        _("{cmd} N — reopen unit N's submitted report").format(cmd=cmd("reopen")),
        _("{cmd} N — who changed what in unit N's report, and when").format(cmd=cmd("history")),
        _("{cmd} — create an invite code for a unit below").format(cmd=cmd("invite")),
        _("{cmd} — show or set the due dates").format(cmd=cmd("deadline")),
        _("{cmd} — signer, recipients and number of the Word file").format(cmd=cmd("settings")),
        _("{cmd} — use the assistant on another messenger too (Zalo, Telegram)").format(cmd=cmd("link")),
        _("{cmd} en|vi — change the language").format(cmd=cmd("language")),
    ])


def help_text(registered: bool, supervisor: bool = False) -> str:
    if supervisor:
        return supervisor_help()
    if not registered:
        return "\n".join([
            _("This assistant helps commune officials prepare the report on “dân vận chính quyền”."),
            _("To begin, send the invite code you received from your supervisor, e.g. /start ABC123."),
            _("{lang} en|vi changes the language.").format(lang=cmd("language")),
        ])
    return "\n".join([
        _("How to use the assistant:"),
        _("{cmd} — start a new report").format(cmd=cmd("new")),
        _("{cmd} — continue where you stopped").format(cmd=cmd("continue")),
        _("{cmd} — go back to the previous question").format(cmd=cmd("back")),
        _("{cmd} — skip a question that is not required").format(cmd=cmd("skip")),
        _("{cmd} — no figure for this question: nothing is written for it, never a zero").format(
            cmd=cmd("nofigure")),
        _("{cmd} — keep the current answer").format(cmd=cmd("keep")),
        _("{cmd} — keep last period's answers of the whole section").format(cmd=cmd("keepsection")),
        _("{cmd} — the whole section as a form to fill in and send back in one message").format(cmd=cmd("form")),
        _("{cmd} — review all answers and progress").format(cmd=cmd("review")),
        _("{cmd} N — edit answer number N").format(cmd=cmd("edit")),
        _("{cmd} — pause; everything is saved").format(cmd=cmd("pause")),
        _("{cmd} — submit the report").format(cmd=cmd("submit")),
        _("{cmd} — key figures of the report, a draft too").format(cmd=cmd("summary")),
        _("{cmd} — the Word file of the report, a draft too").format(cmd=cmd("file")),
        _("{cmd} — who changed which answer, and when").format(cmd=cmd("history")),
        _("{cmd} reason — ask the supervisor to reopen a submitted report").format(cmd=cmd("reopen")),
        _("{cmd} — leaders: approve the report before it goes up").format(cmd=cmd("approve")),
        _("{cmd} — signer, recipients and number of the Word file").format(cmd=cmd("settings")),
        _("{cmd} — use the assistant on another messenger too (Zalo, Telegram)").format(cmd=cmd("link")),
        _("{cmd} en|vi — change the language").format(cmd=cmd("language")),
        "",
        _("Numbers are written the Vietnamese way: 1.028 (one thousand and twenty-eight), 85,5 (a decimal)."),
    ])
