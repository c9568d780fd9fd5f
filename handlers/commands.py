"""Chat commands: Vietnamese names first, then ASCII aliases; parsing ``/cmd@bot arg``."""

from __future__ import annotations

from handlers.parsing import fold
from reports.i18n import _

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
    "summary": ("tomtat", "summary"),  # key figures of the open report (handlers/output.py)
    "file": ("tep", "file"),  # the Word file of the open report, a draft at any time
    "settings": ("caidat", "settings"),  # signer, recipients, number of the Word file (handlers/settings_flow.py)
    "invite": ("moi", "invite"),  # supervisors: create an invite code (handlers/invites.py)
    "deadline": ("hannop", "deadline"),  # supervisors: show or set due dates (handlers/deadlines.py)
    "link": ("lienket", "link"),  # the same person on another messenger (handlers/linking.py)
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
    head, arg = (text[1:].split(None, 1) + ["", ""])[:2]  # the argument may start on a new line
    name = head.split("@", 1)[0].lower()
    return _BY_NAME.get(name, "unknown"), (arg.strip() if name in _BY_NAME else name)


def parse_phrase(text: str) -> tuple[str, str] | None:
    """A command typed as words, without the slash and with or without diacritics (``tiếp tục``,
    ``tiep tuc``, ``xem lai``), as on a phone keyboard in a chat without a command menu."""
    words = fold(text).replace("/", "").split()
    if not words or len(words) > 3:
        return None
    action = _BY_NAME.get("".join(words))
    return (action, "") if action not in (None, "start", "language", "edit", "link") else None


def descriptions(supervisor: bool = False) -> list[tuple[str, str]]:
    """(command, description) pairs for a channel's command menu, in the current locale; the
    supervisor's menu adds the invite command."""
    texts = {
        "new": _("Start a new report"),
        "continue": _("Continue the report where you stopped"),
        "review": _("Review answers and progress"),
        "edit": _("Edit an answer: /sua 12"),
        "back": _("Go back to the previous question"),
        "skip": _("Skip a question that is not required"),
        "pause": _("Pause and continue later"),
        "submit": _("Submit the report"),
        "summary": _("Key figures of the report"),
        "file": _("Get the Word file of the report"),
        "settings": _("Signer, recipients and number of the Word file"),
        "link": _("Use the assistant on another messenger too"),
        "help": _("Help"),
    }
    if supervisor:
        texts["invite"] = _("Create an invite code: /moi officer DONG_SON")
        texts["deadline"] = _("Show or set the deadlines: /hannop 6thang 20/06")
    return [(COMMANDS[action][0], text) for action, text in texts.items()]
