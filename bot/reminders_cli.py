"""``danvan reminders plan|run`` and ``danvan deadline set|show``, registered in ``bot/cli.py``."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import datetime

import typer

from bot.cli_support import fail as _fail
from bot.settings import Settings
from reports.i18n import _

reminders_app = typer.Typer(help="Reminders: who is due what, and the scheduler process.", no_args_is_help=True)
deadline_app = typer.Typer(help="Due dates of the reports, per supervising org unit.", no_args_is_help=True)


def _parse_at(text: str | None, policy) -> datetime:  # noqa: ANN001 - reminders.policy.ReminderPolicy
    if not text:
        return datetime.now(policy.tz)
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"):
        with suppress(ValueError):
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=policy.tz)
    _fail(_("“{text}” is not a time: write it as 2026-12-17 08:00 (Hà Nội time).").format(text=text))
    raise AssertionError  # pragma: no cover


def _policy(settings: Settings):  # noqa: ANN202
    from bot.reminder_wiring import policy_from
    from reminders.policy import PolicyError

    try:
        return policy_from(settings)
    except PolicyError as err:
        _fail(str(err))


def render_plan(items, at: datetime, policy) -> list[str]:  # noqa: ANN001 - Planned items, ReminderPolicy
    """The lines ``danvan reminders plan`` prints."""
    from reports.formatting import fmt_date

    local = policy.local(at)
    lines = [_("Reminders due at {time} on {date} (Hà Nội time) — shown only, nothing is sent.").format(
        time=local.strftime("%H:%M"), date=fmt_date(local.date()))]
    if not policy.in_office_hours(at):
        lines.append(_("This is outside office hours ({start}–{end}, Monday to Friday, holidays excepted): "
                       "nothing is sent at this time.").format(
            start=policy.office_start.strftime("%H:%M"), end=policy.office_end.strftime("%H:%M")))
        return lines
    labels = {"reminder": _("reminder"), "digest": _("digest"), "notice": _("submit notice")}
    for item in items:
        due = _(", due {date}").format(date=fmt_date(item.due)) if item.due else ""
        lines.append("")
        lines.append(f"[{labels[item.category]}] {item.user_name} · {item.channel} {item.chat_id} · {item.org_name} · "
                     f"{item.period} · {item.kind}{due}")
        for notice in item.notices:
            lines += ["    " + line for line in notice.text.splitlines()]
            lines += [f"    ▸ {label}" for _cid, label in notice.choices]
    counts = {c: sum(1 for i in items if i.category == c) for c in labels}
    lines += ["", _("In all: {reminders} reminders, {digests} digests, {notices} submit notices.").format(
        reminders=counts["reminder"], digests=counts["digest"], notices=counts["notice"])]
    return lines


@reminders_app.command("plan")
def plan(at: str = typer.Option(None, "--at", help='Hà Nội time, e.g. "2026-12-17 08:00" (default: now).')) -> None:
    """Print who would be reminded of what at that moment, without sending anything."""
    from bot.app import build_app
    from bot.reminder_wiring import build_service

    settings = Settings()
    policy = _policy(settings)
    moment = _parse_at(at, policy)

    async def main() -> list[str]:
        app = await build_app(settings)
        try:
            service = build_service(app, settings, [])
            items = await service.plan(moment) + await service.plan_notices(moment)
            return render_plan(items, moment, policy)
        finally:
            await app.close()

    for line in asyncio.run(main()):
        typer.echo(line)


@reminders_app.command("run")
def run(once: bool = typer.Option(False, "--once", help="Send what is due now, then exit.")) -> None:
    """Run the reminder scheduler (the one process that does; on PostgreSQL an advisory lock makes
    sure of it), sending through the console and every configured channel (Telegram with TELEGRAM_BOT_TOKEN)."""
    import logging

    from bot.app import build_app
    from bot.reminder_wiring import build_service, close_senders, senders_from
    from bot.runner import stop_event
    from reminders.scheduler import run_scheduler

    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _policy(settings)

    async def main() -> None:
        app = await build_app(settings)
        senders = senders_from()
        service = build_service(app, settings, senders)
        try:
            if once:
                for result in (await service.run(), await service.run_notices()):
                    typer.echo(_("{sent} sent, {failed} failed ({claimed} due and not sent before).").format(
                        sent=result.sent, failed=result.failed, claimed=result.claimed))
                return
            stop = stop_event()
            typer.echo(_("Reminder scheduler running; press Ctrl-C to stop."))
            await run_scheduler(service, app.engine, stop)
        finally:
            await close_senders(senders)
            await app.close()

    asyncio.run(main())


@deadline_app.command("set")
def deadline_set(
    org: str = typer.Option(..., "--org", help="Code of the supervising org unit (see `danvan org list`)."),
    kind: str = typer.Option(..., "--kind", help="half_year or annual."),
    due: str = typer.Option(..., "--due", help="The due date, 2026-06-20 or 20/06/2026."),
    year: int = typer.Option(None, "--year", help="Only for the period of this year (default: every year)."),
) -> None:
    """Set when the communes under an org unit must hand in a report (units below inherit it)."""
    from bot.app import build_app
    from handlers.deadlines import DeadlineError, check_due, parse_kind, set_due
    from handlers.parsing import AnswerError, parse_date
    from storage import repo

    try:
        kind = parse_kind(kind)
        day = parse_date(due)
        check_due(kind, day, year)
    except (DeadlineError, AnswerError) as err:
        _fail(str(err))
    settings = Settings()

    async def main() -> str | None:
        app = await build_app(settings)
        try:
            async with app.sessions() as session, session.begin():
                unit = await repo.org_by_code(session, org.strip().upper())
                return None if unit is None else await set_due(session, unit, kind, day, year, None)
        finally:
            await app.close()

    text = asyncio.run(main())
    if text is None:
        _fail(_("There is no org unit with the code {code}; see “danvan org list”.").format(code=org))
    typer.echo(text)


@deadline_app.command("show")
def deadline_show(
    org: str = typer.Option(None, "--org", help="Only this org unit (default: every unit)."),
    at: str = typer.Option(None, "--at", help='As seen on this day, e.g. "2026-12-17 08:00" (default: now).'),
) -> None:
    """Print the next due date of each report for each org unit, and where it comes from."""
    from bot.app import build_app
    from handlers.deadlines import next_dues
    from reports.formatting import fmt_date
    from storage import repo

    settings = Settings()
    today = _parse_at(at, _policy(settings)).date()

    async def main() -> list[str] | None:
        app = await build_app(settings)
        try:
            async with app.sessions() as session:
                units = await repo.org_units(session)
                if org:
                    units = [u for u in units if u.code == org.strip().upper()]
                    if not units:
                        return None
                lines = []
                for unit in units:
                    parts = [f"{period.label}: {fmt_date(due)} ({source.code if source is not None else _('default')})"
                             for period, due, source in await next_dues(session, unit.id, today)]
                    lines.append(f"{unit.code:<16} {unit.name} — " + "; ".join(parts))
                return lines
        finally:
            await app.close()

    lines = asyncio.run(main())
    if lines is None:
        _fail(_("There is no org unit with the code {code}; see “danvan org list”.").format(code=org))
    for line in lines:
        typer.echo(line)
