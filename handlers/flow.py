"""The declared conversation: which input, in which mode, is handled by what, and where it may lead.

``TRANSITIONS`` is the one place that says it. An input is a command (``/new``, by its action
name), a pressed or typed choice (``choice:tpl``, by the choice's kind, see ``handlers.choices``)
or free ``text``. A row names the modes it applies in (``ANY``: every mode of a registered user),
the handler, and the modes it may lead to (for the diagram, and for a reader). :func:`route` picks
the row: the row for the exact mode first, then the ``ANY`` row. The README's diagram is drawn from
this table (``danvan flow``), and a test fails when the committed drawing differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable

from handlers import (deadlines, filling, history, invites, launches, linking, menu, registration, returns, review, screens,
                      settings_flow, starting, supervision)
from storage import access
from handlers.commands import cmd
from handlers.context import Ctx, Mode
from handlers.events import Outgoing
from reports.i18n import _

Handler = Callable[[Ctx, str], Awaitable[list[Outgoing]]]
ANY = None  # every mode (of a registered user, or of an unregistered one, by the row's table)
TEXT = "text"


@dataclass(frozen=True)
class Transition:
    source: Mode | None  # None: ANY
    trigger: str  # "/action", "choice:kind" or "text"
    handler: Handler
    targets: tuple[Mode, ...]  # the modes it may lead to (empty: it stays)
    label: str  # for the diagram


async def _help(ctx: Ctx, arg: str) -> list[Outgoing]:
    return [Outgoing(screens.help_text(registered=True, supervisor=access.is_supervisor(ctx.user)))]


async def _unknown(ctx: Ctx, name: str) -> list[Outgoing]:
    return [Outgoing(_("Unknown command /{name}. Type {help} for the list.").format(name=name, help=cmd("help")))]


async def _menu_text(ctx: Ctx, text: str) -> list[Outgoing]:
    offered = ctx.offered()
    if offered:
        return [Outgoing(_("Please pick one of the options by its number (1 to {n}).").format(n=len(offered)),
                         offered)]
    return await menu.show(ctx, prefix=_("Please choose what to do."))


Q, R, I = Mode.question, Mode.review, Mode.idle
_OPENING = (Q, R, I, Mode.choose_report)  # where opening or continuing a report may land

UNREGISTERED: tuple[Transition, ...] = (
    Transition(ANY, "/language", registration.language, (), "/ngonngu"),
    Transition(ANY, "/help", registration.help_unregistered, (), "/huongdan"),
    Transition(ANY, "/start", registration.start, (Mode.await_code, Mode.await_name, I), "/start [code]"),
    Transition(ANY, "/link", registration.redeem, (Mode.await_code, I), "/lienket code"),
    Transition(ANY, "/*", registration.register_first, (), "another command"),
    Transition(Mode.await_name, TEXT, registration.finish, (I, Mode.await_code), "full name"),
    Transition(ANY, TEXT, registration.redeem, (Mode.await_name, Mode.await_code, I), "invite or link code"),
)

REGISTERED: tuple[Transition, ...] = (
    Transition(ANY, "/language", registration.language, (), "/ngonngu"),
    Transition(ANY, "/help", _help, (), "/huongdan"),
    Transition(ANY, "/start", starting.greet, _OPENING, "/start"),
    Transition(ANY, "/new", starting.choose_template, (Mode.choose_template,), "/baocaomoi"),
    Transition(ANY, "/continue", starting.resume, _OPENING, "/tieptuc"),
    Transition(ANY, "/review", review.review, (R,), "/xemlai"),
    Transition(ANY, "/submit", review.ask_submit, (Mode.confirm_submit,), "/nop"),
    Transition(ANY, "/pause", review.pause, (Mode.paused,), "/tamdung"),
    Transition(ANY, "/summary", review.summary, (), "/tomtat"),
    Transition(ANY, "/file", review.file, (), "/tep"),
    Transition(ANY, "/edit", review.edit, (Mode.edit_pick, Q), "/sua [N]"),
    Transition(ANY, "/settings", settings_flow.on_command, (Mode.settings, I), "/caidat"),
    Transition(ANY, "/invite", invites.on_command, (Mode.invite,), "/moi"),
    Transition(ANY, "/deadline", deadlines.on_command, (), "/hannop"),
    Transition(ANY, "/launch", launches.on_command, (), "/giaobaocao N period due"),
    Transition(ANY, "/link", linking.show_code, (), "/lienket"),
    Transition(ANY, "/status", supervision.status, (), "/tinhhinh"),
    Transition(ANY, "/compile", supervision.compile_report, (), "/tonghop"),
    Transition(ANY, "/sendback", returns.send_back, (), "/tralai N reason"),
    Transition(ANY, "/reopen", returns.reopen, (), "/mobaocao"),
    Transition(ANY, "/approve", returns.approve, (), "/duyet"),
    Transition(ANY, "/history", history.show, (), "/lichsu"),
    Transition(ANY, "/*", _unknown, (), "unknown command"),
    Transition(Q, "/back", filling.back, (Q, R), "/quaylai"),
    Transition(Q, "/skip", filling.skip, (Q, R), "/boqua"),
    Transition(Q, "/keep", filling.keep, (Q, R), "/giunguyen"),
    Transition(Q, "/keepsection", filling.keep_section, (Q, R), "/giunguyenmuc"),
    Transition(Q, "/form", filling.form, (Q,), "/phieu"),
    Transition(Q, "/nofigure", filling.no_figure, (Q, R), "/khongro"),
    Transition(ANY, "/back", filling.why_no_question, (), "/quaylai (no question)"),
    Transition(ANY, "/skip", filling.why_no_question, (), "/boqua (no question)"),
    Transition(ANY, "/keep", filling.why_no_question, (), "/giunguyen (no question)"),
    Transition(ANY, "/keepsection", filling.why_no_question, (), "/giunguyenmuc (no question)"),
    Transition(ANY, "/form", filling.why_no_question, (), "/phieu (no question)"),
    Transition(ANY, "/nofigure", filling.why_no_question, (), "/khongro (no question)"),
    Transition(ANY, "choice:tpl", starting.choose_period, (Mode.choose_period,), "report type"),
    Transition(ANY, "choice:per", starting.open_period, (*_OPENING, Mode.choose_period), "period"),
    Transition(ANY, "choice:open", starting.open_existing, _OPENING, "draft chosen"),
    Transition(ANY, "choice:inv", invites.on_choice, (Mode.invite, I), "role, unit"),
    Transition(ANY, "choice:sv", supervision.on_choice, (), "status / compiled, other period"),
    Transition(ANY, "choice:appr", returns.approved, (), "leader approves"),
    Transition(Mode.confirm_submit, "choice:confirm", review.confirm, (I, R), "yes / not yet"),
    Transition(ANY, "choice:confirm", review.stale_confirm, (), "old button"),
    Transition(Q, "choice:a", filling.pressed, (Q, R, Mode.conflict), "answer button"),
    Transition(Q, "choice:std", filling.standard, (Q, R, Mode.conflict), "standard paragraph"),
    Transition(ANY, "choice:a", filling.pressed, (), "old button"),
    Transition(ANY, "choice:std", filling.stale_press, (), "old button"),
    Transition(Mode.conflict, "choice:cf", filling.resolve, (Q, R), "mine / theirs (another officer changed it)"),
    Transition(ANY, "choice:cf", filling.stale_press, (), "old button"),
    Transition(Q, TEXT, filling.typed, (Q, R, Mode.conflict), "answer (stored)"),
    Transition(Mode.edit_pick, TEXT, review.edit, (Q,), "N"),
    Transition(Mode.settings, TEXT, settings_flow.on_command, (I,), "setting lines"),
    Transition(Mode.paused, TEXT, review.paused_text, (), "text"),
    Transition(ANY, TEXT, _menu_text, (I,), "text"),
)


def _index(rows: tuple[Transition, ...]) -> dict[tuple[Mode | None, str], Transition]:
    table: dict[tuple[Mode | None, str], Transition] = {}
    for row in rows:
        if (row.source, row.trigger) in table:
            raise ValueError(f"two transitions for {row.source} {row.trigger}")
        table[(row.source, row.trigger)] = row
    return table


_TABLES = {False: _index(UNREGISTERED), True: _index(REGISTERED)}


def route(registered: bool, mode: Mode, trigger: str) -> Transition:
    """The row that handles ``trigger`` in ``mode``; an unknown command falls to the ``/*`` row."""
    table = _TABLES[registered]
    for key in ((mode, trigger), (ANY, trigger)):
        if key in table:
            return table[key]
    if trigger.startswith("/"):
        return table[(ANY, "/*")]
    return table[(ANY, TEXT)]


# ---------------------------------------------------------------------------- the diagram


def mermaid() -> str:
    """The state diagram of the transition table (Mermaid), as the README shows it: one arrow for
    each (from, to) pair, labelled with every input that takes it; ``registered`` stands for any
    mode of a registered user."""
    out = ["stateDiagram-v2", "    [*] --> await_code: first message"]

    def edges(rows: tuple[Transition, ...], any_source: str) -> list[str]:
        labels: dict[tuple[str, str], list[str]] = {}
        for row in rows:
            source = any_source if row.source is ANY else row.source.value
            targets = row.targets or ((row.source,) if row.source is not ANY else ())
            for target in targets:
                labels.setdefault((source, target.value), []).append(row.label)
        return [f"    {a} --> {b}: {', '.join(dict.fromkeys(names))}" for (a, b), names in labels.items()]

    out.append("    state unregistered {")
    out += ["        await_code", "        await_name", "    }"]
    out += edges(UNREGISTERED, "unregistered")
    out.append("    state registered {")
    out += [f"        {m.value}" for m in Mode if m not in (Mode.await_code, Mode.await_name)]
    out.append("    }")
    out += edges(REGISTERED, "registered")
    return "\n".join(out) + "\n"
