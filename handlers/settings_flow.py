"""The commune's settings for the Word file, and the ``/caidat`` command that edits them in the chat.

Settings live in ``OrgUnit.settings`` (JSON) and ``OrgUnit.place_name``; whatever is not set is
derived from the org tree: the parent's name gives the supervising body (``UBND TỈNH BẮC NINH``)
and the first recipient, the unit's own name the issuing body (``ỦY BAN NHÂN DÂN`` / ``XÃ ĐÔNG SƠN``).

In the chat the officer writes one ``name: value`` per line, e.g. ``người ký: Nguyễn Văn An``;
``-`` clears an optional setting. Every line is checked first; when one is wrong nothing is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from handlers.commands import cmd
from handlers.context import Ctx, Mode
from handlers.events import Outgoing
from reports.i18n import _
from handlers.parsing import fold, normalize
from reports.document import Letterhead
from storage import repo
from storage.models import OrgUnit

CLEAR_WORDS = {"-", "không", "khong", "xoa", "xóa", "none"}


@dataclass(frozen=True)
class Setting:
    key: str  # in OrgUnit.settings ("place_name" is the OrgUnit column)
    names: tuple[str, ...]  # what the officer types before ":" (the first is shown)
    label: Callable[[], str]
    optional: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("signer_name", ("người ký", "signer"), lambda: _("signer's full name")),
    Setting("signer_title", ("chức vụ", "title"), lambda: _("signer's title, e.g. CHỦ TỊCH or PHÓ CHỦ TỊCH")),
    Setting("signer_role", ("ký thay", "on behalf"), lambda: _("signing on behalf, e.g. KT. CHỦ TỊCH (- to clear)"),
            optional=True),
    Setting("authority", ("thẩm quyền", "authority"), lambda: _("authority line, e.g. TM. ỦY BAN NHÂN DÂN")),
    Setting("doc_number", ("số", "number"), lambda: _("document number, e.g. 05 (- to leave it blank)"),
            optional=True),
    Setting("doc_symbol", ("ký hiệu", "symbol"), lambda: _("document symbol, e.g. BC-UBND")),
    Setting("recipients", ("nơi nhận", "recipients"), lambda: _("recipients, separated by “;”")),
    Setting("place_name", ("địa danh", "place"), lambda: _("place name for the date line, e.g. Đông Sơn")),
    Setting("supervising_body", ("cơ quan chủ quản", "supervising body"),
            lambda: _("supervising body, e.g. UBND TỈNH BẮC NINH (- to leave it out)"), optional=True),
)
_BY_NAME = {fold(name): s for s in SETTINGS for name in (*s.names, s.key)}
_NAME_RE = re.compile(r"^[^\W\d_]+(?:[ .'-][^\W\d_]+)*$")
_SYMBOL_RE = re.compile(r"^[A-ZĐ0-9]+(?:[-/.][A-ZĐ0-9]+)*$")
MAX_RECIPIENTS = 15


# ---------------------------------------------------------------------------- derived defaults


def _upper(text: str) -> str:
    return " ".join(text.split()).upper()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _place_of(org: OrgUnit) -> str:
    if org.place_name:
        return org.place_name
    for prefix in ("Xã ", "Phường ", "Thị trấn ", "Đặc khu ", "Tỉnh ", "Thành phố ", "Huyện ", "Quận ", "Thị xã "):
        if org.name.startswith(prefix):
            return org.name[len(prefix):]
    return org.name


def defaults(org: OrgUnit, parent: OrgUnit | None) -> dict:
    """Settings derived from the org tree, used where the unit has set nothing."""
    recipients = [f"UBND {_lower_first(parent.name)}"] if parent is not None else []
    return {
        "signer_name": "",
        "signer_title": "CHỦ TỊCH",
        "signer_role": "",
        "authority": "TM. ỦY BAN NHÂN DÂN",
        "doc_number": "",
        "doc_symbol": "BC-UBND",
        "recipients": recipients + ["Lưu: VT, VP"],  # the archive, then the drafting unit (the office)
        "place_name": _place_of(org),
        "supervising_body": f"UBND {_upper(parent.name)}" if parent is not None else "",
        "issuing_body": ["ỦY BAN NHÂN DÂN", _upper(org.name)],
    }


def effective(org: OrgUnit, parent: OrgUnit | None) -> dict:
    values = defaults(org, parent)
    values.update({k: v for k, v in (org.settings or {}).items() if v is not None})
    if org.place_name:
        values["place_name"] = org.place_name
    return values


def letterhead_for(org: OrgUnit, parent: OrgUnit | None, template_symbol: str | None = None) -> Letterhead:
    """The unit's letterhead; ``template_symbol``: the report template's own document symbol, used
    unless the unit set one."""
    s = effective(org, parent)
    if template_symbol and not (org.settings or {}).get("doc_symbol"):
        s["doc_symbol"] = template_symbol
    issuing = s["issuing_body"]
    issuing = [issuing] if isinstance(issuing, str) else list(issuing)
    signer = [s["authority"], s["signer_role"], s["signer_title"]]
    return Letterhead(
        issuing_body=tuple(issuing),
        supervising_body=s["supervising_body"],
        place=s["place_name"],
        doc_number=str(s["doc_number"] or ""),
        doc_symbol=s["doc_symbol"],
        signer_lines=tuple(line for line in signer if line),
        signer_name=s["signer_name"],
        recipients=tuple(s["recipients"]),
    )


def layout_path(org: OrgUnit) -> Path | None:
    """The administrator's own Word layout for this unit (``settings.layout``), if any."""
    path = (org.settings or {}).get("layout")
    return Path(path) if path else None


# ---------------------------------------------------------------------------- the chat command


def show(org: OrgUnit, parent: OrgUnit | None) -> str:
    s = effective(org, parent)
    lines = [_("Settings of the Word file for {org}:").format(org=org.name)]
    for setting in SETTINGS:
        value = s.get(setting.key)
        if isinstance(value, list):
            value = "; ".join(value)
        shown = value or _("(blank)")
        lines.append(f"• {setting.names[0]} — {setting.label()}: {shown}")
    lines += [
        "",
        _("To change them, send one “name: value” per line, e.g.:"),
        "người ký: Nguyễn Văn An",
        "chức vụ: PHÓ CHỦ TỊCH",
        "ký thay: KT. CHỦ TỊCH",
        "nơi nhận: UBND tỉnh Bắc Ninh; Đảng ủy xã; Lưu: VT, VP",
        "",
        _("The names are: {names}.").format(names=", ".join(s.names[0] for s in SETTINGS)),
        _("Type {cont} to go back to the report.").format(cont=cmd("continue")),
    ]
    return "\n".join(lines)


def _check(setting: Setting, value: str) -> tuple[object, str | None]:
    """(value to store, problem); the problem is a message for the officer."""
    if fold(value) in CLEAR_WORDS:
        if setting.optional:
            return "", None
        return None, _("“{name}” cannot be left blank.").format(name=setting.names[0])
    key = setting.key
    if key == "signer_name":
        value = " ".join(value.split())
        if not 2 <= len(value) <= 100 or not _NAME_RE.match(value):
            return None, _("The signer's name must be a person's full name in letters, e.g. Nguyễn Văn An.")
        return value, None
    if key in ("signer_title", "signer_role", "authority", "supervising_body"):
        value = _upper(value)
        if len(value) > 120:
            return None, _("“{name}” is too long: at most {max} characters.").format(name=setting.names[0], max=120)
        return value, None
    if key == "doc_number":
        value = value.strip()
        if not (value.isascii() and value.isdigit()) or len(value) > 6 or int(value) == 0:
            return None, _("The document number is a whole number, e.g. 05.")
        return value, None
    if key == "doc_symbol":
        value = _upper(value).replace(" ", "")
        if len(value) > 30 or not _SYMBOL_RE.match(value):
            return None, _("The document symbol is letters and digits joined by “-”, e.g. BC-UBND.")
        return value, None
    if key == "recipients":
        entries = [" ".join(e.split()).strip(" -•;.") for e in re.split(r"[;\n]", value)]
        entries = [e for e in entries if e]
        if not entries:
            return None, _("Please list at least one recipient, separated by “;”.")
        if len(entries) > MAX_RECIPIENTS:
            return None, _("At most {max} recipients are accepted.").format(max=MAX_RECIPIENTS)
        if any(len(e) > 150 for e in entries):
            return None, _("A recipient is too long: at most {max} characters each.").format(max=150)
        return entries, None
    if key == "place_name":
        value = " ".join(value.split())
        if not 2 <= len(value) <= 60 or any(c.isdigit() for c in value):
            return None, _("The place name is a name of 2 to 60 letters, e.g. Đông Sơn.")
        return value, None
    return None, _("Unknown setting.")  # pragma: no cover - SETTINGS is closed


def parse(text: str) -> tuple[dict[str, object], list[str]]:
    """The changes written in ``text`` and the problems found (empty when all lines are valid)."""
    changes: dict[str, object] = {}
    problems: list[str] = []
    lines = [line for line in normalize(text).splitlines() if line.strip()]
    if not lines:
        return {}, [_("Please write a setting as “name: value”, e.g. người ký: Nguyễn Văn An.")]
    for n, line in enumerate(lines, start=1):
        name, sep, value = line.partition(":")
        prefix = _("Line {n}: ").format(n=n) if len(lines) > 1 else ""
        if not sep:
            problems.append(prefix + _("write “name: value”, e.g. người ký: Nguyễn Văn An."))
            continue
        setting = _BY_NAME.get(fold(name.strip(" -•")))
        if setting is None:
            problems.append(prefix + _("“{name}” is not a setting. The names are: {names}.").format(
                name=name.strip(), names=", ".join(s.names[0] for s in SETTINGS)))
            continue
        if not value.strip():
            problems.append(prefix + _("the value of “{name}” is empty.").format(name=setting.names[0]))
            continue
        stored, problem = _check(setting, value.strip())
        if problem:
            problems.append(prefix + problem)
        else:
            changes[setting.key] = stored
    return changes, problems


def apply(org: OrgUnit, changes: dict[str, object]) -> None:
    settings = dict(org.settings or {})
    for key, value in changes.items():
        if key == "place_name":
            org.place_name = str(value)
        else:
            settings[key] = value
    org.settings = settings


def handle(org: OrgUnit, parent: OrgUnit | None, text: str) -> tuple[str, bool]:
    """Apply the settings written in ``text``: (reply, stored). Nothing is stored on any problem."""
    changes, problems = parse(text)
    if problems:
        return "\n".join([_("Nothing was changed:"), *problems]), False
    apply(org, changes)
    names = ", ".join(s.names[0] for s in SETTINGS if s.key in changes)
    return _("Saved: {names}.").format(names=names) + "\n\n" + show(org, parent), True


async def on_command(ctx: Ctx, text: str) -> list[Outgoing]:
    """``/caidat``: show the Word file's settings, or store the ``name: value`` lines written (then
    or in the next message)."""
    org, parent = await repo.org_and_parent(ctx.session, ctx.user.org_unit_id)
    if not text.strip():
        ctx.set_mode(Mode.settings)
        return [Outgoing(show(org, parent))]
    reply, stored = handle(org, parent, text)
    if stored:
        ctx.session.add(org)
        if ctx.mode is Mode.settings:
            ctx.set_mode(Mode.idle)
    return [Outgoing(reply)]
