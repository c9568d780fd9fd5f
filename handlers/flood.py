"""How fast one chat may send: a burst of updates at once, then a steady rate (the generic cell rate
algorithm, in memory: each process counts what it handles). An update beyond that is not handled
and nothing is stored; the chat gets one notice at the first refusal of a run. An officer typing or
pressing buttons never comes near it; a script sending hundreds of messages a second is stopped
before it reaches the database. The terminal chat (``danvan chat``) is a local person: not counted."""

from __future__ import annotations

import time
from enum import Enum
from typing import Callable

LOCAL = {"console"}


class Verdict(Enum):
    handle = "handle"
    refuse_with_notice = "notice"  # the first refusal of a run: say why, once
    refuse = "refuse"


class ChatRate:
    def __init__(self, burst: int = 30, per_second: float = 2.0, now: Callable[[], float] = time.monotonic) -> None:
        self.interval = 1.0 / per_second
        self.tolerance = (burst - 1) * self.interval
        self.now = now
        self._tat: dict[str, float] = {}  # a chat's theoretical arrival time
        self._refusing: set[str] = set()

    def admit(self, channel: str, chat_id: str) -> Verdict:
        if channel in LOCAL:
            return Verdict.handle
        key, t = f"{channel}:{chat_id}", self.now()
        tat = max(self._tat.get(key, 0.0), t)
        if tat - self.tolerance > t:
            if key in self._refusing:
                return Verdict.refuse
            self._refusing.add(key)
            return Verdict.refuse_with_notice
        self._refusing.discard(key)
        self._tat[key] = tat + self.interval
        if len(self._tat) > 50_000:  # a time in the past means the same as no entry
            self._tat = {k: v for k, v in self._tat.items() if v > t}
        return Verdict.handle
