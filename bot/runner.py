"""``danvan run``: the one runner. It starts every configured channel plug-in, the process's HTTP
server when a channel needs it (webhooks now; file links and pages next), and the reminder
scheduler when RUN_SCHEDULER is set; it stops them all on SIGINT/SIGTERM, after the updates in hand
are answered. Each failure a person can fix gets one clear line and exit code 1."""

from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress

from bot.channels import PLUGINS
from bot.settings import Settings
from bot.web import WebServer
from reports.i18n import _

log = logging.getLogger(__name__)


async def run(settings: Settings, demo: bool = False) -> int:
    """Run until a signal; returns the exit code."""
    from bot.app import StartupError, build_app

    plugins = [p for p in PLUGINS if p.configured()]
    if not plugins:
        print("\n\n".join(p.help() for p in PLUGINS))
        return 1
    for plugin in plugins:
        problem = plugin.problem()
        if problem:
            print(problem)
            return 1
    try:
        app = await build_app(settings, seed_demo=demo)
    except StartupError as err:
        print(str(err))
        return 1
    server = WebServer(settings.webhook_host, settings.webhook_port)
    running = []
    stop_reminders = None
    code = 0
    try:
        for plugin in plugins:
            try:
                running.append(await plugin.start(app, server))
            except Exception as exc:  # noqa: BLE001 - explained below, or logged with its traceback
                message = plugin.failure(exc)
                if message is None:
                    raise
                print(message)
                return 1
        if server.needed:
            await server.start()
        from bot.reminder_wiring import start_scheduler

        stop_reminders = await start_scheduler(app, settings)  # only with RUN_SCHEDULER=true
        receivers = [asyncio.create_task(r.go(), name=f"{r.channel.name}-receive") for r in running]
        stopped = asyncio.create_task(stop_event().wait(), name="stop-signal")
        waiting = {stopped, *receivers}
        while stopped in waiting:  # a receiver may finish at once (a webhook is set, then served)
            done, waiting = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if task is not stopped and task.exception() is not None:
                    stopped.cancel()
                    raise task.exception()
        for r in running:  # stop receiving first, then let the running receivers finish
            await r.stop()
        running = []
        for task in receivers:
            with suppress(Exception, asyncio.CancelledError):
                await task
    except Exception:
        log.exception("the bot stopped on an error")
        code = 1
    finally:
        if stop_reminders is not None:
            await stop_reminders()
        for r in running:
            await r.stop()
        await server.stop()
        await app.close()
    return code


def stop_event() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM (Ctrl-C, or the service manager stopping the process)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
