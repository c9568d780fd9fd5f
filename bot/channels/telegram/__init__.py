"""The Telegram channel (aiogram 3): the channel contract over the Bot API (``channel``), the
updates router (``adapter``), request retries (``retry``), the polling / webhook service
(``service``), its settings and its plug-in for the one runner (``plugin``). Importing this package
imports nothing of aiogram: only a process that talks to Telegram pays for it."""
