"""Button ids: encoded and decoded in one place.

A choice id is ``kind`` or ``kind:arg[:arg]`` (at most 64 bytes, so that Telegram can carry it as
callback data). Every id the core offers is made by :func:`encode`, and every id that comes back
(a press, or a typed number on a menu) is read by :func:`decode`, which refuses an unknown kind, a
wrong number of parts, or a part that is not of its kind's shape: a forged payload never reaches a
handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CALLBACK_LIMIT = 64
_KEY = re.compile(r"^[A-Za-z0-9_]{1,48}$")  # template keys, indicator choice ids, roles
_PERIOD = re.compile(r"^\d{4}(?:-H[12]|-Q[1-4]|-\d{4})?$|^\d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d$")  # reports.periods
_ID = re.compile(r"^[0-9]{1,18}$")  # ASCII digits only: '²' or '①' are not ids
_YESNO = {"yes", "no"}

# kind -> the shape of each part (a regular expression or a closed set)
KINDS: dict[str, tuple] = {
    "tpl": (_KEY,),  # a report template
    "per": (_PERIOD,),  # a period key of that template
    "open": (_ID,),  # an existing report
    "confirm": (_YESNO,),  # submit: yes or not yet
    "a": (_KEY,),  # an answer: yes/no or a choice id of the current question
    "std": (),  # the question's standard paragraph
    "inv": (_KEY,),  # invite: the role …
    "inv+": (_KEY, _ID),  # … then the org unit (written "inv:ROLE:ID")
    "sv": ({"st", "tg"}, _KEY, _PERIOD),  # supervisor: status or compiled report of a template and period
    "appr": (_ID,),  # the leader approves this report
    "cf": ({"mine", "theirs"},),  # an answer clashed with another officer's: store mine, or keep theirs
}
ACTIONS = ("new", "continue", "review", "submit", "edit", "help", "skip", "back", "keep", "keepsection", "form",
           "pause",
           "status",
           "compile")


@dataclass(frozen=True)
class Pick:
    kind: str
    args: tuple[str, ...] = ()

    @property
    def arg(self) -> str:
        return self.args[0] if self.args else ""


def encode(kind: str, *args: object) -> str:
    """The id of a choice: ``encode("per", "2026-H1")`` → ``per:2026-H1``."""
    parts = [str(a) for a in args]
    if not _valid(kind, parts):
        raise ValueError(f"not a valid choice: {kind} {parts}")
    data = ":".join([kind, *parts])
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"choice id longer than {CALLBACK_LIMIT} bytes: {data}")
    return data


def decode(data: str | None) -> Pick | None:
    """The choice an id names, or None when it is not one the core could have offered."""
    if not data or len(data.encode()) > CALLBACK_LIMIT:
        return None
    kind, *parts = data.split(":")
    return Pick(kind, tuple(parts)) if _valid(kind, parts) else None


def _valid(kind: str, parts: list[str]) -> bool:
    """Is ``kind:parts`` an id the core offers: a known kind, its number of parts, each of its shape?"""
    shape = () if kind in ACTIONS else KINDS.get("inv+" if kind == "inv" and len(parts) == 2 else kind)
    return shape is not None and len(shape) == len(parts) and all(_fits(p, s) for p, s in zip(parts, shape))


def _fits(part: str, shape: object) -> bool:
    if isinstance(shape, set):
        return part in shape
    return bool(shape.fullmatch(part))  # type: ignore[attr-defined]
