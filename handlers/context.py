"""What every flow handler works on: the conversation's modes, and the context of one event (the
open transaction, the conversation row, the user) with the few helpers all flows share."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import screens
from handlers.events import Choice, Incoming, Outgoing
from reports.clock import Clock, vn_today
from reports.logic import NO_FIGURE, SKIPPED, ReportState
from reports.periods import Period
from reports.schema import Indicator, Template
from reports.values import from_json, to_json
from storage import repo
from storage.models import Conversation, Report, User


KEPT = ("locale", "throttle", "answered", "listed", "carried", "below")  # what a conversation keeps from one mode to the next


class Mode(str, Enum):
    """Where a conversation stands; stored in ``Conversation.mode``."""

    await_code = "await_code"  # unregistered: waiting for an invite code
    await_name = "await_name"  # unregistered: the code was valid, waiting for the full name
    idle = "idle"  # registered, at the main menu
    choose_template = "choose_template"
    choose_period = "choose_period"
    choose_report = "choose_report"  # several drafts: which one to continue
    question = "question"  # a question of the open report is waiting for its answer
    edit_pick = "edit_pick"  # waiting for the number of the answer to change
    review = "review"
    confirm_submit = "confirm_submit"
    paused = "paused"
    settings = "settings"  # waiting for "name: value" lines of the Word file's settings
    invite = "invite"  # a supervisor is creating an invite code by buttons
    conflict = "conflict"  # an answer met one another officer stored meanwhile: which one stays

    @classmethod
    def of(cls, value: str | None) -> "Mode":
        try:
            return cls(value)
        except ValueError:
            return cls.idle  # a mode of an older version: back to the menu


def value_mark(ind: Indicator, value: Any) -> str:
    """A short mark of an answer's value (none, skipped, or its stored form): marks differ when the
    values do."""
    if value is None:
        return "-"
    if value is SKIPPED:
        return "skipped"
    if value is NO_FIGURE:
        return "nofigure"
    raw = json.dumps(to_json(ind.type, value), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2s(raw.encode(), digest_size=8).hexdigest()


def answer_mark(state: ReportState, key: str) -> str:
    """The mark of the answer ``key`` has in ``state``, kept when the question is shown: if the mark
    differs when the answer comes, someone else changed it."""
    return value_mark(state.template.by_key[key], state.answers.get(key))


@dataclass
class Services:
    """What the core hands every event: the templates, the clock, where files go."""

    templates: dict[str, Template]
    clock: Clock
    files_dir: Path | None = None


@dataclass
class Ctx:
    session: AsyncSession
    event: Incoming
    conv: Conversation
    user: User | None
    services: Services
    loaded: Report | None = None  # the open report, once read in this event
    locked: bool = False  # its row is locked for this transaction (PostgreSQL)

    # ------------------------------------------------------------------ shortcuts

    @property
    def templates(self) -> dict[str, Template]:
        return self.services.templates

    @property
    def mode(self) -> Mode:
        return Mode.of(self.conv.mode)

    def now(self) -> datetime:
        return self.services.clock()

    def today(self) -> date:
        return vn_today(self.now())

    # ------------------------------------------------------------------ conversation state

    def set_mode(self, mode: Mode, key: str | None = None, editing: bool = False,
                 choices: tuple[Choice, ...] = (), **extra: Any) -> None:
        """Enter ``mode``; what the previous mode kept is dropped but the language (and, choosing a
        period, the template chosen)."""
        conv = self.conv
        data = {k: v for k, v in conv.data.items() if k in KEPT}
        if mode is Mode.choose_period:
            data["template"] = extra.pop("template", conv.data.get("template"))
        data.update(extra)
        if editing:
            data["editing"] = True
        if choices:
            data["choices"] = [[c.id, c.label] for c in choices]
        conv.mode = mode.value
        conv.current_key = key
        conv.data = data

    def ask(self, state: ReportState, key: str, editing: bool = False) -> Outgoing:
        """Show question ``key`` and wait for its answer."""
        out = screens.question(state, key, editing=editing, previous=self.previous_answer(state, key),
                               compiled_from=self.offered_from_below(key))
        self.set_mode(Mode.question, key=key, editing=editing, choices=out.choices,
                      seen=answer_mark(state, key))
        return out

    def previous_answer(self, state: ReportState, key: str) -> Any:
        """The answer offered to keep while ``key`` is unanswered: the figure compiled from the units
        below, else last period's answer (both noted when this report was opened, see
        ``handlers.starting``); None when there is none."""
        if key in state.answers:
            return None
        ind = state.template.by_key.get(key)
        for source in (self.conv.data.get("below") or {}, self.conv.data.get("carried") or {}):
            raw = (source.get("values") or {}).get(key) if source.get("report") == self.conv.report_id else None
            if raw is not None and ind is not None:
                return from_json(ind.type, raw)
        return None

    def offered_from_below(self, key: str) -> str | None:
        """How many units below the offered figure of ``key`` was compiled from ("8/10 xã"), if it was."""
        below = self.conv.data.get("below") or {}
        if below.get("report") == self.conv.report_id and key in (below.get("values") or {}):
            return below.get("from", "")
        return None

    def carried_from(self) -> str:
        return (self.conv.data.get("carried") or {}).get("from", "")

    def offered(self) -> tuple[Choice, ...]:
        """The choices the last screen offered (stored with the conversation)."""
        return tuple(Choice(i, label) for i, label in self.conv.data.get("choices") or ())

    # ------------------------------------------------------------------ the open report

    async def report(self, lock: bool = False) -> Report | None:
        """The report this conversation has open, if the user may work on it (their own unit's).
        ``lock``: before an answer is checked and stored, its row is locked (FOR UPDATE on
        PostgreSQL; SQLite's writers are serialised anyway), so two officers answering the same
        report take turns and the second sees the first's answer."""
        if self.conv.report_id is None or self.user is None:
            return None
        # one query an event: the row is kept for later calls (the session only holds it weakly);
        # only PostgreSQL needs the row lock (a second query, once): SQLite's write transaction
        # has the whole database already
        lock = lock and not self.locked and self.session.bind.dialect.name == "postgresql"
        report = self.loaded if self.loaded is not None and self.loaded.id == self.conv.report_id else None
        if report is None or lock:
            report = await self.session.get(Report, self.conv.report_id, with_for_update=True if lock else None)
        self.loaded, self.locked = report, self.locked or lock
        if report is None or report.template_key not in self.templates:
            return None
        if report.org_unit_id != self.user.org_unit_id:  # e.g. a group chat shared with another unit
            return None
        return report

    async def state(self, report: Report) -> ReportState:
        template = self.templates[report.template_key]
        return ReportState.from_stored(template, await repo.answers_of(self.session, report.id))

    def report_name(self, report: Report) -> str:
        return self.templates[report.template_key].report_name(Period.from_key(report.period))
