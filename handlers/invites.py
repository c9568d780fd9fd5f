"""Invite codes: creating them for an org unit and a role, and the supervisor's chat command.

An administrator creates codes on the command line (``danvan invite create``, in ``bot/admin_cli.py``);
a supervisor creates them in the chat for their own org unit and the units below it, either in one
line (``/moi officer DONG_SON 3 14``: role, unit code, uses, days) or guided by buttons (``/moi``:
the role, then the unit). The person invited registers with ``/start CODE`` (the core redeems it).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.choices import encode
from handlers.commands import cmd
from handlers.context import Ctx, Mode
from handlers.events import Choice, Outgoing
from reports.i18n import _
from handlers.parsing import fold
from reports.clock import vn_today
from reports.formatting import fmt_date
from storage import access, repo
from storage.models import Invite, OrgUnit, Role, User

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
CODE_LENGTH = 8
DEFAULT_USES = 1
DEFAULT_DAYS = 14
MAX_USES = 1000
MAX_DAYS = 365
MAX_UNIT_CHOICES = 20
INVITE_ROLES = (Role.officer, Role.leader, Role.supervisor)
_ROLE_WORDS = {
    "officer": Role.officer, "can bo": Role.officer, "canbo": Role.officer,
    "leader": Role.leader, "lanh dao": Role.leader, "lanhdao": Role.leader,
    "supervisor": Role.supervisor, "cap tren": Role.supervisor, "captren": Role.supervisor,
    "giam sat": Role.supervisor, "giamsat": Role.supervisor,
}

class InviteError(ValueError):
    """The invite cannot be created; ``str(err)`` is the message for the person who asked."""


def role_label(role: Role | str) -> str:
    labels = {
        Role.officer: _("officer"),
        Role.leader: _("commune leader"),
        Role.supervisor: _("supervisor"),
    }
    return labels.get(Role(role), str(role))


def parse_role(word: str) -> Role:
    role = _ROLE_WORDS.get(fold(word).replace("_", " ").replace("-", " "))
    if role is None:
        raise InviteError(_("Unknown role “{word}”: use officer, leader or supervisor.").format(word=word))
    return role


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _bounded(value: int | str | None, default: int, maximum: int, message: str) -> int:
    if value is None:
        return default
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or not 1 <= int(text) <= maximum:
        raise InviteError(message.format(max=maximum))
    return int(text)


async def create_invite(
    session: AsyncSession,
    org: OrgUnit,
    role: Role | str,
    *,
    uses: int | str | None,
    days: int | str | None,
    now: datetime,
    created_by: int | None = None,
) -> Invite:
    """A new invite with a fresh random code; ``uses``/``days`` default to one use within two weeks."""
    if not isinstance(role, Role):
        role = parse_role(role)
    if role not in INVITE_ROLES:
        raise InviteError(_("Unknown role “{word}”: use officer, leader or supervisor.").format(word=role.value))
    n_uses = _bounded(uses, DEFAULT_USES, MAX_USES,
                      _("The number of uses must be a whole number from 1 to {max}."))
    n_days = _bounded(days, DEFAULT_DAYS, MAX_DAYS,
                      _("The number of days must be a whole number from 1 to {max}."))
    code = new_code()
    while await repo.find_invite(session, code) is not None:  # pragma: no cover - 32^8 codes
        code = new_code()
    return await repo.create_invite(
        session, code, org.id, role, uses_left=n_uses, expires_at=now + timedelta(days=n_days),
        created_by=created_by,
    )


def describe(invite: Invite, org: OrgUnit) -> str:
    """What the code is for, how often and until when it can be used, and how to use it."""
    lines = [
        _("Invite code: {code}").format(code=invite.code),
        _("For: {org} ({org_code}), as {role}.").format(org=org.name, org_code=org.code, role=role_label(invite.role)),
    ]
    if invite.expires_at is not None:
        until = fmt_date(vn_today(invite.expires_at))
        lines.append(_("It can be used {n} time(s), until {date}.").format(n=invite.uses_left, date=until))
    lines.append(_("The person registers by sending /start {code} to the assistant.").format(code=invite.code))
    return "\n".join(lines)


async def _units_for(session: AsyncSession, user: User) -> list[OrgUnit]:
    """The units the supervisor may invite for: their own and every unit below it."""
    return (await access.load_tree(session)).administered_by(user)


def _created(invite: Invite, org: OrgUnit) -> Outgoing:
    return Outgoing(describe(invite, org), meta={"invite_code": invite.code})


async def on_command(ctx: Ctx, arg: str) -> list[Outgoing]:
    """``/moi`` (guided), ``/moi ROLE`` (pick the unit) or ``/moi ROLE UNIT [USES] [DAYS]``."""
    session, user = ctx.session, ctx.user
    if not access.is_supervisor(user):
        return [Outgoing(_("Only supervisors can create invite codes. Ask your supervisor for one."))]
    words = arg.split()
    if not words:
        choices = tuple(Choice(encode("inv", r.value), role_label(r)) for r in INVITE_ROLES)
        ctx.set_mode(Mode.invite, choices=choices)
        return [Outgoing(_("New invite code. For which role?"), choices)]
    if len(words) > 4:
        return [Outgoing(_("Write it as: {cmd} ROLE UNIT_CODE [USES] [DAYS], e.g. {cmd} officer DONG_SON 3 14.").format(
            cmd=cmd("invite")))]
    try:
        role = parse_role(words[0])
        if len(words) == 1:
            return await _pick_unit(ctx, role)
        units = {u.code.upper(): u for u in await _units_for(session, user)}
        org = units.get(words[1].upper())
        if org is None:
            raise InviteError(_("“{code}” is not an org unit you can invite for. Yours: {codes}.").format(
                code=words[1], codes=", ".join(list(units)[:15])))
        invite = await create_invite(session, org, role, uses=_word(words, 2), days=_word(words, 3),
                                     now=ctx.now(), created_by=user.id)
    except InviteError as err:
        return [Outgoing(str(err))]
    return [_created(invite, org)]


def _word(words: list[str], i: int) -> str | None:
    return words[i] if len(words) > i else None


async def _pick_unit(ctx: Ctx, role: Role) -> list[Outgoing]:
    units = await _units_for(ctx.session, ctx.user)
    shown = units[:MAX_UNIT_CHOICES]
    choices = tuple(Choice(encode("inv", role.value, u.id), f"{u.name} ({u.code})") for u in shown)
    ctx.set_mode(Mode.invite, choices=choices)
    text = _("Invite code for the role {role}. For which org unit?").format(role=role_label(role))
    if len(units) > len(shown):
        text += "\n" + _("Only the first {n} are listed; for another unit type {cmd} {role} UNIT_CODE.").format(
            n=len(shown), cmd=cmd("invite"), role=role.value)
    return [Outgoing(text, choices)]


async def on_choice(ctx: Ctx, role_word: str, unit: str = "") -> list[Outgoing]:
    """A press in the guided flow: ``inv:ROLE`` (then pick the unit) or ``inv:ROLE:UNIT_ID`` (create)."""
    if not access.is_supervisor(ctx.user):
        return [Outgoing(_("Only supervisors can create invite codes. Ask your supervisor for one."))]
    try:
        role = parse_role(role_word)
    except InviteError as err:
        return [Outgoing(str(err))]
    if not unit:
        return await _pick_unit(ctx, role)
    org = next((u for u in await _units_for(ctx.session, ctx.user) if str(u.id) == unit), None)
    if org is None:
        return await _pick_unit(ctx, role)
    invite = await create_invite(ctx.session, org, role, uses=None, days=None, now=ctx.now(), created_by=ctx.user.id)
    ctx.set_mode(Mode.idle)
    return [_created(invite, org)]
