"""A province with two districts and five communes, each in its own state, for the supervisor tests.

Phú Thọ (province) → Huyện Lâm Thao: Xã An (submitted), Xã Bình (submitted, a different rate),
Xã Cao (draft) ; Huyện Tam Nông: Xã Dân (submitted late), Xã Em (not started). The figures are
typed answers parsed as the chat parses them, scaled per commune so sums and rates differ.
"""

from __future__ import annotations

from datetime import datetime

from handlers.parsing import parse_answer
from reports.logic import ReportState
from reports.values import to_json
from storage import repo, workflow
from storage.models import OrgUnit, Report, Role, User
from tests.reminders_support import vn
from tests.sample_answers import HALF_YEAR

COMMUNES = {  # code: (name, district, state, overrides of typed answers)
    "XA_AN": ("Xã An", "LAM_THAO", "submitted", {"petitions_eligible": "10", "petitions_resolved": "9",
                                                 "petitions_in_progress": "1"}),
    "XA_BINH": ("Xã Bình", "LAM_THAO", "submitted", {"petitions_received": "100", "petitions_eligible": "100",
                                                     "petitions_resolved": "50", "petitions_in_progress": "50",
                                                     "petitions_bypassing": "có", "ntm_level": "3"}),
    "XA_CAO": ("Xã Cao", "LAM_THAO", "draft", {}),
    "XA_DAN": ("Xã Dân", "TAM_NONG", "late", {"dossiers_received": "200", "dossiers_online": "50",
                                              "dossiers_on_time": "190", "dossiers_overdue": "10"}),
    "XA_EM": ("Xã Em", "TAM_NONG", "none", {}),
}
DISTRICTS = {"LAM_THAO": "Huyện Lâm Thao", "TAM_NONG": "Huyện Tam Nông"}


def typed_values(template, overrides: dict[str, str]) -> dict:  # noqa: ANN001
    answers = {}
    for key, text in {**HALF_YEAR, **overrides}.items():
        ind = template.by_key[key]
        if text == "/boqua":
            continue
        if ind.type == "text" and text.isdigit():  # "1" picks the standard paragraph in the chat
            text = f"Nội dung do cán bộ viết cho mục {ind.short_label.lower()}."
        answers[key] = parse_answer(ind, text)
    return answers


async def store(session, template, org_id: int, period: str, answers: dict, user_id: int | None) -> Report:  # noqa: ANN001
    report = await repo.create_report(session, org_id, template.key, template.version, period, user_id)
    state = ReportState(template, answers)
    for key in state.relevant_keys():
        if key in answers:
            ind = template.by_key[key]
            await repo.save_answer(session, report.id, key, ind.type, to_json(ind.type, answers[key]), user_id)
    return report


async def build_province(app, template_key: str = "commune_half_year", period: str = "2026-H1") -> dict[str, int]:  # noqa: ANN001
    """The tree, a supervisor at the province (chat "sup"), one at Lâm Thao ("supLT"), an officer per
    commune ("o_<CODE>"), and the reports; returns org ids by code."""
    template = app.templates[template_key]
    async with app.sessions() as s, s.begin():
        province = OrgUnit(code="PHU_THO", name="Tỉnh Phú Thọ", kind="province", place_name="Việt Trì")
        s.add(province)
        await s.flush()
        ids = {"PHU_THO": province.id}
        for code, name in DISTRICTS.items():
            unit = OrgUnit(code=code, name=name, kind="district", parent_id=province.id)
            s.add(unit)
            await s.flush()
            ids[code] = unit.id
        for code, (name, district, _state, _o) in COMMUNES.items():
            unit = OrgUnit(code=code, name=name, kind="commune", parent_id=ids[district])
            s.add(unit)
            await s.flush()
            ids[code] = unit.id
        people = [("sup", "Trần Thị Giám", "PHU_THO", Role.supervisor), ("supLT", "Lê Văn Huyện", "LAM_THAO",
                                                                          Role.supervisor)]
        people += [(f"o_{code}", f"Cán bộ {name}", code, Role.officer) for code, (name, *_r) in COMMUNES.items()]
        users = {}
        for chat, name, code, role in people:
            invite = await repo.create_invite(s, f"I{chat.upper()}", ids[code], role)
            users[chat] = await repo.register(s, invite, "console", chat, chat, name)
        for code, (_name, _d, state, overrides) in COMMUNES.items():
            if state == "none":
                continue
            officer = users[f"o_{code}"]
            report = await store(s, template, ids[code], period, typed_values(template, overrides), officer.id)
            if state in ("submitted", "late"):
                at = vn("2026-06-25 10:00") if state == "late" else vn("2026-06-18 09:30")
                workflow.submit(s, report, officer, at, approval=False)
    return ids


async def user(app, chat: str) -> User:  # noqa: ANN001
    async with app.sessions() as s:
        return await repo.user_for(s, "console", chat)


def at(text: str) -> datetime:
    return vn(text)
