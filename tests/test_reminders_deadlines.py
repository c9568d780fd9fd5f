"""Setting deadlines: the supervisor's chat command and ``danvan deadline set``; what ``danvan reminders
plan`` prints at a given moment, without sending anything."""

import asyncio
from datetime import date

from sqlmodel import select
from typer.testing import CliRunner

from bot.app import build_app
from bot.cli import app as cli
from bot.settings import Settings
from storage.models import Deadline
from tests.conftest import Chat
from tests.reminders_support import Console, build_tree, logs, service, vn


async def _deadlines(app):  # noqa: ANN001
    async with app.sessions() as s:
        rows = (await s.exec(select(Deadline).order_by(Deadline.id))).all()
        return [(r.org_unit_id, r.kind, r.year, r.due) for r in rows]


async def test_a_supervisor_sets_deadlines_in_the_chat(mini_app, clock):
    ids = await build_tree(mini_app)
    district = Chat(mini_app, "2002")  # Lê Văn Huyện, supervisor of Huyện Yên Phong
    shown = await district.send("/hannop")
    assert "Hạn nộp báo cáo của các đơn vị thuộc Huyện Yên Phong:" in shown
    assert "• 6 tháng đầu năm 2026: hạn 20/06/2026 (mặc định)" in shown
    assert "• năm 2026: hạn 20/12/2026 (mặc định)" in shown
    reply = await district.send("/hannop 6thang 18/06/2026")
    assert reply == ("Đã đặt: báo cáo 6 tháng (6 tháng đầu năm 2026) của các đơn vị thuộc Huyện Yên Phong "
                     "có hạn nộp ngày 18/06/2026.")
    province = Chat(mini_app, "2001")
    reply = await province.send("/deadline năm 05/01")  # every year, in the January after the period
    assert "hằng năm, báo cáo năm của các đơn vị thuộc Tỉnh Bắc Ninh có hạn nộp ngày 05/01" in reply
    assert await _deadlines(mini_app) == [
        (ids["YEN_PHONG"], "half_year", 2026, date(2026, 6, 18)),
        (ids["BAC_NINH"], "annual", None, date(2026, 1, 5)),
    ]
    shown = await district.send("/hannop")
    assert "• 6 tháng đầu năm 2026: hạn 18/06/2026 (do đơn vị này đặt)" in shown
    assert "• năm 2026: hạn 05/01/2027 (do Tỉnh Bắc Ninh đặt)" in shown
    # and the reminders follow: on 17 June the district's communes are one day from their date,
    # Đông Sơn (straight under the province) three days from the default
    clock.now = vn("2026-06-17 08:00")
    due = {(p.chat_id, p.kind) for p in await service(mini_app, Console()).plan()}
    assert due == {("1001", "before-3"), ("1002", "before-1"), ("1003", "before-1")}


async def test_bad_deadline_commands_explain_and_store_nothing(mini_app, clock):
    await build_tree(mini_app)
    district = Chat(mini_app, "2002")
    assert "phải sau ngày chốt số liệu (14/06)" in await district.send("/hannop 6thang 10/06/2026")
    assert "phải sau ngày chốt số liệu (14/12)" in await district.send("/hannop nam 20/06")
    assert "Không rõ loại báo cáo “quy”" in await district.send("/hannop quy 20/06/2026")
    assert "không phải là ngày có thật" in await district.send("/hannop 6thang 31/06/2026")
    assert "Hãy ghi loại báo cáo và ngày" in await district.send("/hannop 6thang")
    officer = Chat(mini_app, "1002")
    assert await officer.send("/hannop 6thang 18/06/2026") == "Chỉ cán bộ cấp trên mới đặt được hạn nộp."
    assert await _deadlines(mini_app) == []


def _setup(url: str) -> None:
    async def main() -> None:
        app = await build_app(Settings(database_url=url), seed_demo=True)
        try:
            await build_tree(app)
        finally:
            await app.close()

    asyncio.run(main())


def _logs(url: str) -> list:
    async def main() -> list:
        app = await build_app(Settings(database_url=url))
        try:
            return await logs(app)
        finally:
            await app.close()

    return asyncio.run(main())


def test_deadline_set_and_reminders_plan_on_the_command_line(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    _setup(url)
    runner = CliRunner()
    env = {"DATABASE_URL": url}
    result = runner.invoke(cli, ["deadline", "set", "--org", "YEN_PHONG", "--kind", "annual",
                                 "--due", "2026-12-18", "--year", "2026"], env=env)
    assert result.exit_code == 0, result.output
    assert "báo cáo năm (năm 2026) của các đơn vị thuộc Huyện Yên Phong có hạn nộp ngày 18/12/2026" in result.output
    result = runner.invoke(cli, ["deadline", "show", "--org", "TAM_GIANG", "--at", "2026-12-17 08:00"], env=env)
    assert "năm 2026: 18/12/2026 (YEN_PHONG)" in result.output
    assert "6 tháng đầu năm 2027: 20/06/2027 (mặc định)" in result.output

    result = runner.invoke(cli, ["reminders", "plan", "--at", "2026-12-17 08:00"], env=env)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "lúc 08:00 ngày 17/12/2026 (giờ Hà Nội) — chỉ liệt kê, không gửi." in out
    assert "[nhắc việc] Nguyễn Văn An · console 1001 · Xã Đông Sơn · 2026 · before-1, hạn 20/12/2026" in out  # Saturday 19 → Thursday 17
    assert "[nhắc việc] Hoàng Văn Chí · console 1003 · Xã Tam Giang · 2026 · before-1, hạn 18/12/2026" in out
    assert "có hạn nộp ngày mai, 18/12/2026" in out
    assert "Tổng cộng: 3 tin nhắc việc, 0 bản tổng hợp, 0 tin báo đã nộp." in out
    assert _logs(url) == []  # nothing was sent or recorded

    result = runner.invoke(cli, ["reminders", "plan", "--at", "2026-12-18 14:00"], env=env)
    assert "[tổng hợp] Lê Văn Huyện · console 2002 · Huyện Yên Phong · 2026 · digest-due, hạn 18/12/2026" in result.output
    result = runner.invoke(cli, ["reminders", "plan", "--at", "2026-12-19 08:00"], env=env)  # Saturday
    assert "ngoài giờ hành chính" in result.output and "[nhắc việc]" not in result.output


def test_bad_command_line_input_is_refused_with_a_message(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    _setup(url)
    runner = CliRunner()
    env = {"DATABASE_URL": url}
    cases = [
        (["--org", "YEN_PHONG", "--kind", "quy", "--due", "2026-12-18"], "Không rõ loại báo cáo"),
        (["--org", "YEN_PHONG", "--kind", "annual", "--due", "2026-12-10", "--year", "2026"], "ngày chốt số liệu"),
        (["--org", "YEN_PHONG", "--kind", "half_year", "--due", "30/02/2026"], "không phải là ngày có thật"),
        (["--org", "NOPE", "--kind", "annual", "--due", "2026-12-18"], "NOPE"),
    ]
    for args, message in cases:
        result = runner.invoke(cli, ["deadline", "set", *args], env=env)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
    result = runner.invoke(cli, ["reminders", "plan", "--at", "mai"], env=env)
    assert result.exit_code == 1 and "không phải là thời điểm" in result.output

    async def count() -> int:
        app = await build_app(Settings(database_url=url))
        try:
            return len(await _deadlines(app))
        finally:
            await app.close()

    assert asyncio.run(count()) == 0
