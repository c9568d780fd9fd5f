"""Keeping secrets (the bot token, the webhook secret) out of every log line.

The token is part of every Bot API URL, and an HTTP library may put a URL into an exception
message. Rather than trusting each library, every log record is scrubbed when it is created (a
log record factory, so it covers all loggers and handlers, including tracebacks): any registered
secret is replaced by ``***``.
"""

from __future__ import annotations

import logging
import threading
import traceback

MASK = "***"
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def protect(*values: str | None) -> None:
    """Register secrets to scrub from logs; a bot token's secret half is registered too."""
    with _lock:
        for value in values:
            if not value:
                continue
            _secrets.add(value)
            bot_id, sep, secret = value.partition(":")
            if sep and bot_id.isdigit() and len(secret) >= 8:
                _secrets.add(secret)
        _install()


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _contains_secret(text: str) -> bool:
    return any(secret in text for secret in _secrets)


def _scrub(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is left to the handler to report
        return
    if _contains_secret(message):
        record.msg, record.args = redact(message), None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if _contains_secret(text):
            record.exc_text = redact(text)
    if record.stack_info and _contains_secret(record.stack_info):
        record.stack_info = redact(record.stack_info)


def _install() -> None:
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:  # noqa: ANN002, ANN003
        record = previous(*args, **kwargs)
        if _secrets:
            _scrub(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
