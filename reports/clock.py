"""Vietnam time for people (Asia/Ho_Chi_Minh); the UTC clock itself is ``storage.models.utcnow``,
which the database's timestamps already use."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # every time shown to people is Vietnam time
Clock = Callable[[], datetime]


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive value is taken to be UTC already."""
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def vn_time(moment: datetime) -> datetime:
    """``moment`` as a Vietnam wall-clock time."""
    return as_utc(moment).astimezone(VN_TZ)


def vn_today(moment: datetime) -> date:
    """The Vietnam calendar day of ``moment``."""
    return vn_time(moment).date()
