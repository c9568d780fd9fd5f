"""Getting to a report: the main menu, choosing a report type and a period, opening a new or an
existing report (reusing the commune's profile answers), and continuing where the officer stopped."""

from __future__ import annotations

from decimal import Decimal

from handlers import launches, menu, overview, review
from handlers.choices import decode, encode
from handlers.commands import cmd
from handlers.context import Ctx, Mode
from handlers.events import Choice, Outgoing
from reports.formatting import fmt_date
from reports.i18n import _
from reports.periods import Period, selectable
from reports.schema import Template
from reports.values import to_json
from storage import access, repo
from storage.models import OrgUnit, Report, ReportStatus


async def greet(ctx: Ctx, arg: str) -> list[Outgoing]:
    greeting = Outgoing(_("Hello, {name}.").format(name=ctx.user.full_name))
    return [greeting, *await resume(ctx)]


def fits(template_level: str, unit_kind: str) -> bool:
    """Whether a unit of ``unit_kind`` fills templates of ``template_level`` (communes, wards and
    special zones fill the commune reports)."""
    if template_level == "commune":
        return unit_kind in access.REPORTING_KINDS
    return template_level == unit_kind


async def choose_template(ctx: Ctx, arg: str = "") -> list[Outgoing]:
    org = await ctx.session.get(OrgUnit, ctx.user.org_unit_id)
    launched = {item.template.key for item in await launches.over(ctx)}
    # a template of custom periods is offered only where a unit above launched it
    templates = [t for t in ctx.templates.values() if fits(t.level, org.kind)
                 and (t.period != "custom" or t.key in launched)]
    if not templates:
        return [Outgoing(_("{org} does not fill in these reports; it follows the units below it. Type {status} "
                           "to see who has submitted, or {compile} for the compiled report.").format(
            org=org.name, status=cmd("status"), compile=cmd("compile")))]
    choices = tuple(Choice(encode("tpl", t.key), t.menu_name) for t in templates)
    ctx.set_mode(Mode.choose_template, choices=choices)
    return [Outgoing(_("Which report do you want to prepare?"), choices)]


async def choose_period(ctx: Ctx, template_key: str) -> list[Outgoing]:
    template = ctx.templates.get(template_key)
    org = await ctx.session.get(OrgUnit, ctx.user.org_unit_id)
    if template is None or not fits(template.level, org.kind):
        return await choose_template(ctx)
    today = ctx.today()
    periods = [item.period for item in await launches.over(ctx)  # launched by a unit above: first
               if item.template.key == template.key and item.period.start <= today]
    periods += [p for p in selectable(template.period, today, template.years) if p not in periods]
    choices = tuple(
        Choice(encode("per", p.key), f"{p.label} ({fmt_date(p.start)} – {fmt_date(p.end)})") for p in periods
    )
    ctx.set_mode(Mode.choose_period, template=template_key, choices=choices)
    return [Outgoing(_("For which period?"), choices)]


async def open_period(ctx: Ctx, period_key: str) -> list[Outgoing]:
    """A period was chosen: open that report (new, or the existing one). Only a period that was
    offered is accepted, so a forged button cannot create a report for any period."""
    template = ctx.templates.get(ctx.conv.data.get("template", ""))
    if template is None:
        return await choose_template(ctx)
    offered = {p.arg for c in ctx.offered() if (p := decode(c.id)) is not None and p.kind == "per"}
    if ctx.mode is not Mode.choose_period or period_key not in offered:
        return await choose_period(ctx, template.key)
    org_id = ctx.user.org_unit_id
    report = await repo.find_report(ctx.session, org_id, template.key, period_key)
    if report is not None:
        ctx.conv.report_id = report.id
        if report.status != ReportStatus.draft:
            ctx.set_mode(Mode.idle)
            return [review.locked_message(ctx, report)]
        note = Outgoing(_("This report already exists; continuing where it stopped."))
        return [note, *await resume(ctx)]
    report = await repo.create_report(ctx.session, org_id, template.key, template.version, period_key, ctx.user.id)
    ctx.conv.report_id = report.id
    ctx.conv.history = []
    carried = await _note_carried(ctx, report, template)
    below = await _note_below(ctx, report, template)
    state = await ctx.state(report)
    name = ctx.report_name(report)
    out = [Outgoing(_("Starting the {name}.").format(name=name[:1].lower() + name[1:]))]
    if carried:
        out.append(Outgoing(_("{n} answers of {earlier} can be kept as they are: at each of those questions, "
                              "{keep} keeps the answer and {section} the whole section's.").format(
            n=carried, earlier=ctx.carried_from(), keep=cmd("keep"), section=cmd("keepsection"))))
    if below:
        out.append(Outgoing(_("{n} figures are compiled from the reports of the units below ({reporting} "
                              "submitted): at each of those questions, {keep} keeps the compiled figure.").format(
            n=below, reporting=ctx.conv.data["below"]["from"], keep=cmd("keep"))))
    first = state.next_key(None)
    out.append(ctx.ask(state, first) if first else review.show(ctx, state)[0])
    return out


async def _note_below(ctx: Ctx, report: Report, template: Template) -> int:
    """For a template whose figures come from the units below (``Template.below``): note, with the
    conversation, the compiled figure of each ``from_below`` question, from the reports the units
    below submitted for the same period. Returns how many."""
    below = ctx.templates.get(template.below or "")
    if below is None:
        return 0
    tree = await access.load_tree(ctx.session)
    compiled = await overview.compile_below(ctx.session, tree, report.org_unit_id, below, Period.from_key(report.period))
    values = {ind.key: to_json(ind.type, compiled.values[ind.from_below]) for ind in template.indicators
              if ind.from_below and isinstance(compiled.values.get(ind.from_below), (int, Decimal))}
    if values:
        ctx.conv.data = {**ctx.conv.data, "below": {"report": report.id, "from": compiled.values["reporting"],
                                                     "values": values}}
    return len(values)


async def _note_carried(ctx: Ctx, report: Report, template: Template) -> int:
    """Note, with the conversation, the answers that carry over (``Indicator.carries``) from the
    unit's report of this template whose period ended last before this one's — never a later
    period's, whose figures are not yet true for this one. Returns how many."""
    end = Period.from_key(report.period).end
    earlier = [r for r in await repo.reports_of(ctx.session, report.org_unit_id, template.key)
               if r.id != report.id and Period.from_key(r.period).end < end]
    if not earlier:
        return 0
    source = max(earlier, key=lambda r: Period.from_key(r.period).end)
    values = {a.key: a.value for a in await repo.answers_of(ctx.session, source.id)
              if not a.skipped and a.value is not None and a.key in template.by_key and template.by_key[a.key].carries}
    if values:
        ctx.conv.data = {**ctx.conv.data, "carried": {"report": report.id, "from": ctx.report_name(source),
                                                       "values": values}}
    return len(values)


async def open_existing(ctx: Ctx, report_id: str) -> list[Outgoing]:
    report = await ctx.session.get(Report, int(report_id))
    if report is None or report.org_unit_id != ctx.user.org_unit_id:
        return await menu.show(ctx)
    ctx.conv.report_id = report.id
    return await resume(ctx)


async def resume(ctx: Ctx, arg: str = "") -> list[Outgoing]:
    report = await ctx.report()
    if report is None or report.status != ReportStatus.draft:
        drafts = [d for d in await repo.drafts_of(ctx.session, ctx.user.org_unit_id) if d.template_key in ctx.templates]
        if len(drafts) == 1:
            report = drafts[0]
            ctx.conv.report_id = report.id
        elif drafts:
            choices = tuple(Choice(encode("open", d.id), ctx.report_name(d)) for d in drafts)
            ctx.set_mode(Mode.choose_report, choices=choices)
            return [Outgoing(_("Which report do you want to continue?"), choices)]
        else:
            return await menu.show(ctx)
    state = await ctx.state(report)
    key = ctx.conv.current_key
    editing = bool(ctx.conv.data.get("editing"))
    known = key in state.template.by_key
    if not (known and state.is_relevant(key) and (key not in state.answers or editing)):
        key = state.next_key(key if known else None)
        editing = False
    if key is None:
        return review.show(ctx, state)
    done, total = state.progress()
    note = Outgoing(_("Continuing {name}: {done}/{total} answered.").format(
        name=ctx.report_name(report), done=done, total=total))
    return [note, ctx.ask(state, key, editing=editing)]
