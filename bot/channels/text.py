"""Splitting a long message into pieces that fit a channel's limit, at line breaks where possible."""

from __future__ import annotations

from typing import Callable


def _fit(text: str, limit: int, length: Callable[[str], int]) -> int:
    """The longest prefix of ``text`` (in characters) whose ``length`` is at most ``limit``."""
    if length is len:
        return min(limit, len(text))
    low, high = 0, min(limit, len(text))  # no measure counts a character as less than one
    while low < high:
        mid = (low + high + 1) // 2
        if length(text[:mid]) <= limit:
            low = mid
        else:
            high = mid - 1
    return low


def split_message(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """Pieces of at most ``limit`` as ``length`` measures them (Telegram counts UTF-16 units)."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    rest = text
    while length(rest) > limit:
        fit = max(_fit(rest, limit, length), 1)
        cut = rest.rfind("\n", 0, fit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, fit + 1)
        if cut <= 0:
            cut = fit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest or not chunks:
        chunks.append(rest)
    return chunks
