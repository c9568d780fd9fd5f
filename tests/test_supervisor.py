"""The supervisor's workspace (issue 10), on real SQLite and PostgreSQL: the status list and chart,
the compiled report (message, Word, Excel) against hand-computed figures, each unit's file, send
back / reopen / the leader's approval with their notices, the history, and who may do what."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm
from openpyxl import load_workbook
from sqlmodel import select

from handlers import overview
from reports.periods import Period
from storage import access, repo, workflow
from storage.models import OrgUnit, Report, ReportStatus, Role
from tests.conftest import Chat
from tests.reminders_support import Console, service, vn
from tests.sample_answers import HALF_YEAR
from tests.supervisor_support import COMMUNES, build_province, typed_values
from tests.test_report_docx import plain

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Calc is a package of its own (libreoffice-calc); .ci/run installs it with Writer.
CALC = SOFFICE is not None and any(Path(d, "libsclo.so").exists() for d in (
    "/usr/lib/libreoffice/program", "/opt/libreoffice/program"))
PERIOD = Period(2026, "half_year")


@pytest.fixture
async def province(app, clock, tmp_path):  # noqa: ANN001
    clock.now = vn("2026-06-26 09:00")  # six days after the due date (20/06/2026)
    app.core.files_dir = tmp_path / "files"
    ids = await build_province(app)
    return ids


def expected_sums(template) -> dict:  # noqa: ANN001
    """By hand: the three submitted communes' typed figures (Xã An, Xã Bình, Xã Dân)."""
    units = [typed_values(template, COMMUNES[c][3]) for c in ("XA_AN", "XA_BINH", "XA_DAN")]
    return {key: sum(u[key] for u in units) for key in
            ("petitions_resolved", "petitions_eligible", "dossiers_received", "dossiers_on_time", "dossiers_overdue",
             "households")}


async def compiled_of(app, code: str = "PHU_THO"):  # noqa: ANN001
    async with app.sessions() as s:
        tree = await access.load_tree(s)
        org = await repo.org_by_code(s, code)
        return await overview.compile_below(s, tree, org.id, app.templates["commune_half_year"], PERIOD)


# ---------------------------------------------------------------------------- status


async def test_status_lists_every_unit_with_its_state_late_ones_first(app, province):
    sup = Chat(app, "sup")
    text = await sup.send("/tinhhinh")
    assert "Đã nộp 3/5" in text and "đang nhập 1" in text and "chưa bắt đầu 1" in text and "trễ hạn 2" in text
    lines = [line for line in text.splitlines() if line[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert [line.split(":")[0] for line in lines] == ["1. Xã Cao", "2. Xã Em", "3. Xã An", "4. Xã Bình", "5. Xã Dân"]
    assert "trễ 6 ngày" in lines[0] and "đang nhập" in lines[0]
    assert "chưa bắt đầu, trễ 6 ngày" in lines[1]
    assert "đã nộp lúc 09:30 18/06/2026 (Cán bộ Xã An)" in lines[2]
    assert "trễ 5 ngày" in lines[4]  # Xã Dân handed in on 25/06
    chart = [o.image for o in sup.last if o.image is not None]
    assert len(chart) == 1 and chart[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # the district supervisor sees only the district's three communes
    district = await Chat(app, "supLT").send("/tinhhinh")
    assert "Đã nộp 2/3" in district and "Xã Em" not in district and "Xã Dân" not in district


async def test_chart_groups_by_district(app, province):
    from handlers.compiled import chart_groups

    async with app.sessions() as s:
        tree = await access.load_tree(s)
        rows = await overview.status_below(s, tree, province["PHU_THO"], app.templates["commune_half_year"], PERIOD,
                                           vn("2026-06-26 09:00").date())
    groups = dict(chart_groups(tree, province["PHU_THO"], rows))
    assert groups == {"Huyện Lâm Thao": {"submitted": 2, "draft": 1}, "Huyện Tam Nông": {"submitted": 1,
                                                                                          "not_started": 1}}


# ---------------------------------------------------------------------------- compiled figures


async def test_compiled_figures_are_sums_and_recomputed_rates_never_averages(app, province):
    template = app.templates["commune_half_year"]
    result = await compiled_of(app)
    sums = expected_sums(template)
    assert [u.name for u in result.units] == ["Xã An", "Xã Bình", "Xã Dân"]
    assert result.missing == ("Xã Cao", "Xã Em")  # listed, never counted as zero
    for key in ("petitions_resolved", "petitions_eligible", "dossiers_received", "households"):
        assert result.values[key] == sums[key], key
    rate = result.values["petitions_resolved_rate"]
    assert rate == Decimal(sums["petitions_resolved"]) / sums["petitions_eligible"]  # 67/120
    average = (Decimal(9) / 10 + Decimal(50) / 100 + Decimal(8) / 10) / 3
    assert abs(rate - average) > Decimal("0.1")  # 55,83% against an average of 73,33%
    assert result.values["petitions_bypassing"].yes == 1 and result.values["petitions_bypassing"].of == 3
    assert dict(result.values["ntm_level"].counts) == {"đã đạt chuẩn nông thôn mới": 2,
                                                       "đã đạt chuẩn nông thôn mới nâng cao": 1}


async def test_compiled_message_word_and_excel(app, province, tmp_path):
    template = app.templates["commune_half_year"]
    sums = expected_sums(template)
    sup = Chat(app, "sup")
    text = await sup.send("/tonghop")
    assert "3/5 đơn vị" in text and "Xã Cao, Xã Em" in text
    assert "• Tỷ lệ giải quyết đơn thư: 55,83% (67/120 đơn)" in text
    docs = {o.document.filename: o.document.path for o in sup.last if o.document is not None}
    docx_path = docs["TongHop_PHU_THO_commune_half_year_2026-H1.docx"]
    xlsx_path = docs["TongHop_PHU_THO_commune_half_year_2026-H1.xlsx"]

    doc = plain(Document(str(docx_path)))
    first = doc.sections[0]
    assert first.orientation == WD_ORIENT.PORTRAIT and abs(first.page_width - Mm(210)) < Mm(0.5)
    header = doc.tables[0]
    left = [p.text for p in header.cell(0, 0).paragraphs if p.text.strip()]
    assert left[:2] == ["ỦY BAN NHÂN DÂN", "TỈNH PHÚ THỌ"]  # issued by the supervisor's own unit
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Tổng hợp kết quả công tác dân vận chính quyền cấp xã 6 tháng đầu năm 2026" in body
    assert "đã giải quyết 67/120 đơn, đạt 55,83%" in body
    assert "3/5 xã" in body and "chưa được tính vào số liệu: Xã Cao, Xã Em" in body
    assert "Trên đây là báo cáo tổng hợp" in body
    annex = doc.tables[-1]
    assert doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    rows = [[c.text for c in row.cells] for row in annex.rows]
    assert rows[0][:3] == ["STT", "Đơn vị", "Hồ sơ tiếp nhận (hồ sơ)"]
    assert [r[1] for r in rows[1:]] == ["Xã An", "Xã Bình", "Xã Dân", "Tổng cộng"]
    assert rows[-1][2] == "2.256"  # 1.028 + 1.028 + 200

    wb = load_workbook(xlsx_path)
    ws = wb["Tổng hợp"]
    header_row = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header_row)}
    assert header_row[0] == "Đơn vị" and "Hồ sơ tiếp nhận (hồ sơ)" in col
    assert ws.freeze_panes == "B2"
    assert [ws.cell(r, 1).value for r in range(2, 6)] == ["Xã An", "Xã Bình", "Xã Dân", "Tổng cộng"]
    received = col["Hồ sơ tiếp nhận (hồ sơ)"]
    assert [ws.cell(r, received).value for r in (2, 3, 4)] == [1028, 1028, 200]  # numbers, not text
    assert ws.cell(5, received).value.startswith("=SUM(")
    rate = col["Tỷ lệ giải quyết đơn thư"]
    assert ws.cell(3, rate).value == 0.5 and ws.cell(3, rate).number_format == "0.00%"
    assert [r[0].value for r in wb["Chưa nộp"].iter_rows(min_row=2)] == ["Xã Cao", "Xã Em"]
    lists = [(r[0].value, r[1].value) for r in wb["Danh sách"].iter_rows(min_row=2)]
    assert ("Xã An", "Văn bản đã ban hành") in lists

    if not CALC:
        return  # LibreOffice Calc evaluates the formulas below where it is installed (CI installs it)
    out = tmp_path / "csv"
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
                    "--outdir", str(out), str(xlsx_path)], check=True, capture_output=True, timeout=180)
    import csv

    rows = list(csv.reader((out / (xlsx_path.stem + ".csv")).read_text(encoding="utf-8").splitlines()))
    totals = rows[4]
    assert totals[0] == "Tổng cộng"
    assert float(totals[received - 1].replace(",", "")) == sums["dossiers_received"]
    households = col["Số hộ (hộ)"]
    assert float(totals[households - 1].replace(",", "")) == sums["households"]


async def test_compile_command_line(app, province, tmp_path, db_url):
    import os
    import sys

    env = {**os.environ, "DATABASE_URL": db_url}
    danvan = str(Path(sys.executable).parent / "danvan")
    out = subprocess.run([danvan, "compile", "--org", "LAM_THAO", "--period", "2026-H1",
                          "--docx", str(tmp_path / "lt.docx"), "--xlsx", str(tmp_path / "lt.xlsx")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "2/3 đơn vị" in out.stdout and "Xã Cao" in out.stdout
    assert (tmp_path / "lt.docx").stat().st_size > 0
    assert [r[0].value for r in load_workbook(tmp_path / "lt.xlsx")["Tổng hợp"].iter_rows(min_row=2)] == [
        "Xã An", "Xã Bình", "Tổng cộng"]
    status = subprocess.run([danvan, "status", "--org", "PHU_THO", "--period", "2026-H1"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert status.returncode == 0 and "Đã nộp 3/5" in status.stdout
    bad = subprocess.run([danvan, "status", "--org", "PHU_THO", "--period", "2026-H9"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "không phải là kỳ báo cáo" in bad.stderr


# ---------------------------------------------------------------------------- a unit's file, send back, history


async def test_send_back_notify_edit_resubmit_and_history(app, province, clock):
    sup, officer = Chat(app, "sup"), Chat(app, "o_XA_AN")
    await sup.send("/tinhhinh")
    file = await sup.send("/tep 3")  # Xã An, third in the list
    assert [o.document.filename for o in sup.last if o.document] == ["BaoCao_XA_AN_commune_half_year_2026-H1.docx"]
    assert "tralai" not in file
    assert "ghi rõ lý do" in await sup.send("/tralai 3")
    assert "Đã trả lại" in await sup.send("/tralai 3 Số đơn đủ điều kiện chưa khớp với sổ theo dõi")
    async with app.sessions() as s:
        report = (await s.exec(select(Report).where(Report.org_unit_id == province["XA_AN"]))).one()
        assert report.status == ReportStatus.draft and report.submitted_at is None
    console = Console()
    await service(app, console).run_notices(clock.now)
    told = console.to("o_XA_AN")
    assert len(told) == 1 and "trả lại" in told[0] and "Số đơn đủ điều kiện chưa khớp" in told[0]
    assert console.to("o_XA_BINH") == []
    # the officer edits and submits again; the supervisors hear of it again
    clock.now += timedelta(minutes=5)
    await officer.send("/tieptuc")
    assert "Đã nộp" in await submit(officer)
    console.clear()
    await service(app, console).run_notices(clock.now)
    assert any("Xã An" in t for t in console.to("sup"))
    history = await sup.send("/lichsu 3")
    assert "ĐÃ NỘP" in history and "CẤP TRÊN TRẢ LẠI — lý do: Số đơn đủ điều kiện chưa khớp" in history
    assert history.count("ĐÃ NỘP") == 2
    assert "Đơn đã giải quyết: — → 9 đơn" in history


async def submit(chat: Chat) -> str:
    await chat.send("/nop")
    return await chat.send(choice="confirm:yes")


async def test_officer_asks_to_reopen_and_supervisor_reopens(app, province, clock):
    officer, sup = Chat(app, "o_XA_BINH"), Chat(app, "supLT")
    assert "ghi rõ lý do" in await officer.send("/mobaocao")
    assert "Đã gửi cấp trên" in await officer.send("/mobaocao Cần sửa số đơn đã giải quyết")
    console = Console()
    await service(app, console).run_notices(clock.now)
    assert any("đề nghị mở lại" in t for t in console.to("supLT")) and any("đề nghị mở lại" in t for t in console.to("sup"))
    await sup.send("/tinhhinh")
    assert "Đã mở lại" in await sup.send("/mobaocao XA_BINH")
    async with app.sessions() as s:
        report = (await s.exec(select(Report).where(Report.org_unit_id == province["XA_BINH"]))).one()
        assert report.status == ReportStatus.draft


@pytest.mark.parametrize("approval", [True, False])
async def test_leader_approval_on_and_off(app, province, clock, approval):
    async with app.sessions() as s, s.begin():
        org = await s.get(OrgUnit, province["XA_CAO"])
        await workflow.set_approval(s, org, approval)
        invite = await repo.create_invite(s, "LEADCAO", org.id, Role.leader)
        await repo.register(s, invite, "console", "l_XA_CAO", "l_XA_CAO", "Phạm Lãnh Đạo")
    officer, leader = Chat(app, "o_XA_CAO"), Chat(app, "l_XA_CAO")
    console = Console()
    await service(app, console).run(clock.now)  # the deadline's series
    assert bool(console.to("l_XA_CAO")) == approval  # a leader who approves is reminded too
    await officer.send("/tieptuc")
    for _ in range(30):  # answer what is left with the sample answers
        out = [o for o in officer.last if o.meta.get("screen") == "question"]
        if not out:
            break
        typed = HALF_YEAR.get(out[-1].meta["key"], "1")
        await officer.send("Nội dung cán bộ tự viết cho mục này." if typed == "1" else typed)
    done = await submit(officer)
    async with app.sessions() as s:
        report = (await s.exec(select(Report).where(Report.org_unit_id == province["XA_CAO"]))).one()
    if not approval:
        assert "Đã nộp" in done and report.status == ReportStatus.submitted
        assert "Không có báo cáo nào" in await leader.send("/duyet")
        return
    assert "Đã gửi lãnh đạo Xã Cao duyệt" in done and report.status == ReportStatus.pending
    console.clear()
    assert clock.now < vn("2026-06-29 09:00")
    clock.now = vn("2026-06-29 09:00")  # the series' next day (overdue); the report waits for the leader
    await service(app, console).run(clock.now)
    assert any("đang chờ anh/chị duyệt: gõ /duyet" in t for t in console.to("l_XA_CAO"))
    assert console.to("o_XA_CAO") == []  # the officer's part is done
    console = Console()
    await service(app, console).run_notices(clock.now)
    assert any("đang chờ anh/chị duyệt" in t for t in console.to("l_XA_CAO"))
    assert not any("Xã Cao" in t for t in console.to("sup"))  # not up yet
    await leader.send("/duyet")
    assert any(o.document for o in leader.last)  # the leader gets the Word file to read
    assert "Chỉ lãnh đạo đơn vị" in await officer.send(choice=f"appr:{report.id}")
    assert "Đã duyệt" in await leader.send(choice=f"appr:{report.id}")
    console.clear()
    await service(app, console).run_notices(clock.now)
    assert any("Xã Cao" in t for t in console.to("sup"))
    assert any("đã được lãnh đạo" in t for t in console.to("o_XA_CAO"))


# ---------------------------------------------------------------------------- who may do what


SUPERVISOR_COMMANDS = ["/tep {u}", "/tralai {u} Lý do trả lại báo cáo", "/mobaocao {u}", "/lichsu {u}"]


@pytest.mark.parametrize("chat, unit, allowed", [
    ("sup", "XA_DAN", True),  # the province sees every commune
    ("supLT", "XA_AN", True),  # the district its own
    ("supLT", "XA_DAN", False),  # not the other district's
    ("o_XA_AN", "XA_BINH", False),  # an officer no other commune
    ("o_XA_AN", "XA_AN", "own"),  # an officer reads their own unit, but sends nothing back
])
async def test_matrix_of_commands_roles_and_units(app, province, chat, unit, allowed):
    person = Chat(app, chat)
    for pattern in SUPERVISOR_COMMANDS:
        before = await _statuses(app)
        text = await person.send(pattern.format(u=unit))
        assert "Xin lỗi, đã có lỗi" not in text and text.strip()
        changed = before != await _statuses(app)
        command = pattern.split()[0]
        if allowed is False:
            assert ("không có quyền xem" in text or "Chỉ" in text or "Lệnh này chỉ" in text), (command, text)
            assert not changed and not any(o.document for o in person.last)
        elif allowed == "own" and command in ("/tralai", "/mobaocao"):
            assert not changed or command == "/mobaocao"  # an officer may only ask to reopen
    for command in ("/tinhhinh", "/tonghop"):
        text = await person.send(command)
        if chat.startswith("o_"):
            assert "Lệnh này chỉ dành cho cán bộ cấp trên" in text
        else:
            assert "Lệnh này chỉ" not in text and text[:2] in ("📋 ", "📊 ")


async def _statuses(app) -> dict:  # noqa: ANN001
    async with app.sessions() as s:
        return {r.id: r.status for r in (await s.exec(select(Report))).all()}


async def test_supervisor_menus_and_help_list_their_own_commands(app, province):
    sup = Chat(app, "sup")
    help_text = await sup.send("/huongdan")
    assert "/tinhhinh" in help_text and "/tonghop" in help_text and "/tralai" in help_text
    assert "/baocaomoi" not in help_text
    assert "không trực tiếp lập các báo cáo này" in await sup.send("/baocaomoi")
    assert "tpl:commune_half_year" not in sup.choices
    assert await sup.send(choice="tpl:commune_half_year") and not any(
        c.startswith("per:") for c in sup.choices)  # a forged template button opens nothing
    await sup.send("/start")
    assert "status" in sup.choices and "compile" in sup.choices and "new" not in sup.choices
    officer_help = await Chat(app, "o_XA_AN").send("/huongdan")
    assert "/baocaomoi" in officer_help and "/tonghop" not in officer_help


async def test_forged_supervisor_buttons_and_unit_numbers(app, province):
    sup = Chat(app, "sup")
    for choice in ("sv:st:commune_half_year:2099-H1", "sv:xx:commune_half_year:2026-H1", "sv:tg:nope:2026",
                   "sv:tg:commune_annual:2026-H1"):
        text = await sup.send(choice=choice)
        assert "Xin lỗi, đã có lỗi" not in text and "Tổng hợp —" not in text
    for arg in ("0", "99", "²", "9" * 30, "x" * 100, "'; DROP TABLE report; --"):
        text = await sup.send(f"/tep {arg}")
        assert "Xin lỗi, đã có lỗi" not in text and not any(o.document for o in sup.last)
