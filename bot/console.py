"""The terminal channel: the conversation core in a terminal, or scripted one answer per line."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import TextIO

from handlers.events import Incoming, Outgoing
from handlers.text import split_message

CHANNEL = "console"
LIMIT = 4000


def render(out: Outgoing) -> str:
    """Choices become a numbered list; the officer types the number or the label."""
    parts = [out.text]
    if out.choices:
        parts.append("")
        parts += [f"  {n}. {c.label}" for n, c in enumerate(out.choices, start=1)]
    if out.document:
        parts.append(f"📄 {out.document.filename}: {out.document.path}")
    return "\n".join(parts)


async def run_console(core, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout, user: str | None = None) -> None:
    """Talk to ``core`` through the terminal until end of input or /thoat."""
    user = user or getpass.getuser()
    interactive = stdin.isatty()

    def show(replies: list[Outgoing]) -> None:
        for out in replies:
            for chunk in split_message(render(out), LIMIT):
                stdout.write(chunk + "\n\n")
        stdout.flush()

    show(await core.handle(Incoming(CHANNEL, user, user, text="/start")))
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
        show(await core.handle(Incoming(CHANNEL, user, user, text=text)))
