"""The process's one HTTP server (aiohttp): channels add their webhook routes to it before it starts;
file links and pages will be served from it too."""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

from aiohttp import web

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebServer:
    def __init__(self, host: str = "0.0.0.0", port: int = 8080) -> None:
        self.host, self.port = host, port
        self.app = web.Application()
        self.routes: list[str] = []
        self._runner: web.AppRunner | None = None

    def add_post(self, path: str, handler: Handler) -> None:
        self.app.router.add_post(path, handler)
        self.routes.append(path)

    def add_get(self, path: str, handler: Handler) -> None:
        self.app.router.add_get(path, handler)
        self.routes.append(path)

    @property
    def needed(self) -> bool:
        return bool(self.routes)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("HTTP server on %s:%s serving %s", self.host, self.bound_port, ", ".join(self.routes))

    @property
    def bound_port(self) -> int | None:
        """The port actually bound (useful with port 0)."""
        if self._runner is None:
            return None
        for address in self._runner.addresses:
            if isinstance(address, tuple):
                return int(address[1])
        return None

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
