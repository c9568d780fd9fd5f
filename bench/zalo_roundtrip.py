"""Bench: the round trip of one answer on Zalo — from the moment the double hands an officer's
message to the bot's poll until the bot's reply reaches the double — through the real Zalo plug-in
(our aiohttp client, long polling, the core on a SQLite file, the reply split to 2,000 characters).

One officer registers and opens the 6-month report; then ``--answers`` valid answers are typed one
after the other, each waiting for the reply. Prints p50, p95 and the worst round trip.

    .venv/bin/python bench/zalo_roundtrip.py               # 200 answers
    .venv/bin/python bench/zalo_roundtrip.py --answers 40  # a short run for CI
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import build_app  # noqa: E402
from bot.channels import ZALO  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.web import WebServer  # noqa: E402
from tests.zalo_double import ZaloDouble  # noqa: E402

TOKEN = "31337:bench-zalo-token"


async def main(answers: int) -> None:
    double = await ZaloDouble(TOKEN).start()
    os.environ.update(ZALO_BOT_TOKEN=TOKEN, ZALO_API_URL=double.base_url, ZALO_POLLING_TIMEOUT="5")
    with tempfile.TemporaryDirectory() as tmp:
        # one chat answering as fast as the bot replies: far over the per-chat limit, which is lifted here
        settings = Settings(database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}", chat_burst=100_000)
        app = await build_app(settings, seed_demo=True)
        app.core.files_dir = Path(tmp) / "files"
        server = WebServer("127.0.0.1", 0)
        running = await ZALO.start(app, server)
        await server.start()
        poll = asyncio.create_task(running.go())
        times: list[float] = []

        async def say(text: str) -> float:
            mark = len(double.calls)
            start = time.perf_counter()
            await double.push(double.message("bench", text))
            while not any(c.method == "sendMessage" and c.chat_id == "bench" for c in double.calls[mark:]) \
                    or running.updates.inbox.in_hand:  # until the whole reply is out
                await asyncio.sleep(0.0005)
            return time.perf_counter() - start

        for text in ("DEMO2026", "Nguyễn Văn An", "1", "1", "1"):
            await say(text)
        # alternate two valid answers on the first question's screen: each is stored, then asked again
        for n in range(answers):
            await say("/sua 1")
            times.append(await say(f"{2000 + n % 500},5"))
        await running.stop()
        await poll
        await server.stop()
        await app.close()
    await double.close()
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))] * 1000  # noqa: E731
    print(f"zalo round trip, {len(times)} answers: p50 {p(0.5):.1f} ms, p95 {p(0.95):.1f} ms, "
          f"max {times[-1] * 1000:.1f} ms, mean {statistics.mean(times) * 1000:.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=200)
    asyncio.run(main(parser.parse_args().answers))
