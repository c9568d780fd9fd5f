"""Issue 12, ad-hoc reports: a supervisor asks every reporting unit below for a report (a template,
a period of any kind, a due date) with /giaobaocao; the officers below, and only they, are offered
it, reminded of it by its due date, and the supervisor's status and compiled report cover it."""

from __future__ import annotations

import pytest

from tests.conftest import Chat
from tests.reminders_support import Console, service
from tests.sample_answers import fill
from tests.supervisor_support import build_province

ROADS = {"roads_built": "3,5", "land_donated": "4.200", "households_donating": "36", "people_contributions": "350,5",
         "mobilization_notes": "Dùng đoạn văn mẫu", "tasks": "Hoàn thành tuyến đường liên thôn"}
PERIOD = "2026-03-01..2026-05-31"


@pytest.fixture
async def province(app):
    return await build_province(app)


@pytest.mark.parametrize("arg, expected", [
    ("", "Giao một báo cáo cho mọi đơn vị cấp dưới: /giaobaocao N kỳ hạn-nộp"),
    ("99 01/03/2026-31/05/2026 20/06/2026", "Các mẫu báo cáo (N):"),
    ("commune_thematic_roads 2026 20/06/2026", "dùng cho loại kỳ khác"),
    ("commune_thematic_roads 31/05/2026-01/03/2026 20/06/2026", "Ngày đầu kỳ đang sau ngày cuối kỳ"),
    ("commune_thematic_roads 01/03/2026-31/05/2026 30/05/2026", "Hạn nộp phải sau ngày cuối kỳ (31/05/2026)"),
    ("commune_thematic_roads 01/03/2026-31/05/2026 20/12/2026", "tối đa 90 ngày"),
    ("commune_thematic_roads mùa-xuân 20/06/2026", "không phải một kỳ báo cáo"),
    ("commune_thematic_roads 01/03/2026-31/05/2026 32/13/2026", "Hạn nộp:"),
])
async def test_a_launch_that_cannot_be_is_refused_with_the_reason(app, province, arg, expected):
    reply = await Chat(app, "supLT").send(f"/giaobaocao {arg}".strip())
    assert expected in reply, reply
    assert "Đã giao" not in reply


async def test_only_supervisors_launch(app, province):
    reply = await Chat(app, "o_XA_AN").send(f"/giaobaocao commune_thematic_roads {PERIOD} 20/06/2026")
    assert reply == "Lệnh này chỉ dành cho cán bộ cấp trên theo dõi các đơn vị trực thuộc."


async def test_a_launched_report_is_offered_reminded_and_compiled(app, province, clock, tmp_path):
    app.core.files_dir = tmp_path
    sup = Chat(app, "supLT")  # Huyện Lâm Thao: Xã An, Xã Bình, Xã Cao
    reply = await sup.send("/giaobaocao")
    assert "Báo cáo chuyên đề hiến đất làm đường (custom)" in reply
    reply = await sup.send("/giaobaocao commune_thematic_roads 01/03/2026-31/05/2026 20/06/2026")
    assert ("Đã giao Báo cáo chuyên đề hiến đất làm đường 2026 cho 3 đơn vị trực thuộc Huyện Lâm Thao, "
            "hạn nộp 20/06/2026.") in reply

    # offered to the communes below the district, and to no other
    other = Chat(app, "o_XA_DAN")  # Huyện Tam Nông
    await other.send("/baocaomoi")
    assert "commune_thematic_roads" not in " ".join(c.id for c in other.last[-1].choices)
    officer = Chat(app, "o_XA_AN")
    await officer.send("/baocaomoi")
    assert "tpl:commune_thematic_roads" in [c.id for c in officer.last[-1].choices]
    await officer.send(choice="tpl:commune_thematic_roads")
    assert [c.label for c in officer.last[-1].choices] == ["từ 01/03/2026 đến 31/05/2026 (01/03/2026 – 31/05/2026)"]
    await officer.send(choice=f"per:{PERIOD}")
    await fill(officer, ROADS)
    await officer.send("/nop")
    await officer.send(choice="confirm:yes")
    [document] = [o.document for o in officer.last if o.document is not None]
    from tests.test_report_chat import read

    _doc, text = read(document.path)
    assert "Kết quả vận động Nhân dân hiến đất, góp công làm đường giao thông từ 01/03/2026 đến 31/05/2026" in text
    assert "Có 36 hộ đã hiến tổng cộng 4.200 m² đất để làm đường." in text

    # reminded by its due date (20/06, a Saturday: on 16/06 the "7 days before" of Friday 12/06)
    console = Console()
    await service(app, console).run(clock.now)
    roads = {chat for chat, text in console.messages() if "chuyên đề hiến đất" in text}
    assert roads == {"o_XA_BINH", "o_XA_CAO"}  # Xã An has submitted; Tam Nông was not asked

    # the district's status and compiled report cover it
    status = await sup.send(choice=f"sv:st:commune_thematic_roads:{PERIOD}")
    assert "Xã An" in status and "Xã Bình" in status and "Xã Dân" not in status
    assert "20/06/2026" in status  # the launch's due date
    compiled = await sup.send(choice=f"sv:tg:commune_thematic_roads:{PERIOD}")
    assert "Số liệu tổng hợp từ 1/3 đơn vị đã nộp" in compiled and "3,5 km" in compiled
