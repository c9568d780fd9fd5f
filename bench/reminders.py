"""Bench: N reminders through the reminder service and the Telegram channel (real aiogram over HTTP)
to the local Bot API double, which here enforces Telegram's bulk limit — at most ``--limit``
messages in any 1-second window, beyond that HTTP 429 with ``retry_after`` 1.

It seeds N communes with one officer each (a SQLite file), plans the "3 days before" reminder of the
annual report for all of them, claims and sends them, and prints the achieved rate as a fraction of
the limit and the counts sent, duplicated and lost (targets: ≥ 95 %, 0, 0). Exit status 1 when a
target is missed.

    .venv/bin/python bench/reminders.py               # 10,000 reminders: about 6 minutes
    .venv/bin/python bench/reminders.py --count 300   # a short run for CI
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func  # noqa: E402
from sqlmodel import select  # noqa: E402

from bot.app import build_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.channels.telegram.service import notice_sender  # noqa: E402
from reminders.dispatch import Dispatcher, Limits  # noqa: E402
from reminders.service import ReminderService  # noqa: E402
from storage.models import ChannelIdentity, OrgUnit, ReminderLog, Role, User  # noqa: E402
from tests.telegram_double import ApiError, TelegramDouble  # noqa: E402

TOKEN = "424242:bench-token-not-secret"
FIRST_CHAT = 7_000_000
WHEN = datetime(2026, 12, 17, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))  # 3 days before 20 December


class RateLimitedDouble(TelegramDouble):
    """The tests' Bot API double with Telegram's bulk limit on sendMessage (a sliding 1-second window)."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.limit = 30
        self.window: collections.deque[float] = collections.deque()
        self.refused = 0
        self.accepted_at: list[float] = []

    async def _api_sendmessage(self, params: dict, files: dict) -> dict:
        now = time.monotonic()
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        if len(self.window) >= self.limit:
            self.refused += 1
            raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        result = await super()._api_sendmessage(params, files)
        self.window.append(now)
        self.accepted_at.append(now)
        return result


async def seed(app, count: int) -> None:  # noqa: ANN001
    async with app.sessions() as s, s.begin():
        province = OrgUnit(code="BENCH", name="Tỉnh Thử", kind="province")
        s.add(province)
        await s.flush()
        units = [OrgUnit(code=f"XA{n:05d}", name=f"Xã Thử {n}", kind="commune", parent_id=province.id)
                 for n in range(count)]
        s.add_all(units)
        await s.flush()
        users = [User(full_name=f"Cán bộ {n}", org_unit_id=u.id, role=Role.officer) for n, u in enumerate(units)]
        s.add_all(users)
        await s.flush()
        s.add_all(ChannelIdentity(channel="telegram", external_id=str(FIRST_CHAT + n), chat_id=str(FIRST_CHAT + n),
                                  user_id=u.id) for n, u in enumerate(users))


async def main(count: int, limit: int, workers: int, db: Path) -> int:
    double = RateLimitedDouble(TOKEN)
    double.limit = limit
    await double.start()
    for n in range(count):
        double.person(FIRST_CHAT + n)
    app = await build_app(Settings(database_url=f"sqlite+aiosqlite:///{db}"))
    sender = notice_sender(TOKEN, double.base_url)
    try:
        t0 = time.perf_counter()
        await seed(app, count)
        t1 = time.perf_counter()
        limits = Limits(per_second=limit, per_chat_interval=1.0)
        service = ReminderService(app.sessions, app.templates,
                                  dispatcher=Dispatcher([(sender, limits)], workers=workers), clock=lambda: WHEN)
        planned = await service.plan(WHEN, {"telegram"})
        t2 = time.perf_counter()
        result = await service.send(planned, WHEN)
        t3 = time.perf_counter()
        async with app.sessions() as s:
            statuses = dict((await s.exec(select(ReminderLog.status, func.count()).group_by(ReminderLog.status))).all())
            blocked = len((await s.exec(select(ChannelIdentity).where(ChannelIdentity.blocked))).all())
    finally:
        await sender.close()
        await app.close()
        await double.close()

    delivered = collections.Counter(c.chat_id for c in double.of("sendMessage") if c.status == 200)
    duplicated = sum(n - 1 for n in delivered.values() if n > 1)
    lost = count - len(delivered)
    stamps = double.accepted_at
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    fraction = rate / limit
    print(f"reminders bench: {count} reminders → the Telegram channel (aiogram) → Bot API double at 127.0.0.1 "
          f"allowing {limit} sendMessage a second (sliding 1 s window; beyond it HTTP 429, retry_after 1)")
    print(f"planned {len(planned)}, claimed {result.claimed}, sent {result.sent}, failed {result.failed}")
    print(f"double: accepted {len(stamps)}, refused with 429: {double.refused}")
    print(f"achieved rate: {rate:.2f} messages/s = {fraction:.1%} of the limit (first to last accepted message)")
    print(f"sent {len(delivered)}, duplicated {duplicated}, lost {lost}")
    print(f"reminder log: {statuses}; identities marked blocked: {blocked}")
    print(f"time: seeding {t1 - t0:.1f} s, planning {t2 - t1:.1f} s, claiming and sending {t3 - t2:.1f} s")
    met = fraction >= 0.95 and duplicated == 0 and lost == 0
    print("targets (≥ 95 % of the limit, 0 duplicated, 0 lost): " + ("met" if met else "MISSED"))
    return 0 if met else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="how many reminders (default 10,000)")
    parser.add_argument("--limit", type=int, default=30, help="messages a second the double allows (default 30)")
    parser.add_argument("--workers", type=int, default=40, help="concurrent senders (default 40)")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / "bench.db"
        sys.exit(asyncio.run(main(args.count, args.limit, args.workers, db)))
