"""The yardstick of bench/throughput.py: a bare aiogram 3 bot that long-polls the Bot API at
``API_URL`` with ``TOKEN`` and answers every text message with the same text. Nothing else: no
database, no pacing, no retries."""

from __future__ import annotations

import asyncio
import os
import signal

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message


async def main() -> None:
    bot = Bot(os.environ["TOKEN"], session=AiohttpSession(api=TelegramAPIServer.from_base(os.environ["API_URL"])))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGINT, stop.set)
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, polling_timeout=5))
    await stop.wait()
    await dispatcher.stop_polling()
    await polling


if __name__ == "__main__":
    asyncio.run(main())
