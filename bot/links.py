"""Short-lived signed download links for files (the Word file on Zalo, which takes no upload).

A link names a file under the files folder, the one recipient it was made for, and when it expires,
signed with HMAC-SHA256 under the process's signing key: ``/files/<payload>.<signature>``. It opens
only that file, only until it expires; a changed character is refused (403), an old link gets a
clear page saying so (410). Served by the process's HTTP server (``bot.web``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from bot import redact

ROUTE = "/files/{token}"
DEFAULT_TTL = 24 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _page(status: int, title: str, text: str) -> web.Response:
    body = (f"<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>{title}</title>"
            f"<body style=\"font-family:sans-serif;max-width:32em;margin:3em auto\"><h1>{title}</h1>"
            f"<p>{text}</p></body></html>")
    return web.Response(status=status, text=body, content_type="text/html")


class FileLinks:
    def __init__(self, files_dir: Path, base_url: str, key: str | None = None, ttl: int = DEFAULT_TTL,
                 clock=time.time) -> None:  # noqa: ANN001 - seconds since the epoch
        self.files_dir = files_dir.resolve()
        self.base_url = base_url.rstrip("/")
        self.key = (key or secrets.token_urlsafe(32)).encode()
        redact.protect(self.key.decode())
        self.ttl, self.clock = ttl, clock

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self.key, payload.encode(), hashlib.sha256).digest())

    def url(self, path: Path, recipient: str) -> str:
        """A link to ``path`` (inside the files folder) for ``recipient``, valid for the TTL."""
        relative = path.resolve().relative_to(self.files_dir).as_posix()
        payload = _b64(json.dumps({"f": relative, "r": recipient, "e": int(self.clock()) + self.ttl},
                                  separators=(",", ":")).encode())
        return f"{self.base_url}/files/{payload}.{self._sign(payload)}"

    def check(self, token: str) -> tuple[int, Path | None]:
        """(200, the file) for a good link, else (403 tampered, 410 expired, 404 gone) and None."""
        payload, _sep, signature = token.partition(".")
        if not payload or not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            return 403, None
        try:
            data = json.loads(_unb64(payload))
            relative, expires = str(data["f"]), int(data["e"])
        except (ValueError, KeyError, TypeError):
            return 403, None
        if expires < self.clock():
            return 410, None
        path = (self.files_dir / relative).resolve()
        if not path.is_relative_to(self.files_dir) or not path.is_file():
            return 404, None
        return 200, path

    async def serve(self, request: web.Request) -> web.StreamResponse:
        status, path = self.check(request.match_info["token"])
        if status == 403:
            return _page(403, "Liên kết không hợp lệ", "Liên kết tải tệp này không đúng. Anh/chị hãy mở lại "
                         "liên kết trong tin nhắn của trợ lý, hoặc gõ /tep để nhận liên kết mới.")
        if status == 410:
            return _page(410, "Liên kết đã hết hạn", "Liên kết tải tệp này đã hết hạn. Anh/chị gõ /tep trong "
                         "cuộc trò chuyện với trợ lý để nhận liên kết mới.")
        if status == 404:
            return _page(404, "Không còn tệp", "Tệp này không còn trên máy chủ. Anh/chị gõ /tep để tạo lại.")
        name = path.name
        return web.FileResponse(path, headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "private, no-store",
        })
