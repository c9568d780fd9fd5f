"""The supervisor's chat commands over the units below them: ``/tinhhinh`` (who has submitted, with a
chart), ``/tonghop`` (the compiled report: summary, Word, Excel) and ``/tep N`` (one unit's Word
file). Which report and period: typed (``/tinhhinh nam 2025``, ``/tonghop 6thang``) or by the
buttons under the list; by default the one whose due date is nearest. Units are named by their
number in the last list shown, or by their code. Every read is checked with ``storage.access``."""

from __future__ import annotations

from typing import Sequence

from handlers import compiled, launches, output, overview
from handlers.choices import encode
from handlers.commands import cmd
from handlers.context import Ctx
from handlers.deadlines import DeadlineError, parse_kind
from handlers.events import Choice, Document, Outgoing
from reports.i18n import _
from reports.periods import Period, around
from reports.schema import Template
from storage import access, repo
from storage.access import OrgTree
from storage.models import OrgUnit, Report

LISTED = "listed"  # conv.data: the last status list, {"tpl", "per", "units": [org ids in order]}


def not_supervisor() -> list[Outgoing]:
    return [Outgoing(_("Only supervisors of the units below can use this command."))]


def _candidates(ctx: Ctx, launched: Sequence[launches.Launched] = ()) -> list[tuple[Template, Period]]:
    """The reports of the units below that have begun: the periodic ones, and those launched."""
    today = ctx.today()
    found = [(t, p) for t in launches.unit_templates(ctx) for p in around(t.period, today, t.years) if p.start <= today]
    seen = {(t.key, p.key) for t, p in found}
    return found + [(item.template, item.period) for item in launched
                    if item.period.start <= today and (item.template.key, item.period.key) not in seen]


def default_target(ctx: Ctx, launched: Sequence[launches.Launched] = ()) -> tuple[Template, Period] | None:
    """The report and period whose (standard) due date is nearest to today."""
    today = ctx.today()
    found = _candidates(ctx, launched)
    return min(found, key=lambda tp: (abs((tp[1].default_due - today).days), tp[0].key)) if found else None


def parse_target(ctx: Ctx, arg: str, launched: Sequence[launches.Launched] = ()) -> tuple[Template, Period] | str:
    """``6thang``, ``nam 2025``, ``2026-H1`` or nothing → (template, period); else the message."""
    words = arg.split()
    if not words:
        found = default_target(ctx, launched)
        return found if found is not None else _("There is no report template for the units.")
    year = None
    if words[-1].isascii() and words[-1].isdigit() and len(words[-1]) == 4:
        year = int(words.pop())
    try:
        if len(words) == 1 and words[0].upper().endswith("-H1") and words[0][:4].isdigit() and year is None:
            kind, year = "half_year", int(words[0][:4])
        else:
            kind = parse_kind("".join(words)) if words else None
    except DeadlineError as err:
        return str(err)
    templates = [t for t in launches.unit_templates(ctx) if kind is None or t.period == kind]
    if not templates:
        return _("There is no report template for the units.")
    template = templates[0]
    today = ctx.today()
    if year is None:
        started = [p for p in around(template.period, today, template.years) if p.start <= today]
        if not started:
            return _("There is no report template for the units.")
        period = min(started, key=lambda p: abs((p.default_due - today).days))
    elif template.period == "custom":
        return _("There is no report template for the units.")
    else:
        period = Period(year, template.period, years=template.years)
        if not 2000 <= year <= today.year + 1 or period.start > today:
            return _("The period {period} has not started or is out of range.").format(period=period.label)
    return template, period


def _choices(ctx: Ctx, action: str, shown: tuple[Template, Period],
             launched: Sequence[launches.Launched] = ()) -> tuple[Choice, ...]:
    out = []
    for template, period in _candidates(ctx, launched):
        if (template.key, period.key) != (shown[0].key, shown[1].key):
            out.append(Choice(encode("sv", action, template.key, period.key), template.report_name(period)))
    return tuple(out[:4])


async def _root(ctx: Ctx) -> tuple[OrgTree, OrgUnit]:
    tree = await access.load_tree(ctx.session)
    return tree, tree.units[ctx.user.org_unit_id]


def _dir(ctx: Ctx, root: OrgUnit):  # noqa: ANN202 - a Path
    return (ctx.services.files_dir or output.default_files_dir()) / f"supervisor-{root.id}"


async def _targeted(ctx: Ctx, arg: str, show) -> list[Outgoing]:  # noqa: ANN001 - _status or _compile
    """A supervisor's command on a report type and period (typed, or the nearest due)."""
    if not access.is_supervisor(ctx.user):
        return not_supervisor()
    launched = await launches.over(ctx)
    target = parse_target(ctx, arg, launched)
    if isinstance(target, str):
        return [Outgoing(target)]
    return await show(ctx, *target, launched)


async def status(ctx: Ctx, arg: str) -> list[Outgoing]:
    return await _targeted(ctx, arg, _status)


async def _status(ctx: Ctx, template: Template, period: Period,
                  launched: Sequence[launches.Launched] | None = None) -> list[Outgoing]:
    """``launched``: the reports launched for the supervisor's units, if already read."""
    tree, root = await _root(ctx)
    chart = _dir(ctx, root) / f"TinhHinh_{compiled._safe(root.code)}_{template.key}_{period.key}.png"
    launched = await launches.over(ctx) if launched is None else launched
    due = next((item.due for item in launched if (item.template.key, item.period.key) == (template.key, period.key)),
               None)
    text, rows, drawn = await compiled.status(ctx.session, tree, root, template, period, ctx.today(), chart, due)
    ctx.conv.data = {**ctx.conv.data, LISTED: {"tpl": template.key, "per": period.key,
                                               "units": [r.org.id for r in rows]}}
    if rows:
        text += "\n\n" + _("Type {file} N for unit N's Word file, {history} N for its history, {back} N and the "
                           "reason to send a submitted report back, {compile} for the compiled report.").format(
            file=cmd("file"), history=cmd("history"), back=cmd("sendback"), compile=cmd("compile"))
    out = [Outgoing(text, _choices(ctx, "st", (template, period), launched), meta={"screen": "status"})]
    if drawn is not None:
        out.append(Outgoing(_("Chart: {report}").format(report=template.report_name(period)), image=drawn))
    return out


async def compile_report(ctx: Ctx, arg: str) -> list[Outgoing]:
    return await _targeted(ctx, arg, _compile)


async def _compile(ctx: Ctx, template: Template, period: Period,
                   launched: Sequence[launches.Launched] | None = None) -> list[Outgoing]:
    tree, root = await _root(ctx)
    result = await overview.compile_below(ctx.session, tree, root.id, template, period)
    text = compiled.summary_text(root, result, period)
    launched = await launches.over(ctx) if launched is None else launched
    out = [Outgoing(text, _choices(ctx, "tg", (template, period), launched),
                    meta={"screen": "compiled"})]
    if not result.units:
        return out
    docx_name, xlsx_name = compiled.file_names(root, template, period)
    folder = _dir(ctx, root)
    files = await compiled.compile_files(ctx.session, tree, root, result, period, ctx.now(),
                                         folder / docx_name, folder / xlsx_name)
    out.append(Outgoing(_("The compiled Word file (a draft: number and day are left for the signer)."),
                        document=Document(files.docx, files.docx_name), meta={"screen": "compiled_docx"}))
    out.append(Outgoing(_("The Excel workbook: one row a unit."), document=Document(files.xlsx, files.xlsx_name),
                        meta={"screen": "compiled_xlsx"}))
    return out


async def on_choice(ctx: Ctx, action: str, template_key: str, period_key: str) -> list[Outgoing]:
    """A button under the status list or the compiled report: the same for another report or period."""
    if not access.is_supervisor(ctx.user):
        return not_supervisor()
    template = ctx.templates.get(template_key)
    try:
        period = Period.from_key(period_key)
    except ValueError:
        period = None
    if template is None or period is None or period.kind != template.period or period.start > ctx.today():
        return [Outgoing(_("This button belongs to an earlier message. Type {cmd} again.").format(
            cmd=cmd("status")), meta={"stale": True})]
    return await (_status(ctx, template, period) if action == "st" else _compile(ctx, template, period))


# ---------------------------------------------------------------------------- one unit


async def unit_and_rest(ctx: Ctx, arg: str) -> tuple[OrgTree, OrgUnit, str] | str:
    """The unit ``arg`` starts with (its number in the last list, or its code) and the rest of the
    text; or the message to show. Only a unit the user may read is found."""
    head, _sep, rest = arg.strip().partition(" ")
    tree = await access.load_tree(ctx.session)
    org_id = None
    listed = ctx.conv.data.get(LISTED) or {}
    if head.isascii() and head.isdigit():
        units = listed.get("units") or []
        if len(head) > 6 or not 1 <= int(head) <= len(units):
            return _("There is no unit {n} in the last list; type {status} to see the list.").format(
                n=head[:6], status=cmd("status"))
        org_id = units[int(head) - 1]
    elif head:
        org = await repo.org_by_code(ctx.session, head[:64].upper())
        org_id = org.id if org is not None else None
    if org_id is None or not tree.may_read(ctx.user, org_id):
        return _("Unit “{unit}” is not one you can see.").format(unit=head[:64])
    return tree, tree.units[org_id], rest.strip()


async def listed_report(ctx: Ctx, org: OrgUnit) -> tuple[Template, Report | None] | str:
    """The unit's report of the listed (or default) report kind and period."""
    listed = ctx.conv.data.get(LISTED) or {}
    template = ctx.templates.get(listed.get("tpl", ""))
    if template is None:
        target = default_target(ctx)
        if target is None:
            return _("There is no report template for the units.")
        template, period = target
    else:
        period = Period.from_key(listed["per"])
    return template, await repo.find_report(ctx.session, org.id, template.key, period.key)


async def unit_file(ctx: Ctx, arg: str) -> list[Outgoing]:
    """``/tep N``: the Word file of unit N's report (a supervisor's, over the units below)."""
    found = await unit_and_rest(ctx, arg)
    if isinstance(found, str):
        return [Outgoing(found)]
    _tree, org, _rest = found
    got = await listed_report(ctx, org)
    if isinstance(got, str):
        return [Outgoing(got)]
    template, report = got
    if report is None:
        return [Outgoing(_("{unit} has no report of this period yet.").format(unit=org.name))]
    return await output.report_outputs(ctx.session, ctx.templates, report, ctx.now(), summary=False,
                                       files_dir=ctx.services.files_dir)
