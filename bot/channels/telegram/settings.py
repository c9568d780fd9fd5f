"""The Telegram channel's settings (``TELEGRAM_*`` in the environment or ``.env``); the token and the
webhook secret are ``SecretStr`` so that they never print."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    bot_token: SecretStr | None = None
    api_url: str = "https://api.telegram.org"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    bot_username: str | None = None  # for invite links without asking getMe

    @property
    def token(self) -> str:
        return self.bot_token.get_secret_value().strip() if self.bot_token else ""

    @property
    def secret(self) -> str | None:
        return self.webhook_secret.get_secret_value() if self.webhook_secret else None
