"""Sending a report back, reopening it, and the leader's approval, in the chat:

* ``/tralai N lý do`` — a supervisor sends unit N's submitted report back to draft, with the reason;
  a unit's leader (``/tralai lý do``) returns the report waiting for their approval;
* ``/mobaocao N`` — a supervisor reopens unit N's submitted report; an officer (``/mobaocao lý do``)
  asks the supervisors to reopen their unit's submitted report;
* ``/duyet`` — the leader sees the report waiting for approval (summary and Word file) and approves it.

Each change is recorded (``storage.workflow``) and the people concerned are told by the notices job
(``reminders.service``); who may do what is ``storage.access``'s rule.
"""

from __future__ import annotations

from sqlmodel import select

from handlers import output, supervision
from handlers.choices import encode
from handlers.commands import cmd
from handlers.context import Ctx
from handlers.events import Choice, Outgoing
from reports.i18n import _
from storage import access, repo, workflow
from storage.models import Report, ReportStatus, Role

MIN_REASON = 5


def _is_leader(ctx: Ctx) -> bool:
    return ctx.user is not None and Role(ctx.user.role) == Role.leader


async def _own(ctx: Ctx, status: ReportStatus) -> list[Report]:
    """The reports of the user's own unit in ``status``, newest first."""
    stmt = (select(Report).where(Report.org_unit_id == ctx.user.org_unit_id, Report.status == status)
            .order_by(Report.updated_at.desc(), Report.id.desc()))
    return [r for r in (await ctx.session.exec(stmt)).all() if r.template_key in ctx.templates]


def _reason_needed(example: str) -> list[Outgoing]:
    return [Outgoing(_("Please add the reason, e.g. {example}").format(example=example))]


async def _below_report(ctx: Ctx, arg: str, status: ReportStatus):  # noqa: ANN202
    """(unit, report, rest of the text) for a supervisor's command on a unit below, or the refusal."""
    found = await supervision.unit_and_rest(ctx, arg)
    if isinstance(found, str):
        return [Outgoing(found)]
    tree, org, rest = found
    if org.id == ctx.user.org_unit_id or not tree.may_administer(ctx.user, org.id):
        return [Outgoing(_("Only the supervisors above {unit} can do this.").format(unit=org.name))]
    got = await supervision.listed_report(ctx, org)
    if isinstance(got, str):
        return [Outgoing(got)]
    _template, report = got
    if report is None or report.status != status:
        return [Outgoing(_("{unit} has no submitted report of this period to change.").format(unit=org.name))]
    return org, report, rest


async def send_back(ctx: Ctx, arg: str) -> list[Outgoing]:
    if _is_leader(ctx):
        return await _leader_return(ctx, arg)
    if not access.is_supervisor(ctx.user):
        return [Outgoing(_("Only a supervisor, or the unit's leader for a report waiting for approval, can send "
                           "a report back."))]
    if not arg.strip():
        return _reason_needed(f"{cmd('sendback')} 3 Số hồ sơ trực tuyến chưa khớp với hệ thống")
    found = await _below_report(ctx, arg, ReportStatus.submitted)
    if isinstance(found, list):
        return found
    org, report, reason = found
    if len(reason) < MIN_REASON:
        return _reason_needed(f"{cmd('sendback')} 3 Số hồ sơ trực tuyến chưa khớp với hệ thống")
    workflow.send_back(ctx.session, report, ctx.user, ctx.now(), reason)
    return [Outgoing(_("Sent back: {name} of {unit}. Its officers will be told the reason and can submit "
                       "again.").format(name=ctx.report_name(report), unit=org.name))]


async def _leader_return(ctx: Ctx, reason: str) -> list[Outgoing]:
    pending = await _own(ctx, ReportStatus.pending)
    if not pending:
        return [Outgoing(_("There is no report waiting for your approval."))]
    if len(reason.strip()) < MIN_REASON:
        return _reason_needed(f"{cmd('sendback')} Cần bổ sung số liệu tiếp công dân")
    report = pending[0]
    workflow.send_back(ctx.session, report, ctx.user, ctx.now(), reason.strip(), by_leader=True)
    return [Outgoing(_("Returned to the officers: {name}, with your comment.").format(name=ctx.report_name(report)))]


async def reopen(ctx: Ctx, arg: str) -> list[Outgoing]:
    if access.is_supervisor(ctx.user):
        if not arg.strip():
            return [Outgoing(_("Type {cmd} N, with N the unit's number in the status list.").format(
                cmd=cmd("reopen")))]
        found = await _below_report(ctx, arg, ReportStatus.submitted)
        if isinstance(found, list):
            return found
        org, report, reason = found
        workflow.reopen(ctx.session, report, ctx.user, ctx.now(), reason)
        return [Outgoing(_("Reopened: {name} of {unit}. Its officers can change answers and submit again.").format(
            name=ctx.report_name(report), unit=org.name))]
    head = arg.strip().split(" ", 1)[0]
    named = await repo.org_by_code(ctx.session, head[:64].upper()) if head else None
    if named is not None and named.id != ctx.user.org_unit_id:  # "/mobaocao XA_KHAC": not theirs to ask for
        return [Outgoing(_("Only the supervisors above {unit} can do this.").format(unit=named.name))]
    submitted = await _own(ctx, ReportStatus.submitted)
    if not submitted:
        return [Outgoing(_("Your unit has no submitted report to reopen."))]
    if len(arg.strip()) < MIN_REASON:
        return _reason_needed(f"{cmd('reopen')} Cần sửa số hộ nghèo cuối kỳ")
    report = submitted[0]
    workflow.ask_reopen(ctx.session, report, ctx.user, ctx.now(), arg.strip())
    return [Outgoing(_("Your request to reopen {name} was sent to your supervisors.").format(
        name=ctx.report_name(report)))]


async def approve(ctx: Ctx, arg: str) -> list[Outgoing]:
    """``/duyet``: the report waiting for the leader's approval, its summary and file, and the buttons."""
    if not _is_leader(ctx):
        return [Outgoing(_("Only the unit's leader approves reports."))]
    pending = await _own(ctx, ReportStatus.pending)
    if not pending:
        return [Outgoing(_("There is no report waiting for your approval."))]
    report = pending[0]
    out = await output.report_outputs(ctx.session, ctx.templates, report, ctx.now(), files_dir=ctx.services.files_dir)
    choices = (Choice(encode("appr", report.id), _("Approve and send up")),)
    out.append(Outgoing(_("Approve {name}? To return it instead, type {back} and your comment.").format(
        name=ctx.report_name(report), back=cmd("sendback")), choices))
    return out


async def approved(ctx: Ctx, report_id: str) -> list[Outgoing]:
    """The leader pressed "Approve": only their own unit's report, and only while it waits."""
    if not _is_leader(ctx):
        return [Outgoing(_("Only the unit's leader approves reports."))]
    report = await ctx.session.get(Report, int(report_id))
    if report is None or report.org_unit_id != ctx.user.org_unit_id or report.status != ReportStatus.pending:
        return [Outgoing(_("This report is not waiting for your approval any more."), meta={"stale": True})]
    workflow.approve(ctx.session, report, ctx.user, ctx.now())
    return [Outgoing(_("Approved and submitted: {name}.").format(name=ctx.report_name(report)))]
