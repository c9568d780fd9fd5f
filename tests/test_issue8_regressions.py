"""Regression tests for the defects named in issue 8 (channel plug-ins, declared flow, one org rule)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from bot.channels.fake import FakeChannel
from handlers.events import Incoming
from handlers.output import file_name
from storage.models import OrgUnit, Report
from tests.conftest import MINI_TEMPLATES, Chat, make_app
from tests.reminders_support import Console, build_tree, service, submit

ROOT = Path(__file__).resolve().parent.parent
DANVAN = str(Path(sys.executable).parent / "danvan")


async def test_submitting_another_report_of_the_period_does_not_stop_the_6_month_reminders(db_url, clock, tmp_path):
    shutil.copy(MINI_TEMPLATES / "mini.yaml", tmp_path / "mini.yaml")
    other = (MINI_TEMPLATES / "mini.yaml").read_text(encoding="utf-8")
    other = re.sub(r"^key: mini$", "key: other_review", other, flags=re.M)
    (tmp_path / "other_review.yaml").write_text(other.replace("name: ", "name: Chuyên đề ", 1), encoding="utf-8")
    app = await make_app(db_url, clock, tmp_path)
    try:
        assert {"mini", "other_review"} <= set(app.templates)
        await build_tree(app)
        await submit(app, "DUNG_LIET", template="other_review")  # a thematic report of the same period
        planned = {p.chat_id for p in await service(app, Console()).plan()}
        assert planned == {"1001", "1002", "1003"}  # Dũng Liệt is still reminded of its 6-month report
        await submit(app, "DUNG_LIET", template="mini")  # now the 6-month report itself
        planned = {p.chat_id for p in await service(app, Console()).plan()}
        assert planned == {"1001", "1003"}
    finally:
        await app.close()


def test_two_reports_of_one_period_get_different_file_names():
    org = OrgUnit(id=1, code="DONG_SON", name="Xã Đông Sơn", kind="commune")
    half_year = Report(id=1, org_unit_id=1, template_key="commune_half_year", template_version=1, period="2026-H1")
    review = Report(id=2, org_unit_id=1, template_key="directive_review", template_version=1, period="2026-H1")
    assert file_name(org, half_year, False) != file_name(org, review, False)
    assert file_name(org, half_year, True) == "BaoCao_DONG_SON_commune_half_year_2026-H1_DuThao.docx"


async def test_the_question_count_does_not_jump_as_skip_logic_opens_questions(app):
    chat = Chat(app)
    await chat.register()
    await chat.open_report("commune_half_year")
    from tests.sample_answers import HALF_YEAR

    totals = []
    for _turn in range(200):
        screen = next((o for o in reversed(chat.last) if o.meta.get("screen") == "question"), None)
        if screen is None:
            break
        match = re.search(r"Câu (\d+)/(\d+)", screen.text)
        totals.append(int(match[2]))
        if len(totals) == 20:  # pause half-way and come back: the count says what is left
            await chat.send("/tamdung")
            reply = await chat.send("/tieptuc")
            done, total = map(int, re.search(r"(\d+)/(\d+)", reply).groups())
            assert total == totals[-1] and done == 19
        await chat.send(HALF_YEAR[screen.meta["key"]])
    assert len(totals) > 50
    assert all(later <= earlier for earlier, later in zip(totals, totals[1:])), totals


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
    env.update(extra)
    return env


def test_danvan_run_with_an_unreachable_database_says_so_in_one_line(tmp_path):
    env = _env(TELEGRAM_BOT_TOKEN="123456:not-used-secret-part",
               DATABASE_URL="postgresql+asyncpg://danvan:Pa55word@127.0.0.1:9/nowhere")
    proc = subprocess.run([DANVAN, "run"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    output = (proc.stdout + proc.stderr).strip()
    assert proc.returncode == 1
    assert "Traceback" not in output and len(output.splitlines()) == 1, output
    assert "Không mở được cơ sở dữ liệu" in output and "127.0.0.1:9" in output
    assert "Pa55word" not in output and "not-used-secret-part" not in output


async def test_a_second_bot_on_the_same_database_is_not_taken_for_repeats(mini_app):
    first = await mini_app.core.handle(Incoming("telegram", "1", "1", update_id="77", text="/start", bot="111"))
    again = await mini_app.core.handle(Incoming("telegram", "1", "1", update_id="77", text="/start", bot="111"))
    other = await mini_app.core.handle(Incoming("telegram", "2", "2", update_id="77", text="/start", bot="222"))
    assert first and again == [] and other  # the same update id, but of another bot: handled


def test_cli_paths_that_do_not_talk_to_telegram_do_not_import_aiogram(tmp_path):
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from bot.cli import app\n"
        "env = {'TELEGRAM_BOT_TOKEN': '', 'DATABASE_URL': 'sqlite+aiosqlite:///" + str(tmp_path / "x.db") + "'}\n"
        "for args in (['--help'], ['run'], ['org', 'add', 'X', 'Xã X'], ['invite', 'create', '--org', 'X']):\n"
        "    result = CliRunner().invoke(app, args, env=env)\n"
        "    assert 'aiogram' not in sys.modules, (args, result.output)\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path,
                          env={**_env(), "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.stdout.strip() == "ok", proc.stderr


async def test_a_reply_through_the_fake_channel_is_split_at_its_limit_with_the_choices_last(mini_app):
    channel = FakeChannel.like("zalo")
    await channel.exchange(mini_app.core, "z1", "/start DEMO2026")
    sent = await channel.exchange(mini_app.core, "z1", "Nguyễn Văn An")
    assert sent[-1].choices == ()  # Zalo has no buttons: the menu is a numbered list to type
    assert "1. " in sent[-1].text and all(len(s.text) <= 2000 for s in sent)


def test_a_missing_catalog_is_logged(monkeypatch, tmp_path, caplog):
    from reports import i18n

    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with caplog.at_level("ERROR"):
            i18n.translations("vi")
        assert "catalog is missing" in caplog.text
    finally:
        i18n.translations.cache_clear()
