"""The supervisor's deadline command: ``/hannop`` shows, ``/hannop 6thang 18/06/2026`` sets.

A supervisor sets the due date for the communes below their own org unit; units further down
inherit it unless they set their own (``reports.periods.resolve_due``). With a full date the setting
is for that one period (``/hannop nam 05/01/2027``: the annual report of 2026); with day and month
only it is the unit's default for every year (``/hannop 6thang 25/06``).
"""

from __future__ import annotations

import re
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.commands import cmd
from handlers.context import Ctx
from handlers.events import Outgoing
from reports.i18n import _
from handlers.parsing import AnswerError, fold, parse_date
from reports.formatting import fmt_date
from reports.periods import KINDS, Period, around, due_problem, period_of_due, resolve_due
from storage import access, repo
from storage.models import OrgUnit

KIND_WORDS = {
    "half_year": ("6thang", "6t", "6", "h1", "half_year", "halfyear", "half", "6months"),
    "annual": ("nam", "canam", "1nam", "annual", "year", "yearly"),
}
_KIND_BY_WORD = {word: kind for kind, words in KIND_WORDS.items() for word in words}
_DAY_MONTH = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})")


class DeadlineError(ValueError):
    """The deadline cannot be set; ``str(err)`` is the message for the person who asked."""


def kind_label(kind: str) -> str:
    return _("the 6-month report") if kind == "half_year" else _("the annual report")


def parse_kind(text: str) -> str:
    kind = _KIND_BY_WORD.get(fold(text).replace(" ", ""))
    if kind is None:
        raise DeadlineError(_("Unknown report kind “{text}”: write 6thang (6-month) or nam (annual).").format(text=text))
    return kind


def parse_due(kind: str, text: str, today: date) -> tuple[date, int | None]:
    """``(due date, period year)`` from ``18/06/2026``, or ``(due date, None)`` for a yearly default
    from ``18/06``; checked against the period's data cut-off."""
    raw = text.strip()
    short = _DAY_MONTH.fullmatch(raw)
    if short:
        try:
            due = date(today.year, int(short[2]), int(short[1]))
        except ValueError:
            raise DeadlineError(_("“{text}” is not a real date.").format(text=raw)) from None
        year = None
    else:
        try:
            due = parse_date(raw)
        except AnswerError as err:
            raise DeadlineError(str(err)) from None
        year = period_of_due(kind, due).year
    check_due(kind, due, None)
    return due, year


def check_due(kind: str, due: date, year: int | None) -> None:
    """DeadlineError unless ``due`` fits the period of ``kind`` it is for (``year``, or the one it
    falls in): after the data cut-off and at most 90 days later."""
    period = Period(year, kind) if year is not None else period_of_due(kind, due)
    if due_problem(period, due):
        raise DeadlineError(_("The due date of {kind} must come after its data cut-off ({end}) and at most "
                              "90 days later.").format(kind=kind_label(kind), end=fmt_date(period.end)[:5]))


async def next_dues(session: AsyncSession, org_id: int, today: date) -> list[tuple[Period, date, OrgUnit | None]]:
    """For each report kind, the first period whose due date is today or later: (period, due date,
    the unit that set it or None for the default). The org chain and its rules are read once."""
    chain = await access.ancestors(session, org_id)
    rules = await repo.deadline_rules(session, [u.id for u in chain])
    out = []
    for kind in KINDS:
        levels = [rules.get(u.id, {}).get(kind, {}) for u in chain]
        for period in around(kind, today) + [Period(today.year + 2, kind)]:
            due, level = resolve_due(period, levels)
            if due >= today:
                out.append((period, due, chain[level] if level >= 0 else None))
                break
    return out


async def set_due(session: AsyncSession, org: OrgUnit, kind: str, due: date, year: int | None,
                  user_id: int | None) -> str:
    """Store the due date (checked first) and say what was done."""
    check_due(kind, due, year)
    await repo.set_deadline(session, org.id, kind, due, year, user_id)
    if year is None:
        return _("Done: {kind} is due on {day} every year for the units under {org}.").format(
            kind=kind_label(kind), day=fmt_date(due)[:5], org=org.name)
    return _("Done: {kind} ({period}) is due on {date} for the units under {org}.").format(
        kind=kind_label(kind), period=Period(year, kind).label, date=fmt_date(due), org=org.name)


async def show(ctx: Ctx) -> list[Outgoing]:
    org = await ctx.session.get(OrgUnit, ctx.user.org_unit_id)
    lines = [_("Deadlines for the units under {org}:").format(org=org.name)]
    for period, due, source in await next_dues(ctx.session, org.id, ctx.today()):
        if source is None:
            origin = _("default")
        elif source.id == org.id:
            origin = _("set here")
        else:
            origin = _("set by {org}").format(org=source.name)
        lines.append(_("• {period}: due {date} ({origin})").format(period=period.label, date=fmt_date(due), origin=origin))
    lines += ["", _("To change: {cmd} 6thang 18/06/2026 (that year only) or {cmd} nam 20/12 (every year).").format(
        cmd=cmd("deadline"))]
    return [Outgoing("\n".join(lines))]


async def on_command(ctx: Ctx, arg: str) -> list[Outgoing]:
    """``/hannop`` (show) or ``/hannop KIND DATE`` (set) for the supervisor's own org unit."""
    if not access.is_supervisor(ctx.user):
        return [Outgoing(_("Only supervisors can set deadlines."))]
    parts = arg.split()
    if not parts:
        return await show(ctx)
    if len(parts) < 2:
        return [Outgoing(_("Write the report kind and the date, e.g. {cmd} 6thang 18/06/2026.").format(
            cmd=cmd("deadline")))]
    org = await ctx.session.get(OrgUnit, ctx.user.org_unit_id)
    try:
        kind = parse_kind("".join(parts[:-1]))
        due, year = parse_due(kind, parts[-1], ctx.today())
        text = await set_due(ctx.session, org, kind, due, year, ctx.user.id)
    except DeadlineError as err:
        return [Outgoing(str(err))]
    return [Outgoing(text)]
