"""Issue 11, the last page: the signature block never stands alone (the closing paragraph is kept
with it), a document number or a figure with its unit never breaks across lines, the next
period's heading names its year, and the body ends with a closing sentence. Checked in the Word
XML, and through LibreOffice's PDF page by page where LibreOffice and pdftotext are installed
(CI installs both)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from handlers.samples import sample_answers
from reports.document import abstract_of, build_context, closing_sentence, issuer_of, render_docx
from reports.logic import ReportState
from reports.periods import Period
from reports.prose import Figures
from reports.schema import load_templates
from handlers.samples import sample_letterhead
from tests.test_report_docx import SOFFICE, _to_pdf

PERIOD = Period(2026, "half_year")
PDFTOTEXT = shutil.which("pdftotext")


def _write(tmp_path: Path, answers: dict | None = None, name: str = "r.docx") -> Path:
    template = load_templates()["commune_half_year"]
    answers = sample_answers(template, PERIOD) if answers is None else answers
    figures = Figures(template, ReportState(template, answers).effective())
    closing = closing_sentence(abstract_of(template.abstract, PERIOD), issuer_of("Xã Đông Sơn"))
    path = tmp_path / name
    render_docx(build_context(figures, PERIOD, sample_letterhead(), None, PERIOD.end, closing=closing), path)
    return path


def _body(doc) -> list:  # noqa: ANN001 - the body's paragraphs and tables, in order
    return [el for el in doc.element.body.iterchildren() if el.tag in (qn("w:p"), qn("w:tbl"))]


def _text(el) -> str:  # noqa: ANN001
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def test_the_closing_paragraph_is_kept_with_the_signature_block(tmp_path):
    doc = docx.Document(str(_write(tmp_path)))
    parts = _body(doc)
    signature = next(n for n, el in enumerate(parts) if el.tag == qn("w:tbl") and "Nơi nhận" in _text(el))
    closing = max(n for n in range(signature) if parts[n].tag == qn("w:p") and _text(parts[n]).strip())
    assert _text(parts[closing]).replace("\u00a0", " ") == ("Trên đây là báo cáo kết quả công tác dân vận chính quyền 6 tháng đầu năm 2026, "
                                     "phương hướng nhiệm vụ 6 tháng cuối năm 2026 của Ủy ban nhân dân xã Đông Sơn./.")
    for el in parts[closing:signature]:  # the closing paragraph and the spacer after it: kept with the next
        assert el.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None, _text(el)
    assert all(tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None
               for tr in parts[signature].iter(qn("w:tr")))
    headings = [_text(el).replace("\u00a0", " ") for el in parts if _text(el).startswith("V. ")]
    assert headings == ["V. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2026"]


def test_numbers_and_symbols_do_not_break(tmp_path):
    template = load_templates()["commune_half_year"]
    answers = sample_answers(template, PERIOD) | {"documents_issued": [
        {"kind": "ke_hoach", "number_symbol": "127/KH-UBND", "date": "2026-03-02", "abstract": "tiếp công dân"}]}
    doc = docx.Document(str(_write(tmp_path, answers)))
    runs = [r for p in doc.element.body.iterchildren(qn("w:p")) for r in p.iter(qn("w:r"))]
    symbol = next(r for r in runs if "127/KH" in "".join(t.text or "" for t in r.iter(qn("w:t"))))
    kinds = [child.tag for child in symbol if child.tag in (qn("w:t"), qn("w:noBreakHyphen"))]
    assert qn("w:noBreakHyphen") in kinds  # "127/KH‑UBND": Word's no-break hyphen, not "-"
    assert "127/KH-UBND" in doc.paragraphs[[p.text for p in doc.paragraphs].index(
        next(p.text for p in doc.paragraphs if "127/KH" in p.text))].text  # python-docx reads it as "-"
    body_text = "\n".join(_text(p) for p in doc.element.body.iterchildren(qn("w:p")))
    assert "\u00a0ha" in body_text and "\u00a0hộ" in body_text  # "2.706,51 ha": a no-break space
    assert " ha " not in body_text.replace("\u00a0", "|")


@pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None,
                    reason="LibreOffice or pdftotext (poppler-utils) is not installed: the pages are not checked here")
@pytest.mark.parametrize("tasks", [1, 14, 15])  # without the keep, 14 and 15 leave the signature alone
def test_the_last_page_holds_body_text_with_the_signature(tmp_path, tasks):
    template = load_templates()["commune_half_year"]
    answers = sample_answers(template, PERIOD) | {
        "tasks": [{"task": f"Nhiệm vụ trọng tâm thứ {n} của xã trong kỳ tới, giao cho các bộ phận triển khai"}
                  for n in range(1, tasks + 1)]}
    pdf = _to_pdf(_write(tmp_path, answers, f"tasks{tasks}.docx"), tmp_path)
    pages = subprocess.run([PDFTOTEXT, "-layout", str(pdf), "-"], check=True, capture_output=True,
                           text=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    last = pages[-1]
    assert "Nơi nhận" in last and "TM. ỦY BAN NHÂN DÂN" in last
    assert "Trên đây là báo cáo" in " ".join(last.split())  # the closing paragraph came along
