"""The main menu of a registered user: start a report, continue one in progress, help."""

from __future__ import annotations

from handlers.choices import encode
from handlers.context import Ctx, Mode
from handlers.events import Choice, Outgoing
from reports.i18n import _
from storage import repo


async def show(ctx: Ctx, prefix: str | None = None) -> list[Outgoing]:
    choices = [Choice(encode("new"), _("Start a new report"))]
    if await repo.drafts_of(ctx.session, ctx.user.org_unit_id):
        choices.append(Choice(encode("continue"), _("Continue a report in progress")))
    choices.append(Choice(encode("help"), _("Help")))
    ctx.set_mode(Mode.idle, choices=tuple(choices))
    return [Outgoing(prefix or _("What would you like to do?"), tuple(choices))]
