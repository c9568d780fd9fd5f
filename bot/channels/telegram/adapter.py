"""Telegram updates in, the core's replies out: the aiogram router of the Telegram channel.

* A message becomes ``Incoming(text=…)``; a button press becomes ``Incoming(choice=…)``. Telegram's
  ``update_id`` and the bot's id are passed on, so the core ignores an update delivered twice.
* Every callback query is answered. A press the core accepts edits the pressed message to show the
  answer and drops its keyboard, so an old keyboard cannot change an answer later by accident; a
  stale press gets the core's short notice in the callback answer, and its keyboard is dropped too.
* Replies go out through the channel contract (``bot.channels.base.deliver``): splitting, numbered
  lists and documents are handled there. Updates reach the router from the inbox
  (``bot.channels.inbox``), which stores them first and keeps one chat's updates in order.
* A chat that blocked the bot (HTTP 403, or Telegram's ``my_chat_member`` "kicked") is recorded on
  its channel identity and not retried; "member" (the user restarted the bot) clears it.
* The command menu is Vietnamese (English for English-language apps); a supervisor's chat gets the
  longer supervisor menu once they are registered.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable, Iterable, Protocol

from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    ChatMemberUpdated,
    Message,
    Update,
)
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.channels.base import deliver, private_only
from bot.channels.telegram.channel import CONTEXT_SEP, NAME as CHANNEL, TEXT_LIMIT, TelegramChannel, chat_target
from handlers.commands import descriptions
from handlers.events import Incoming, Outgoing
from reports.i18n import use_locale
from storage import access, repo

log = logging.getLogger(__name__)

CALLBACK_ANSWER_LIMIT = 200
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
ANSWERED_MARK = "✅"


class CoreLike(Protocol):  # the shape the channel needs from handlers.core.Core
    async def handle(self, event: Incoming) -> list[Outgoing]: ...


async def set_commands(bot: Bot, scope: BotCommandScopeChat | None = None, supervisor: bool = False) -> None:
    """The command menu: Vietnamese by default, English for English-language Telegram apps; the
    supervisor's menu (for one chat) adds their commands."""
    for language in ("vi", "en"):
        with use_locale(language):
            commands = [BotCommand(command=name, description=text) for name, text in descriptions(supervisor)]
        await bot.set_my_commands(commands, scope=scope, language_code=None if language == "vi" else language)


def chat_of(update: dict[str, Any]) -> str | None:
    """The chat an update (as Telegram sends it) belongs to: its per-chat order key."""
    for kind in ("message", "edited_message", "my_chat_member"):
        if isinstance(update.get(kind), dict):
            return str((update[kind].get("chat") or {}).get("id"))
    query = update.get("callback_query")
    if isinstance(query, dict):
        chat = ((query.get("message") or {}).get("chat") or {}).get("id")
        return str(chat if chat is not None else (query.get("from") or {}).get("id"))
    return None


class TelegramUpdates:
    """Translates aiogram updates for the core; attach it to a Dispatcher with :meth:`attach`."""

    def __init__(
        self,
        core: CoreLike,
        sessions: async_sessionmaker[AsyncSession],
        channel: TelegramChannel,
        *,
        on_handled: Callable[[int], Any] | None = None,
    ) -> None:
        self.core = core
        self.sessions = sessions
        self.channel = channel
        self.bot_id = str(channel.bot.id)
        self.on_handled = on_handled
        self._menus: set[str] = set()  # chats whose command menu fits their role already
        self.router = Router(name="danvan-telegram")
        self.router.message.register(self.on_message)
        self.router.edited_message.register(self.on_edited)
        self.router.callback_query.register(self.on_callback)
        self.router.my_chat_member.register(self.on_member, F.chat.type == "private")

    def attach(self, dispatcher: Dispatcher) -> None:
        dispatcher.update.outer_middleware(self._report)
        dispatcher.include_router(self.router)

    async def _report(
        self, handler: Callable[[Update, dict[str, Any]], Awaitable[Any]], update: Update, data: dict[str, Any]
    ) -> Any:
        try:
            return await handler(update, data)
        finally:
            if self.on_handled is not None:
                self.on_handled(update.update_id)

    # ------------------------------------------------------------------ incoming

    async def on_message(self, message: Message, bot: Bot, event_update: Update, recovered: bool = False) -> None:
        user = message.from_user
        chat_id = str(message.chat.id)
        if message.chat.type != "private":  # groups are refused: see bot.channels.base.private_only
            if (message.text or "").startswith("/"):
                await self.send(chat_id, [private_only()])
            return
        event = Incoming(
            CHANNEL, chat_id, str(user.id) if user else chat_id, update_id=str(event_update.update_id),
            text=message.text if message.text is not None else message.caption,
            display_name=user.full_name if user else "", bot=self.bot_id, message_ref=str(message.message_id),
            recovered=recovered,
        )
        await self.send(chat_id, await self.core.handle(event))
        if chat_id not in self._menus and message.chat.type == "private":
            await self._supervisor_menu(bot, chat_id, event.user_id)

    async def on_edited(self, message: Message, event_update: Update, recovered: bool = False) -> None:
        """An answer corrected with Telegram's *Edit*: the core applies it to the answer it gave."""
        if message.chat.type != "private" or message.text is None:
            return
        user = message.from_user
        chat_id = str(message.chat.id)
        event = Incoming(CHANNEL, chat_id, str(user.id) if user else chat_id, update_id=str(event_update.update_id),
                         text=message.text, bot=self.bot_id, message_ref=str(message.message_id), edited=True,
                         recovered=recovered)
        await self.send(chat_id, await self.core.handle(event))

    async def on_callback(self, query: CallbackQuery, bot: Bot, event_update: Update, recovered: bool = False) -> None:
        message = query.message
        choice, _sep, context = (query.data or "").partition(CONTEXT_SEP)
        if message is None or not choice:  # a press on an inline-mode message: nothing of ours
            await self._answer(bot, query)
            return
        chat_id = str(message.chat.id)
        if message.chat.type != "private":
            await self._answer(bot, query, private_only().text)
            return
        event = Incoming(
            CHANNEL, chat_id, str(query.from_user.id), update_id=str(event_update.update_id),
            choice=choice, context=context or None, display_name=query.from_user.full_name, bot=self.bot_id,
            recovered=recovered,
        )
        answered = False
        try:
            replies = await self.core.handle(event)
            stale = next((o for o in replies if o.meta.get("stale")), None)
            await self._answer(bot, query, stale.text if stale else None)
            answered = True
            if stale is not None:
                await self._drop_keyboard(bot, message)
                replies = [o for o in replies if o is not stale]
            elif replies:  # empty: a repeated update the core ignored
                await self._show_answer(bot, message, query.data or "")
        finally:
            if not answered:
                await self._answer(bot, query)
        await self.send(chat_id, replies)

    async def on_member(self, update: ChatMemberUpdated) -> None:
        """Telegram tells the bot when a user blocks it (``kicked``) or restarts it (``member``)."""
        status = update.new_chat_member.status
        await self._set_blocked(str(update.chat.id), status in ("kicked", "left"))

    # ------------------------------------------------------------------ outgoing

    async def send(self, chat_id: str, replies: Iterable[Outgoing]) -> list[str]:
        """Send the core's replies; returns the chats found to have blocked the bot (recorded)."""
        return await deliver(self.channel, chat_id, list(replies), self._blocked)

    async def _blocked(self, chat_id: str) -> None:
        await self._set_blocked(chat_id, True)

    async def _answer(self, bot: Bot, query: CallbackQuery, text: str | None = None) -> None:
        if text and len(text) > CALLBACK_ANSWER_LIMIT:
            text = text[: CALLBACK_ANSWER_LIMIT - 1] + "…"
        try:
            await bot.answer_callback_query(query.id, text=text)
        except TelegramBadRequest as err:  # e.g. the query is too old to answer
            log.debug("callback query not answered: %s", err.message)

    async def _show_answer(self, bot: Bot, message: Any, data: str) -> None:
        """Edit the pressed message: the chosen label under the text, and no keyboard any more."""
        markup = getattr(message, "reply_markup", None)
        text = getattr(message, "text", None)
        label = None
        if markup is not None:
            label = next((b.text for row in markup.inline_keyboard for b in row if b.callback_data == data), None)
        try:
            if text and label and len(text) + len(label) + 4 <= TEXT_LIMIT:
                # editMessageText without reply_markup also removes the inline keyboard
                await bot.edit_message_text(f"{text}\n\n{ANSWERED_MARK} {label}", chat_id=message.chat.id,
                                            message_id=message.message_id)
            elif markup is not None:
                await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=message.message_id)
        except TelegramBadRequest as err:  # not modified, or too old to edit
            log.debug("pressed message not edited: %s", err.message)
        except TelegramForbiddenError:
            await self._set_blocked(str(message.chat.id), True)

    async def _drop_keyboard(self, bot: Bot, message: Any) -> None:
        if isinstance(message, Message) and message.reply_markup is None:
            return
        try:
            await bot.edit_message_reply_markup(chat_id=message.chat.id, message_id=message.message_id)
        except TelegramBadRequest as err:
            log.debug("keyboard not removed: %s", err.message)
        except TelegramForbiddenError:
            await self._set_blocked(str(message.chat.id), True)

    async def _supervisor_menu(self, bot: Bot, chat_id: str, user_id: str) -> None:
        """Once a chat belongs to a registered user, a supervisor gets the longer command menu
        (invite codes, deadlines) in that chat; checked once per chat and process."""
        async with self.sessions() as session:
            user = await repo.user_for(session, CHANNEL, user_id)
        if user is None:
            return
        self._menus.add(chat_id)
        if access.is_supervisor(user):
            try:
                await set_commands(bot, BotCommandScopeChat(chat_id=chat_target(chat_id)), supervisor=True)
            except (TelegramBadRequest, TelegramForbiddenError) as err:
                log.info("no supervisor menu for chat %s: %s", chat_id, err.message)

    async def _set_blocked(self, chat_id: str, blocked: bool) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_blocked(session, CHANNEL, chat_id, blocked)
