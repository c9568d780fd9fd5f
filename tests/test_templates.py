"""Report templates: the real ones load and cover the seeds' figures; a bad one is rejected clearly."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from reports.logic import SKIPPED, ReportState
from reports.schema import TemplateError, load_template, load_templates
from reports.values import Pair
from tests.conftest import MINI_TEMPLATES


def test_real_templates_load_and_cover_the_commune_figures():
    templates = load_templates()
    assert {"commune_half_year", "commune_annual"} <= set(templates)
    for template in (templates["commune_half_year"], templates["commune_annual"]):
        keys = set(template.by_key)
        for needed in (
            "natural_area", "villages", "households", "population", "ethnic_minority_households",
            "documents_issued", "briefing_conferences", "briefing_attendees",
            "disclosed_contents", "disclosure_channels", "consultation_matters", "dialogues",
            "dialogue_attendees", "dialogue_petitions", "dialogue_petitions_resolved",
            "dossiers_received", "dossiers_online", "dossiers_on_time", "dossiers_overdue", "overdue_reason",
            "reception_regular", "reception_periodic", "reception_unscheduled", "reception_visitors",
            "reception_cases", "crowd_delegations",
            "petitions_received", "petitions_eligible", "petitions_resolved", "petitions_in_progress",
            "petition_subjects", "petitions_bypassing",
            "models_target", "models_economy", "models_culture_society", "models_defence_security",
            "models_political_system", "models_collective", "models_individual", "models_list",
            "joint_meetings", "households_escaped_poverty", "cultural_areas", "ntm_criteria",
            "strengths", "limitations", "causes", "lessons_learned", "tasks", "proposals",
        ):
            assert needed in keys, f"{template.key} lacks {needed}"
        profile = {i.key for i in template.indicators if i.profile}
        assert {"natural_area", "villages", "households", "population", "ethnic_minority_households"} <= profile
        texts = [i for i in template.indicators if i.type == "text" and i.required]
        assert texts and all(i.standard for i in texts), "every required free text offers a standard paragraph"
        assert all(i.hint for i in template.indicators)


def test_real_template_titles_name_the_period():
    templates = load_templates()
    assert "6 tháng đầu năm" in templates["commune_half_year"].abstract
    assert templates["commune_annual"].period == "annual"


def _write(tmp_path: Path, data: dict, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _mini() -> dict:
    return yaml.safe_load((MINI_TEMPLATES / "mini.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d["sections"][1]["indicators"][0].update(type="number"),
         "bad.yaml: sections[petitions].indicators[received].type"),
        (lambda d: d["sections"][1]["indicators"][0].pop("hint"),
         "bad.yaml: sections[petitions].indicators[received].hint: Field required"),
        (lambda d: d["rules"].append({"check": "resolved <= recieved", "message": "x"}),
         "names unknown key(s) recieved"),
        (lambda d: d["rules"].append({"check": "__import__('os')", "message": "x"}),
         "only len(...) may be called"),
        (lambda d: d["sections"][1]["indicators"][1].update(relevant="bypass"),
         "indicator 'resolved' relevant (earlier keys only)"),
        (lambda d: d["sections"][0]["indicators"][1].update(key="area"),
         "indicator key 'area' is used twice"),
        (lambda d: d["sections"][2]["indicators"][0].update(choices=[]),
         "sections[other].indicators[level]: 'choices' is required"),
        (lambda d: d["sections"][0]["indicators"][0].update(min=10, max=1),
         "sections[profile].indicators[area]: 'min' is greater than 'max'"),
        (lambda d: d["sections"][1]["prose"].append("Có {nothing} đơn."),
         "prose names unknown key 'nothing'"),
        (lambda d: d.update(colour="red"), "bad.yaml: colour: Extra inputs are not permitted"),
        # issue 12's additions: multi-year reviews, cumulative figures, period kinds
        (lambda d: d.update(period="multi_year"), "'period_years' is needed with 'period: multi_year'"),
        (lambda d: d.update(period_years=3), "'period_years' is needed with 'period: multi_year', and only"),
        (lambda d: d.update(period="fortnight"), "bad.yaml: period: Input should be"),
        (lambda d: d["sections"][1]["indicators"][0].update(cumulative=True),
         "cumulative figures need 'since'"),
        (lambda d: (d.update(since=2025), d["sections"][1]["prose"].append("Lũy kế {received.total}.")),
         "prose: .total on 'received', which is not cumulative"),
        (lambda d: d["sections"][2]["indicators"][0].update(cumulative=True),
         "'cumulative' is only for integer and decimal figures"),
    ],
)
def test_bad_template_is_rejected_naming_file_key_and_problem(tmp_path, mutate, expected):
    data = _mini()
    mutate(data)
    with pytest.raises(TemplateError) as err:
        load_template(_write(tmp_path, data))
    assert expected in str(err.value)


def test_broken_yaml_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("key: [unclosed\n", encoding="utf-8")
    with pytest.raises(TemplateError, match=r"^broken.yaml: not valid YAML"):
        load_template(path)


def test_missing_include_names_the_file(tmp_path):
    path = _write(tmp_path, {**_mini(), "include": "_nowhere.yaml"})
    with pytest.raises(TemplateError, match="_nowhere.yaml: file not found"):
        load_template(path)


# ------------------------------------------------------------------ rules, skip logic, computed rates

MINI = load_template(MINI_TEMPLATES / "mini.yaml")


def test_cross_field_rule():
    state = ReportState(MINI, {"received": 10})
    broken = state.violations_with("resolved", 12)
    assert [r.message for r in broken] == ["Số đơn đã giải quyết không được lớn hơn số đơn tiếp nhận."]
    assert state.violations_with("resolved", 10) == []
    # a pair's own rule
    assert ReportState(MINI, {}).violations_with("cultural", Pair(Decimal(15), Decimal(14)))


def test_skip_logic_hides_petition_details_when_there_are_none():
    with_petitions = ReportState(MINI, {"received": 3})
    without = ReportState(MINI, {"received": 0})
    assert {"resolved", "subjects", "bypass"} <= set(with_petitions.relevant_keys())
    assert not {"resolved", "subjects", "bypass"} & set(without.relevant_keys())
    assert without.next_key("received") == "level"
    assert with_petitions.next_key("received") == "resolved"


def test_answers_of_irrelevant_questions_are_ignored():
    state = ReportState(MINI, {"received": 0, "resolved": 5})
    assert "resolved" not in state.effective()
    assert state.violations() == []


def test_computed_rate():
    values = ReportState(MINI, {"received": 10, "resolved": 8}).effective()
    assert values["resolved_rate"] == Decimal("0.8")
    assert "resolved_rate" not in ReportState(MINI, {"received": 0}).effective()


def test_progress_and_missing_required():
    state = ReportState(MINI, {"area": Decimal(1), "households": 2, "received": 0, "share": SKIPPED})
    done, total = state.progress()
    assert (done, total) == (4, 9)
    missing = {i.key for i in state.missing_required()}
    assert missing == {"level", "cultural", "strengths"}


def test_a_templates_own_document_symbol_unless_the_unit_set_one(tmp_path):
    from handlers.settings_flow import letterhead_for
    from storage.models import OrgUnit

    plain = OrgUnit(code="XA_A", name="Xã A", kind="commune", settings={})
    own = OrgUnit(code="XA_B", name="Xã B", kind="commune", settings={"doc_symbol": "BC-VP"})
    assert letterhead_for(plain, None).doc_symbol == "BC-UBND"
    assert letterhead_for(plain, None, "BC-BCĐ").doc_symbol == "BC-BCĐ"
    assert letterhead_for(own, None, "BC-BCĐ").doc_symbol == "BC-VP"
    data = _mini()
    data["symbol"] = "bc ubnd"
    with pytest.raises(TemplateError) as err:
        load_template(_write(tmp_path, data))
    assert "symbol" in str(err.value)


UPLOADED = """\
key: hien_dat
version: 1
period: custom
name: "Báo cáo chuyên đề hiến đất"
abstract: "Kết quả vận động Nhân dân hiến đất làm đường giao thông"
sections:
  - key: results
    title: "Kết quả"
    indicators:
      - key: land
        label: "Đất hiến"
        question: "Nhân dân đã hiến bao nhiêu m² đất?"
        hint: "Ví dụ: 1.200."
        type: {type}
        unit: "m²"
    prose:
      - "Nhân dân đã hiến {{land}} đất."
      - "Có {{households}} hộ tham gia."
"""


def test_a_template_an_administrator_writes_is_checked_with_its_lines(tmp_path):
    """``danvan check-templates FILE``: the same validator as the templates in use, each problem
    with its file, item and line, before the file is put among them."""
    from typer.testing import CliRunner

    from bot.cli import app as cli

    bad = tmp_path / "hien_dat.yaml"
    bad.write_text(UPLOADED.format(type="number"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-templates", str(bad)])
    assert result.exit_code == 1
    assert "hien_dat.yaml: sections[results].indicators[land].type: Input should be 'integer'" in result.output
    assert "(line 14)" in result.output  # the line of "type: number"
    bad.write_text(UPLOADED.format(type="decimal"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-templates", str(bad)])
    assert result.exit_code == 1 and "prose names unknown key 'households'" in result.output
    assert "(line 7)" in result.output  # the section it is in
    good = tmp_path / "ok.yaml"
    good.write_text(UPLOADED.format(type="decimal").replace('      - "Có {households} hộ tham gia."\n', ""),
                    encoding="utf-8")
    result = CliRunner().invoke(cli, ["check-templates", str(good)])
    assert result.exit_code == 0 and "hien_dat v1: 1 indicators" in result.output
