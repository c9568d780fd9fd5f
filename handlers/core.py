"""The conversation core: one Incoming event in, a list of Outgoing messages out.

Each event is handled in one database transaction: the update id is claimed (per channel and bot,
so a repeated delivery is a no-op), the chat's conversation row is loaded (and locked on
PostgreSQL), the input is routed by the declared flow (``handlers.flow``) to its handler, and the
transaction commits before the replies are returned to the channel that sends them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import filling, flow
from handlers.choices import ACTIONS, decode
from handlers.commands import parse_command, parse_phrase
from handlers.context import Ctx, Mode, Services
from handlers.events import Incoming, Outgoing
from handlers.flood import ChatRate, Verdict
from handlers.parsing import match_choice, normalize
from reports.clock import Clock
from reports.i18n import _, use_locale
from reports.schema import Template
from storage import repo
from storage.models import utcnow

log = logging.getLogger(__name__)


class Core:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        templates: dict[str, Template],
        clock: Clock = utcnow,
        rate: ChatRate | None = None,
    ) -> None:
        self.sessions = sessions
        self.services = Services(templates, clock)
        self.rate = rate or ChatRate()  # how fast one chat may send (handlers/flood.py)

    @property
    def templates(self) -> dict[str, Template]:
        return self.services.templates

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def files_dir(self) -> Path | None:
        """Where Word files are written; None: ``handlers.output.default_files_dir()``."""
        return self.services.files_dir

    @files_dir.setter
    def files_dir(self, value: Path | None) -> None:
        self.services.files_dir = value

    async def handle(self, event: Incoming) -> list[Outgoing]:
        verdict = self.rate.admit(event.channel, event.chat_id)
        if verdict is Verdict.refuse:
            return []
        if verdict is Verdict.refuse_with_notice:  # logged once a run, so that a flood does not flood the log
            log.warning("%s chat %s sends faster than it may: its updates are not handled for now",
                        event.channel, event.chat_id)
            with use_locale(None):
                return [Outgoing(_("You are sending messages faster than the assistant can take them: the last "
                                   "ones were not handled. Please wait a few seconds, then send your answer "
                                   "again."))]
        try:
            return await self._handle(event)
        except Exception:  # the transaction rolled back: nothing half-stored; the update may be resent
            log.exception("failed to handle an event from %s chat %s", event.channel, event.chat_id)
            with use_locale(None):
                return [Outgoing(_("Sorry, something went wrong and nothing was saved. Please send it again."))]

    async def _handle(self, event: Incoming) -> list[Outgoing]:
        async with self.sessions() as session:
            async with session.begin():
                claimed = event.update_id is None or await repo.claim_update(
                    session, event.channel, event.bot, str(event.update_id))
                if not claimed and not event.recovered:
                    return []  # a repeated delivery: no effect
                conv = await repo.conversation_for(session, event.channel, event.chat_id)
                found = await repo.user_and_identity(session, event.channel, event.user_id)
                user = found[0] if found is not None else None
                if found is not None:
                    repo.note_seen(session, found[1], self.clock())
                with use_locale(user.locale if user else conv.data.get("locale")):
                    ctx = Ctx(session, event, conv, user, self.services)
                    out = await self._dispatch(ctx) if claimed else await self._screen_again(ctx)
                session.add(conv)
        return out

    async def _screen_again(self, ctx: Ctx) -> list[Outgoing]:
        """A recovered update that was handled before the process died: its effect is stored, its
        reply may be lost, so the chat gets the screen it is at now (as /tieptuc shows it)."""
        if ctx.user is None:
            return []
        return await flow.route(True, ctx.mode, "/continue").handler(ctx, "")

    async def _dispatch(self, ctx: Ctx) -> list[Outgoing]:
        """Name the input (a command, a choice, or text), then let the flow's table route it."""
        text = normalize(ctx.event.text or "")
        registered = ctx.user is not None
        if ctx.event.edited:  # an edit of a message sent before: never a new command or answer
            return await filling.edited(ctx, text) if registered else []
        command = parse_command(text) if text else None
        if command:
            action, arg = command
            trigger = "/" + ("*" if action == "unknown" else action)
            return await flow.route(registered, ctx.mode, trigger).handler(ctx, arg)
        if not registered:
            return await flow.route(False, ctx.mode, flow.TEXT).handler(ctx, text)
        choice = ctx.event.choice or self._typed_choice(ctx, text)
        phrase = parse_phrase(text) if choice is None and ctx.mode is not Mode.question else None
        if phrase is not None:  # a command typed as words ("tiep tuc") away from a question
            return await flow.route(True, ctx.mode, "/" + phrase[0]).handler(ctx, "")
        if choice is not None:
            if ctx.event.context is not None and ctx.event.context != ctx.conv.current_key:
                return filling.stale()
            pick = decode(choice)
            if pick is None:  # not an id the core could have offered: a forged or very old button
                return filling.stale()
            if pick.kind in ACTIONS:
                return await flow.route(True, ctx.mode, "/" + pick.kind).handler(ctx, "")
            row = flow.route(True, ctx.mode, f"choice:{pick.kind}")
            return await row.handler(ctx, *pick.args) if pick.args else await row.handler(ctx, "")
        return await flow.route(True, ctx.mode, flow.TEXT).handler(ctx, text)

    @staticmethod
    def _typed_choice(ctx: Ctx, text: str) -> str | None:
        """On menu screens, a typed number or label stands for the choice it names."""
        offered = ctx.offered()
        if not offered or not text or ctx.mode is Mode.question:
            return None
        return match_choice(offered, text)
