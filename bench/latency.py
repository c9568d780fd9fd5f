"""Reply latency at the deadline rush (issue 14): ``--officers`` officers each answering every
``--think`` seconds (jittered ±50 %) for ``--seconds``, against the real ``danvan run`` in webhook
mode and the Bot API double — on SQLite with one process, then on PostgreSQL with two processes
behind one address when a server is given (``--database-url`` or TEST_DATABASE_URL). The workload,
the checks (nothing lost, no double effect) and the figures are bench/load.py's; this script picks
the sizes. Target: p99 ≤ 50 ms on SQLite on this machine.

    .venv/bin/python bench/latency.py                       # 200 officers, 60 s
    .venv/bin/python bench/latency.py --officers 40 --seconds 10   # brief (CI)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402 - bench/load.py


def sizes(officers: int, seconds: float, think: float, sqlite: bool, processes: int,
          database_url: str | None) -> argparse.Namespace:
    communes = math.ceil(officers / 2)  # two officers a commune, on two report kinds
    return argparse.Namespace(database_url=database_url, communes=communes, officers=2, active=officers,
                              processes=processes, sqlite=sqlite, seconds=seconds, think=think, timeout=60.0,
                              limits=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--officers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--think", type=float, default=5.0)
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL"))
    args = parser.parse_args()
    failed = 0
    print("== SQLite, one process")
    failed |= asyncio.run(load.main(sizes(args.officers, args.seconds, args.think, True, 1, None)))
    if args.database_url and args.database_url.startswith("postgresql"):
        print("== PostgreSQL, two processes behind one address")
        failed |= asyncio.run(load.main(sizes(args.officers, args.seconds, args.think, False, 2, args.database_url)))
    return failed


if __name__ == "__main__":
    sys.exit(main())
