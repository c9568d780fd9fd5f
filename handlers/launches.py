"""Reports a supervisor asks of every reporting unit below (issue 12): ``/giaobaocao N kỳ hạn``, and
the launched reports a unit is under, which the report menu, the periods offered and the
supervisor's status and compiled report take in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from handlers.commands import cmd
from handlers.context import Ctx
from handlers.events import Outgoing
from handlers.parsing import AnswerError, parse_date
from reports.formatting import fmt_date
from reports.i18n import _
from reports.periods import Period, PeriodError, due_problem
from reports.schema import Template
from storage import access, repo

_RANGE = re.compile(r"^(\d{1,2}/\d{1,2}/\d{4})\s*[-–]\s*(\d{1,2}/\d{1,2}/\d{4})$")


@dataclass(frozen=True)
class Launched:
    template: Template
    period: Period
    due: date
    org_unit_id: int  # the unit that launched it


async def over(ctx: Ctx, org_id: int | None = None) -> list[Launched]:
    """The reports launched by ``org_id`` (default: the user's unit) or any unit above it."""
    org_id = ctx.user.org_unit_id if org_id is None else org_id
    tree = await access.load_tree(ctx.session)
    out = []
    for row in await repo.launches_at(ctx.session, tree.ancestors(org_id)):
        template = ctx.templates.get(row.template_key)
        if template is not None:
            out.append(Launched(template, Period.from_key(row.period), row.due, row.org_unit_id))
    return out


def unit_templates(ctx: Ctx) -> list[Template]:
    """The templates the reporting units fill (commune level), in the loader's order: what a
    supervisor may launch, and follows in the status and the compiled report."""
    return [t for t in ctx.templates.values() if t.level == "commune"]


def _usage(ctx: Ctx) -> list[Outgoing]:
    lines = [_("Launch a report for every unit below: {cmd} N period due-date, e.g. {example}.").format(
        cmd=cmd("launch"), example=f"{cmd('launch')} 1 01/03/2026-31/05/2026 10/06/2026"),
        _("The period: a key such as 2026-H1, 2026, 2026-Q3, 2024-2026, or a range of days 01/03/2026-31/05/2026."),
        _("The reports (N):")]
    lines += [f"{n}. {t.menu_name} ({t.period})" for n, t in enumerate(unit_templates(ctx), start=1)]
    return [Outgoing("\n".join(lines))]


def _period(template: Template, text: str) -> Period | str:
    m = _RANGE.match(text)
    try:
        if m:
            first, last = parse_date(m[1]), parse_date(m[2])
            if first > last:
                return _("The period's first day comes after its last day.")
            period = Period(last.year, "custom", first=first, last=last)
        else:
            period = Period.from_key(text)
    except (AnswerError, PeriodError):
        return _("“{text}” is not a period: write a key such as 2026-H1, 2026, 2026-Q3, 2024-2026, or a range of "
                 "days such as 01/03/2026-31/05/2026.").format(text=text)
    if period.kind != template.period or (period.kind == "multi_year" and period.years != template.years):
        return _("{name} is written for periods of another kind than {period}.").format(
            name=template.menu_name, period=period.label)
    return period


async def on_command(ctx: Ctx, arg: str) -> list[Outgoing]:
    if not access.is_supervisor(ctx.user):
        from handlers.supervision import not_supervisor

        return not_supervisor()
    words = arg.split()
    if len(words) != 3:
        return _usage(ctx)
    pick, period_text, due_text = words
    templates = unit_templates(ctx)
    by_key = {t.key: t for t in templates}
    if pick.isascii() and pick.isdigit() and 1 <= int(pick) <= len(templates):
        template = templates[int(pick) - 1]
    elif pick in by_key:
        template = by_key[pick]
    else:
        return _usage(ctx)
    period = _period(template, period_text)
    if isinstance(period, str):
        return [Outgoing(period)]
    try:
        due = parse_date(due_text)
    except AnswerError as err:
        return [Outgoing(_("The due date: {error}").format(error=err))]
    problem = due_problem(period, due)
    if problem == "before_end":
        return [Outgoing(_("The due date must come after the period's last day ({end}).").format(end=fmt_date(period.end)))]
    if problem == "too_late":
        return [Outgoing(_("The due date is too long after the period's last day (at most 90 days)."))]
    await repo.launch(ctx.session, ctx.user.org_unit_id, template.key, period.key, due, ctx.user.id)
    tree = await access.load_tree(ctx.session)
    units = tree.reporting_below(ctx.user.org_unit_id)
    return [Outgoing(_("Launched: {name}, for the {n} reporting units below {org}, due on {due}. They see it when "
                       "they type {new} and are reminded of it like of the 6-month report; {status} shows who has "
                       "submitted it.").format(name=template.report_name(period), n=len(units),
                                                 org=tree.units[ctx.user.org_unit_id].name, due=fmt_date(due),
                                                 new=cmd("new"), status=cmd("status")))]
