"""``/lichsu``: a report's history — every change of an answer (who, when, old → new) and every
change of its status (submitted, sent back and why, reopened, approved) — for its officers and
leader (their unit's open or latest report) and its supervisors (``/lichsu N``, unit N of the list)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from handlers import screens, supervision
from handlers.context import Ctx
from handlers.events import Outgoing
from reports.formatting import fmt_moment
from reports.i18n import _
from reports.logic import NO_FIGURE, SKIPPED
from reports.values import from_json
from storage import access, repo, workflow
from storage.models import Report, User

MAX_LINES = 200  # the newest changes; the channel splits the message to its limit


def action_text(action: str) -> str:
    return {
        workflow.SUBMITTED: _("submitted"),
        workflow.PENDING: _("sent to the leader for approval"),
        workflow.APPROVED: _("approved by the leader and submitted"),
        workflow.RETURNED: _("sent back by the supervisor"),
        workflow.LEADER_RETURNED: _("returned by the leader"),
        workflow.REOPENED: _("reopened by the supervisor"),
        workflow.REOPEN_ASKED: _("reopening asked"),
    }.get(action, action)



def _value(template, key: str, raw, action: str = "set") -> str:  # noqa: ANN001
    ind = template.by_key.get(key)
    if ind is None:
        return str(raw)
    if action in ("skip", "nofigure"):
        return screens.answer_text(ind, SKIPPED if action == "skip" else NO_FIGURE)
    if raw is None:
        return "—"
    try:
        return screens.answer_text(ind, from_json(ind.type, raw))
    except (TypeError, ValueError, KeyError, IndexError):
        return str(raw)


async def _report(ctx: Ctx, arg: str) -> Report | str:
    if arg.strip():
        found = await supervision.unit_and_rest(ctx, arg)
        if isinstance(found, str):
            return found
        _tree, org, _rest = found
        got = await supervision.listed_report(ctx, org)
        if isinstance(got, str):
            return got
        return got[1] if got[1] is not None else _("{unit} has no report of this period yet.").format(unit=org.name)
    report = await ctx.report()
    if report is None:
        stmt = (select(Report).where(Report.org_unit_id == ctx.user.org_unit_id)
                .order_by(Report.updated_at.desc(), Report.id.desc()).limit(1))
        report = (await ctx.session.exec(stmt)).first()
    return report if report is not None else _("Your unit has no report yet.")


async def show(ctx: Ctx, arg: str) -> list[Outgoing]:
    report = await _report(ctx, arg)
    if isinstance(report, str):
        return [Outgoing(report)]
    tree = await access.load_tree(ctx.session)
    if not tree.may_read(ctx.user, report.org_unit_id) or report.template_key not in ctx.templates:
        return [Outgoing(_("Unit “{unit}” is not one you can see.").format(unit=arg.strip()[:64]))]
    template = ctx.templates[report.template_key]
    audits = await repo.audit_of(ctx.session, report.id)
    events = await workflow.events_of(ctx.session, report.id)
    ids = {a.user_id for a in audits} | {e.user_id for e in events}
    names = {u.id: u.full_name for u in (await ctx.session.exec(select(User).where(User.id.in_(
        [i for i in ids if i is not None])))).all()} if ids else {}
    entries: list[tuple[datetime, int, str]] = []
    for a in audits:
        label = template.by_key[a.key].short_label if a.key in template.by_key else a.key
        who = names.get(a.user_id, _("someone"))
        old = _value(template, a.key, a.old_value)
        new = _value(template, a.key, a.new_value, a.action)
        entries.append((a.at, 0, f"{fmt_moment(a.at)} · {who}: {label}: {old} → {new}"))
    for e in events:
        who = names.get(e.user_id, _("someone"))
        line = f"{fmt_moment(e.at)} · {who}: {action_text(e.action).upper()}"
        if e.comment:
            line += " — " + _("reason: {comment}").format(comment=e.comment)
        entries.append((e.at, 1, line))
    entries.sort(key=lambda t: (t[0], t[1]))
    head = _("🕘 History — {name} of {unit}").format(name=ctx.report_name(report),
                                                     unit=tree.units[report.org_unit_id].name)
    if not entries:
        return [Outgoing(head + "\n" + _("No change has been recorded yet."))]
    lines = [line for _at, _k, line in entries[-MAX_LINES:]]
    if len(entries) > MAX_LINES:
        lines.insert(0, _("(the latest {n} of {total} changes)").format(n=MAX_LINES, total=len(entries)))
    return [Outgoing("\n".join([head, *lines]), meta={"screen": "history"})]
