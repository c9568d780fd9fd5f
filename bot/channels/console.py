"""The terminal channel: the conversation core in a terminal, or scripted one answer per line.

Choices are a numbered list (the officer types the number or the label); a document is shown as its
path. Reminders for terminal users are printed by the process that runs the scheduler, each headed
with the chat it is for (``announce``).
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from pathlib import Path
from typing import Sequence, TextIO

from bot.channels.base import TextOnly, deliver
from handlers.events import Choice, Document, Incoming
from reminders.dispatch import UNLIMITED

NAME = "console"
LIMIT = 4000


class ConsoleChannel(TextOnly):
    name = NAME
    limit = LIMIT
    caption_limit = LIMIT
    send_limits = UNLIMITED

    def __init__(self, out: TextIO | None = None, *, announce: bool = False) -> None:
        self.out = out
        self.announce = announce

    def _write(self, chat_id: str, text: str) -> None:
        out = self.out or sys.stdout
        out.write((f"🔔 [{chat_id}]\n" if self.announce else "") + text + "\n\n")
        out.flush()

    async def send_text(self, chat_id: str, text: str, choices: Sequence[Choice] = (),
                        context: str | None = None) -> None:
        self._write(chat_id, text)

    async def send_document(self, chat_id: str, document: Document, caption: str | None = None) -> None:
        self._write(chat_id, (caption + "\n" if caption else "") + f"📄 {document.filename}: {document.path}")

    async def send_image(self, chat_id: str, path: Path, caption: str | None = None) -> None:
        self._write(chat_id, (caption + "\n" if caption else "") + f"🖼 {path}")


async def run_console(core, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, user: str | None = None) -> None:
    """Talk to ``core`` through the terminal until end of input or /thoat."""
    user = user or getpass.getuser()
    interactive = stdin.isatty()
    channel = ConsoleChannel(stdout)

    async def exchange(text: str) -> None:
        await deliver(channel, user, await core.handle(Incoming(NAME, user, user, text=text)))

    await exchange("/start")
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        text = line.rstrip("\n").replace("\\n", "\n")
        if text.strip() in ("/thoat", "/quit", "/exit"):
            break
        if not interactive:
            stdout.write(f"> {text}\n")
        await exchange(text)
