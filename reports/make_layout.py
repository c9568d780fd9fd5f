"""Builds the Word layout template ``reports/templates/report.docx`` with python-docx.

The layout follows Nghị định 30/2020/NĐ-CP, Phụ lục I: A4 portrait, margins 20/20/30/15 mm,
Times New Roman; a borderless two-column header (supervising body, issuing body in bold capitals
with a short line under it, ``Số: …/BC-UBND`` | national motto with a drawn line under it, the
place-and-date line in italics); ``BÁO CÁO`` and the abstract with a short line; the body at
14 pt, justified, first-line indent 1.27 cm, 6 pt between paragraphs, headings ``I.``, ``1.``,
``a)``; the signer block on the right and ``Nơi nhận:`` on the left; page numbers centred in the
top margin from page 2 on. The Jinja tags are those of :mod:`reports.document` (docxtpl).

Run ``python -m reports.make_layout [OUT.docx]`` to regenerate it; the output is committed.
An administrator may instead edit a copy in Word and point the commune's settings at it.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from reports.document import DEFAULT_LAYOUT

FONT = "Times New Roman"
PAGE = {"width": Mm(210), "height": Mm(297), "top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH = PAGE["width"] - PAGE["left"] - PAGE["right"]  # 165 mm
HEADER_COLS = (Mm(62), TEXT_WIDTH - Mm(62))
FOOTER_COLS = (Mm(72), TEXT_WIDTH - Mm(72))
CELL_MARGIN = Mm(1.9)  # Word's default left/right cell margin (0.19 cm)
BODY_SIZE = Pt(14)
FIRST_LINE = Cm(1.27)
# Drawn lines (paragraph borders) and their lengths: the issuing body's line about a third of
# "ỦY BAN NHÂN DÂN" at 13 pt bold, the motto's as long as "Độc lập - Tự do - Hạnh phúc" at 13 pt bold.
ISSUER_LINE = Mm(20)
MOTTO_LINE = Mm(58)
ABSTRACT_LINE = Mm(35)


# ---------------------------------------------------------------------------- low-level helpers


def _fonts(rpr) -> None:  # noqa: ANN001 - an lxml element
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would win over the named one in Word
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _border_bottom(paragraph) -> None:  # noqa: ANN001
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for attr, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(attr), value)
    borders.append(bottom)
    # pBdr must come before spacing/ind/jc in pPr (CT_PPr sequence order).
    anchor = None
    for tag in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:snapToGrid", "w:spacing", "w:ind",
                "w:contextualSpacing", "w:jc", "w:textAlignment", "w:outlineLvl", "w:rPr"):
        anchor = ppr.find(qn(tag))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        ppr.append(borders)


def _preserve_spaces(doc) -> None:  # noqa: ANN001
    """Keep runs of spaces in every text (the blank day of a draft's date line)."""
    for t in doc.element.iter(qn("w:t")):
        t.set(qn("xml:space"), "preserve")


def _para(
    container,  # noqa: ANN001 - a Document, a cell or a header
    text: str = "",
    *,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.CENTER,
    before: Pt = Pt(0),
    after: Pt = Pt(0),
    first_line: Cm | None = None,
    spacing: float = 1.0,
    keep_next: bool = False,
    first: bool = False,
):
    p = container.paragraphs[0] if first else container.add_paragraph()
    fmt = p.paragraph_format
    p.alignment = align
    fmt.space_before = before
    fmt.space_after = after
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE if spacing == 1.0 else WD_LINE_SPACING.MULTIPLE
    if spacing != 1.0:
        fmt.line_spacing = spacing
    if first_line is not None:
        fmt.first_line_indent = first_line
    if keep_next:
        fmt.keep_with_next = True
    run = p.add_run(text)
    run.font.name = FONT
    run.font.size = size
    run.font.bold = bold
    run.font.italic = italic
    _fonts(run._r.get_or_add_rPr())
    return p


def _mark_size(paragraph, size: Pt) -> None:  # noqa: ANN001
    """The size of the paragraph mark, which sets the height of an empty paragraph."""
    ppr = paragraph._p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        ppr.append(rpr)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(int(size.pt * 2)))
        rpr.append(el)


def _tag(container, tag: str) -> None:  # noqa: ANN001
    """A paragraph holding only a docxtpl ``{%p … %}`` tag; it disappears when rendered."""
    _para(container, tag, size=Pt(2))


def _line(container, length: Mm, width: Mm, *, after: Pt = Pt(0)):  # noqa: ANN001
    """A short solid line, centred in ``width``: an empty paragraph with a bottom border."""
    p = _para(container, "", size=Pt(2), after=after)
    _mark_size(p, Pt(2))
    side = int((width - length) / 2)
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side
    _border_bottom(p)
    return p


def _borderless(table, widths: tuple[int, ...]) -> None:  # noqa: ANN001
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblpr.append(borders)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(widths) / 635)))  # EMU → twentieths of a point
    width.set(qn("w:type"), "dxa")
    existing = tblpr.find(qn("w:tblW"))
    if existing is not None:
        tblpr.remove(existing)
    tblpr.insert(1 if tblpr.find(qn("w:tblStyle")) is not None else 0, width)
    for col, w in zip(table.columns, widths):
        col.width = w
        for cell in col.cells:
            cell.width = w


def _page_number(paragraph) -> None:  # noqa: ANN001
    """A PAGE field: Word and LibreOffice write the page's number in its place."""
    def run_with(child):  # noqa: ANN001, ANN202
        r = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        _fonts(rpr)
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(int(BODY_SIZE.pt * 2)))
        rpr.append(sz)
        r.append(rpr)
        r.append(child)
        paragraph._p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    t = OxmlElement("w:t")
    t.text = "2"
    run_with(t)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _defaults(doc) -> None:  # noqa: ANN001
    """Times New Roman 14 and Vietnamese as the document defaults and the Normal style."""
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr_default)
    for tag in ("w:sz", "w:szCs", "w:lang"):
        old = rpr_default.find(qn(tag))
        if old is not None:
            rpr_default.remove(old)
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "28")
        rpr_default.append(el)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    lang.set(qn("w:eastAsia"), "vi-VN")
    lang.set(qn("w:bidi"), "ar-SA")
    rpr_default.append(lang)
    spacing = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    if spacing is not None:
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
    for fonts in styles.iter(qn("w:rFonts")):  # no theme fonts anywhere: Times New Roman throughout
        _fonts(fonts.getparent())
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    _fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(0)
    for name in ("Header", "Footer", "Table Grid"):
        if name in [s.name for s in doc.styles]:
            style = doc.styles[name]
            style.font.name = FONT
            _fonts(style.element.get_or_add_rPr())


# ---------------------------------------------------------------------------- the layout


def _page(doc) -> None:  # noqa: ANN001
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin, section.bottom_margin = PAGE["top"], PAGE["bottom"]
    section.left_margin, section.right_margin = PAGE["left"], PAGE["right"]
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True
    _para(section.first_page_header, "", first=True)  # no number on the first page
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(header)


def _letterhead(doc) -> None:  # noqa: ANN001
    table = doc.add_table(rows=2, cols=2)
    _borderless(table, HEADER_COLS)
    left, right = table.cell(0, 0), table.cell(0, 1)
    left_width = HEADER_COLS[0] - 2 * CELL_MARGIN
    right_width = HEADER_COLS[1] - 2 * CELL_MARGIN

    _tag(left, "{%p if supervising_body %}")
    left.paragraphs[0]._p.getparent().remove(left.paragraphs[0]._p)  # the cell's initial empty paragraph
    _para(left, "{{ supervising_body }}", size=Pt(13))
    _tag(left, "{%p endif %}")
    _tag(left, "{%p for line in issuing_body %}")
    _para(left, "{{ line }}", size=Pt(13), bold=True)
    _tag(left, "{%p endfor %}")
    _line(left, ISSUER_LINE, left_width)

    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=Pt(12), bold=True, first=True)
    motto = _para(right, "Độc lập - Tự do - Hạnh phúc", size=Pt(13), bold=True)
    side = int((right_width - MOTTO_LINE) / 2)
    motto.paragraph_format.left_indent = side
    motto.paragraph_format.right_indent = side
    _border_bottom(motto)

    _para(table.cell(1, 0), "{{ number_line }}", size=Pt(13), before=Pt(6), first=True)
    _para(table.cell(1, 1), "{{ date_line }}", size=Pt(14), italic=True, before=Pt(6), first=True)


def _title(doc) -> None:  # noqa: ANN001
    _para(doc, "{{ title }}", size=Pt(14), bold=True, before=Pt(18), keep_next=True)
    _para(doc, "{{ abstract }}", size=Pt(14), bold=True, keep_next=True)
    _line(doc, ABSTRACT_LINE, TEXT_WIDTH, after=Pt(12))


def _body(doc) -> None:  # noqa: ANN001
    body = {"size": BODY_SIZE, "align": WD_ALIGN_PARAGRAPH.JUSTIFY, "after": Pt(6), "first_line": FIRST_LINE,
            "spacing": 1.15}
    _tag(doc, "{%p for b in body %}")
    _tag(doc, "{%p if b.part %}")  # Phần thứ nhất, then its title, centred
    _para(doc, "{{ b.number }}", size=BODY_SIZE, bold=True, before=Pt(12), keep_next=True)
    _para(doc, "{{ b.text }}", size=BODY_SIZE, bold=True, after=Pt(6), keep_next=True)
    _tag(doc, "{%p elif b.level == 1 %}")
    _para(doc, "{{ b.number }} {{ b.text }}", bold=True, keep_next=True, **body)
    _tag(doc, "{%p elif b.level == 2 %}")
    _para(doc, "{{ b.number }} {{ b.text }}", bold=True, keep_next=True, **body)
    _tag(doc, "{%p elif b.level == 3 %}")
    _para(doc, "{{ b.number }} {{ b.text }}", italic=True, keep_next=True, **body)
    _tag(doc, "{%p elif b.keep %}")  # the last paragraph: kept with the signature block
    _para(doc, "{{ b.text }}", keep_next=True, **body)
    _tag(doc, "{%p else %}")
    _para(doc, "{{ b.text }}", **body)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")


def _signature(doc) -> None:  # noqa: ANN001
    _para(doc, "", size=Pt(6), keep_next=True)  # between the last paragraph and the block: kept with both
    table = doc.add_table(rows=1, cols=2)
    _borderless(table, FOOTER_COLS)
    row_pr = table.rows[0]._tr.get_or_add_trPr()
    row_pr.append(OxmlElement("w:cantSplit"))  # the signer block never breaks across pages
    left, right = table.cell(0, 0), table.cell(0, 1)
    _para(left, "Nơi nhận:", size=Pt(12), bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    _tag(left, "{%p for r in recipients %}")
    _para(left, "- {{ r }}", size=Pt(11), align=WD_ALIGN_PARAGRAPH.LEFT)
    _tag(left, "{%p endfor %}")

    _tag(right, "{%p for line in signer_lines %}")
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)
    _para(right, "{{ line }}", size=Pt(14), bold=True)
    _tag(right, "{%p endfor %}")
    for _ in range(4):  # room for the signature and the seal
        _para(right, "", size=Pt(14))
    _para(right, "{{ signer_name }}", size=Pt(14), bold=True)


def build_layout():  # noqa: ANN201 - a docx Document
    doc = Document()
    for p in doc.paragraphs:  # start from an empty body
        doc.element.body.remove(p._p)
    _defaults(doc)
    _page(doc)
    _letterhead(doc)
    _title(doc)
    _body(doc)
    _signature(doc)
    _preserve_spaces(doc)
    props = doc.core_properties
    props.author = "danvan"
    props.last_modified_by = "danvan"
    props.title = "Mẫu báo cáo (Nghị định 30/2020/NĐ-CP)"
    props.comments = "Generated by reports/make_layout.py; Jinja tags rendered by docxtpl."
    props.revision = 1
    props.created = props.modified = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return doc


def main(argv: list[str] | None = None) -> Path:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else DEFAULT_LAYOUT
    build_layout().save(out)
    return out


if __name__ == "__main__":  # pragma: no cover
    print(main())
