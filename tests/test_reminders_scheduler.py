"""The APScheduler jobs, fired for real by running schedulers while time-machine moves the wall clock
to just before 08:00; and the PostgreSQL advisory lock that elects the one scheduler process."""

import asyncio
import io
from datetime import datetime, timezone

import pytest
import time_machine
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text

from bot.app import build_app
from bot.reminder_wiring import start_scheduler
from bot.settings import Settings
from reminders.scheduler import CATCH_UP_JOB, NOTICE_JOB, ReminderScheduler, SchedulerLease, run_job_id
from storage.db import create_engine
from tests.conftest import MINI_TEMPLATES
from tests.reminders_support import VN, Console, build_tree, logs, service


def wall_clock() -> datetime:
    return datetime.now(timezone.utc)  # moved by time-machine


def at(text: str, seconds: float = 0.0) -> datetime:
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VN)
    return moment.replace(second=int(seconds), microsecond=int((seconds % 1) * 1_000_000))


class Fired:
    """Waits (on an event, not a sleep) until a scheduler has run the given job."""

    def __init__(self, scheduler, job_id: str) -> None:  # noqa: ANN001
        self.event = asyncio.Event()
        self.errors: list[BaseException] = []

        def listener(ev) -> None:  # noqa: ANN001
            if ev.job_id == job_id:
                if ev.exception is not None:
                    self.errors.append(ev.exception)
                self.event.set()

        scheduler.add_listener(listener, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    async def wait(self) -> None:
        await asyncio.wait_for(self.event.wait(), timeout=20)
        assert self.errors == []


async def _apps(db_url, clock, n):  # noqa: ANN001
    settings = Settings(database_url=db_url, templates_dir=MINI_TEMPLATES)
    return [await build_app(settings, seed_demo=True, clock=clock) for _ in range(n)]


async def test_jobs_have_fixed_ids_and_run_once_after_a_stall(mini_app):
    svc = service(mini_app, Console())
    reminder_scheduler = ReminderScheduler(svc)
    scheduler = reminder_scheduler.scheduler
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {run_job_id(8, 0), run_job_id(14, 0), NOTICE_JOB, CATCH_UP_JOB}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time
    trigger = jobs["reminders-0800"].trigger
    assert isinstance(trigger, CronTrigger) and str(trigger.timezone) == "Asia/Ho_Chi_Minh"
    fields = {f.name: str(f) for f in trigger.fields}
    assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("mon,tue,wed,thu,fri", "8", "0")
    notices = {f.name: str(f) for f in jobs[NOTICE_JOB].trigger.fields}
    assert (notices["hour"], notices["minute"]) == ("7-16", "*")
    # adding the jobs again, as a second start would, replaces them instead of doubling them
    scheduler.start(paused=True)
    try:
        reminder_scheduler.add_jobs()
        assert sorted(j.id for j in scheduler.get_jobs()) == sorted(jobs)
        next_run = scheduler.get_job("reminders-0800").next_run_time
        assert next_run.weekday() < 5 and (next_run.hour, next_run.minute) == (8, 0)
    finally:
        await reminder_scheduler.stop()


async def test_two_schedulers_started_send_each_reminder_once(db_url, clock):
    a, b = await _apps(db_url, clock, 2)
    try:
        await build_tree(a)
        ca, cb = Console(), Console()
        with time_machine.travel(at("2026-06-16 07:59", 59.6), tick=True):
            schedulers = [ReminderScheduler(service(app, con, clock=wall_clock), catch_up=False)
                          for app, con in ((a, ca), (b, cb))]
            fired = [Fired(s.scheduler, "reminders-0800") for s in schedulers]
            for s in schedulers:
                s.start()
            try:
                await asyncio.gather(*(f.wait() for f in fired))
            finally:
                for s in schedulers:
                    await s.stop()
        assert sorted(ca.chats() + cb.chats()) == ["1001", "1002", "1003"]
        assert sorted((r.chat_id, r.kind, r.status) for r in await logs(a)) == [
            ("1001", "before-7", "sent"), ("1002", "before-7", "sent"), ("1003", "before-7", "sent")]
    finally:
        await a.close()
        await b.close()


async def test_a_restart_sends_nothing_again_and_after_downtime_one_catch_up(db_url, clock):
    (first,) = await _apps(db_url, clock, 1)
    await build_tree(first)
    c1 = Console()
    with time_machine.travel(at("2026-06-16 07:59", 59.6), tick=True):
        scheduler = ReminderScheduler(service(first, c1, clock=wall_clock), catch_up=False)
        fired = Fired(scheduler.scheduler, "reminders-0800")
        scheduler.start()
        try:
            await fired.wait()
        finally:
            await scheduler.stop()
    await first.close()
    assert sorted(c1.chats()) == ["1001", "1002", "1003"]

    # restarted a few minutes later: the catch-up run finds nothing new
    (second,) = await _apps(db_url, clock, 1)
    c2 = Console()
    with time_machine.travel(at("2026-06-16 08:05"), tick=True):
        scheduler = ReminderScheduler(service(second, c2, clock=wall_clock))
        fired = Fired(scheduler.scheduler, CATCH_UP_JOB)
        scheduler.start()
        try:
            await fired.wait()
        finally:
            await scheduler.stop()
    await second.close()
    assert c2.messages() == []

    # down from that Tuesday to Monday 22 June 09:30: "3 days", "1 day" and the due date were missed;
    # at the restart each officer gets one message, the latest (the due date), and each supervisor one digest
    (third,) = await _apps(db_url, clock, 1)
    c3 = Console()
    try:
        with time_machine.travel(at("2026-06-22 09:30"), tick=True):
            scheduler = ReminderScheduler(service(third, c3, clock=wall_clock))
            fired = Fired(scheduler.scheduler, CATCH_UP_JOB)
            scheduler.start()
            try:
                await fired.wait()
            finally:
                await scheduler.stop()
        assert sorted(c3.chats()) == ["1001", "1002", "1003", "2001", "2002"]
        assert all("chậm 2 ngày" in c3.to(chat)[0] for chat in ("1001", "1002", "1003"))
        assert sorted(r.kind for r in await logs(third) if r.chat_id == "1002") == ["before-7", "due"]
    finally:
        await third.close()


async def test_outside_office_hours_the_catch_up_sends_nothing(mini_app):
    await build_tree(mini_app)
    console = Console()
    with time_machine.travel(at("2026-06-20 10:00"), tick=True):  # a Saturday
        scheduler = ReminderScheduler(service(mini_app, console, clock=wall_clock))
        fired = Fired(scheduler.scheduler, CATCH_UP_JOB)
        scheduler.start()
        try:
            await fired.wait()
        finally:
            await scheduler.stop()
    assert console.messages() == [] and await logs(mini_app) == []


async def test_without_postgresql_there_is_nothing_to_elect(tmp_path):
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        a, b = SchedulerLease(engine), SchedulerLease(engine)
        assert not a.elects and await a.acquire() and await b.acquire()  # RUN_SCHEDULER decides alone
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_postgresql_advisory_lock_elects_one_scheduler(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    engines = [create_engine(db_url) for _ in range(3)]
    try:
        a, b, c = (SchedulerLease(e) for e in engines)
        assert await a.acquire() is True
        assert await b.acquire() is False  # another process holds it
        assert await a.held() and not await b.held()
        await a.release()
        assert await b.acquire() is True  # a standby takes over once the holder lets go
        # the holder's connection dies (the process is killed): the lock goes with it
        async with engines[2].connect() as conn:
            await conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = :low"),
                {"low": SchedulerLease(engines[2]).key & 0xFFFFFFFF})
        assert await b.held() is False
        assert await c.acquire() is True
        await c.release()
    finally:
        for e in engines:
            await e.dispose()


class Printed(io.StringIO):
    """The console channel's output; ``wait_for(n)`` returns once n reminders have been printed."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Event()

    def write(self, text: str) -> int:
        self.changed.set()
        return super().write(text)

    async def wait_for(self, n: int) -> None:
        while self.getvalue().count("🔔") < n:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), timeout=20)


async def test_run_scheduler_setting_starts_the_scheduler_in_this_process(mini_app, db_url):
    await build_tree(mini_app)
    printed = Printed()
    tasks = len(asyncio.all_tasks())
    stop = await start_scheduler(mini_app, Settings(database_url=db_url, run_scheduler=False), printed)
    assert len(asyncio.all_tasks()) == tasks  # not this process
    await stop()
    stop = await start_scheduler(mini_app, Settings(database_url=db_url, run_scheduler=True), printed)
    try:
        await printed.wait_for(3)  # the catch-up run at start: Tuesday 09:00 by the app's clock
    finally:
        await stop()
    assert sorted(line[3:-1] for line in printed.getvalue().splitlines() if line.startswith("🔔")) == [
        "1001", "1002", "1003"]
    assert len(await logs(mini_app)) == 3
