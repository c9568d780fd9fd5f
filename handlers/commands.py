"""Chat commands: Vietnamese names first, then ASCII aliases; parsing ``/cmd@bot arg``."""

from __future__ import annotations

from handlers.i18n import _

# action -> command names (the first is the one shown to users)
COMMANDS: dict[str, tuple[str, ...]] = {
    "start": ("start", "batdau"),
    "new": ("baocaomoi", "new"),
    "continue": ("tieptuc", "continue"),
    "review": ("xemlai", "review"),
    "edit": ("sua", "edit"),
    "back": ("quaylai", "back"),
    "skip": ("boqua", "skip"),
    "keep": ("giunguyen", "keep"),
    "pause": ("tamdung", "pause"),
    "submit": ("nop", "submit"),
    "language": ("ngonngu", "language"),
    "help": ("huongdan", "help", "trogiup"),
}
_BY_NAME = {name: action for action, names in COMMANDS.items() for name in names}


def cmd(action: str) -> str:
    """The command users type for ``action``, e.g. ``/tieptuc``."""
    return "/" + COMMANDS[action][0]


def parse_command(text: str) -> tuple[str, str] | None:
    """``("continue", "")`` for ``/tieptuc``; ``("unknown", name)`` for an unknown command."""
    if not text.startswith("/"):
        return None
    head, _sep, arg = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return _BY_NAME.get(name, "unknown"), (arg.strip() if name in _BY_NAME else name)


def descriptions() -> list[tuple[str, str]]:
    """(command, description) pairs for a channel's command menu, in the current locale."""
    texts = {
        "new": _("Start a new report"),
        "continue": _("Continue the report where you stopped"),
        "review": _("Review answers and progress"),
        "edit": _("Edit an answer: /sua 12"),
        "back": _("Go back to the previous question"),
        "skip": _("Skip a question that is not required"),
        "pause": _("Pause and continue later"),
        "submit": _("Submit the report"),
        "help": _("Help"),
    }
    return [(COMMANDS[action][0], text) for action, text in texts.items()]
