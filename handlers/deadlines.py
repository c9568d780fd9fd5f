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
from handlers.events import Outgoing
from reports.i18n import _
from handlers.parsing import AnswerError, fold, parse_date
from reports.formatting import fmt_date
from reports.periods import Period, around, due_problem, period_of_due, resolve_due
from storage import repo
from storage.models import OrgUnit, Role, User

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
    period = period_of_due(kind, due)
    problem = due_problem(period, due)
    if problem:
        raise DeadlineError(_("The due date of {kind} must come after its data cut-off ({end}) and at most "
                              "90 days later.").format(kind=kind_label(kind), end=fmt_date(period.end)[:5]))
    return due, year


async def effective(session: AsyncSession, org_id: int, period: Period) -> tuple[date, OrgUnit | None]:
    """The due date of ``period`` for ``org_id`` and the unit that set it (None: the default)."""
    chain = await repo.ancestors_of(session, org_id)
    rules = await repo.deadline_rules(session, [u.id for u in chain])
    due, level = resolve_due(period, [rules.get(u.id, {}).get(period.kind, {}) for u in chain])
    return due, (chain[level] if level >= 0 else None)


def upcoming(kind: str, today: date, due_of) -> Period:  # noqa: ANN001 - due_of: Period -> date
    """The first period of ``kind`` whose due date is today or later."""
    periods = around(kind, today) + [Period(today.year + 2, kind)]
    return next(p for p in periods if due_of(p) >= today)


async def show(session: AsyncSession, user: User, today: date) -> list[Outgoing]:
    org = await session.get(OrgUnit, user.org_unit_id)
    lines = [_("Deadlines for the units under {org}:").format(org=org.name)]
    for kind in ("half_year", "annual"):
        dues = {p: await effective(session, org.id, p) for p in around(kind, today) + [Period(today.year + 2, kind)]}
        period = upcoming(kind, today, lambda p: dues[p][0])
        due, source = dues[period]
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


async def on_command(session: AsyncSession, user: User, arg: str, today: date) -> list[Outgoing]:
    """``/hannop`` (show) or ``/hannop KIND DATE`` (set) for the supervisor's own org unit."""
    if user.role not in (Role.supervisor, Role.admin):
        return [Outgoing(_("Only supervisors can set deadlines."))]
    parts = arg.split()
    if not parts:
        return await show(session, user, today)
    if len(parts) < 2:
        return [Outgoing(_("Write the report kind and the date, e.g. {cmd} 6thang 18/06/2026.").format(
            cmd=cmd("deadline")))]
    try:
        kind = parse_kind("".join(parts[:-1]))
        due, year = parse_due(kind, parts[-1], today)
    except DeadlineError as err:
        return [Outgoing(str(err))]
    await repo.set_deadline(session, user.org_unit_id, kind, due, year, user.id)
    org = await session.get(OrgUnit, user.org_unit_id)
    if year is None:
        text = _("Done: {kind} is due on {day} every year for the units under {org}.").format(
            kind=kind_label(kind), day=fmt_date(due)[:5], org=org.name)
    else:
        text = _("Done: {kind} ({period}) is due on {date} for the units under {org}.").format(
            kind=kind_label(kind), period=Period(year, kind).label, date=fmt_date(due), org=org.name)
    return [Outgoing(text)]
