"""Typed answers, as an officer would write them, for a whole commune 6-month report."""

HALF_YEAR = {
    "natural_area": "2.706,51",
    "villages": "14",
    "village_kind": "thôn, bản",
    "households": "2.363",
    "population": "8.093",
    "ethnic_groups": "/boqua",
    "ethnic_minority_households": "604",
    "situation_overview": "/boqua",
    "leader_in_charge": "1",
    "documents_issued": "Kế hoạch; 145/KH-UBND; 19/02/2026; công khai thông tin năm 2026\n"
                        "Quyết định; 156/QĐ-UBND; 26/02/2026; ban hành quy chế dân chủ",
    "party_documents": "/boqua",
    "briefing_conferences": "2",
    "briefing_attendees": "82",
    "trainees": "40",
    "inspections": "3",
    "leadership_notes": "/boqua",
    "disclosed_contents": "1, 2, 4",
    "disclosure_channels": "1, 2, 3",
    "consultation_matters": "5",
    "dialogues": "2",
    "dialogue_attendees": "150",
    "dialogue_petitions": "12",
    "dialogue_petitions_resolved": "10",
    "people_inspection_supervisions": "4",
    "community_supervisions": "2",
    "democracy_rules_built": "không",
    "procedures_published": "120",
    "dossiers_received": "1.028",
    "dossiers_online": "1.000",
    "dossiers_on_time": "1.021",
    "dossiers_overdue": "6",
    "overdue_reason": "Mất điện kéo dài nên không kịp xử lý trên hệ thống.",
    "apology_letters": "6",
    "staff_conduct_complaints": "không",
    "staff_disciplined": "0",
    "friendly_government": "/boqua",
    "public_service_notes": "/boqua",
    "reception_regular": "32",
    "reception_periodic": "24",
    "reception_unscheduled": "9",
    "reception_visitors": "70",
    "reception_cases": "40",
    "crowd_delegations": "0",
    "petitions_received": "10",
    "petitions_eligible": "10",
    "petitions_resolved": "8",
    "petitions_in_progress": "2",
    "petition_subjects": "1",
    "petitions_bypassing": "không",
    "mobilization_month_held": "không",
    "models_target": "5",
    "models_economy": "2",
    "models_culture_society": "1",
    "models_defence_security": "1",
    "models_political_system": "1",
    "models_collective": "3",
    "models_individual": "2",
    "models_list": "Dân vận khéo trong giải phóng mặt bằng; 1; QĐ 12/QĐ-UBND",
    "joint_meetings": "3",
    "front_recommendations": "4",
    "front_recommendations_addressed": "4",
    "coordination_notes": "/boqua",
    "poor_households_start": "120",
    "poor_households_end": "98",
    "households_escaped_poverty": "22",
    "cultural_areas": "12/14",
    "ntm_level": "2",
    "ntm_criteria": "19/19",
    "people_contributions": "1.250,5",
    "land_donated": "3.400",
    "economy_reported": "không",
    "strengths": "1",
    "limitations": "1",
    "causes": "1",
    "lessons_learned": "/boqua",
    "tasks": "Đẩy mạnh dịch vụ công trực tuyến\nTổ chức đối thoại với nhân dân ở các thôn",
    "proposals": "/boqua",
}


async def no_figure_until(chat, words: str, limit: int = 20) -> str:  # noqa: ANN001
    """Answer "no figure" (/khongro) until the question holding ``words`` is asked; its text."""
    for _ in range(limit):
        if words in chat.last[-1].text:
            return chat.last[-1].text
        await chat.send("/khongro")
    raise AssertionError(f"no question holding “{words}” came")


async def fill(chat, answers: dict[str, str], limit: int = 500) -> int:
    """Answer every question the core asks from ``answers``; returns how many were answered."""
    count = 0
    while count < limit:
        keys = [o.meta.get("key") for o in chat.last if o.meta.get("screen") == "question"]
        if not keys:
            return count
        await chat.send(answers[keys[-1]])
        count += 1
    raise AssertionError("the questions never ended")


async def fill_by_sections(chat, template, answers: dict[str, str], send=None) -> None:  # noqa: ANN001
    """Answer the open report as an officer with a notes app would: a section of several questions
    as one filled form (/phieu, then the form sent back: "bỏ qua" for ``/boqua``, "không có số liệu"
    for ``/khongro``, a list's items joined with " | "); a lone question, and whatever the form left
    (answers refused, questions that became relevant), answered alone. ``send``: how a message is
    sent (a counter, say); the chat's own by default."""
    send = send or chat.send
    formed: set[str] = set()
    for _ in range(300):
        keys = [o.meta.get("key") for o in chat.last if o.meta.get("screen") == "question"]
        if not keys:
            return
        section = template.section_of(keys[-1])
        if section.key in formed or len(section.indicators) == 1:
            await send(answers[keys[-1]])
            continue
        formed.add(section.key)
        labels = {ind.short_label: ind for ind in section.indicators}
        await send("/phieu")
        lines = []
        for line in chat.last[-1].text.splitlines():
            ind = labels[line.rsplit(":", 1)[0]]
            typed = answers.get(ind.key, "")
            typed = {"/boqua": "bỏ qua", "/khongro": "không có số liệu"}.get(typed, " | ".join(typed.splitlines()))
            lines.append(f"{ind.short_label}: {typed}")
        await send("\n".join(lines))
    raise AssertionError("the questions never ended")
