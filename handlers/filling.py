"""Filling a report question by question: asking, accepting an answer (typed or pressed), the
cross-field rules, and going back, skipping and keeping."""

from __future__ import annotations

from datetime import date
from typing import Any

from handlers import menu, review, screens
from handlers.commands import cmd
from handlers.choices import encode
from handlers.context import Ctx, Mode, answer_mark, value_mark
from handlers.events import Choice, Outgoing
from handlers.forms import WHOLE, form_lines, printed, read_form, sections_of
from handlers.parsing import THOUSANDS_COMMA, AnswerError, fold, normalize, parse_answer
from reports.formatting import fmt_date, fmt_moment, fmt_number
from reports.periods import Period
from reports.i18n import _
from reports.logic import NO_FIGURE, NO_FIGURE_TYPE, SKIPPED, ReportState
from reports.schema import Indicator
from reports.values import from_json, to_json
from storage import repo
from storage.models import Report, ReportStatus

STANDARD_WORDS = ("1", "dung doan mau", "dung doan van mau", "use the standard paragraph")
# typed instead of /khongro (folded: no diacritics, lower case)
NO_FIGURE_WORDS = ("khong co so lieu", "chua co so lieu", "khong ro", "khong ro so lieu", "khong co so",
                   "no figure", "no data")


def says_standard(ind: Indicator, text: str) -> bool:
    """The officer asked for the question's standard paragraph (its choice's number or label)."""
    return ind.type == "text" and ind.standard is not None and fold(text).rstrip(".") in STANDARD_WORDS


# typed instead of /boqua, in a form's line or as the answer itself (folded)
SKIP_WORDS = ("bo qua", "skip")


def says_skip(text: str) -> bool:
    """The officer wrote that the question is to be left out: the words above, or the command."""
    return fold(text).rstrip(".!") in (*SKIP_WORDS, cmd("skip"))


def says_no_figure(text: str) -> bool:
    """The officer wrote that there is no figure: the words above, or the command in a form's line."""
    return fold(text).rstrip(".!") in (*NO_FIGURE_WORDS, cmd("nofigure"))


async def _current(ctx: Ctx) -> tuple[Report, Indicator] | list[Outgoing]:
    """The open report and its waiting question, or the reply that says why there is none."""
    report = await ctx.report()
    if report is None:
        return [Outgoing(_("There is no report open. Type {new} to start one.").format(new=cmd("new")))]
    if report.status != ReportStatus.draft:
        return [review.locked_message(ctx, report)]
    key = ctx.conv.current_key
    template = ctx.templates[report.template_key]
    if ctx.mode is not Mode.question or key not in template.by_key:
        return [Outgoing(_("There is no question waiting. Type {cont} to continue.").format(cont=cmd("continue")))]
    return report, template.by_key[key]


async def why_no_question(ctx: Ctx, arg: str = "") -> list[Outgoing]:
    """Why /quaylai, /boqua or /giunguyen cannot act now: no report, a locked one, or no question."""
    current = await _current(ctx)
    return current if isinstance(current, list) else []


async def typed(ctx: Ctx, text: str) -> list[Outgoing]:
    """A typed answer to the waiting question."""
    if await ctx.report(lock=True) is None:
        return await menu.show(ctx)
    current = await _current(ctx)
    if isinstance(current, list):
        return current
    report, ind = current
    if not text:
        return [Outgoing(_("Please type an answer.") + "\n💡 " + ind.hint)]
    if says_standard(ind, text):
        return await accept(ctx, report, ind, ind.standard)
    if ind.no_figure and says_no_figure(text):
        return await no_figure(ctx, "")
    if says_skip(text):
        return await skip(ctx, "")
    filled = read_form(ctx.templates[report.template_key], text) if "\n" in text else None
    if filled is not None:
        return await form_filled(ctx, report, ind, filled)
    try:
        value = parse_answer(ind, text)
    except AnswerError as err:
        return [Outgoing(_("Not accepted: {error}").format(error=err) + "\n💡 " + ind.hint)]
    doubt = _doubt(ctx, report, ind, text, value)
    if doubt and ctx.conv.data.get("confirm") != fold(text):  # asked once; the same answer again confirms it
        ctx.conv.data = {**ctx.conv.data, "confirm": fold(text)}
        return [Outgoing(doubt + "\n" + _("If it is right, send the same answer again; otherwise send the corrected one."))]
    replies = await accept(ctx, report, ind, value)
    _remember(ctx, ind.key)
    return replies


def _doubt(ctx: Ctx, report: Report, ind: Indicator, text: str, value: Any) -> str | None:
    """Why an answer that parses may still be a slip, to be confirmed rather than guessed: a decimal
    that an English writer means as thousands, a date after today or long before the period."""
    number = normalize(text).split(" ")[0]
    if ind.type in ("decimal", "percent") and THOUSANDS_COMMA.fullmatch(number):
        return _("“{typed}” is read as {value} (a decimal comma). If it is a number in the thousands, write "
                 "{grouped}.").format(typed=number, value=fmt_number(value, max(0, -value.as_tuple().exponent)), grouped=number.replace(",", "."))
    period = Period.from_key(report.period)
    earliest, latest = period.start.replace(year=period.start.year - 1), min(period.end, ctx.today())
    dates = [value] if ind.type == "date" else []
    if ind.type == "list":
        keys = [f.key for f in ind.fields if f.type == "date"]
        dates = [date.fromisoformat(item[k]) for item in value for k in keys if item.get(k)]
    odd = [d for d in dates if d < earliest or d > latest]
    if odd:
        return _("The date {dates} falls outside {period} and the year before it (from {earliest} to {latest}).").format(
            dates=", ".join(fmt_date(d) for d in odd), period=period.label, earliest=fmt_date(earliest),
            latest=fmt_date(latest))
    return None


EDITABLE = 2  # the last answers whose message may be edited to change them


def _remember(ctx: Ctx, key: str) -> None:
    """Note which question the message just sent answered, so that editing it changes that answer."""
    ref = ctx.event.message_ref
    if ref is not None and key in ctx.conv.history[-1:]:  # accepted, and the flow moved on
        answered = [pair for pair in ctx.conv.data.get("answered", []) if pair[0] != ref]
        ctx.conv.data = {**ctx.conv.data, "answered": [*answered, [ref, key]][-EDITABLE:]}


async def edited(ctx: Ctx, text: str) -> list[Outgoing]:
    """The officer edited a message they had sent: if it answered one of the last questions, the
    edited text is checked and stored as the new answer; otherwise it cannot be applied."""
    key = next((k for ref, k in ctx.conv.data.get("answered", []) if ref == ctx.event.message_ref), None)
    report = await ctx.report(lock=True)
    if key is None or report is None or report.status != ReportStatus.draft or key not in ctx.templates[
            report.template_key].by_key:
        return [Outgoing(_("An edited message only changes one of the last answers. To change another "
                           "answer, type {edit} followed by its number.").format(edit=cmd("edit")))]
    ind = ctx.templates[report.template_key].by_key[key]
    try:
        value = parse_answer(ind, text)
        _state, broken = await store(ctx, report, ind, value)
    except AnswerError as err:
        broken = str(err)
    if broken:
        return [Outgoing(_("The edited answer to “{label}” is not accepted, so the earlier one stays: {error}").format(
            label=ind.short_label, error=broken))]
    return [Outgoing(_("Changed as edited: {label} — {value}.").format(
        label=ind.short_label, value=screens.answer_text(ind, value)))]


async def stale_press(ctx: Ctx | None = None, arg: str = "") -> list[Outgoing]:
    """The flow's handler for a press on a button of an earlier question."""
    return stale()


def stale() -> list[Outgoing]:
    """The notice for a press on a button of an earlier question."""
    return [Outgoing(_("This button belongs to an earlier question. Please answer the current question."),
                     meta={"stale": True})]


async def pressed(ctx: Ctx, value: str) -> list[Outgoing]:
    """A pressed answer button (``a:yes``, ``a:<choice id>``) of the waiting question."""
    report = await ctx.report(lock=True)
    if report is None or ctx.mode is not Mode.question or not ctx.conv.current_key:
        return [Outgoing(_("This button belongs to an earlier message. Type {cont} to continue.").format(
            cont=cmd("continue")), meta={"stale": True})]
    if report.status != ReportStatus.draft:
        return [review.locked_message(ctx, report)]
    ind = ctx.templates[report.template_key].by_key.get(ctx.conv.current_key)
    if ind is None:
        return stale()
    if ind.type == "yesno" and value in ("yes", "no"):
        return await accept(ctx, report, ind, value == "yes")
    if ind.type == "choice" and value in ind.choice_labels:
        return await accept(ctx, report, ind, value)
    if ind.type == "multichoice" and value in ind.choice_labels:
        return await accept(ctx, report, ind, [value])
    return stale()


async def standard(ctx: Ctx, arg: str) -> list[Outgoing]:
    """The "use the standard paragraph" button."""
    report = await ctx.report(lock=True)
    if report is None or ctx.mode is not Mode.question or not ctx.conv.current_key:
        return stale()
    if report.status != ReportStatus.draft:
        return [review.locked_message(ctx, report)]
    ind = ctx.templates[report.template_key].by_key.get(ctx.conv.current_key)
    if ind is None or not ind.standard:
        return stale()
    return await accept(ctx, report, ind, ind.standard)


def _stored(state: ReportState, ind: Indicator) -> Any:
    """The answer to ``ind`` as stored now (for the audit row), from the state read in this event."""
    value = state.answers.get(ind.key)
    return None if value is None or value in (SKIPPED, NO_FIGURE) else to_json(ind.type, value)


async def store(ctx: Ctx, report: Report, ind: Indicator, value: Any,
                state: ReportState | None = None) -> tuple[ReportState, str | None]:
    """Check ``value`` against the cross-field rules and store it (with the commune's profile);
    (the state with it, None), or (the state without it, the broken rules as text)."""
    state = state or await ctx.state(report)
    broken = state.violations_with(ind.key, value)
    if broken:
        return state, "\n".join(f"• {rule.message}" for rule in broken)
    stored = to_json(ind.type, value)
    await repo.save_answer(ctx.session, report.id, ind.key, ind.type, stored, ctx.user.id, old=_stored(state, ind))
    if ind.profile:
        await repo.merge_profile(ctx.session, report.org_unit_id, {ind.key: stored})
    return ReportState(state.template, {**state.answers, ind.key: value}), None


async def accept(ctx: Ctx, report: Report, ind: Indicator, value: Any) -> list[Outgoing]:
    state = await ctx.state(report)
    clash = await _clash(ctx, report, ind, state, value)
    if clash:
        return clash
    state, broken = await store(ctx, report, ind, value, state)
    if broken:
        return [Outgoing(_("Not accepted:") + "\n" + broken + "\n💡 " + ind.hint)]
    return advance(ctx, state, ind.key)


async def _clash(ctx: Ctx, report: Report, ind: Indicator, state: ReportState, value: Any) -> list[Outgoing]:
    """When another officer changed this answer since the question was shown, nothing is stored:
    the officer sees the other's value and chooses (``cf:mine`` / ``cf:theirs``). No query unless
    the answer did change."""
    seen, current = ctx.conv.data.get("seen"), answer_mark(state, ind.key)
    if seen is None or current == seen:
        return []
    if value_mark(ind, value) == current:
        return []  # the same value: nothing to choose
    author = await repo.answer_author(ctx.session, report.id, ind.key)
    if author is None or author[0] == ctx.user.id:
        return []  # changed by this officer (e.g. from a linked chat), or by no one known
    user_id, name, at = author
    theirs = state.answers.get(ind.key)
    choices = (Choice(encode("cf", "mine"), _("Store my answer")),
               Choice(encode("cf", "theirs"), _("Keep {name}'s answer").format(name=name)))
    ctx.set_mode(Mode.conflict, key=ind.key, editing=bool(ctx.conv.data.get("editing")), choices=choices,
                 conflict=to_json(ind.type, value), seen=current)
    yours = _("Your answer")
    text = "\n".join([
        _("⚠️ While you were answering, {name} stored an answer to “{label}” ({when}):").format(
            name=name, label=ind.short_label, when=fmt_moment(at)),
        f"• {name}: {screens.answer_text(ind, theirs) if theirs is not None else '—'}",
        f"• {yours}: {screens.answer_text(ind, value)}",
        _("Which one should stay?"),
    ])
    return [Outgoing(text, choices)]


async def resolve(ctx: Ctx, arg: str) -> list[Outgoing]:
    """The officer's choice after a clash: store their own answer, or keep the other officer's."""
    report = await ctx.report(lock=True)
    pending = ctx.conv.data.get("conflict")
    if report is None or pending is None or not ctx.conv.current_key:
        return stale()
    if report.status != ReportStatus.draft:
        return [review.locked_message(ctx, report)]
    ind = ctx.templates[report.template_key].by_key.get(ctx.conv.current_key)
    if ind is None:
        return stale()
    state = await ctx.state(report)
    if arg == "mine":
        mine = from_json(ind.type, pending)
        new_state, broken = await store(ctx, report, ind, mine, state)
        if broken:
            ask = ctx.ask(state, ind.key, editing=bool(ctx.conv.data.get("editing")))
            return [Outgoing(_("Not accepted:") + "\n" + broken), ask]
        reply = Outgoing(_("Stored your answer: {value}.").format(value=screens.answer_text(ind, mine)))
        return [reply, *advance(ctx, new_state, ind.key)]
    if ind.key not in state.answers:  # theirs was removed meanwhile: ask again
        return [ctx.ask(state, ind.key, editing=bool(ctx.conv.data.get("editing")))]
    return [Outgoing(_("Kept the answer already stored.")), *advance(ctx, state, ind.key)]


def advance(ctx: Ctx, state: ReportState, key: str) -> list[Outgoing]:
    conv = ctx.conv
    if conv.data.get("editing"):
        return review.show(ctx, state)
    conv.history = [*conv.history, key][-200:]
    nxt = state.next_key(key)
    if nxt is None:
        done, total = state.progress()
        ctx.set_mode(Mode.review)
        first = Outgoing(_("All questions are answered ({done}/{total}). Review and submit.").format(
            done=done, total=total))
        return [first, *review.show(ctx, state)]
    return [ctx.ask(state, nxt)]


async def back(ctx: Ctx, arg: str) -> list[Outgoing]:
    current = await _current(ctx)
    if isinstance(current, list):
        return current
    report, _ind = current
    state = await ctx.state(report)
    if ctx.conv.data.get("editing"):
        return review.show(ctx, state)
    history = [k for k in ctx.conv.history if k in state.template.by_key]
    relevant = set(state.relevant_keys())
    while history and history[-1] not in relevant:
        history.pop()
    if not history:
        return [Outgoing(_("This is the first question; there is nothing to go back to.")),
                ctx.ask(state, ctx.conv.current_key)]
    previous = history.pop()
    ctx.conv.history = history
    return [ctx.ask(state, previous)]


async def skip(ctx: Ctx, arg: str) -> list[Outgoing]:
    current = await _current(ctx)
    if isinstance(current, list):
        return current
    report, ind = current
    if ind.required:
        return [Outgoing(_("This question is required and cannot be skipped.") + "\n💡 " + ind.hint)]
    state = await _store_skip(ctx, report, ind, await ctx.state(report))
    return advance(ctx, state, ind.key)


async def _store_skip(ctx: Ctx, report: Report, ind: Indicator, state: ReportState) -> ReportState:
    await repo.save_answer(ctx.session, report.id, ind.key, ind.type, None, ctx.user.id, skipped=True,
                           old=_stored(state, ind))
    return ReportState(state.template, {**state.answers, ind.key: SKIPPED})


async def no_figure(ctx: Ctx, arg: str) -> list[Outgoing]:
    """/khongro: the officer has no figure for this question. Stored as an answer of its own (never
    as a zero): it counts as answered, and the Word file leaves out the sentences that need it."""
    current = await _current(ctx)
    if isinstance(current, list):
        return current
    report, ind = current
    if not ind.no_figure:
        return [Outgoing(_("This question needs an answer; “no figure” is not accepted here.") + "\n💡 " + ind.hint)]
    state = await _store_no_figure(ctx, report, ind, await ctx.state(report))
    return advance(ctx, state, ind.key)


async def form(ctx: Ctx, arg: str) -> list[Outgoing]:
    """/phieu: the waiting question's section as a form to fill in; /phieu tatca: the whole report.
    The instructions come first, the form in a message of its own, to be copied whole."""
    current = await _current(ctx)
    if isinstance(current, list):
        return current
    report, ind = current
    state = await ctx.state(report)
    whole = fold(arg) in WHOLE
    sections = sections_of(state.template) if whole else [state.template.section_of(ind.key)]
    lines = form_lines(state, sections, lambda key: ctx.previous_answer(state, key))
    what = _("the whole report") if whole else _("the section “{section}”").format(section=sections[0].title)
    intro = _("Form for {what}: copy the next message, write each answer after its colon and send it back "
              "(in one message or several). A line left with the answer stored changes nothing; a line with "
              "last period's answer keeps it; {nofigure} or “không có số liệu” if there is no figure, "
              "“bỏ qua” for a question that is not required. "
              "{whole} gives the whole report.").format(what=what, nofigure=cmd("nofigure"),
                                                          whole=cmd("form") + " tatca")
    return [Outgoing(intro), Outgoing("\n".join(lines), meta={"screen": "form"})]


async def form_filled(ctx: Ctx, report: Report, ind: Indicator, filled: list[tuple[Indicator, str]]) -> list[Outgoing]:
    """A filled form: every changed line checked and stored as if answered alone (in the section's
    order, so that skip logic and rules see the answers above it); the refused ones are listed and
    the first of them asked again, else the next question."""
    state = await ctx.state(report)
    stored: list[str] = []
    refused: list[str] = []
    first_refused: str | None = None
    for question, typed in filled:
        if not typed or typed == printed(question, state) or not state.is_relevant(question.key):
            continue
        if question.no_figure and says_no_figure(typed):
            state = await _store_no_figure(ctx, report, question, state)
            stored.append(question.short_label)
            continue
        if says_skip(typed):
            if state.answers.get(question.key) is SKIPPED:
                continue
            if question.required:
                refused.append(f"• {question.short_label}: " + _("This question is required and cannot be skipped."))
                first_refused = first_refused or question.key
            else:
                state = await _store_skip(ctx, report, question, state)
                stored.append(question.short_label)
            continue
        try:
            value = question.standard if says_standard(question, typed) else parse_answer(question, typed)
            state, broken = await store(ctx, report, question, value, state)
        except AnswerError as err:
            broken = str(err)
        if broken:
            refused.append(f"• {question.short_label}: " + "; ".join(b.removeprefix("• ") for b in broken.splitlines()))
            first_refused = first_refused or question.key
        else:
            stored.append(question.short_label)
    lines = [_("Stored from the form: {labels}.").format(labels=", ".join(stored)) if stored
             else _("Nothing in the form was new, so nothing was stored.")]
    if refused:
        lines += ["", _("Not accepted (asked again):"), *refused]
    note = Outgoing("\n".join(lines))
    if first_refused is not None:
        return [note, ctx.ask(state, first_refused)]
    return [note, *advance(ctx, state, ind.key)] if ind.key in state.answers else [note, ctx.ask(state, ind.key)]


async def _store_no_figure(ctx: Ctx, report: Report, ind: Indicator, state: ReportState) -> ReportState:
    await repo.save_answer(ctx.session, report.id, ind.key, NO_FIGURE_TYPE, None, ctx.user.id, skipped=True,
                           old=_stored(state, ind), action="nofigure")
    return ReportState(state.template, {**state.answers, ind.key: NO_FIGURE})


async def keep(ctx: Ctx, arg: str) -> list[Outgoing]:
    current = await _current(ctx)
    if isinstance(current, list):
        return current
    report, ind = current
    state = await ctx.state(report)
    previous = ctx.previous_answer(state, ind.key)
    if ind.key not in state.answers and previous is not None:  # last period's answer, kept
        return await accept(ctx, report, ind, previous)
    if ind.key not in state.answers:
        return [Outgoing(_("This question has no answer yet to keep."))]
    return advance(ctx, state, ind.key)


async def keep_section(ctx: Ctx, arg: str) -> list[Outgoing]:
    """/giunguyenmuc: every unanswered question of this section that has last period's answer
    keeps it (each checked against the rules as if typed); then the next question."""
    current = await _current(ctx)
    if isinstance(current, list):
        return current
    report, ind = current
    state = await ctx.state(report)
    section = state.template.section_of(ind.key)
    kept: list[str] = []
    for other in section.indicators:
        previous = ctx.previous_answer(state, other.key)
        if previous is None or not state.is_relevant(other.key):
            continue
        new_state, broken = await store(ctx, report, other, previous, state)
        if broken is None:
            state = new_state
            kept.append(other.short_label)
    if not kept:
        return [Outgoing(_("No answer of this section can be kept from last period.")), ctx.ask(state, ind.key)]
    note = Outgoing(_("Kept from last period: {labels}.").format(labels=", ".join(kept)))
    if ind.key not in state.answers:
        return [note, ctx.ask(state, ind.key)]
    return [note, *advance(ctx, state, ind.key)]
