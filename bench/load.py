"""A province at the deadline: several ``danvan run`` webhook processes on one PostgreSQL database.

Seeds a fresh PostgreSQL database with a province of ``--communes`` communes (Thanh Hóa has 166)
and ``--officers`` registered officers each (a Telegram chat each), starts ``--processes`` real
``danvan run`` processes in webhook mode behind one round-robin address (tests/cluster.py) against
the Bot API double (tests/telegram_double.py, with Telegram's flood control on), and has
``--active`` officers open a report (officers of one commune open different report kinds, so
nobody edits another's draft). Then, for ``--seconds``, every active officer answers as an officer
correcting a figure does: ``/sua 1`` (back to the first question), then a new value for it, each
update sent ``--think`` seconds (jittered ±50 %) after the reply to the one before arrived. Each
value is distinct, so the database tells exactly what happened to it.

Prints: updates per second, reply latency p50/p95/p99 (update delivered → the bot's reply arrives at
the double), each process's share, HTTP 429s the double answered, webhook refusals; then, from the
database after a clean stop: answers acknowledged (a reply arrived), answers lost (acknowledged but
not in the report's audit trail, or the report's final value is not the officer's last one),
double effects (audit rows beyond one per value sent), and inbox rows left over. Targets (issue 13):
0 lost, 0 double effects.

    .venv/bin/python bench/load.py --database-url postgresql+asyncpg://postgres@127.0.0.1:55432/postgres
    .venv/bin/python bench/load.py --communes 20 --active 30 --seconds 10   # brief (CI)

The server URL may also come from TEST_DATABASE_URL; a database is created for the run and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from storage.db import create_engine, session_factory  # noqa: E402
from storage.models import AnswerAudit, InboxUpdate, OrgUnit, Report  # noqa: E402
from tests.cluster import Officer, RoundRobin, seed_province, start_cluster  # noqa: E402
from tests.telegram_double import Flood, TelegramDouble  # noqa: E402

TOKEN = "7405261984:AAHbenchLoadSecretPart-not_for_logs"
SECRET = "bench-load-webhook-secret"
KINDS = ("tpl:commune_half_year", "tpl:commune_annual")


async def _admin(url: str):  # noqa: ANN202
    base = make_url(url)
    return await asyncpg.connect(host=base.host, port=base.port or 5432, user=base.username,
                                 password=base.password, database=base.database or "postgres")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


class Run:
    def __init__(self, double: TelegramDouble, think: float, timeout: float) -> None:
        self.double, self.think, self.timeout = double, think, timeout
        self.latencies: list[float] = []
        self.updates = 0
        self.unanswered = 0
        self.sent: dict[int, list[str]] = {}  # chat -> values sent, in order
        self.acknowledged: dict[int, list[str]] = {}

    async def step(self, officer: Officer, text: str) -> bool:
        """One update; True when the reply arrived (its latency counted)."""
        start = time.monotonic()
        try:
            await officer.say(text, timeout=self.timeout)
        except asyncio.TimeoutError:
            self.unanswered += 1
            return False
        self.updates += 1
        self.latencies.append(self.double.arrived_at[officer.chat_id] - start)
        return True

    async def officer(self, officer: Officer, index: int, until: float) -> None:
        await asyncio.sleep(random.uniform(0, self.think))  # officers do not start in step
        n = 0
        while time.monotonic() < until:
            if await self.step(officer, "/sua 1"):
                await self.pause(until)
                if time.monotonic() >= until:  # a pause cut by the end: not everyone sending at that instant
                    break
                value = f"{1000 + n},{index % 9 + 1}5"
                self.sent.setdefault(officer.chat_id, []).append(value)
                if await self.step(officer, value):
                    self.acknowledged.setdefault(officer.chat_id, []).append(value)
                n += 1
            await self.pause(until)

    async def pause(self, until: float) -> None:
        """The officer reads and types: ``think`` seconds, ±50 %, cut at the end of the run."""
        pause = self.think * random.uniform(0.5, 1.5)
        await asyncio.sleep(min(pause, max(0.0, until - time.monotonic())))


async def _open(officer: Officer, kind: str) -> None:
    await officer.say("/baocaomoi")
    await officer.press(kind, settle=0.1)
    await officer.press("per:")
    await officer.wait_for("Câu 1/", timeout=120)


async def _gather_bounded(coros, limit: int) -> None:  # noqa: ANN001
    gate = asyncio.Semaphore(limit)

    async def one(coro):  # noqa: ANN001, ANN202
        async with gate:
            await coro

    await asyncio.gather(*(one(c) for c in coros))


def stored_value(value: str) -> str:
    return value.replace(",", ".")


async def main(args: argparse.Namespace) -> int:
    tmp_dir = tempfile.TemporaryDirectory()
    tmp = tmp_dir.name
    admin = None
    if args.sqlite:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'load.db'}"
    else:
        server = args.database_url or os.environ.get("TEST_DATABASE_URL")
        if not server or not server.startswith("postgresql"):
            print("bench/load.py needs a PostgreSQL server (--database-url or TEST_DATABASE_URL), or --sqlite")
            return 2
        name = f"danvan_load_{uuid.uuid4().hex[:10]}"
        admin = await _admin(server)
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
    limits = "on" if args.limits else "off (the bot's own capacity)"
    print(f"database: {'SQLite' if args.sqlite else 'PostgreSQL'}; Telegram's limits {limits}")
    double = await TelegramDouble(TOKEN).start()
    if args.limits:  # Telegram's flood control in the double, and the bot pacing its sends to it
        double.flood = Flood(burst=5, per_second=1.0)
    balancer = await RoundRobin().start()
    processes = []
    try:
        t0 = time.monotonic()
        _codes, chats = await seed_province(url, args.communes, args.officers, args.officers)
        for chat in chats:
            double.person(chat, "Cán bộ", str(chat))
        processes = await start_cluster(args.processes, Path(tmp), balancer, url, TOKEN, double.base_url,
                                        SECRET, RUN_SCHEDULER="true",
                                        **({} if args.limits else {"TELEGRAM_PACE": "false"}))
        print(f"{args.communes} communes x {args.officers} officers registered, {args.processes} processes "
              f"up in {time.monotonic() - t0:.1f} s")
        # officer k of every commune first, so that one commune's active officers open different kinds
        order = sorted(range(len(chats)), key=lambda i: (i % args.officers, i))[:args.active]
        active = [(Officer(double, chats[i], "Cán bộ", str(chats[i])), KINDS[(i % args.officers) % len(KINDS)])
                  for i in order]
        t0 = time.monotonic()
        await _gather_bounded([_open(o, kind) for o, kind in active], 100)
        print(f"{len(active)} officers opened a report in {time.monotonic() - t0:.1f} s")

        engine = create_engine(url)
        sessions = session_factory(engine)
        async with sessions() as s:
            mark = (await s.exec(select(func.coalesce(func.max(AnswerAudit.id), 0)))).one()[0]
        limited_before = sum(c.status == 429 for c in double.calls)
        shares_before = dict(balancer.answered)
        run = Run(double, args.think, args.timeout)
        cpu0 = [cpu_seconds(p.proc.pid) for p in processes]
        own0 = time.process_time()
        t0 = time.monotonic()
        until = t0 + args.seconds
        await asyncio.gather(*(run.officer(o, n, until) for n, (o, _kind) in enumerate(active)))
        elapsed = time.monotonic() - t0
        cpu = [cpu_seconds(p.proc.pid) - c for p, c in zip(processes, cpu0)]
        own = time.process_time() - own0
        limited = sum(c.status == 429 for c in double.calls) - limited_before
        refused = sum(s != 200 for o, _k in active for s in o.statuses)
        shares = {b: n - shares_before.get(b, 0) for b, n in balancer.answered.items()}
        codes = [await p.stop() for p in processes]

        async with sessions() as s:
            rows = (await s.exec(select(Report.id, Report.org_unit_id, Report.template_key))).all()
            units = dict((await s.exec(select(OrgUnit.code, OrgUnit.id))).all())
            audits = (await s.exec(select(AnswerAudit.report_id, AnswerAudit.new_value)
                                   .where(AnswerAudit.id > mark).order_by(AnswerAudit.id))).all()
            left = (await s.exec(select(func.count()).select_from(InboxUpdate))).one()[0]
        await engine.dispose()
    finally:
        for p in processes:
            await p.stop()
        await balancer.close()
        await double.close()
        if admin is not None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
        tmp_dir.cleanup()

    # which report is whose: officer k of commune n opened KINDS[k] of commune n's unit
    by_unit_kind = {(unit, key): rid for rid, unit, key in rows}
    trail: dict[int, list[str]] = {}
    for rid, value in audits:
        trail.setdefault(rid, []).append(str(value))
    lost = double_effects = 0
    base = min(chats)
    for officer, kind in active:
        n, k = divmod(officer.chat_id - base, 10)
        rid = by_unit_kind.get((units[f"XA_{n:03d}"], kind.split(":", 1)[1]))
        seen = trail.get(rid, [])
        acked = [stored_value(v) for v in run.acknowledged.get(officer.chat_id, [])]
        sent = {stored_value(v) for v in run.sent.get(officer.chat_id, [])}
        lost += sum(v not in seen for v in acked)
        if acked and seen and seen[-1] != acked[-1] and acked[-1] == stored_value(run.sent[officer.chat_id][-1]):
            lost += 1  # the last acknowledged value is not the report's final one
        double_effects += len(seen) - len(set(seen)) + sum(v not in sent for v in set(seen))

    lat = run.latencies
    print(f"{len(active)} officers for {elapsed:.0f} s, think {args.think:g} s: {run.updates} updates answered, "
          f"{run.updates / elapsed:.1f} updates/s, {run.unanswered} without a reply in {args.timeout:g} s")
    print(f"reply latency: p50 {pct(lat, 0.5):.0f} ms, p95 {pct(lat, 0.95):.0f} ms, p99 {pct(lat, 0.99):.0f} ms, "
          f"max {max(lat, default=0) * 1000:.0f} ms, mean {statistics.mean(lat) * 1000 if lat else 0:.0f} ms")
    print("webhook requests answered 200 per process: "
          + ", ".join(f"{b.rsplit(':', 1)[1]}: {n}" for b, n in sorted(shares.items()))
          + f"; refused (503/502): {refused}; HTTP 429 from the double: {limited}")
    per_update = sum(cpu) / run.updates * 1000 if run.updates else float("nan")
    print(f"CPU: the bot processes {' + '.join(f'{c:.1f}' for c in cpu)} s ({per_update:.1f} ms an update), "
          f"this process (officers, Bot API double, balancer) {own:.1f} s, over {elapsed:.0f} s on "
          f"{os.cpu_count()} cores")
    acked = sum(len(v) for v in run.acknowledged.values())
    print(f"answers acknowledged {acked}, lost {lost}, double effects {double_effects}, inbox rows left {left}, "
          f"exit codes {codes}")
    return 0 if lost == 0 and double_effects == 0 and left == 0 and run.unanswered == 0 else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server (postgresql+asyncpg://…); default TEST_DATABASE_URL")
    parser.add_argument("--communes", type=int, default=166)
    parser.add_argument("--officers", type=int, default=3, help="registered officers per commune")
    parser.add_argument("--active", type=int, default=300, help="officers answering during the timed run")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file instead (one process)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=5.0, help="seconds an officer waits between answers")
    parser.add_argument("--no-limits", dest="limits", action="store_false",
                        help="no flood control in the double, no pacing in the bot: the bot's own capacity")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for a reply")
    options = parser.parse_args()
    if options.sqlite:
        options.processes = 1
    sys.exit(asyncio.run(main(options)))
