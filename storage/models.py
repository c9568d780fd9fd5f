"""SQLModel tables: org units, users and their channel identities, reports, answers and their audit,
conversation state and processed update ids. The schema itself is owned by Alembic migrations."""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import Enum
from typing import Any, Optional

from sqlalchemy import JSON, Column, Date, DateTime, Index, String, UniqueConstraint, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back time-zone aware (SQLite keeps no zone, so
    its values come back naive; here they are UTC again, and no caller has to know)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is not None and dialect.name == "sqlite":
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_column_kwargs=kw, sa_type=UTCDateTime)


class Role(str, Enum):
    officer = "officer"
    leader = "leader"
    supervisor = "supervisor"


class ReportStatus(str, Enum):
    draft = "draft"
    pending = "pending"  # waiting for the unit leader's approval before it goes up
    submitted = "submitted"


class OrgUnit(SQLModel, table=True):
    """A node of the administrative tree (province, district, commune…), of any depth."""

    __tablename__ = "org_unit"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=64)
    name: str = Field(max_length=255)
    kind: str = Field(max_length=32)  # province | district | commune | …
    place_name: str = Field(default="", max_length=255)  # for the date line: "Đông Sơn, ngày …"
    parent_id: Optional[int] = Field(default=None, foreign_key="org_unit.id", index=True)
    profile: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    settings: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class User(SQLModel, table=True):
    __tablename__ = "app_user"
    id: Optional[int] = Field(default=None, primary_key=True)
    full_name: str = Field(default="", max_length=255)
    org_unit_id: int = Field(foreign_key="org_unit.id", index=True)
    role: Role = Field(default=Role.officer, sa_type=String(16))
    locale: str = Field(default="vi", max_length=8)
    created_at: datetime = _ts()


class ChannelIdentity(SQLModel, table=True):
    """Who a chat user of a channel (telegram, zalo, console) is in our user table."""

    __tablename__ = "channel_identity"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    chat_id: str = Field(max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    blocked: bool = False
    created_at: datetime = _ts()
    last_seen_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)  # reminders go where they were last


class LinkCode(SQLModel, table=True):
    """A one-time code that adds another messenger to an existing user (shown on one, typed on the other)."""

    __tablename__ = "link_code"
    code: str = Field(primary_key=True, max_length=16)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class Invite(SQLModel, table=True):
    """An invite code that registers a chat as a user of an org unit with a role."""

    __tablename__ = "invite"
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True, max_length=32)
    org_unit_id: int = Field(foreign_key="org_unit.id")
    role: Role = Field(default=Role.officer, sa_type=String(16))
    uses_left: Optional[int] = None  # None: unlimited
    expires_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
    created_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _ts()


class Report(SQLModel, table=True):
    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("org_unit_id", "template_key", "period"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    org_unit_id: int = Field(foreign_key="org_unit.id", index=True)
    template_key: str = Field(max_length=64)
    template_version: int
    period: str = Field(max_length=32)  # a period key: "2026-H1", "2026", "2026-03-01..2026-05-31" (reports.periods)
    status: ReportStatus = Field(default=ReportStatus.draft, sa_type=String(16))
    created_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _ts()
    updated_at: datetime = _ts(onupdate=utcnow)
    submitted_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)


class Answer(SQLModel, table=True):
    """One indicator's answer; ``value`` holds the typed value in its JSON form, ``None`` when skipped."""

    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("report_id", "key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    key: str = Field(max_length=64)
    value_type: str = Field(max_length=16)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    skipped: bool = False
    updated_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = _ts(onupdate=utcnow)


class AnswerAudit(SQLModel, table=True):
    __tablename__ = "answer_audit"
    id: Optional[int] = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    key: str = Field(max_length=64)
    old_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    new_value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    action: str = Field(max_length=16)  # set | skip
    user_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    at: datetime = _ts()


class ReportEvent(SQLModel, table=True):
    """A change of a report's status: who did what, when, and why (the comment of a send-back)."""

    __tablename__ = "report_event"
    id: Optional[int] = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    action: str = Field(max_length=24)  # storage.workflow.ACTIONS
    user_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    comment: str = Field(default="", max_length=1000)
    at: datetime = _ts()


class Conversation(SQLModel, table=True):
    """Where a chat is in the dialogue; kept in the database so any process can continue it."""

    __tablename__ = "conversation"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    user_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    report_id: Optional[int] = Field(default=None, foreign_key="report.id")
    mode: str = Field(default="idle", max_length=32)
    current_key: Optional[str] = Field(default=None, max_length=64)
    history: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _ts(onupdate=utcnow)


class ProcessedUpdate(SQLModel, table=True):
    """An update id a channel delivered; a second delivery of the same id is ignored."""

    __tablename__ = "processed_update"
    channel: str = Field(primary_key=True, max_length=16)
    bot: str = Field(default="", primary_key=True, max_length=32)  # which bot of the channel (its id)
    update_id: str = Field(primary_key=True, max_length=64)
    at: datetime = _ts()


class InboxUpdate(SQLModel, table=True):
    """An update as a channel delivered it, stored before the channel is told it arrived (Telegram's
    next getUpdates offset, a webhook's 200). It is deleted once handled; rows left by a process
    that died are handled at the next start, in arrival order."""

    __tablename__ = "inbox_update"
    __table_args__ = (UniqueConstraint("channel", "bot", "update_id", name="uq_inbox_update"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    bot: str = Field(default="", max_length=32)
    update_id: str = Field(max_length=64)
    payload: dict = Field(sa_column=Column(JSON, nullable=False))
    attempts: int = Field(default=0)  # starts of a recovery that took this row (a poison update stops at 3)
    received_at: datetime = _ts()


class Launch(SQLModel, table=True):
    """A report a supervising unit asked of every reporting unit below it: a template, a period
    (any kind, a custom range included) and a due date (issue 12)."""

    __tablename__ = "launch"
    __table_args__ = (UniqueConstraint("org_unit_id", "template_key", "period"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    org_unit_id: int = Field(foreign_key="org_unit.id", index=True)
    template_key: str = Field(max_length=64)
    period: str = Field(max_length=32)
    due: date = Field(sa_type=Date)
    created_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = _ts()


class Deadline(SQLModel, table=True):
    """When the communes below a supervising org unit must hand in a kind of report.

    ``year`` names the period (its data year); ``None`` is the unit's default for every year, whose
    ``due`` is moved to the period's year. Units below inherit the nearest setting up the tree.
    """

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("org_unit_id", "kind", "year"),
        # NULLs are distinct in a unique constraint: a partial index keeps one default per unit and kind.
        Index(
            "uq_deadline_default", "org_unit_id", "kind", unique=True,
            sqlite_where=text("year IS NULL"), postgresql_where=text("year IS NULL"),
        ),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    org_unit_id: int = Field(foreign_key="org_unit.id", index=True)
    kind: str = Field(max_length=16)  # half_year | annual
    year: Optional[int] = None
    due: date = Field(sa_type=Date)
    set_by: Optional[int] = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = _ts(onupdate=utcnow)


class ReminderLog(SQLModel, table=True):
    """One reminder, digest or notice to one person: written before it is sent, so that a second run,
    a restart or a second scheduler never sends the same (recipient, period, kind) again."""

    __tablename__ = "reminder_log"
    __table_args__ = (UniqueConstraint("user_id", "period", "kind"),)  # its index also serves user_id
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    period: str = Field(max_length=32)  # a period key: "2026-H1", "2026", "2026-03-01..2026-05-31"
    kind: str = Field(max_length=64)  # before-7, due, overdue-2, digest-due, submitted:12:1781593200, …
    org_unit_id: Optional[int] = Field(default=None, foreign_key="org_unit.id")  # the unit it is about
    channel: str = Field(max_length=16)
    chat_id: str = Field(max_length=64)
    status: str = Field(default="pending", max_length=16)  # pending | sent | failed
    error: Optional[str] = Field(default=None, max_length=255)
    at: datetime = _ts()
    sent_at: Optional[datetime] = Field(default=None, sa_type=UTCDateTime)
