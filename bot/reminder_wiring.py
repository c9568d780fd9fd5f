"""Putting the reminders together for a process: the policy from the settings, one sender a channel
(the console prints; every configured channel plug-in sends through the channel contract) and the
scheduler, started only where RUN_SCHEDULER says so."""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, TextIO

from bot.app import App
from bot.channels import PLUGINS
from bot.channels.base import NoticeSender
from bot.channels.console import ConsoleChannel
from bot.settings import Settings
from reminders.dispatch import Dispatcher, Limits
from reminders.policy import ReminderPolicy
from reminders.scheduler import run_scheduler
from reminders.service import ReminderService


def policy_from(settings: Settings) -> ReminderPolicy:
    return ReminderPolicy.parse(
        days_before=settings.reminder_days_before,
        overdue_every=settings.reminder_overdue_every,
        overdue_count=settings.reminder_overdue_count,
        office_hours=settings.reminder_office_hours,
        run_times=settings.reminder_run_times,
        holidays=settings.reminder_holidays,
        workdays=settings.reminder_workdays,
    )


def console_sender(out: TextIO | None = None) -> NoticeSender:
    """Reminders for terminal users, printed with the chat they are for."""
    return NoticeSender(ConsoleChannel(out, announce=True))


def senders_from(console: TextIO | None = None) -> list[tuple[NoticeSender, Limits]]:
    """The console always; each channel plug-in that is configured."""
    senders = [console_sender(console)]
    senders += [plugin.reminder_sender() for plugin in PLUGINS if plugin.configured()]
    return [(s, s.target.send_limits) for s in senders]


def build_service(app: App, settings: Settings, senders: list[tuple[NoticeSender, Limits]]) -> ReminderService:
    return ReminderService(app.sessions, app.templates, policy_from(settings), Dispatcher(senders),
                           clock=app.core.clock)


async def close_senders(senders: list[tuple[NoticeSender, Limits]]) -> None:
    for sender, _limits in senders:
        await sender.close()


async def start_scheduler(app: App, settings: Settings, console: TextIO | None = None) -> Callable[[], Awaitable[None]]:
    """Start the reminder scheduler in this process if RUN_SCHEDULER is set (on PostgreSQL it also has
    to win the advisory lock); returns the coroutine function that stops it."""
    if not settings.run_scheduler:
        async def nothing() -> None:
            return None
        return nothing
    senders = senders_from(console)
    service = build_service(app, settings, senders)
    stop = asyncio.Event()
    task = asyncio.create_task(run_scheduler(service, app.engine, stop), name="reminder-scheduler")

    async def stopper() -> None:
        stop.set()
        await task
        await close_senders(senders)

    return stopper
