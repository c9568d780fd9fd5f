"""The Word file read back with python-docx: page, header, date line, body, signer, hostile text;
converted to PDF by LibreOffice where it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from lxml import etree

from handlers.samples import sample_answers, sample_letterhead
from reports import make_layout
from reports.document import DEFAULT_LAYOUT, Letterhead, LayoutError, build_context, render_docx, sanitize
from reports.logic import SKIPPED, ReportState
from reports.periods import Period
from reports.prose import Figures
from reports.schema import load_templates

PERIOD = Period(2026, "half_year")
TNR = "Times New Roman"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def template():
    return load_templates()["commune_half_year"]


def make(tmp_path: Path, template, answers=None, *, previous=None, letterhead: Letterhead | None = None,
         issued: date | None = date(2026, 6, 3), today: date = date(2026, 6, 3), name: str = "out.docx",
         layout: Path | None = None) -> docx.document.Document:
    answers = sample_answers(template, PERIOD) if answers is None else answers
    values = ReportState(template, answers).effective()
    prev = ReportState(template, previous).effective() if previous is not None else None
    context = build_context(Figures(template, values, prev), PERIOD, letterhead or sample_letterhead(), issued, today)
    path = tmp_path / name
    render_docx(context, path, layout)
    return plain(docx.Document(str(path)))


def plain(doc):  # noqa: ANN001, ANN201
    """The document with its no-break spaces read as spaces (they keep a figure with its unit on a
    line; tests/test_report_layout.py checks them), so that the tests compare plain text."""
    from docx.oxml.ns import qn

    for t in doc.element.body.iter(qn("w:t")):
        if t.text and "\u00a0" in t.text:
            t.text = t.text.replace("\u00a0", " ")
    return doc


@pytest.fixture(scope="module")
def sample_doc(tmp_path_factory, template):
    return make(tmp_path_factory.mktemp("docx"), template)


def body_paragraphs(doc) -> list:
    return [p for p in doc.paragraphs if p.text.strip()]


def header_cells(doc):
    table = doc.tables[0]
    return table.cell(0, 0), table.cell(0, 1), table.cell(1, 0), table.cell(1, 1)


def texts(cell) -> list[str]:
    return [p.text for p in cell.paragraphs]


def para(cell, text: str):
    return next(p for p in cell.paragraphs if p.text == text)


def run_props(p) -> tuple[float, bool, bool]:
    """(size in pt, bold, italic) of a paragraph whose runs share one format."""
    runs = [r for r in p.runs if r.text]
    assert runs, p.text
    sizes = {r.font.size.pt for r in runs}
    bold = {bool(r.font.bold) for r in runs}
    italic = {bool(r.font.italic) for r in runs}
    assert len(sizes) == len(bold) == len(italic) == 1, p.text
    return sizes.pop(), bold.pop(), italic.pop()


def has_bottom_border(p) -> bool:
    ppr = p._p.pPr
    bdr = ppr.find(qn("w:pBdr")) if ppr is not None else None
    bottom = bdr.find(qn("w:bottom")) if bdr is not None else None
    return bottom is not None and bottom.get(qn("w:val")) == "single"


def after(paragraphs, p):
    """The paragraph following ``p`` (python-docx makes a new proxy object on every access)."""
    elements = [q._p for q in paragraphs]
    return paragraphs[elements.index(p._p) + 1]


def line_width(p, available: int) -> int:
    fmt = p.paragraph_format
    return available - (fmt.left_indent or 0) - (fmt.right_indent or 0)


# ---------------------------------------------------------------------------- page and header


def test_page_is_a4_portrait_with_the_decree_margins(sample_doc):
    section = sample_doc.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    def mm(length) -> float:  # Word stores twentieths of a point: 15 mm reads back as 14.99 mm
        return round(length.mm, 1)

    assert 20 <= mm(section.top_margin) <= 25 and 20 <= mm(section.bottom_margin) <= 25
    assert 30 <= mm(section.left_margin) <= 35 and 15 <= mm(section.right_margin) <= 20


def test_header_is_a_borderless_two_column_table(sample_doc):
    table = sample_doc.tables[0]
    assert len(table.columns) == 2
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    assert {b.get(qn("w:val")) for b in borders} == {"nil"}
    left, right, number, date_cell = header_cells(sample_doc)
    assert texts(left)[:3] == ["UBND TỈNH BẮC NINH", "ỦY BAN NHÂN DÂN", "XÃ ĐÔNG SƠN"]
    assert texts(right) == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert number.paragraphs[0].text == "Số: 05/BC-UBND"
    assert date_cell.paragraphs[0].text == "Đông Sơn, ngày 03 tháng 6 năm 2026"


def test_header_fonts_and_sizes(sample_doc):
    left, right, number, date_cell = header_cells(sample_doc)
    size, bold, italic = run_props(para(left, "UBND TỈNH BẮC NINH"))
    assert 12 <= size <= 13 and not bold and not italic
    for line in ("ỦY BAN NHÂN DÂN", "XÃ ĐÔNG SƠN"):
        size, bold, _i = run_props(para(left, line))
        assert 12 <= size <= 13 and bold
    size, bold, _i = run_props(para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    assert 12 <= size <= 13 and bold
    size, bold, _i = run_props(para(right, "Độc lập - Tự do - Hạnh phúc"))
    assert 13 <= size <= 14 and bold
    size, bold, italic = run_props(number.paragraphs[0])
    assert size == 13 and not bold and not italic
    size, bold, italic = run_props(date_cell.paragraphs[0])
    assert 13 <= size <= 14 and italic and not bold
    for p in (*left.paragraphs, *right.paragraphs, number.paragraphs[0], date_cell.paragraphs[0]):
        assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_lines_under_the_issuing_body_and_the_motto_are_drawn(sample_doc):
    left, right, _n, _d = header_cells(sample_doc)
    cell_width = left.width - 2 * make_layout.CELL_MARGIN
    after_issuer = after(left.paragraphs, para(left, "XÃ ĐÔNG SƠN"))
    assert after_issuer.text == "" and has_bottom_border(after_issuer)
    assert Mm(12) <= line_width(after_issuer, cell_width) <= Mm(30)  # a short line, about a third
    motto = para(right, "Độc lập - Tự do - Hạnh phúc")
    assert has_bottom_border(motto)  # a border, not underlined text
    assert not any(r.font.underline for r in motto.runs)
    assert Mm(50) <= line_width(motto, right.width - 2 * make_layout.CELL_MARGIN) <= Mm(65)


@pytest.mark.parametrize(
    ("issued", "expected"),
    [
        (date(2024, 6, 3), "Đông Sơn, ngày 03 tháng 6 năm 2024"),
        (date(2020, 1, 5), "Đông Sơn, ngày 05 tháng 01 năm 2020"),
        (date(2024, 2, 29), "Đông Sơn, ngày 29 tháng 02 năm 2024"),
        (date(2024, 3, 9), "Đông Sơn, ngày 09 tháng 3 năm 2024"),
        (date(2019, 6, 29), "Đông Sơn, ngày 29 tháng 6 năm 2019"),
        (date(2024, 12, 10), "Đông Sơn, ngày 10 tháng 12 năm 2024"),
        (None, "Đông Sơn, ngày     tháng 6 năm 2026"),  # a draft: the day is left blank
    ],
)
def test_date_line_rule(tmp_path, template, issued, expected):
    doc = make(tmp_path, template, issued=issued, today=date(2026, 6, 20))
    assert header_cells(doc)[3].paragraphs[0].text == expected


def test_number_is_left_blank_when_not_given_and_supervising_body_may_be_absent(tmp_path, template):
    letterhead = Letterhead(issuing_body=("ỦY BAN NHÂN DÂN", "XÃ ĐÔNG SƠN"), place="Đông Sơn", doc_symbol="BC-UBND")
    doc = make(tmp_path, template, letterhead=letterhead)
    left, _r, number, _d = header_cells(doc)
    assert re.fullmatch(r"Số: {4,}/BC-UBND", number.paragraphs[0].text)
    assert texts(left)[:2] == ["ỦY BAN NHÂN DÂN", "XÃ ĐÔNG SƠN"]


# ---------------------------------------------------------------------------- title and body


def test_title_and_abstract(sample_doc):
    paragraphs = body_paragraphs(sample_doc)
    title, abstract = paragraphs[0], paragraphs[1]
    assert title.text == "BÁO CÁO" and title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert run_props(title) == (14, True, False)
    assert abstract.text == ("Kết quả công tác dân vận chính quyền 6 tháng đầu năm 2026, "
                             "phương hướng nhiệm vụ 6 tháng cuối năm 2026")
    assert abstract.alignment == WD_ALIGN_PARAGRAPH.CENTER and run_props(abstract)[:2] == (14, True)
    line = after(sample_doc.paragraphs, abstract)
    assert line.text == "" and has_bottom_border(line)
    section = sample_doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    assert Mm(20) <= line_width(line, text_width) <= Mm(60)


def test_body_paragraph_format(sample_doc):
    paragraphs = body_paragraphs(sample_doc)[2:]
    assert len(paragraphs) > 20
    for p in paragraphs:
        fmt = p.paragraph_format
        assert p.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY, p.text
        assert Cm(1) - 500 <= fmt.first_line_indent <= Cm(1.27) + 500
        assert fmt.space_after >= Pt(6)
        assert 1.0 <= fmt.line_spacing <= 1.5
        assert 13 <= run_props(p)[0] <= 14


def test_sections_appear_in_template_order_numbered(sample_doc):
    headings = [p.text for p in body_paragraphs(sample_doc) if re.match(r"^([IVX]+\.|\d+\.|[a-zđ]\)) ", p.text)]
    top = [h for h in headings if re.match(r"^[IVX]+\. ", h)]
    assert top == ["I. KHÁI QUÁT ĐẶC ĐIỂM TÌNH HÌNH", "II. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO", "III. KẾT QUẢ THỰC HIỆN",
                   "IV. ĐÁNH GIÁ CHUNG", "V. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2026", "VI. ĐỀ XUẤT, KIẾN NGHỊ"]
    i = headings.index("III. KẾT QUẢ THỰC HIỆN")
    assert headings[i + 1:i + 5] == ["1. Thực hiện dân chủ ở cơ sở", "2. Cải cách hành chính",
                                     "3. Đạo đức công vụ, văn hóa công sở và xây dựng chính quyền thân thiện",
                                     "4. Tiếp công dân"]
    for h in top:
        assert run_props(next(p for p in sample_doc.paragraphs if p.text == h))[1]  # bold


def test_figures_appear_formatted(tmp_path, template):
    answers = sample_answers(template, PERIOD) | {
        "dossiers_received": 1028, "dossiers_online": 900, "natural_area": Decimal("4840.67"),
        "petitions_received": 10, "petitions_eligible": 10, "petitions_resolved": 8, "petitions_in_progress": 2,
    }
    text = "\n".join(p.text for p in make(tmp_path, template, answers).paragraphs)
    assert "tiếp nhận 1.028 hồ sơ;" in text
    assert "đã giải quyết 8/10 đơn, đạt 80%." in text
    assert "4.840,67 ha" in text and "chiếm 87,55%" in text
    assert "1028" not in text and "4840" not in text


def test_a_skipped_indicator_leaves_no_sentence(tmp_path, template):
    answers = sample_answers(template, PERIOD) | {"ntm_level": SKIPPED, "people_contributions": SKIPPED,
                                                   "situation_overview": SKIPPED}
    text = "\n".join(p.text for p in make(tmp_path, template, answers).paragraphs)
    assert "hiện nay xã" not in text and "tự nguyện đóng góp" not in text
    assert "tình hình chính trị, trật tự an toàn xã hội" not in text
    assert "Đến nay, có 12/14 khu dân cư được công nhận" in text  # its neighbours stay


def test_change_against_last_year_reaches_the_file(tmp_path, template):
    answers = sample_answers(template, PERIOD)
    previous = dict(answers) | {"dossiers_received": 1100}
    text = "\n".join(p.text for p in make(tmp_path, template, answers, previous=previous).paragraphs)
    assert "tiếp nhận 1.028 hồ sơ, giảm 72 hồ sơ (6,55%) so với cùng kỳ năm trước;" in text


# ---------------------------------------------------------------------------- signer and pages


def test_signer_block_and_recipients(sample_doc):
    table = sample_doc.tables[-1]
    left, right = table.cell(0, 0), table.cell(0, 1)
    assert texts(left) == ["Nơi nhận:", "- UBND tỉnh Bắc Ninh;", "- Thường trực Đảng ủy xã;", "- Lưu: VT, VP."]
    assert run_props(left.paragraphs[0]) == (12, True, True)
    assert left.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    for p in left.paragraphs[1:]:
        assert run_props(p)[0] == 11
    signer = [t for t in texts(right) if t]
    assert signer == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn An"]
    for p in right.paragraphs:
        if p.text:
            size, bold, _i = run_props(p)
            assert 13 <= size <= 14 and bold and p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert texts(right).index("Nguyễn Văn An") - texts(right).index("PHÓ CHỦ TỊCH") >= 4  # room to sign


def test_page_numbers_centred_in_the_top_margin_from_page_two(sample_doc):
    section = sample_doc.sections[0]
    assert section.different_first_page_header_footer
    header_xml = etree.tostring(section.header._element, encoding="unicode")
    assert re.search(r"<w:instrText[^>]*> ?PAGE ?</w:instrText>", header_xml)
    assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" not in etree.tostring(section.first_page_header._element, encoding="unicode")
    assert section.header_distance < section.top_margin


def test_times_new_roman_throughout(sample_doc):
    styles = sample_doc.styles.element
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert defaults.get(qn("w:ascii")) == TNR and defaults.get(qn("w:hAnsi")) == TNR
    for fonts in styles.iter(qn("w:rFonts")):
        assert not any(name.endswith("Theme") or name.endswith("theme") for name in fonts.attrib), fonts.attrib
    parts = [sample_doc.element.body, sample_doc.sections[0].header._element]
    for part in parts:
        for r in part.iter(qn("w:r")):
            fonts = r.find(qn("w:rPr") + "/" + qn("w:rFonts"))
            if fonts is not None:
                assert fonts.get(qn("w:ascii")) == TNR and fonts.get(qn("w:hAnsi")) == TNR


# ---------------------------------------------------------------------------- hostile text

HOSTILE = (
    "Mở đầu <w:t>chèn</w:t> & ]]> <![CDATA[x]]> \"trích\" 'đơn' {{ signer_name }} {%p endfor %} "
    "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\ufffe\uffff 😀👍🏽🇻🇳 kết thúc."
)


def all_text(doc) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def assert_well_formed(path: Path) -> None:
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                etree.fromstring(z.read(name))  # raises on any XML error (no recovery)


def test_sanitize_removes_what_xml_forbids():
    assert sanitize("a\x00b\x0bc\x1fd\ufffee\r\nf\tg😀") == "ab" + "cde\nf\tg😀"
    assert sanitize("Nguye\u0302\u0303n") == "Nguyễn"  # decomposed Vietnamese becomes one code point


def test_hostile_text_gives_a_valid_file(tmp_path, template):
    long_text = ("Nội dung rất dài & <b>đậm</b> 😀 " * 400)[:10_000]
    answers = sample_answers(template, PERIOD) | {
        "situation_overview": HOSTILE,
        "strengths": long_text,
        "overdue_reason": "mất điện ]]> & <script>",
    }
    letterhead = Letterhead(issuing_body=("ỦY BAN NHÂN DÂN", "XÃ <ĐÔNG> & SƠN\x07"), supervising_body="UBND & <TỈNH>",
                            place="Đông\x0bSơn", doc_number="7", signer_name="Nguyễn <Văn> An 😀",
                            recipients=("UBND tỉnh & <Sở>", "Lưu: VT"))
    doc = make(tmp_path, template, answers, letterhead=letterhead, name="hostile.docx")
    assert_well_formed(tmp_path / "hostile.docx")
    text = all_text(doc)
    clean = " ".join(sanitize(HOSTILE).split())
    assert clean in text  # markup, quotes, Jinja-looking text and emoji arrive as written
    assert "{{ signer_name }} {%p endfor %}" in text and "<w:t>chèn</w:t> & ]]>" in text
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", text)
    assert " ".join(long_text.split()) in text and len(long_text) == 10_000
    assert "XÃ <ĐÔNG> & SƠN" in text and "Nguyễn <Văn> An 😀" in text and "- UBND tỉnh & <Sở>;" in text
    assert "ĐôngSơn, ngày 03 tháng 6 năm 2026" in text


# ---------------------------------------------------------------------------- the layout file


def test_committed_layout_is_what_the_generator_makes(tmp_path):
    fresh = make_layout.main([str(tmp_path / "layout.docx")])
    with zipfile.ZipFile(fresh) as a, zipfile.ZipFile(DEFAULT_LAYOUT) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for name in a.namelist():
            if name != "docProps/core.xml":
                assert a.read(name) == b.read(name), f"{name} differs: run python -m reports.make_layout"


def _layout_with(tmp_path: Path, text: str) -> Path:
    d = docx.Document()
    d.add_paragraph(text)
    path = tmp_path / "mine.docx"
    d.save(str(path))
    return path


def test_a_broken_layout_gives_a_clear_error(tmp_path, template):
    not_docx = tmp_path / "notes.docx"
    not_docx.write_text("this is not a Word file", encoding="utf-8")
    with pytest.raises(LayoutError, match=r"notes\.docx: not a Word \.docx file"):
        make(tmp_path, template, layout=not_docx)
    with pytest.raises(LayoutError, match=r"missing\.docx: the layout template file does not exist"):
        make(tmp_path, template, layout=tmp_path / "missing.docx")
    with pytest.raises(LayoutError, match=r"mine\.docx: a template tag is broken: .*near: .*Người ký"):
        make(tmp_path, template, layout=_layout_with(tmp_path, "Người ký: {{ signer_name "))
    with pytest.raises(LayoutError, match=r"mine\.docx: 'signer_nam' is undefined \(the layout may use: .*signer_name"):
        make(tmp_path, template, layout=_layout_with(tmp_path, "Người ký: {{ signer_nam }}"))


def test_an_edited_layout_is_used(tmp_path, template):
    layout = _layout_with(tmp_path, "Mẫu riêng — {{ date_line }} — {{ signer_name }} — {{ body|length }} đoạn")
    doc = make(tmp_path, template, layout=layout)
    assert re.fullmatch(r"Mẫu riêng — Đông Sơn, ngày 03 tháng 6 năm 2026 — Nguyễn Văn An — \d+ đoạn",
                        doc.paragraphs[0].text)


# ---------------------------------------------------------------------------- LibreOffice


def _pdf_pages(pdf: Path) -> int:
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def _to_pdf(docx_path: Path, out_dir: Path) -> Path:
    profile = out_dir / "lo-profile"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(docx_path)],
        check=True, capture_output=True, timeout=180,
    )
    return out_dir / (docx_path.stem + ".pdf")


def test_libreoffice_converts_the_sample_and_a_hostile_report_to_pdf(tmp_path, template):
    if SOFFICE is None:
        pytest.skip("LibreOffice is not installed (no soffice/libreoffice on PATH; Debian package "
                    "libreoffice-writer): the PDF conversion is not checked here")
    make(tmp_path, template, name="sample.docx")
    answers = sample_answers(template, PERIOD) | {"situation_overview": HOSTILE,
                                                   "strengths": ("Dài & <b>😀</b> " * 700)[:10_000]}
    make(tmp_path, template, answers, name="hostile.docx")
    sample_pages = _pdf_pages(_to_pdf(tmp_path / "sample.docx", tmp_path))
    hostile_pages = _pdf_pages(_to_pdf(tmp_path / "hostile.docx", tmp_path))
    assert sample_pages >= 2  # a whole report runs over several pages
    assert hostile_pages > sample_pages  # the 10,000 characters are there
