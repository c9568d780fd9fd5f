"""Rate-limited delivery through channel adapters.

``bot.channels.base.NoticeSender`` implements :class:`Sender` for every channel, with the
channel's own :class:`Limits` (Telegram: ``bot.channels.telegram.channel.LIMITS``). The
:class:`Dispatcher` paces every channel with its own :class:`RateLimiter` — a global rate
(Telegram: 30 messages a second) and a minimum interval per chat (Telegram: 1 a second) — pauses
the whole channel when the API answers 429 with ``retry_after`` and then sends the same message
again, retries a transient failure (network, 5xx) a few times, and gives up at once on a permanent
one (the user blocked the bot, the chat does not exist): such a failure is reported, never retried.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Iterable, Protocol

Now = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Notice:
    """One message to one chat; ``choices`` are (id, label) pairs the conversation core understands
    (e.g. ``("continue", "Tiếp tục ngay")``), shown as buttons or as the command to type."""

    text: str
    choices: tuple[tuple[str, str], ...] = ()


class SendError(Exception):
    """A send that did not go through. ``permanent``: retrying cannot help; ``unreachable``: because
    of the recipient (blocked bot, unknown chat), so their chat should not be written to again;
    ``retry_after``: the API asked to wait this many seconds (HTTP 429) before sending again."""

    def __init__(
        self, reason: str, *, permanent: bool = False, unreachable: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent or unreachable
        self.unreachable = unreachable
        self.retry_after = retry_after


class Sender(Protocol):
    """What a channel adapter offers the reminders: send one notice to one chat, or raise SendError."""

    channel: str

    async def send(self, chat_id: str, notice: Notice) -> None: ...


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0  # messages a second over the whole channel
    per_chat_interval: float = 1.0  # seconds between two messages to one chat, on average
    headroom: float = 0.98  # pace a little under the limit so that network jitter never crosses it
    per_chat_burst: int = 1  # messages one chat may get at once before the interval applies

    @property
    def interval(self) -> float:
        return 1.0 / (self.per_second * self.headroom)

    @property
    def chat_interval(self) -> float:
        return self.per_chat_interval / self.headroom


UNLIMITED = Limits(1e9, 0.0, 1.0)


class RateLimiter:
    """Hands out send times: evenly spaced over the channel, paced per chat, paused after a 429.

    Each chat is paced by the generic cell rate algorithm: a chat may get ``per_chat_burst``
    messages at once, then one every ``per_chat_interval`` (so a button press, which edits the
    pressed message and sends the next question, is not delayed, while a long run of sends to one
    chat is spread out). Every caller reserves its slot before it sleeps, so concurrent callers
    queue in order. A process's replies and reminders to one bot share one limiter (Telegram:
    ``bot.channels.telegram.plugin``), the reminders asking with ``low``.
    """

    def __init__(self, limits: Limits, now: Now = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self.limits = limits
        self.now, self.sleep = now, sleep
        self._next = 0.0
        self._paused_until = 0.0
        self._tolerance = max(limits.per_chat_burst - 1, 0) * limits.chat_interval
        self._chat_tat: dict[str, float] = {}  # a chat's theoretical arrival time (GCRA)
        self._queued = 0  # replies (not low) holding a future slot

    def _chat_allowed(self, chat_id: str) -> float:
        return self._chat_tat.get(chat_id, 0.0) - self._tolerance

    async def acquire(self, chat_id: str, low: bool = False) -> None:
        """Wait for a slot to send to ``chat_id``. ``low`` (reminders): a slot nobody else wants —
        such a caller waits while a reply is queued, and reserves at most one slot ahead (enough to
        keep the channel at its rate), so replies to officers who are waiting go first when both
        share the budget."""
        while True:
            t = self.now()
            wait = max(self._paused_until, self._chat_allowed(chat_id)) - t
            if low:
                if self._queued:
                    wait = max(wait, self._next - t, self.limits.interval / 4)
                else:
                    wait = max(wait, self._next - self.limits.interval - t)
            if wait > 0:
                await self.sleep(wait)
                continue
            self._prune(t)
            slot = max(t, self._next)
            self._next = slot + self.limits.interval
            self._chat_tat[chat_id] = max(self._chat_tat.get(chat_id, 0.0), slot) + self.limits.chat_interval
            if slot > t:
                self._queued += not low
                try:
                    await self.sleep(slot - t)
                finally:
                    self._queued -= not low
            if self._paused_until <= self.now():
                return
            # a 429 arrived while waiting for the slot: queue again behind the pause

    def pause(self, seconds: float, chat_id: str | None = None) -> None:
        """Send nothing for ``seconds``: over the whole channel, or only to ``chat_id``."""
        until = self.now() + seconds
        if chat_id is not None:
            self._chat_tat[chat_id] = max(self._chat_tat.get(chat_id, 0.0), until + self._tolerance)
            return
        self._paused_until = max(self._paused_until, until)
        self._next = max(self._next, self._paused_until)

    def _prune(self, t: float) -> None:
        if len(self._chat_tat) > 50_000:  # a time in the past means the same as no entry
            self._chat_tat = {chat: at for chat, at in self._chat_tat.items() if at > t}


@dataclass
class Delivery:
    key: Any  # the caller's handle (e.g. the reminder log row id)
    chat_id: str
    notices: tuple[Notice, ...]


@dataclass
class Outcome:
    key: Any
    chat_id: str
    ok: bool
    error: str | None = None
    unreachable: bool = False
    attempts: int = 0


@dataclass
class Stats:
    sent: int = 0
    failed: int = 0
    rate_limited: int = 0  # 429 answers received
    retried: int = 0  # transient failures sent again
    outcomes: list[Outcome] = field(default_factory=list)


class Dispatcher:
    """Sends deliveries over registered channels, concurrently but within each channel's limits."""

    def __init__(
        self,
        senders: Iterable[tuple[Sender, Limits]] = (),
        *,
        workers: int = 40,
        max_rate_limited: int = 20,
        max_transient: int = 3,
        backoff: float = 1.0,
        now: Now = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.now, self.sleep = now, sleep
        self.workers = workers
        self.max_rate_limited, self.max_transient, self.backoff = max_rate_limited, max_transient, backoff
        self.senders: dict[str, Sender] = {}
        self.limiters: dict[str, RateLimiter] = {}
        for sender, limits in senders:
            self.add(sender, limits)

    def add(self, sender: Sender, limits: Limits) -> None:
        """Send over ``sender``: within its ``budget`` when it has one (shared with the chat replies
        of this process), else within a limiter of its own."""
        self.senders[sender.channel] = sender
        budget = getattr(sender, "budget", None)
        self.limiters[sender.channel] = budget if budget is not None else RateLimiter(limits, self.now, self.sleep)

    @property
    def channels(self) -> set[str]:
        return set(self.senders)

    async def deliver(
        self,
        channel: str,
        deliveries: Iterable[Delivery],
        on_outcome: Callable[[Outcome], Awaitable[None]] | None = None,
    ) -> Stats:
        """Send every delivery over ``channel``; ``on_outcome`` is awaited as each one finishes."""
        sender, limiter = self.senders[channel], self.limiters[channel]
        queue: asyncio.Queue[Delivery] = asyncio.Queue()
        for d in deliveries:
            queue.put_nowait(d)
        stats = Stats()

        async def worker() -> None:
            while True:
                try:
                    delivery = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                outcome = await self._deliver_one(sender, limiter, delivery, stats)
                stats.outcomes.append(outcome)
                if outcome.ok:
                    stats.sent += 1
                else:
                    stats.failed += 1
                if on_outcome is not None:
                    await on_outcome(outcome)

        n = max(1, min(self.workers, queue.qsize()))
        await asyncio.gather(*(worker() for _ in range(n)))
        return stats

    async def _deliver_one(self, sender: Sender, limiter: RateLimiter, d: Delivery, stats: Stats) -> Outcome:
        attempts = 0
        for notice in d.notices:
            limited = transient = 0
            while True:
                await limiter.acquire(d.chat_id, low=True)
                attempts += 1
                try:
                    await sender.send(d.chat_id, notice)
                    break
                except SendError as err:
                    if err.retry_after is not None and limited < self.max_rate_limited:
                        limited += 1
                        stats.rate_limited += 1
                        limiter.pause(max(err.retry_after, 0.0))
                        continue
                    if not err.permanent and err.retry_after is None and transient < self.max_transient:
                        transient += 1
                        stats.retried += 1
                        await self.sleep(self.backoff * 2 ** (transient - 1))
                        continue
                    return Outcome(d.key, d.chat_id, False, err.reason[:255], err.unreachable, attempts)
        return Outcome(d.key, d.chat_id, True, attempts=attempts)
