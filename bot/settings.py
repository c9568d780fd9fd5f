"""Process settings from the environment or a ``.env`` file; secrets are ``SecretStr``."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = DEFAULT_URL
    templates_dir: Path | None = None
    log_level: str = "INFO"
    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = 8080
    # Reminders (reminders/policy.py): the one process that runs the scheduler, and the policy.
    run_scheduler: bool = False
    reminder_days_before: str = "7,3,1"
    reminder_overdue_every: int = 2  # working days between reminders after the due date
    reminder_overdue_count: int = 15
    reminder_office_hours: str = "07:30-17:00"  # Asia/Ho_Chi_Minh, Monday to Friday
    reminder_run_times: str = "08:00,14:00"
    reminder_holidays: str = ""  # e.g. 2026-09-01,2026-09-02
