"""The Telegram channel: aiogram updates in, the core's replies out as Bot API calls. Nothing more.

* A message becomes ``Incoming(text=…)``; a button press becomes ``Incoming(choice=…)``. Telegram's
  ``update_id`` is passed on, so the core ignores an update delivered twice.
* Choices become inline buttons whose callback data is the choice id (at most 64 bytes); on a
  question screen the question key is appended after ``|`` so that the core can tell a press on an
  older question's buttons (``Incoming.context``). Several-choice questions (``multi``) and choices
  too long for callback data are shown as a numbered list to type instead.
* Every callback query is answered. A press the core accepts edits the pressed message to show the
  answer and drops its keyboard, so an old keyboard cannot change an answer later by accident; a
  stale press gets the core's short notice in the callback answer, and its keyboard is dropped too.
* Text is split at 4,096 characters (``handlers.text.split_message``); files go as documents.
* Two updates of one chat are handled one after the other (a lock per chat around the whole
  handling, replies included); different chats run concurrently.
* A chat that blocked the bot (HTTP 403, or Telegram's ``my_chat_member`` "kicked") is recorded on
  its channel identity and not retried; "member" (the user restarted the bot) clears it.
* The command menu is Vietnamese (English for English-language apps); a supervisor's chat gets the
  longer supervisor menu once they are registered.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Callable, Iterable, Protocol

from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    ChatMemberUpdated,
    FSInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.commands import descriptions
from handlers.events import Choice, Incoming, Outgoing
from reports.i18n import use_locale
from handlers.text import split_message
from storage import repo
from storage.models import Role

log = logging.getLogger(__name__)

CHANNEL = "telegram"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
CONTEXT_SEP = "|"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
ANSWERED_MARK = "✅"


class CoreLike(Protocol):  # the shape the channel needs from handlers.core.Core
    async def handle(self, event: Incoming) -> list[Outgoing]: ...


def deep_link(username: str, code: str) -> str:
    return f"https://t.me/{username}?start={code}"


def callback_data(choice: Choice, context: str | None = None) -> str | None:
    """The callback data for ``choice`` (qualified with the question key when it fits), or None
    when even the bare id exceeds Telegram's 64 bytes."""
    if context:
        qualified = f"{choice.id}{CONTEXT_SEP}{context}"
        if len(qualified.encode()) <= CALLBACK_DATA_LIMIT:
            return qualified
    return choice.id if len(choice.id.encode()) <= CALLBACK_DATA_LIMIT else None


def render(out: Outgoing, username: str | None = None) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The message texts (each within 4,096 characters) and the inline keyboard for the last one."""
    text = out.text
    keyboard = None
    if out.choices:
        context = out.meta.get("key") if out.meta.get("screen") == "question" else None
        data = [callback_data(c, context) for c in out.choices]
        if out.multi or None in data:
            text += "\n\n" + "\n".join(f"{n}. {c.label}" for n, c in enumerate(out.choices, start=1))
        else:
            keyboard = InlineKeyboardMarkup(inline_keyboard=[
                [InlineKeyboardButton(text=c.label, callback_data=d)] for c, d in zip(out.choices, data)
            ])
    code = out.meta.get("invite_code")
    if code and username:
        text += f"\n🔗 {deep_link(username, code)}"
    return split_text(text), keyboard


def utf16_len(text: str) -> int:
    """Telegram measures text in UTF-16 code units: an emoji such as 💡 counts twice."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most ``limit`` UTF-16 units, cut at line breaks where possible."""
    return [chunk for chunk in split_message(text, limit, length=utf16_len) if chunk.strip()]


async def set_commands(bot: Bot, scope: BotCommandScopeChat | None = None, supervisor: bool = False) -> None:
    """The command menu: Vietnamese by default, English for English-language Telegram apps; the
    supervisor's menu (for one chat) adds their commands."""
    for language in ("vi", "en"):
        with use_locale(language):
            commands = [BotCommand(command=name, description=text) for name, text in descriptions(supervisor)]
        await bot.set_my_commands(commands, scope=scope, language_code=None if language == "vi" else language)


def _chat_id(value: str) -> int | str:
    return int(value) if value.lstrip("-").isdigit() else value


def _chat_key(update: Update) -> str | None:
    if update.message is not None:
        return str(update.message.chat.id)
    if update.callback_query is not None:
        query = update.callback_query
        return str(query.message.chat.id) if query.message is not None else str(query.from_user.id)
    if update.my_chat_member is not None:
        return str(update.my_chat_member.chat.id)
    return None


class TelegramChannel:
    """Translates between aiogram and the core; attach it to a Dispatcher with :meth:`attach`."""

    def __init__(
        self,
        core: CoreLike,
        sessions: async_sessionmaker[AsyncSession],
        *,
        on_handled: Callable[[int], Any] | None = None,
    ) -> None:
        self.core = core
        self.sessions = sessions
        self.on_handled = on_handled
        self._locks: dict[str, list[Any]] = {}  # chat -> [lock, holders and waiters]
        self._menus: set[str] = set()  # chats whose command menu fits their role already
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.router = Router(name="danvan-telegram")
        self.router.message.register(self.on_message)
        self.router.callback_query.register(self.on_callback)
        self.router.my_chat_member.register(self.on_member, F.chat.type == "private")

    def attach(self, dispatcher: Dispatcher) -> None:
        dispatcher.update.outer_middleware(self._serialise)
        dispatcher.include_router(self.router)

    # ------------------------------------------------------------------ ordering and draining

    @asynccontextmanager
    async def _chat_lock(self, key: str) -> AsyncIterator[None]:
        entry = self._locks.get(key)
        if entry is None:
            entry = self._locks[key] = [asyncio.Lock(), 0]
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                del self._locks[key]

    async def _serialise(
        self, handler: Callable[[Update, dict[str, Any]], Awaitable[Any]], update: Update, data: dict[str, Any]
    ) -> Any:
        self._in_flight += 1
        self._idle.clear()
        try:
            key = _chat_key(update)
            if key is None:
                return await handler(update, data)
            async with self._chat_lock(key):
                return await handler(update, data)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()
            if self.on_handled is not None:
                self.on_handled(update.update_id)

    async def drain(self, timeout: float = 30.0) -> bool:
        """Wait until no update is being handled (before closing the database); False on timeout."""
        for _turn in range(3):  # let update tasks created just before the stop begin and be counted
            await asyncio.sleep(0)
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except asyncio.TimeoutError:
            log.warning("%d updates were still being handled after %.0f s", self._in_flight, timeout)
            return False
        return True

    # ------------------------------------------------------------------ incoming

    async def on_message(self, message: Message, bot: Bot, event_update: Update) -> None:
        user = message.from_user
        chat_id = str(message.chat.id)
        event = Incoming(
            CHANNEL, chat_id, str(user.id) if user else chat_id, update_id=str(event_update.update_id),
            text=message.text if message.text is not None else message.caption,
            display_name=user.full_name if user else "",
        )
        await self.send(bot, chat_id, await self.core.handle(event))
        if chat_id not in self._menus and message.chat.type == "private":
            await self._supervisor_menu(bot, chat_id, event.user_id)

    async def on_callback(self, query: CallbackQuery, bot: Bot, event_update: Update) -> None:
        message = query.message
        choice, _sep, context = (query.data or "").partition(CONTEXT_SEP)
        if message is None or not choice:  # a press on an inline-mode message: nothing of ours
            await self._answer(bot, query)
            return
        chat_id = str(message.chat.id)
        event = Incoming(
            CHANNEL, chat_id, str(query.from_user.id), update_id=str(event_update.update_id),
            choice=choice, context=context or None, display_name=query.from_user.full_name,
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
        await self.send(bot, chat_id, replies)

    async def on_member(self, update: ChatMemberUpdated) -> None:
        """Telegram tells the bot when a user blocks it (``kicked``) or restarts it (``member``)."""
        status = update.new_chat_member.status
        await self._set_blocked(str(update.chat.id), status in ("kicked", "left"))

    # ------------------------------------------------------------------ outgoing

    async def send(self, bot: Bot, chat_id: str, replies: Iterable[Outgoing]) -> list[str]:
        """Send the core's replies (to ``chat_id`` unless a reply names another chat); returns the
        chats found to have blocked the bot, which are recorded and skipped."""
        replies = list(replies)
        username = None
        if any(o.meta.get("invite_code") for o in replies):
            username = (await bot.me()).username
        blocked: list[str] = []
        for out in replies:
            target = out.chat_id or chat_id
            if target in blocked:
                continue
            try:
                await self._send_one(bot, target, out, username)
            except TelegramForbiddenError as err:
                log.info("telegram chat %s cannot be reached (%s); marked as blocked", target, err.message)
                blocked.append(target)
                await self._set_blocked(target, True)
            except TelegramBadRequest as err:  # this reply is refused as it is; the next ones may pass
                log.error("telegram refused a reply to chat %s: %s", target, err.message)
        return blocked

    async def _send_one(self, bot: Bot, chat_id: str, out: Outgoing, username: str | None) -> None:
        chunks, keyboard = render(out, username)
        caption = None
        if out.document is not None and keyboard is None and len(chunks) == 1 and len(chunks[0]) <= CAPTION_LIMIT:
            caption, chunks = chunks[0], []
        target = _chat_id(chat_id)
        for n, chunk in enumerate(chunks, start=1):
            await bot.send_message(target, chunk, reply_markup=keyboard if n == len(chunks) else None)
        if out.document is not None:
            document = FSInputFile(out.document.path, filename=out.document.filename)
            await bot.send_document(target, document, caption=caption)

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
        if Role(user.role) in (Role.supervisor, Role.admin):
            try:
                await set_commands(bot, BotCommandScopeChat(chat_id=_chat_id(chat_id)), supervisor=True)
            except (TelegramBadRequest, TelegramForbiddenError) as err:
                log.info("no supervisor menu for chat %s: %s", chat_id, err.message)

    async def _set_blocked(self, chat_id: str, blocked: bool) -> None:
        async with self.sessions() as session, session.begin():
            await repo.set_blocked(session, CHANNEL, chat_id, blocked)
