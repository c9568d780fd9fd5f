"""The texts of reminders, supervisor digests and submit notices, in the current locale.

The caller sets the recipient's locale (``reports.i18n.use_locale``); message ids are English, the
Vietnamese catalog is ``locales/vi/LC_MESSAGES/danvan.po``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Sequence

from reminders.dispatch import Notice
from reports.formatting import fmt_date, fmt_percent
from reports.i18n import _
from storage import workflow

NOTICE_LIMIT = 1800  # characters per message: fits every channel (Zalo 2,000, Telegram 4,096)

CONTINUE = "continue"  # choice ids the conversation core understands
NEW = "new"


@dataclass(frozen=True)
class Progress:
    """A commune's report for one period: ``total`` questions, ``done`` answered; no report yet if not started."""

    name: str
    done: int
    total: int
    started: bool
    pending: bool = False  # filled in and waiting for the unit leader's approval


def officer_reminder(
    report: str, org: str, due: date, today: date, progress: Progress, last_working_day: bool = False
) -> Notice:
    """``last_working_day``: the due date is a day off and today is the last working day before it."""
    days = (due - today).days
    if last_working_day and days > 0:
        head = _("⏰ Reminder: {report} of {org} is due on {date}, a day off: today is the last working day "
                 "before it.")
    elif days > 1:
        head = _("⏰ Reminder: {report} of {org} is due on {date}, in {n} days.")
    elif days == 1:
        head = _("⏰ Reminder: {report} of {org} is due tomorrow, {date}.")
    elif days == 0:
        head = _("⏰ Reminder: {report} of {org} is due today, {date}.")
    elif days == -1:
        head = _("⏰ Reminder: {report} of {org} was due yesterday, {date}, and is now late.")
    else:
        head = _("⏰ Reminder: {report} of {org} was due on {date} and is {n} days late.")
    lines = [head.format(report=report, org=org, date=fmt_date(due), n=abs(days))]
    if progress.pending:  # only the leader is reminded of a report waiting for approval
        lines.append(_("The report is filled in and waits for your approval: type /duyet to see it and approve it, "
                       "or /tralai and a comment to return it."))
        return Notice("\n".join(lines))
    if progress.started:
        lines.append(_("Answered so far: {done} of {total} questions.").format(done=progress.done, total=progress.total))
        button = _("Continue now")
        choice = (CONTINUE, button)
    else:
        lines.append(_("The report has not been started yet ({total} questions).").format(total=progress.total))
        button = _("Start the report now")
        choice = (NEW, button)
    lines.append(_("Press “{button}” to carry on right away; everything you answer is saved at once.").format(
        button=button))
    return Notice("\n".join(lines), (choice,))


def supervisor_digest(
    report: str,
    org: str,
    due: date,
    today: date,
    communes: Sequence[Progress],
    submitted: int,
) -> tuple[Notice, ...]:
    """The list of communes below ``org`` that have not submitted, with their progress (one or more
    messages, each short enough for any channel)."""
    days = (today - due).days
    if days == -1:  # a due date on a day off: the digest comes on the last working day before it
        when = _("due tomorrow, {date}").format(date=fmt_date(due))
    elif days < 0:
        when = _("due on {date}, in {n} days").format(date=fmt_date(due), n=-days)
    elif days == 0:
        when = _("due today, {date}").format(date=fmt_date(due))
    elif days == 1:
        when = _("due yesterday, {date}").format(date=fmt_date(due))
    else:
        when = _("due on {date}, {n} days ago").format(date=fmt_date(due), n=days)
    total = submitted + len(communes)
    head = [
        _("📋 {report} — {org}, {when}.").format(report=report, org=org, when=when),
        _("Submitted: {done} of {total} communes. Not submitted yet ({late}):").format(
            done=submitted, total=total, late=len(communes)),
    ]
    rows = []
    for c in communes:
        if not c.started:
            rows.append(_("• {name}: not started").format(name=c.name))
        else:
            share = fmt_percent(Decimal(c.done) / c.total if c.total else Decimal(0), places=0)
            rows.append(_("• {name}: answered {done} of {total} ({percent})").format(
                name=c.name, done=c.done, total=c.total, percent=share))
    return _pack(head, rows, _("(continued)"))


def submit_notice(
    report: str, commune: str, at: datetime, org: str, submitted: int, total: int
) -> Notice:
    lines = [
        _("✅ {commune} has submitted {report} at {time} on {date}.").format(
            commune=commune, report=report, time=at.strftime("%H:%M"), date=fmt_date(at.date())),
        _("Submitted so far: {done} of {total} communes under {org}.").format(done=submitted, total=total, org=org),
    ]
    return Notice("\n".join(lines))


def _pack(head: list[str], rows: list[str], continued: str) -> tuple[Notice, ...]:
    """Head and rows as messages of at most NOTICE_LIMIT characters, cut between rows."""
    notices: list[Notice] = []
    current = "\n".join(head)
    for row in rows:
        row = row[: NOTICE_LIMIT - len(continued) - 1]
        if len(current) + 1 + len(row) > NOTICE_LIMIT:
            notices.append(Notice(current))
            current = continued
        current += "\n" + row
    notices.append(Notice(current))
    return tuple(notices)


def event_notice(action: str, report: str, unit: str, who: str, comment: str) -> Notice:
    """A report's change of status, told to the people it concerns (reminders.service.EVENT_NOTICES)."""
    by = who or _("someone")
    if action == workflow.RETURNED:
        text = _("↩️ {report} of {unit} was sent back by {who} for changes.").format(report=report, unit=unit, who=by)
    elif action == workflow.LEADER_RETURNED:
        text = _("↩️ The leader ({who}) returned {report} of {unit} for changes.").format(report=report, unit=unit, who=by)
    elif action == workflow.REOPENED:
        text = _("🔓 {report} of {unit} was reopened by {who}.").format(report=report, unit=unit, who=by)
    elif action == workflow.PENDING:
        text = _("📝 {report} of {unit} is waiting for your approval (sent by {who}).").format(
            report=report, unit=unit, who=by)
    elif action == workflow.APPROVED:
        text = _("✅ {report} of {unit} was approved by the leader ({who}) and submitted.").format(
            report=report, unit=unit, who=by)
    else:
        text = _("🔓 {unit} asks to reopen {report} (asked by {who}).").format(report=report, unit=unit, who=by)
    lines = [text]
    if comment:
        lines.append(_("Reason: {comment}").format(comment=comment[:NOTICE_LIMIT - 200]))
    if action in (workflow.RETURNED, workflow.LEADER_RETURNED, workflow.REOPENED):
        return Notice("\n".join(lines + [_("Change the answers, then submit again.")]),
                      ((CONTINUE, _("Continue now")),))
    if action == workflow.PENDING:
        return Notice("\n".join(lines + [_("Type /duyet to see it and approve it, or /tralai and a comment to "
                                           "return it.")]))
    if action == workflow.REOPEN_ASKED:
        return Notice("\n".join(lines + [_("Type /tinhhinh, then /mobaocao N to reopen it.")]))
    return Notice("\n".join(lines))
