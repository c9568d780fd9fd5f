"""The Telegram channel's settings (``TELEGRAM_*`` in the environment or ``.env``); the token and the
webhook secret are ``SecretStr`` so that they never print."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from bot.channels.plugin import BotSettings


class TelegramSettings(BotSettings):
    model_config = SettingsConfigDict(env_prefix="TELEGRAM_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    api_url: str = "https://api.telegram.org"
    # pace writes to each chat and over the bot (Telegram's flood limits); off only against a
    # Bot API server without them (benchmarks)
    pace: bool = True
    bot_username: str | None = None  # for invite links without asking getMe
