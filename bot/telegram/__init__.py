"""The Telegram channel (aiogram 3): the adapter between Bot API updates and the conversation core,
request retries, log redaction of the token, and the polling / webhook runner."""
