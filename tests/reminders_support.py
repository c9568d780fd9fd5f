"""A small org tree with officers and supervisors, and reminder services on it, for the reminder tests.

    Tỉnh Bắc Ninh (BAC_NINH, demo)            supervisor Phạm Thị Tỉnh   chat 2001
    ├── Xã Đông Sơn (DONG_SON, demo)          officer Nguyễn Văn An      chat 1001
    └── Huyện Yên Phong (YEN_PHONG)           supervisor Lê Văn Huyện    chat 2002
        ├── Xã Dũng Liệt (DUNG_LIET)          officer Trần Thị Bình      chat 1002
        └── Xã Tam Giang (TAM_GIANG)          officer Hoàng Văn Chí      chat 1003
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.app import App
from bot.reminder_wiring import console_sender
from reminders.dispatch import UNLIMITED, Dispatcher
from reminders.policy import ReminderPolicy
from reminders.service import ReminderService
from storage import repo
from storage.models import OrgUnit, ReminderLog, Report, ReportStatus, Role

VN = ZoneInfo("Asia/Ho_Chi_Minh")

OFFICERS = {"DONG_SON": ("Nguyễn Văn An", "1001"), "DUNG_LIET": ("Trần Thị Bình", "1002"),
            "TAM_GIANG": ("Hoàng Văn Chí", "1003")}
SUPERVISORS = {"BAC_NINH": ("Phạm Thị Tỉnh", "2001"), "YEN_PHONG": ("Lê Văn Huyện", "2002")}


def vn(text: str) -> datetime:
    """``"2026-06-16 09:00"`` in Hà Nội time, as a UTC instant (what the application's clock gives:
    SQLite keeps no time zone, so everything stored is UTC)."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VN).astimezone(timezone.utc)


async def build_tree(app: App, channel: str = "console") -> dict[str, int]:
    """The units and people above; returns org ids by code."""
    async with app.sessions() as s, s.begin():
        province = await repo.org_by_code(s, "BAC_NINH")
        district = OrgUnit(code="YEN_PHONG", name="Huyện Yên Phong", kind="district", parent_id=province.id)
        s.add(district)
        await s.flush()
        for code, name in (("DUNG_LIET", "Xã Dũng Liệt"), ("TAM_GIANG", "Xã Tam Giang")):
            s.add(OrgUnit(code=code, name=name, kind="commune", parent_id=district.id))
        await s.flush()
        ids = {u.code: u.id for u in await repo.org_units(s)}
        for people, role in ((OFFICERS, Role.officer), (SUPERVISORS, Role.supervisor)):
            for code, (name, chat) in people.items():
                invite = await repo.create_invite(s, f"T{chat}", ids[code], role)
                await repo.register(s, invite, channel, chat, chat, name)
    return ids


class Console:
    """The console channel's sender writing into memory; ``messages()`` reads back what it printed."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.sender = console_sender(self.buffer)

    def messages(self) -> list[tuple[str, str]]:
        out = []
        for block in self.buffer.getvalue().split("\n\n"):
            if block.startswith("🔔 ["):
                head, _sep, body = block.partition("\n")
                out.append((head[3:-1], body))
        return out

    def chats(self) -> list[str]:
        return [chat for chat, _text in self.messages()]

    def to(self, chat: str) -> list[str]:
        return [text for c, text in self.messages() if c == chat]

    def clear(self) -> None:
        self.buffer.seek(0)
        self.buffer.truncate()


def service(app: App, console: Console, clock=None, policy: ReminderPolicy | None = None,  # noqa: ANN001
            dispatcher: Dispatcher | None = None) -> ReminderService:
    if dispatcher is None:
        dispatcher = Dispatcher([(console.sender, UNLIMITED)])
    return ReminderService(app.sessions, app.templates, policy, dispatcher,
                           clock=clock or app.core.clock)


async def submit(app: App, code: str, period: str = "2026-H1", at: datetime | None = None,
                 template: str = "mini") -> None:
    """Mark the unit's report as submitted (the core's submit path is tested in test_core_flow)."""
    async with app.sessions() as s, s.begin():
        org = await repo.org_by_code(s, code)
        report = await repo.find_report(s, org.id, template, period)
        if report is None:
            report = await repo.create_report(s, org.id, template, 1, period, None)
        report.status = ReportStatus.submitted
        report.submitted_at = at or app.core.clock()
        s.add(report)


async def draft(app: App, code: str, answers: dict, period: str = "2026-H1", template: str = "mini") -> None:
    async with app.sessions() as s, s.begin():
        org = await repo.org_by_code(s, code)
        report = await repo.create_report(s, org.id, template, 1, period, None)
        for key, value in answers.items():
            await repo.save_answer(s, report.id, key, "integer", value, None)


async def logs(app: App) -> list[ReminderLog]:
    async with app.sessions() as s:
        return list((await s.exec(select(ReminderLog).order_by(ReminderLog.id))).all())


async def reports(app: App) -> list[Report]:
    async with app.sessions() as s:
        return list((await s.exec(select(Report))).all())


@dataclass
class MovingClock:
    """For the scheduler's dispatcher in tests: a monotonic clock whose sleeps pass at once."""

    t: float = 1000.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += max(seconds, 0.0)
        await asyncio.sleep(0)
