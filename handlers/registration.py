"""Registration: an invite code, then the full name; and the language, which anyone may change."""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers import linking, menu, screens
from handlers.commands import cmd
from handlers.context import Ctx, Mode
from handlers.events import Outgoing
from reports.i18n import _, use_locale
from storage import repo
from storage.models import OrgUnit


async def help_unregistered(ctx: Ctx, arg: str) -> list[Outgoing]:
    return [Outgoing(screens.help_text(registered=False))]


async def start(ctx: Ctx, arg: str) -> list[Outgoing]:
    """``/start`` asks for the code; ``/start CODE`` (Telegram's deep link) redeems it."""
    if not arg:
        ctx.set_mode(Mode.await_code)
        return [Outgoing(_("Welcome! Please send the invite code you received from your supervisor."))]
    return await redeem(ctx, arg)


async def register_first(ctx: Ctx, arg: str) -> list[Outgoing]:
    return [Outgoing(_("Please register first: send your invite code, e.g. /start ABC123."))]


FREE_TRIES = 5  # wrong codes before the pauses begin
FIRST_PAUSE = 30  # seconds; doubling with each further wrong code, at most an hour
MAX_PAUSE = 3600


def _throttled(ctx: Ctx) -> int:
    """Seconds this chat must still wait before its next code is looked at (0: none)."""
    until = (ctx.conv.data.get("throttle") or {}).get("until")
    left = (datetime.fromisoformat(until) - ctx.now()).total_seconds() if until else 0
    return int(left) + 1 if left > 0 else 0


def _wrong_code(ctx: Ctx) -> None:
    throttle = dict(ctx.conv.data.get("throttle") or {})
    tries = int(throttle.get("tries", 0)) + 1
    throttle["tries"] = tries
    if tries >= FREE_TRIES:
        pause = min(MAX_PAUSE, FIRST_PAUSE * 2 ** (tries - FREE_TRIES))
        throttle["until"] = (ctx.now() + timedelta(seconds=pause)).isoformat()
    ctx.conv.data = {**ctx.conv.data, "throttle": throttle}


async def redeem(ctx: Ctx, code: str) -> list[Outgoing]:
    if not code:
        return [Outgoing(_("Please send your invite code."))]
    wait = _throttled(ctx)
    if wait:
        minutes = max(1, (wait + 59) // 60)
        return [Outgoing(_("Too many wrong codes from this chat. Please wait {minutes} minute(s), then send "
                           "the code again exactly as your supervisor gave it.").format(minutes=minutes))]
    code = code.strip().upper()[:40]
    invite = await repo.find_invite(ctx.session, code)
    problem = repo.invite_problem(invite, ctx.now())
    if problem == "unknown":  # perhaps a link code from the person's other messenger
        user = await linking.redeem(ctx, code)
        if user is not None:
            return await linking.linked(ctx, user)
        _wrong_code(ctx)
    if problem:
        msg = {
            "unknown": _("The invite code “{code}” is not known. Check it and send it again."),
            "used": _("The invite code “{code}” has already been used up. Ask your supervisor for a new one."),
            "expired": _("The invite code “{code}” has expired. Ask your supervisor for a new one."),
        }[problem]
        ctx.set_mode(Mode.await_code)
        return [Outgoing(msg.format(code=code))]
    ctx.set_mode(Mode.await_name, invite=code)
    return [Outgoing(_("The code is valid. What is your full name?"))]


async def finish(ctx: Ctx, name: str) -> list[Outgoing]:
    if not 2 <= len(name) <= 100 or name.startswith("/"):
        return [Outgoing(_("Please type your full name, e.g. Nguyễn Văn An."))]
    invite = await repo.find_invite(ctx.session, ctx.conv.data.get("invite", ""))
    if repo.invite_problem(invite, ctx.now()):
        ctx.set_mode(Mode.await_code)
        return [Outgoing(_("The invite code can no longer be used. Please send a new code."))]
    event = ctx.event
    user = await repo.register(ctx.session, invite, event.channel, event.user_id, event.chat_id, name, ctx.now())
    if user is None:  # the last use went to someone else a moment ago
        ctx.set_mode(Mode.await_code)
        return [Outgoing(_("The invite code can no longer be used. Please send a new code."))]
    user.locale = ctx.conv.data.get("locale", user.locale)
    ctx.user = user
    ctx.conv.user_id = user.id
    org = await ctx.session.get(OrgUnit, user.org_unit_id)
    ctx.set_mode(Mode.idle)
    welcome = Outgoing(_("Thank you, {name}. You are registered for {org}.").format(name=name, org=org.name))
    return [welcome, *await menu.show(ctx)]


async def language(ctx: Ctx, arg: str) -> list[Outgoing]:
    locale = arg.strip().lower()[:2]
    if locale not in ("vi", "en"):
        return [Outgoing(_("Choose a language: {cmd} vi or {cmd} en.").format(cmd=cmd("language")))]
    if ctx.user:
        ctx.user.locale = locale
        ctx.session.add(ctx.user)
    ctx.conv.data = {**ctx.conv.data, "locale": locale}
    with use_locale(locale):
        return [Outgoing(_("Language set to English.") if locale == "en" else _("Language set to Vietnamese."))]
