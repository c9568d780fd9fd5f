"""The reminder schedule: APScheduler 3.11 ``AsyncIOScheduler`` in exactly one process.

APScheduler 3 cannot share a job store between processes, so the schedule lives in memory and holds
nothing but *when to look*: a few cron jobs (each working day at the policy's run times, e.g. 08:00
and 14:00 Vietnam time, and every minute of office hours for submit notices) call the
:class:`~reminders.service.ReminderService`, which reads deadlines, submissions and the reminder log
from the database. Jobs have explicit ids and ``replace_existing=True``; ``coalesce=True`` and a
``misfire_grace_time`` turn runs missed while the loop was stalled into one run. After a restart,
one catch-up run looks at what is due now — the latest due reminder only, never the missed series.

Only one process may run the schedule: the ``RUN_SCHEDULER`` setting says which; on PostgreSQL a
session-level advisory lock (:class:`SchedulerLease`) also elects one among processes that have it
set, and the unique reminder-log key keeps a duplicate send impossible even if two ran.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from reminders.service import ReminderService

log = logging.getLogger(__name__)
LOCK_KEY = int.from_bytes(b"danvanRM", "big")  # the advisory lock that elects the scheduler process
NOTICE_JOB = "reminders-submit-notices"
CATCH_UP_JOB = "reminders-catch-up"
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def run_job_id(hour: int, minute: int) -> str:
    return f"reminders-{hour:02d}{minute:02d}"


class ReminderScheduler:
    """The APScheduler with the reminder jobs of ``service.policy``, and a stop that lets a run in
    progress finish (APScheduler's own shutdown would cancel it halfway through its sends)."""

    def __init__(
        self,
        service: ReminderService,
        scheduler: AsyncIOScheduler | None = None,
        *,
        catch_up: bool = True,
        misfire_grace: int = 3600,
    ) -> None:
        self.service = service
        self.scheduler = scheduler or AsyncIOScheduler(timezone=service.policy.tz)
        self.catch_up, self.misfire_grace = catch_up, misfire_grace
        self._running: set[asyncio.Task] = set()
        self.add_jobs()

    def add_jobs(self) -> None:
        """Add the jobs; adding them again replaces them, as the ids are fixed."""
        policy, scheduler = self.service.policy, self.scheduler
        days = ",".join(_DAY_NAMES[d] for d in sorted(policy.working_days))
        common = dict(replace_existing=True, coalesce=True, max_instances=1)
        for at in policy.run_times:
            scheduler.add_job(
                self.reminders, CronTrigger(day_of_week=days, hour=at.hour, minute=at.minute, timezone=policy.tz),
                id=run_job_id(at.hour, at.minute), name=f"reminders and digests at {at:%H:%M}",
                misfire_grace_time=self.misfire_grace, **common,
            )
        last_hour = (policy.office_end.hour - 1) if policy.office_end.minute == 0 else policy.office_end.hour
        scheduler.add_job(
            self.notices,
            CronTrigger(day_of_week=days, hour=f"{policy.office_start.hour}-{last_hour}", minute="*",
                        timezone=policy.tz),
            id=NOTICE_JOB, name="submit notices to supervisors", misfire_grace_time=60, **common,
        )
        if self.catch_up:  # what fell due while no scheduler ran: sent once, now (outside office hours: nothing)
            scheduler.add_job(
                self.reminders, "date", run_date=datetime.now(policy.tz) + timedelta(seconds=1),
                id=CATCH_UP_JOB, name="catch-up after start", misfire_grace_time=self.misfire_grace, **common,
            )

    async def reminders(self) -> None:
        await self._tracked(self.service.run)

    async def notices(self) -> None:
        await self._tracked(self.service.run_notices)

    async def _tracked(self, run) -> None:  # noqa: ANN001
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await run()
        finally:
            self._running.discard(task)

    def start(self) -> None:
        self.scheduler.start()

    async def stop(self, timeout: float = 120.0) -> None:
        """No new runs, wait for the ones in progress, then shut the scheduler down."""
        if not self.scheduler.running:
            return
        self.scheduler.pause()
        if self._running:
            await asyncio.wait(set(self._running), timeout=timeout)
        self.scheduler.shutdown(wait=False)


class SchedulerLease:
    """The right to run the scheduler. On PostgreSQL: a session-level advisory lock held on a connection
    of its own for as long as the scheduler runs (it is released if the process or the connection
    dies). On SQLite (one machine) there is nothing to elect: the RUN_SCHEDULER setting decides."""

    def __init__(self, engine: AsyncEngine, key: int = LOCK_KEY) -> None:
        self.engine, self.key = engine, key
        self._conn: AsyncConnection | None = None

    @property
    def elects(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    async def acquire(self) -> bool:
        if not self.elects:
            return True
        if self._conn is not None:
            return await self.held()
        conn = await self.engine.connect()
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            got = (await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key})).scalar()
        except Exception:
            await conn.close()
            raise
        if not got:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def held(self) -> bool:
        if not self.elects:
            return True
        if self._conn is None:
            return False
        try:
            await self._conn.execute(text("SELECT 1"))
            return True
        except Exception:  # the connection died, and the lock with it
            log.warning("lost the scheduler lock connection")
            await self._drop()
            return False

    async def release(self) -> None:
        if self._conn is None:
            return
        try:
            await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        except Exception:  # noqa: BLE001 - closing the connection releases it anyway
            pass
        await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except Exception:  # noqa: BLE001
                pass


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except asyncio.TimeoutError:
        pass


async def run_scheduler(
    service: ReminderService, engine: AsyncEngine, stop: asyncio.Event, *, check_every: float = 30.0
) -> None:
    """Run the reminder schedule until ``stop`` is set, while this process holds the lease; a process
    that does not get it waits and tries again, so it takes over when the holder stops."""
    lease = SchedulerLease(engine)
    announced = False
    while not stop.is_set():
        if not await lease.acquire():
            if not announced:
                log.info("another process runs the reminder scheduler; standing by")
                announced = True
            await _wait(stop, check_every)
            continue
        scheduler = ReminderScheduler(service)
        scheduler.start()
        log.info("reminder scheduler started: %s", ", ".join(job.id for job in scheduler.scheduler.get_jobs()))
        try:
            while not stop.is_set() and await lease.held():
                await _wait(stop, check_every)
        finally:
            await scheduler.stop()
            await lease.release()
            announced = False
