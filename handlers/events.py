"""What flows in and out of the conversation core, free of any messenger's types."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Incoming:
    channel: str  # "console", "telegram", "zalo"
    chat_id: str
    user_id: str
    update_id: str | None = None
    text: str | None = None
    choice: str | None = None  # the id of a Choice the user pressed
    display_name: str = ""
    # The question key (Outgoing.meta["key"]) the pressed choice was shown with, from channels whose
    # old buttons stay pressable (Telegram); a press whose question is no longer current is stale.
    context: str | None = None
    # Which bot of the channel received it (Telegram: the bot's id): with the channel and the update
    # id, the key that makes a repeated delivery a no-op, so two bots can share one database.
    bot: str = ""
    # The messenger's id of the message (Telegram's message_id), and whether this event is the user
    # editing that message after sending it: an edited answer replaces the answer it gave.
    message_ref: str | None = None
    edited: bool = False
    # Handed back from the inbox at a start (a process died while handling it): if it was handled
    # already, its reply may not have gone out, so the screen the chat is at is shown again.
    recovered: bool = False


@dataclass(frozen=True)
class Choice:
    id: str  # at most 64 bytes, so that Telegram can carry it as callback data
    label: str


@dataclass(frozen=True)
class Document:
    path: Path
    filename: str


@dataclass(frozen=True)
class Outgoing:
    text: str
    choices: tuple[Choice, ...] = ()
    multi: bool = False  # several choices may be picked (typed as "1, 3")
    document: Document | None = None
    image: Path | None = None  # a picture (the status chart), sent after the text
    chat_id: str | None = None  # None: reply to the chat the event came from
    meta: dict = field(default_factory=dict, compare=False)
