"""The Zalo channel's settings (``ZALO_*`` in the environment or ``.env``); secrets are ``SecretStr``."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bot.channels.plugin import BotSettings


class ZaloSettings(BotSettings):
    model_config = SettingsConfigDict(env_prefix="ZALO_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    api_url: str = "https://bot-api.zaloplatforms.com"
    polling_timeout: int = 30
    retry_base_delay: float = 0.5  # seconds before the first retry of a failed call; doubling after
