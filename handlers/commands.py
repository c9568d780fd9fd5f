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
    "nofigure": ("khongro", "nofigure", "khongcosolieu"),  # "không có số liệu": an answer without a figure
    "keep": ("giunguyen", "keep"),
    "keepsection": ("giunguyenmuc", "keepsection"),
    "form": ("phieu", "form"),  # the current section as a fill-in form, sent back in one message  # last period's answers of the whole section
    "pause": ("tamdung", "pause"),
    "submit": ("nop", "submit"),
    "language": ("ngonngu", "language"),
    "summary": ("tomtat", "summary"),  # key figures of the open report (handlers/output.py)
    "file": ("tep", "file"),  # the Word file of the open report, a draft at any time
    "settings": ("caidat", "settings"),  # signer, recipients, number of the Word file (handlers/settings_flow.py)
    "invite": ("moi", "invite"),  # supervisors: create an invite code (handlers/invites.py)
    "deadline": ("hannop", "deadline"),  # supervisors: show or set due dates (handlers/deadlines.py)
    "launch": ("giaobaocao", "launch"),  # supervisors: ask every unit below for a report (handlers/launches.py)
    "link": ("lienket", "link"),  # the same person on another messenger (handlers/linking.py)
    "status": ("tinhhinh", "status"),  # supervisors: who has submitted (handlers/supervision.py)
    "compile": ("tonghop", "compile"),  # supervisors: the compiled report across the units below
    "sendback": ("tralai", "sendback", "return"),  # supervisors, leaders: back to draft with a reason
    "reopen": ("mobaocao", "reopen"),  # supervisors reopen; officers ask for it (handlers/returns.py)
    "approve": ("duyet", "approve"),  # the unit's leader approves before it goes up
    "history": ("lichsu", "history"),  # who changed what, when (handlers/history.py)
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
    """(command, description) pairs for a channel's command menu, in the current locale: an officer's
    (and leader's) report commands, or a supervisor's own commands over the units below."""
    if supervisor:
        texts = {
            "status": _("Who has submitted: /tinhhinh or /tinhhinh nam 2025"),
            "compile": _("Compiled report: summary, Word and Excel"),
            "file": _("Word file of unit N in the list: /tep 3"),
            "sendback": _("Send a report back with the reason: /tralai 3 reason"),
            "reopen": _("Reopen a submitted report: /mobaocao 3"),
            "history": _("History of unit N's report: /lichsu 3"),
            "invite": _("Create an invite code: /moi officer DONG_SON"),
            "deadline": _("Show or set the deadlines: /hannop 6thang 20/06"),
            "launch": _("Ask every unit below for a report: /giaobaocao"),
            "settings": _("Signer, recipients and number of the Word file"),
            "link": _("Use the assistant on another messenger too"),
            "help": _("Help"),
        }
    else:
        texts = {
            "new": _("Start a new report"),
            "continue": _("Continue the report where you stopped"),
            "review": _("Review answers and progress"),
            "edit": _("Edit an answer: /sua 12"),
            "back": _("Go back to the previous question"),
            "skip": _("Skip a question that is not required"),
            "nofigure": _("No figure for this question (not a zero)"),
            "pause": _("Pause and continue later"),
            "submit": _("Submit the report"),
            "summary": _("Key figures of the report"),
            "file": _("Get the Word file of the report"),
            "history": _("Who changed which answer, and when"),
            "reopen": _("Ask the supervisor to reopen a submitted report"),
            "approve": _("Leaders: approve the report before it goes up"),
            "settings": _("Signer, recipients and number of the Word file"),
            "link": _("Use the assistant on another messenger too"),
            "help": _("Help"),
        }
    return [(COMMANDS[action][0], text) for action, text in texts.items()]
