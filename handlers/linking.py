"""One person on two messengers: ``/lienket`` shows a one-time code on the messenger in use; typed
on the other one (or sent there as ``/start CODE``), it adds that messenger to the same user, who
then sees the same drafts on both."""

from __future__ import annotations

from datetime import timedelta

from handlers.commands import cmd
from handlers.context import Ctx, Mode
from handlers.events import Outgoing
from handlers.invites import new_code
from reports.i18n import _
from storage import repo
from storage.models import OrgUnit, User

LINK_MINUTES = 15


async def show_code(ctx: Ctx, arg: str) -> list[Outgoing]:
    code = new_code()
    await repo.create_link_code(ctx.session, code, ctx.user.id, ctx.now() + timedelta(minutes=LINK_MINUTES))
    return [Outgoing(_("Link code: {code}\nOn the other messenger (Zalo or Telegram), open the assistant and "
                       "send this code within {minutes} minutes. You will then see the same reports there; "
                       "reminders go to the messenger you used last.").format(code=code, minutes=LINK_MINUTES))]


async def redeem(ctx: Ctx, code: str) -> User | None:
    """Use ``code`` as a link code for this chat's user; the user, or None if it is not one."""
    event = ctx.event
    user = await repo.use_link_code(ctx.session, code, ctx.now(), event.channel, event.user_id, event.chat_id)
    if user is None:
        return None
    ctx.user = user
    ctx.conv.user_id = user.id
    ctx.set_mode(Mode.idle)
    return user


async def linked(ctx: Ctx, user: User) -> list[Outgoing]:
    org = await ctx.session.get(OrgUnit, user.org_unit_id)
    return [Outgoing(_("Linked: {name} ({org}) now uses the assistant here too. Type {cont} to continue a "
                       "report.").format(name=user.full_name, org=org.name, cont=cmd("continue")))]
