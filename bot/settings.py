"""Process settings from the environment or a ``.env`` file; each channel reads its own as well."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_URL
    templates_dir: Path | None = None
    files_dir: Path | None = None  # Word files; default: a "files" folder beside the SQLite file (data/files)
    keep_days: int = 30  # Word files and processed update ids older than this are removed at start
    log_level: str = "INFO"
    # How fast one Telegram or Zalo chat may send (handlers/flood.py): updates at once, then a second.
    chat_burst: int = 30
    chat_per_second: float = 2.0
    # The process's HTTP server (webhooks; each channel's own settings live beside it, e.g.
    # bot/channels/telegram/settings.py).
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    # Signed download links (Zalo takes no file upload): the address people reach this server at,
    # the key links are signed with (random at each start if unset: set it for several processes),
    # and how long a link works.
    public_base_url: str | None = None
    file_link_secret: SecretStr | None = None
    file_link_hours: int = 24
    # Reminders (reminders/policy.py): the one process that runs the scheduler, and the policy.
    run_scheduler: bool = False
    reminder_days_before: str = "7,3,1"
    reminder_overdue_every: int = 2  # working days between reminders after the due date
    reminder_overdue_count: int = 15
    reminder_office_hours: str = "07:30-17:00"  # Asia/Ho_Chi_Minh, Monday to Friday
    reminder_run_times: str = "08:00,14:00"
    reminder_holidays: str = ""  # days off besides Vietnam's public holidays, e.g. 2026-12-31
    reminder_workdays: str = ""  # days worked although a weekend or holiday (làm bù), e.g. 2026-08-22
