"""The main menu of a registered user: an officer starts or continues a report; a supervisor sees
who has submitted and gets the compiled report."""

from __future__ import annotations

from handlers.choices import encode
from handlers.context import Ctx, Mode
from handlers.events import Choice, Outgoing
from reports.i18n import _
from storage import access, repo


async def show(ctx: Ctx, prefix: str | None = None) -> list[Outgoing]:
    if access.is_supervisor(ctx.user):
        choices = [Choice(encode("status"), _("Who has submitted")), Choice(encode("compile"), _("Compiled report"))]
    else:
        choices = [Choice(encode("new"), _("Start a new report"))]
        if await repo.drafts_of(ctx.session, ctx.user.org_unit_id):
            choices.append(Choice(encode("continue"), _("Continue a report in progress")))
    choices.append(Choice(encode("help"), _("Help")))
    ctx.set_mode(Mode.idle, choices=tuple(choices))
    return [Outgoing(prefix or _("What would you like to do?"), tuple(choices))]
