"""The administrator's commands: `danvan org list|add`, `danvan invite create` and `danvan run`
(long polling and webhook, as separate processes talking to the Bot API double)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from bot.cli import app as cli
from reports.i18n import _
from tests.telegram_harness import SECRET_PART, TOKEN, double, free_port, until  # noqa: F401

DANVAN = str(Path(sys.executable).parent / "danvan")


def _env(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{db}", LOG_LEVEL="DEBUG", **extra)
    return env


def _invites(db: Path) -> list[tuple]:
    engine = create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT i.code, o.code, i.role, i.uses_left, i.expires_at FROM invite i "
            "JOIN org_unit o ON o.id = i.org_unit_id ORDER BY i.id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_org_add_list_and_invite_create(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    db = tmp_path / "admin.db"
    run = CliRunner()
    env = _env(db)

    result = run.invoke(cli, ["org", "list"], env=env)
    assert result.exit_code == 1 and "danvan org add" in result.output
    assert run.invoke(cli, ["org", "add", "BAC_NINH", "Tỉnh Bắc Ninh", "--kind", "province"], env=env).exit_code == 0
    assert run.invoke(cli, ["org", "add", "tu_son", "Phường Từ Sơn", "--parent", "BAC_NINH"], env=env).exit_code == 0
    assert run.invoke(cli, ["org", "add", "DONG_SON", "Xã Đông Sơn", "--parent", "BAC_NINH",
                            "--place", "Đông Sơn"], env=env).exit_code == 0
    result = run.invoke(cli, ["org", "add", "DONG_SON", "Xã khác"], env=env)
    assert result.exit_code == 1 and "DONG_SON" in result.output
    result = run.invoke(cli, ["org", "add", "X", "Xã X", "--parent", "NOWHERE"], env=env)
    assert result.exit_code == 1 and "NOWHERE" in result.output

    result = run.invoke(cli, ["org", "list"], env=env)
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "BAC_NINH  Tỉnh Bắc Ninh (province)",
        "  DONG_SON  Xã Đông Sơn (commune)",
        "  TU_SON  Phường Từ Sơn (commune)",
    ]

    before = datetime.now(timezone.utc)
    result = run.invoke(cli, ["invite", "create", "--org", "dong_son", "--role", "officer", "--uses", "3",
                              "--days", "10", "--bot", "@danvan_dongson_bot"], env=env)
    assert result.exit_code == 0, result.output
    [(code, org, role, uses, expires)] = _invites(db)
    assert (org, role, uses) == ("DONG_SON", "officer", 3)
    expires = datetime.fromisoformat(str(expires)).replace(tzinfo=timezone.utc)
    assert before + timedelta(days=10) - timedelta(minutes=1) < expires < before + timedelta(days=10, minutes=1)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", code)
    assert code in result.output
    assert f"https://t.me/danvan_dongson_bot?start={code}" in result.output

    result = run.invoke(cli, ["invite", "create", "--org", "NOWHERE"], env=env)
    assert result.exit_code == 1 and "danvan org list" in result.output
    result = run.invoke(cli, ["invite", "create", "--org", "DONG_SON", "--role", "mayor", "--bot", "b"], env=env)
    assert result.exit_code == 1
    assert _("Unknown role “{word}”: use officer, leader or supervisor.").format(word="mayor") in result.output
    result = run.invoke(cli, ["invite", "create", "--org", "DONG_SON", "--days", "0", "--bot", "b"], env=env)
    assert result.exit_code == 1
    assert len(_invites(db)) == 1  # bad input stored nothing


def test_run_without_a_token_explains_botfather_and_the_terminal_chat(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["run"], env=_env(tmp_path / "x.db", TELEGRAM_BOT_TOKEN=""))
    assert result.exit_code == 1
    assert "@BotFather" in result.output and "/newbot" in result.output
    assert "TELEGRAM_BOT_TOKEN" in result.output and "danvan chat" in result.output


async def _danvan(args: list[str], env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        DANVAN, *args, env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def test_invite_create_asks_telegram_for_the_bot_username(tmp_path, double):
    env = _env(tmp_path / "bot.db", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=double.base_url)
    proc = await _danvan(["migrate"], env, tmp_path)
    await proc.communicate()
    engine = create_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO org_unit (code, name, kind, place_name, profile, settings) "
                          "VALUES ('DONG_SON', 'Xã Đông Sơn', 'commune', '', '{}', '{}')"))
    engine.dispose()
    proc = await _danvan(["invite", "create", "--org", "DONG_SON"], env, tmp_path)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    [(code, *_rest)] = _invites(tmp_path / "bot.db")
    assert f"https://t.me/danvan_test_bot?start={code}" in out.decode()
    assert [c.method for c in double.calls] == ["getMe"]
    assert SECRET_PART not in out.decode() + err.decode()


async def test_danvan_run_polls_and_stops_cleanly(tmp_path, double):
    env = _env(tmp_path / "bot.db", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=double.base_url)
    proc = await _danvan(["run", "--demo"], env, tmp_path)
    try:
        await until(lambda: double.getupdates_offsets, 60, "danvan run to poll")
        double.person(3001)
        await double.push(double.message_update(3001, "/start DEMO2026"))
        await until(lambda: double.bot_messages(3001), 20, "the reply")
        assert double.bot_messages(3001)[-1]["text"] == _("The code is valid. What is your full name?")
        assert "callback_query" in double.allowed_updates
        assert double.commands[""] and double.commands["en"]
        proc.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    logs = out.decode() + err.decode()
    assert "polling Telegram for updates" in logs and "polling stopped" in logs
    assert TOKEN not in logs and SECRET_PART not in logs


async def test_danvan_run_serves_a_webhook_that_checks_the_secret(tmp_path, double):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    env = _env(tmp_path / "bot.db", TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=double.base_url,
               TELEGRAM_WEBHOOK_URL=url, TELEGRAM_WEBHOOK_SECRET="Run-webhook_secret-42",
               WEBHOOK_HOST="127.0.0.1", WEBHOOK_PORT=str(port))
    proc = await _danvan(["run", "--demo"], env, tmp_path)
    try:
        await until(lambda: double.webhook is not None, 60, "danvan run to set its webhook")
        assert double.webhook["url"] == url and double.webhook["secret_token"] == "Run-webhook_secret-42"
        double.person(3002)
        update = double.message_update(3002, "/start DEMO2026")
        assert await double.deliver(update, secret=None) == 401
        assert await double.deliver(update, secret="wrong") == 401
        await asyncio.sleep(0.2)
        assert double.bot_messages(3002) == []
        assert await double.deliver(update) == 200
        await until(lambda: double.bot_messages(3002), 20, "the reply")
        assert double.bot_messages(3002)[-1]["text"] == _("The code is valid. What is your full name?")
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0, err.decode()
    logs = out.decode() + err.decode()
    assert SECRET_PART not in logs and "Run-webhook_secret-42" not in logs
