"""One whole 6-month report typed as an officer types it, through the in-memory channel (shaped like
Zalo: no buttons, 2,000 characters) and through the terminal channel: the same inputs give the same
conversation, and the same report is stored.

The scenario is a transcript: what the officer types, and what the assistant must answer to it."""

from __future__ import annotations

import io
from pathlib import Path

from sqlmodel import select

from bot.channels.console import run_console
from bot.channels.fake import FakeChannel
from storage.models import Answer, Report, ReportStatus
from tests.conftest import make_app
from tests.sample_answers import HALF_YEAR

OPENING = [  # (typed, the reply contains)
    ("DEMO2026", "Mã mời hợp lệ"),
    ("Nguyễn Văn An", "Xã Đông Sơn"),
    ("1", "1. Báo cáo 6 tháng đầu năm"),  # the menu: start a new report
    ("1", "1. 6 tháng đầu năm 2026 (15/12/2025 – 14/06/2026)"),  # the report type: which period?
    ("1", "Câu 1/"),  # the period: the first question
]
CLOSING = [
    ("/nop", "Nộp Báo cáo 6 tháng đầu năm 2026"),
    ("1", "Đã nộp"),  # yes, submit now
]


async def _zalo_transcript(app) -> tuple[list[str], list[str]]:  # noqa: ANN001
    """Run the scenario through the fake channel, answering each question by its key; returns what
    was typed and every message sent back, in order."""
    channel = FakeChannel.like("zalo")
    typed: list[str] = []

    async def say(text: str) -> list[str]:
        typed.append(text)
        return [s.text for s in await channel.exchange(app.core, "an", text)]

    for text, expected in OPENING:
        assert any(expected in r for r in await say(text)), (text, channel.sent[-3:])
    for _turn in range(200):
        last = channel.sent[-1]
        assert last.context in HALF_YEAR, last.text  # a question is waiting
        replies = await say(HALF_YEAR[last.context])
        if any("Đã trả lời hết" in r for r in replies):
            break
    else:
        raise AssertionError("the questions never ended")
    for text, expected in CLOSING:
        replies = await say(text)
        assert any(expected in r for r in replies), (text, replies)
    assert all(len(s.text) <= 2000 for s in channel.sent)
    assert any(s.document is not None for s in channel.sent)
    return typed, [s.text for s in channel.sent]


async def _stored(app) -> tuple[dict, list[Report]]:  # noqa: ANN001
    async with app.sessions() as s:
        answers = {(a.key, str(a.value), a.skipped) for a in (await s.exec(select(Answer))).all()}
        return answers, list((await s.exec(select(Report))).all())


async def test_the_same_report_through_the_fake_channel_and_the_terminal(clock, tmp_path: Path):
    zalo_app = await make_app(f"sqlite+aiosqlite:///{tmp_path / 'zalo.db'}", clock)
    console_app = await make_app(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}", clock)
    try:
        zalo_app.core.files_dir = console_app.core.files_dir = tmp_path / "files"
        typed, zalo_messages = await _zalo_transcript(zalo_app)
        out = io.StringIO()
        script = "\n".join(t.replace("\n", "\\n") for t in typed) + "\n"  # the terminal's way to type a line break
        await run_console(console_app.core, io.StringIO(script), out, "an")
        console = out.getvalue()
        # every line the officer read on the fake channel, in the same order in the terminal
        position = 0
        for message in zalo_messages:
            for line in filter(None, message.splitlines()):
                found = console.find(line, position)
                assert found >= 0, f"not in the terminal transcript after position {position}: {line!r}"
                position = found
        zalo_answers, zalo_reports = await _stored(zalo_app)
        console_answers, console_reports = await _stored(console_app)
        assert zalo_answers == console_answers and len(zalo_answers) > 50
        assert [r.status for r in zalo_reports] == [r.status for r in console_reports] == [ReportStatus.submitted]
    finally:
        await zalo_app.close()
        await console_app.close()
