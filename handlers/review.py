"""Reviewing, editing, pausing and submitting the open report, and what the officer gets for it
(the summary and the Word file, of a draft too)."""

from __future__ import annotations

from handlers import output, screens
from handlers.choices import encode
from handlers.commands import cmd
from handlers.context import Ctx, Mode
from handlers.events import Choice, Outgoing
from reports.clock import vn_time
from reports.formatting import fmt_date
from reports.i18n import _
from reports.logic import ReportState
from storage import access, workflow
from storage.models import Report, ReportStatus


def no_report() -> list[Outgoing]:
    return [Outgoing(_("There is no report open. Type {new} to start one.").format(new=cmd("new")))]


def locked_message(ctx: Ctx, report: Report) -> Outgoing:
    if report.status == ReportStatus.pending:
        return Outgoing(_("The report {name} is waiting for the leader's approval; answers cannot be changed "
                          "unless the leader returns it.").format(name=ctx.report_name(report)))
    return Outgoing(_("The report {name} was submitted and is locked; answers can no longer be changed. "
                      "To ask your supervisor to reopen it, type {reopen} and the reason.").format(
        name=ctx.report_name(report), reopen=cmd("reopen")))


def show(ctx: Ctx, state: ReportState, locked: bool = False) -> list[Outgoing]:
    title = _("Review — {name}").format(name=state.template.menu_name)
    out = screens.review(state, title, locked=locked)
    ctx.set_mode(Mode.review, key=ctx.conv.current_key, choices=out.choices)
    return [out]


async def review(ctx: Ctx, arg: str) -> list[Outgoing]:
    report = await ctx.report()
    if report is None:
        return no_report()
    return show(ctx, await ctx.state(report), locked=report.status != ReportStatus.draft)


async def outputs(ctx: Ctx, action: str) -> list[Outgoing]:
    """``/tomtat`` (the summary) or ``/tep`` (the Word file) of the open report, a draft too."""
    report = await ctx.report()
    if report is None:
        return no_report()
    return await output.report_outputs(ctx.session, ctx.templates, report, ctx.now(),
                                       summary=action == "summary", document=action == "file",
                                       files_dir=ctx.services.files_dir)


async def summary(ctx: Ctx, arg: str) -> list[Outgoing]:
    return await outputs(ctx, "summary")


async def file(ctx: Ctx, arg: str) -> list[Outgoing]:
    """``/tep``: the open report's Word file; ``/tep N`` (or a unit's code): a unit's, for a supervisor."""
    if arg.strip():
        from handlers import supervision

        return await supervision.unit_file(ctx, arg)
    if access.is_supervisor(ctx.user) and await ctx.report() is None:
        return [Outgoing(_("Type {file} N for the Word file of unit N in the list of {status}.").format(
            file=cmd("file"), status=cmd("status")))]
    return await outputs(ctx, "file")


async def edit(ctx: Ctx, arg: str) -> list[Outgoing]:
    """``/sua`` asks for the number; ``/sua N`` (or the number typed then) opens answer N."""
    report = await ctx.report()
    if report is None:
        return no_report()
    if report.status != ReportStatus.draft:
        return [locked_message(ctx, report)]
    state = await ctx.state(report)
    keys = state.relevant_keys()
    arg = arg.strip()
    if not arg:
        ctx.set_mode(Mode.edit_pick)
        return [Outgoing(_("Type the number of the answer to change (1 to {n}), as shown in the review.").format(
            n=len(keys)))]
    if not (arg.isascii() and arg.isdigit()) or len(arg) > 6 or not 1 <= int(arg) <= len(keys):
        return [Outgoing(_("Please type a number from 1 to {n}, as shown in the review.").format(n=len(keys)))]
    return [ctx.ask(state, keys[int(arg) - 1], editing=True)]


async def pause(ctx: Ctx, arg: str) -> list[Outgoing]:
    report = await ctx.report()
    if report is None:
        return no_report()
    done, total = (await ctx.state(report)).progress()
    data = {k: v for k, v in ctx.conv.data.items() if k in ("locale", "editing")}
    ctx.conv.mode, ctx.conv.data = Mode.paused.value, data
    return [Outgoing(_("Saved: {done}/{total} answered. Type {cont} whenever you want to continue.").format(
        done=done, total=total, cont=cmd("continue")))]


async def paused_text(ctx: Ctx, text: str) -> list[Outgoing]:
    return [Outgoing(_("The report is paused. Type {cont} to continue.").format(cont=cmd("continue")))]


async def ask_submit(ctx: Ctx, arg: str) -> list[Outgoing]:
    report = await ctx.report()
    if report is None:
        return no_report()
    if report.status != ReportStatus.draft:
        return [locked_message(ctx, report)]
    problems = await _problems(ctx, report)
    if problems:
        return [problems]
    choices = (Choice(encode("confirm", "yes"), _("Yes, submit now")), Choice(encode("confirm", "no"), _("Not yet")))
    ctx.set_mode(Mode.confirm_submit, choices=choices)
    return [Outgoing(_("Submit {name}? After submitting, answers can no longer be changed.").format(
        name=ctx.report_name(report)), choices)]


async def _problems(ctx: Ctx, report: Report) -> Outgoing | None:
    state = await ctx.state(report)
    missing = state.missing_required()
    broken = state.violations()
    if not missing and not broken:
        return None
    keys = state.relevant_keys()
    lines = [_("The report cannot be submitted yet:")]
    for ind in missing[:15]:
        lines.append(_("• {n}. {label}: not answered").format(n=keys.index(ind.key) + 1, label=ind.short_label))
    if len(missing) > 15:
        lines.append(_("• … and {n} more").format(n=len(missing) - 15))
    lines += [f"• {rule.message}" for rule in broken]
    lines.append(_("Type {edit} N to answer question N, or {cont} to continue in order.").format(
        edit=cmd("edit"), cont=cmd("continue")))
    return Outgoing("\n".join(lines))


async def stale_confirm(ctx: Ctx | None = None, arg: str = "") -> list[Outgoing]:
    return [Outgoing(_("This button belongs to an earlier message. Type {cont} to continue.").format(
        cont=cmd("continue")), meta={"stale": True})]


async def confirm(ctx: Ctx, answer: str) -> list[Outgoing]:
    """The answer to "Submit now?": yes submits (and sends the summary and the file), no goes back."""
    report = await ctx.report()
    if report is None:
        return await stale_confirm()
    if answer != "yes":
        return await review(ctx, "")
    if report.status != ReportStatus.draft:
        return [locked_message(ctx, report)]
    problems = await _problems(ctx, report)
    if problems:
        return [problems]
    now = ctx.now()
    tree = await access.load_tree(ctx.session)
    action = workflow.submit(ctx.session, report, ctx.user, now, workflow.needs_approval(tree, report.org_unit_id))
    ctx.set_mode(Mode.idle)
    local = vn_time(now)
    if action == workflow.PENDING:
        done = Outgoing(_("Sent to the leader of {org} for approval: {name}. It goes to the supervisor once "
                          "approved.").format(org=tree.units[report.org_unit_id].name, name=ctx.report_name(report)))
    else:
        done = Outgoing(_("Submitted: {name}, at {time} on {date}. Thank you!").format(
            name=ctx.report_name(report), time=local.strftime("%H:%M"), date=fmt_date(local.date())))
    return [done, *await output.report_outputs(ctx.session, ctx.templates, report, now,
                                               files_dir=ctx.services.files_dir)]
