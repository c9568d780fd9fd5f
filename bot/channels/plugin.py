"""What every channel plug-in shares: settings with a bot token and a webhook secret (both masked
in every log line as soon as they are read), and "configured" meaning a token is set. A plug-in
adds its name, its help for the administrator, its checks, and how it starts (see
``bot.channels.telegram.plugin``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import BaseSettings

from bot import redact


class BotSettings(BaseSettings):
    """A channel's settings; a subclass sets ``env_prefix`` (``TELEGRAM_``, ``ZALO_``)."""

    bot_token: SecretStr | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None

    @property
    def token(self) -> str:
        return self.bot_token.get_secret_value().strip() if self.bot_token else ""

    @property
    def secret(self) -> str | None:
        return self.webhook_secret.get_secret_value() if self.webhook_secret else None


class TokenPlugin:
    name: ClassVar[str]
    settings_class: ClassVar[type[BotSettings]]

    def settings(self) -> BotSettings:
        s = self.settings_class()
        redact.protect(s.token or None, s.secret)
        return s

    def configured(self) -> bool:
        return bool(self.settings().token)
