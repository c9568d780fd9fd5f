"""The Zalo channel's settings (``ZALO_*`` in the environment or ``.env``); secrets are ``SecretStr``."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class ZaloSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZALO_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    api_url: str = "https://bot-api.zaloplatforms.com"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    polling_timeout: int = 30
    retry_base_delay: float = 0.5  # seconds before the first retry of a failed call; doubling after

    @property
    def token(self) -> str:
        return self.bot_token.get_secret_value().strip() if self.bot_token else ""

    @property
    def secret(self) -> str | None:
        return self.webhook_secret.get_secret_value() if self.webhook_secret else None
