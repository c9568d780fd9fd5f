"""Issue 11's measure on a real report: the figures of the Đông Sơn 6-month report (seed 001, its
2024 documents dated 2026 here, the report's year), typed by an officer through the console channel
section by section. Every figure the report is asked for is found, written the Vietnamese way, in
its sentence of the Word file; what the seed has no figure for is answered "không có số liệu", and
the Word file then states no zero. The coverage of the seed's figures is counted and printed."""

from __future__ import annotations

import re

from tests.conftest import Chat
from tests.sample_answers import fill_by_sections
from tests.test_forms import Counted
from tests.test_report_chat import documents_of, read, submit

NONE = "/khongro"  # the seed has no figure for it
SKIP = "/boqua"  # not required, and the seed says nothing of it
STANDARD = "Dùng đoạn văn mẫu"

SEED_001 = {
    "natural_area": "2.706,51",
    "villages": "14 thôn",
    "village_kind": "thôn, bản",
    "households": "2.363",
    "population": "8.093",
    "ethnic_groups": "9",
    "ethnic_minority_households": "604",
    "situation_overview": STANDARD,
    "leader_in_charge": NONE,
    "documents_issued": "Kế hoạch số 145/KH-UBND ngày 19/02/2026 về công khai các nội dung phải công khai năm 2026\n"
                        "KH 170/KH-UBND 28/2/2026 thực hiện quy chế dân chủ trong hoạt động của cơ quan hành chính xã",
    "party_documents": "Kế hoạch số 93-KH/ĐU ngày 26/3/2026 về tham gia Cuộc thi “Dân vận khéo” năm 2026\n"
                       "Quyết định 103-QĐ/ĐU ngày 30/3/2026 về việc thành lập Ban Chỉ đạo Cuộc thi “Dân vận khéo”",
    "briefing_conferences": NONE,
    "trainees": NONE,
    "inspections": NONE,
    "leadership_notes": SKIP,
    "disclosed_contents": "1, 3, 4, 7",
    "disclosure_channels": "1, 2, 3, 4",
    "consultation_matters": NONE,
    "dialogues": NONE,
    "people_inspection_supervisions": NONE,
    "community_supervisions": NONE,
    "democracy_rules_built": "có",
    "democracy_rules_documents":
        "Kế hoạch số 127/KH-UBND ngày 30/01/2026 về lấy ý kiến dự thảo Quy chế thực hiện dân chủ ở cơ quan xã\n"
        "Quyết định số 156/QĐ-UBND ngày 26/02/2026 về ban hành Quy chế thực hiện dân chủ ở cơ quan xã\n"
        "Kế hoạch số 174/KH-UBND ngày 01/3/2026 về lấy ý kiến Nhân dân vào dự thảo Quy chế dân chủ của UBND xã\n"
        "Quyết định số 268/QĐ-UBND ngày 25/03/2026 về ban hành Quy chế thực hiện dân chủ của UBND xã",
    "democracy_rules_posting_days": "20",
    "procedures_published": NONE,
    "dossiers_received": "1028",
    "dossiers_online": "1028",
    "dossiers_on_time": "1021",
    "dossiers_overdue": "6",
    "overdue_reason": "do mất điện nên không kịp xử lý trên hệ thống",
    "apology_letters": NONE,
    "staff_conduct_complaints": NONE,
    "staff_disciplined": SKIP,
    "friendly_government": "1",
    "public_service_notes": STANDARD,
    "reception_regular": "32 buổi",
    "reception_periodic": "24",
    "reception_unscheduled": "9",
    "reception_visitors": NONE,
    "reception_cases": NONE,
    "crowd_delegations": NONE,
    "petitions_received": "10",
    "petitions_eligible": "10",
    "petitions_resolved": "08",
    "petitions_in_progress": NONE,
    "petition_subjects": "tranh chấp đất đai",
    "petitions_bypassing": "không có",
    "mobilization_month_held": "có",
    "mobilization_month_banners": "03",
    "mobilization_month_notes": "Vận động Nhân dân chặt hết cây lâm nghiệp trồng trên đất nông nghiệp và giải "
                                "phóng hành lang các tuyến đường đang thi công.",
    "models_target": NONE,
    "models_economy": NONE,
    "models_culture_society": NONE,
    "models_defence_security": NONE,
    "models_political_system": NONE,
    "joint_meetings": NONE,
    "front_recommendations": NONE,
    "coordination_notes": SKIP,
    "poor_households_start": NONE,
    "poor_households_end": NONE,
    "households_escaped_poverty": NONE,
    "cultural_areas": NONE,
    "ntm_level": SKIP,
    "ntm_criteria": SKIP,
    "people_contributions": SKIP,
    "land_donated": SKIP,
    "economy_reported": "có",
    "economy_notes": STANDARD,
    "rice_area": "219,5",
    "rice_yield": "58",
    "maize_area": "19,4 ha",
    "maize_yield": "46",
    "grain_output": "1320,7",
    "peanut_area": "27,5",
    "vegetables_area": "121,3",
    "fruit_area": "378",
    "main_fruits": "vải thiều và nhãn",
    "main_fruit_area": "178",
    "fruit_output": "1450",
    "crop_value": "32,5",
    "cattle": "420",
    "pigs": "2650",
    "poultry": "105.000",
    "livestock_value": "48",
    "forest_harvested": "30",
    "forest_planted": "30",
    "forest_value": "4",
    "strengths": STANDARD,
    "limitations": STANDARD,
    "causes": STANDARD,
    "lessons_learned": STANDARD,
    "tasks": "\n".join([
        "Tuyên truyền, quán triệt và tổ chức thực hiện các văn bản của cấp trên về công tác dân vận",
        "Đổi mới lề lối làm việc, rà soát, bãi bỏ thủ tục rườm rà gây phiền hà cho Nhân dân",
        "Phối hợp chặt chẽ với Mặt trận Tổ quốc và các đoàn thể trong công tác dân vận chính quyền",
        "Đề cao trách nhiệm của người đứng đầu trong chỉ đạo, kiểm tra công tác dân vận",
        "Vận động Nhân dân phòng, chống tham nhũng, lãng phí và tệ nạn xã hội",
        "Phát huy vai trò giám sát của Hội đồng nhân dân, Mặt trận Tổ quốc và các đoàn thể",
        "Gắn kiểm tra các đề án phát triển kinh tế - xã hội với kiểm tra công tác dân vận chính quyền",
    ]),
    "proposals": SKIP,
}

# Every figure of the seed, once each: (as the seed writes it, as the Word file prints it (None: the
# report does not ask for it), the words of the Word file's sentence around it, "{}" standing for it).
SEED_FIGURES = [
    ("cách trung tâm huyện 15km", None, None),
    ("2.706,51 ha", "2.706,51 ha", "tổng diện tích tự nhiên {}."),
    ("14 thôn, bản", "14 thôn, bản", "Địa bàn xã gồm {}."),
    ("2.363 hộ", "2.363 hộ", "Toàn xã có {} với"),
    ("8.093 nhân khẩu", "8.093 nhân khẩu", "hộ với {}."),
    ("9 dân tộc", "9 dân tộc", "Trên địa bàn xã có {} anh em"),
    ("604 hộ DTTS", "604 hộ", "Trong đó, {} là hộ đồng bào dân tộc thiểu số"),
    ("chiếm 25,5%", "25,56%", "chiếm {} tổng số hộ"),  # computed, 604/2.363 (the seed cut it short)
    ("niêm yết 20 ngày (quy chế của cơ quan)", "20 ngày", "niêm yết liên tục {} tại trụ sở"),
    ("niêm yết 20 ngày (quy chế của UBND xã)", None, None),  # one posting time a report is asked for
    ("lúa 219,5 ha", "219,5 ha", "gieo cấy lúa đạt {}, năng suất"),
    ("lúa 58 tạ/ha", "58 tạ/ha", "219,5 ha, năng suất bình quân {}."),
    ("ngô 19,4 ha", "19,4 ha", "Cây ngô được trồng trên {}, năng suất"),
    ("ngô 46 tạ/ha", "46 tạ/ha", "19,4 ha, năng suất bình quân {}."),
    ("cây có hạt 1320,7 tấn", "1.320,7 tấn", "lương thực có hạt ước đạt {}."),
    ("lạc 27,5 ha", "27,5 ha", "Diện tích lạc là {};"),
    ("rau màu 121,3 ha", "121,3 ha", "cây màu các loại {}."),
    ("cây ăn quả 378 ha", "378 ha", "Tổng diện tích cây ăn quả là {}."),
    ("vải thiều và nhãn 178 ha", "178 ha", "vải thiều và nhãn chiếm {},"),
    ("cây ăn quả khác 200 ha", "200 ha", "các loại cây ăn quả khác {}."),  # computed, 378 - 178
    ("1450 tấn quả tươi", "1.450 tấn", "quả tươi ước đạt {}."),
    ("trồng trọt 32,5 tỷ đồng", "32,5 tỷ đồng", "ngành trồng trọt ước đạt {}."),
    ("420 con trâu bò", "420 con", "đàn trâu, bò có {},"),
    ("2650 con lợn", "2.650 con", "đàn lợn {},"),
    ("105.000 con gia cầm", "105.000 con", "đàn gia cầm {}."),
    ("chăn nuôi 48 tỷ đồng", "48 tỷ đồng", "ngành chăn nuôi ước đạt {}."),
    ("khai thác 30 ha", "30 ha", "đã khai thác {} rừng trồng"),
    ("trồng mới 30 ha", "30 ha", "trồng mới {}."),
    ("lâm nghiệp 4 tỷ đồng", "4 tỷ đồng", "sản xuất lâm nghiệp ước đạt {}."),
    ("1028 hồ sơ", "1.028 hồ sơ", "Một cửa xã tiếp nhận {};"),
    ("1021 hồ sơ đúng hạn", "1.021 hồ sơ", "trước và đúng hạn {}, quá hạn"),
    ("quá hạn 6 hồ sơ", "6 hồ sơ", "quá hạn {};"),
    ("tiếp dân thường xuyên 32 buổi", "32 buổi", "gồm {} tiếp thường xuyên"),
    ("định kỳ 24 buổi", "24 buổi", "{} tiếp định kỳ"),
    ("đột xuất 9 buổi", "9 buổi", "{} tiếp đột xuất"),
    ("tổng số 10 đơn", "10 đơn", "đã tiếp nhận {} khiếu nại"),
    ("đã giải quyết 8/10 đơn", "8/10", "đã giải quyết {} đơn"),
    ("đạt 80%", "80%", "8/10 đơn, đạt {}."),
    ("03 băng rôn", "3 băng rôn", "đã treo {}, khẩu hiệu"),
    ("GPMB cầu Đông Sơn 100%", None, None),
]


async def test_the_dong_son_report_through_the_console(app, tmp_path):
    app.core.files_dir = tmp_path
    template = app.core.templates["commune_half_year"]
    chat = Chat(app, channel="console")
    await chat.register()
    send = Counted(chat)
    await send.open_report("2026-H1")
    await fill_by_sections(chat, template, SEED_001, send)
    review = "\n".join(o.text for o in chat.last)
    assert "Đã trả lời hết các câu hỏi" in review and "còn thiếu" not in review
    inputs = send.count
    await submit(chat)
    [document] = documents_of(chat)
    _doc, text = read(document.path)

    asked = [(seed, printed, around) for seed, printed, around in SEED_FIGURES if printed is not None]
    for seed, printed, around in asked:
        assert around.format(printed) in text, f"{seed}: “{around.format(printed)}” is not in the Word file"
    coverage = len(asked) / len(SEED_FIGURES)
    print(f"seed 001: {inputs} inputs; {len(asked)} of its {len(SEED_FIGURES)} figures asked and printed "
          f"({coverage:.0%})")
    assert inputs <= 60, inputs
    assert coverage >= 0.8, coverage

    # what the seed has no figure for is in no sentence, and nothing reads as an invented zero
    assert not re.search(r"(?<![\d.,/])0(?:[ %]|$)", text, re.M), re.findall(r".{40}(?<![\d.,/])0[ %].{20}", text)
    for missing in ("quán triệt, triển khai", "Ban Thanh tra nhân dân", "Đầu kỳ báo cáo", "Qua các buổi tiếp",
                    "đông người", "“Dân vận khéo”, đạt", "do đồng chí", "niêm yết, công khai"):
        assert missing not in text, missing
    # the seed's own words, where it has them: zeros it states, lists one item a paragraph
    assert "không phát sinh đơn thư gửi vượt cấp" in text
    assert "- Quyết định số 103-QĐ/ĐU ngày 30/03/2026 về việc thành lập Ban Chỉ đạo Cuộc thi “Dân vận khéo”." in text
    assert "- Kế hoạch số 170/KH-UBND ngày 28/02/2026 về thực hiện quy chế dân chủ" in text
    assert "7. Gắn kiểm tra các đề án phát triển kinh tế - xã hội với kiểm tra công tác dân vận chính quyền." in text
    assert "đến nay xã đã được công nhận đạt chuẩn “Chính quyền thân thiện”." in text
