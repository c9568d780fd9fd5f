"""Throughput against a bare aiogram bot (issue 14): the same Bot API double (no flood control), the
bot in its own process long polling it, ``--users`` users in a closed loop (each sends the next
update as soon as the reply to the last one arrives) for ``--seconds``; the echo bot
(bench/echo_bot.py) and ``danvan run`` (SQLite) alternated ``--pairs`` times in one run. The
officers are registered and have a report open before timing starts; each sends valid answers
(``/sua 1``, then a new value for the first question). Prints, for each, updates per second, reply
p50/p99 and the bot process's CPU per update, then the ratio of the medians. Target: ratio ≥ 0.7.

    .venv/bin/python bench/throughput.py                          # 200 users, 3 pairs of 20 s
    .venv/bin/python bench/throughput.py --users 30 --seconds 5 --pairs 1   # brief (CI)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import load  # noqa: E402 - bench/load.py: the officers' report opening, CPU time, percentiles
from tests.cluster import DANVAN, Officer, seed_province  # noqa: E402
from tests.telegram_double import TelegramDouble  # noqa: E402

TOKEN = "7405261984:AAHbenchThroughputSecret-not_for_logs"
ECHO = str(Path(__file__).resolve().parent / "echo_bot.py")


class Bot:
    """A bot process long polling the double, its output in a log file."""

    def __init__(self, kind: str, env: dict[str, str], folder: Path) -> None:
        self.kind, self.env, self.folder = kind, env, folder
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, double: TelegramDouble) -> None:
        polls = len(double.getupdates_offsets)
        args = [sys.executable, ECHO] if self.kind == "echo" else [DANVAN, "run"]
        with open(self.folder / f"{self.kind}.log", "ab") as out:
            self.proc = await asyncio.create_subprocess_exec(*args, env=self.env, cwd=self.folder,
                                                             stdout=out, stderr=out)
        for _ in range(600):
            if len(double.getupdates_offsets) > polls:
                return
            if self.proc.returncode is not None:
                break
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.kind} did not start: {(self.folder / f'{self.kind}.log').read_text()[-2000:]}")

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(self.proc.wait(), 60)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def closed_loop(double: TelegramDouble, officers: list[Officer], seconds: float, bot: Bot) -> dict:
    latencies: list[float] = []
    count = 0
    until = time.monotonic() + seconds

    async def user(officer: Officer, index: int) -> None:
        nonlocal count
        n = 0
        while time.monotonic() < until:
            text = "/sua 1" if n % 2 == 0 else f"{1000 + n},{index % 9 + 1}5"
            start = time.monotonic()
            await officer.say(text, timeout=60)
            latencies.append(double.arrived_at[officer.chat_id] - start)
            count += 1
            n += 1

    cpu0 = load.cpu_seconds(bot.proc.pid)
    t0 = time.monotonic()
    await asyncio.gather(*(user(o, i) for i, o in enumerate(officers)))
    elapsed = time.monotonic() - t0
    cpu = load.cpu_seconds(bot.proc.pid) - cpu0
    return {"rate": count / elapsed, "p50": load.pct(latencies, 0.5), "p99": load.pct(latencies, 0.99),
            "cpu": cpu / count * 1000 if count else float("nan"), "count": count}


async def main(args: argparse.Namespace) -> int:
    double = await TelegramDouble(TOKEN).start()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite+aiosqlite:///{folder / 'throughput.db'}"
        _codes, chats = await seed_province(url, math.ceil(args.users / 2), 2, 2)
        chats = chats[:args.users]
        officers = [Officer(double, chat, "Cán bộ", str(chat)) for chat in chats]
        base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
        ours = Bot("danvan", {**base, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": TOKEN,
                              "TELEGRAM_API_URL": double.base_url, "LOG_LEVEL": "WARNING",
                              # limits off, as the echo bot has none: Telegram's pace, and the per-chat
                              # flood guard (a closed loop is faster than any person)
                              "TELEGRAM_PACE": "false", "CHAT_BURST": "1000000"}, folder)
        echo = Bot("echo", {**base, "TOKEN": TOKEN, "API_URL": double.base_url}, folder)
        await ours.start(double)
        try:  # officer k of a commune opens report kind k: nobody shares a draft
            await load._gather_bounded([load._open(o, load.KINDS[n % 2]) for n, o in enumerate(officers)], 50)
        finally:
            await ours.stop()
        print(f"{len(officers)} officers registered, each with a report open; {args.pairs} pairs of "
              f"{args.seconds:g} s, {os.cpu_count()} cores")
        results: dict[str, list[dict]] = {"echo": [], "danvan": []}
        for pair in range(args.pairs):
            for bot in (echo, ours):
                await bot.start(double)
                try:
                    result = await closed_loop(double, officers, args.seconds, bot)
                finally:
                    await bot.stop()
                results[bot.kind].append(result)
                print(f"  pair {pair + 1} {bot.kind:6s}: {result['rate']:6.1f} updates/s, p50 {result['p50']:6.1f} ms, "
                      f"p99 {result['p99']:7.1f} ms, CPU {result['cpu']:5.2f} ms an update ({result['count']} updates)")
    await double.close()
    med = {k: statistics.median(r["rate"] for r in v) for k, v in results.items()}
    cpu = {k: statistics.median(r["cpu"] for r in v) for k, v in results.items()}
    print(f"median: echo {med['echo']:.1f} updates/s ({cpu['echo']:.2f} ms CPU), danvan {med['danvan']:.1f} "
          f"updates/s ({cpu['danvan']:.2f} ms CPU); ratio {med['danvan'] / med['echo']:.2f} (target 0.7)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--pairs", type=int, default=3)
    sys.exit(asyncio.run(main(parser.parse_args())))
