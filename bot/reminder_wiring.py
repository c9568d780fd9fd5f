"""Putting the reminders together for a process: the policy from the settings, the channel senders
(the console prints, Telegram sends) and the scheduler, started only where RUN_SCHEDULER says so."""

from __future__ import annotations

import asyncio
import sys
from typing import Awaitable, Callable, TextIO

from bot.app import App
from bot.settings import Settings
from handlers.commands import COMMANDS, cmd
from reports.i18n import translations
from reminders.dispatch import UNLIMITED, Dispatcher, Limits, Notice, Sender, TELEGRAM_LIMITS
from reminders.policy import ReminderPolicy
from reminders.scheduler import run_scheduler
from reminders.service import ReminderService

CONSOLE = "console"


class ConsoleSender:
    """Reminders for terminal users are printed; a choice shows the command that does the same."""

    channel = CONSOLE

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out

    async def send(self, chat_id: str, notice: Notice) -> None:
        out = self.out or sys.stdout
        lines = [f"🔔 [{chat_id}]", notice.text]
        lines += [f"  ▸ {label}: {cmd(cid)}" if cid in COMMANDS else f"  ▸ {label}" for cid, label in notice.choices]
        out.write("\n".join(lines) + "\n\n")
        out.flush()


def policy_from(settings: Settings) -> ReminderPolicy:
    return ReminderPolicy.parse(
        days_before=settings.reminder_days_before,
        overdue_every=settings.reminder_overdue_every,
        overdue_count=settings.reminder_overdue_count,
        office_hours=settings.reminder_office_hours,
        run_times=settings.reminder_run_times,
        holidays=settings.reminder_holidays,
    )


def senders_from(settings: Settings, console: TextIO | None = None) -> list[tuple[Sender, Limits]]:
    """The console always; Telegram when a bot token is set."""
    senders: list[tuple[Sender, Limits]] = [(ConsoleSender(console), UNLIMITED)]
    token = settings.telegram_bot_token.get_secret_value().strip() if settings.telegram_bot_token else ""
    if token:
        from bot.telegram_sender import TelegramSender

        senders.append((TelegramSender.create(token, settings.telegram_api_url), TELEGRAM_LIMITS))
    return senders


def build_service(app: App, settings: Settings, senders: list[tuple[Sender, Limits]]) -> ReminderService:
    return ReminderService(
        app.sessions, app.templates, translations, policy_from(settings), Dispatcher(senders), clock=app.core.clock,
    )


async def close_senders(senders: list[tuple[Sender, Limits]]) -> None:
    for sender, _limits in senders:
        close = getattr(sender, "close", None)
        if close is not None:
            await close()


async def start_scheduler(app: App, settings: Settings, console: TextIO | None = None) -> Callable[[], Awaitable[None]]:
    """Start the reminder scheduler in this process if RUN_SCHEDULER is set (on PostgreSQL it also has
    to win the advisory lock); returns the coroutine function that stops it."""
    if not settings.run_scheduler:
        async def nothing() -> None:
            return None
        return nothing
    senders = senders_from(settings, console)
    service = build_service(app, settings, senders)
    stop = asyncio.Event()
    task = asyncio.create_task(run_scheduler(service, app.engine, stop), name="reminder-scheduler")

    async def stopper() -> None:
        stop.set()
        await task
        await close_senders(senders)

    return stopper
