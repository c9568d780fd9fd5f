"""Tables in a rendered Word file, with python-docx: the annex of a compiled report (a new landscape
A4 section after the signature, its title, and a bordered table: a header row repeated on every
page, one row a unit, the totals row in bold), and the body's tables (a list answered as a table,
put where the layout printed its marker paragraph)."""

from __future__ import annotations

import copy
import re

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.prose import table_marker

FONT = "Times New Roman"
_FIGURE = re.compile(r"[\d.,%/\s]+|—")  # a figure, set to the right in its cell
SIZE = Pt(11)


def _run(paragraph, text: str, bold: bool = False, size: Pt = SIZE) -> None:  # noqa: ANN001
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = size
    run.font.name = FONT
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _borders(table) -> None:  # noqa: ANN001
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        for attr, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "000000")):
            el.set(qn(attr), value)
        borders.append(el)
    tbl_pr.append(borders)


def _repeat_header(row) -> None:  # noqa: ANN001
    tr_pr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _cell(cell, text: str, bold: bool = False, align=WD_ALIGN_PARAGRAPH.CENTER) -> None:  # noqa: ANN001
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_before = Pt(2)
    paragraph.paragraph_format.space_after = Pt(2)
    paragraph.paragraph_format.first_line_indent = Mm(0)
    _run(paragraph, text, bold)


def _widths(table, section, columns: int) -> list:  # noqa: ANN001
    """Column widths: a narrow number, a wide unit name, the figures sharing the rest; written to the
    grid (what LibreOffice reads) and to the header cells (what Word reads)."""
    width = section.page_width - section.left_margin - section.right_margin
    first, name = Mm(12), Mm(50)
    rest = int((width - first - name) / max(columns - 2, 1))
    widths = [first, name, *[rest] * (columns - 2)][:columns]
    table.autofit = False
    for column, w in zip(table.columns, widths):
        column.width = w
    return widths


def _fill(row, texts: tuple[str, ...], widths: list, bold: bool = False) -> None:  # noqa: ANN001
    for i, (cell, text) in enumerate(zip(row.cells, texts)):
        cell.width = widths[i]
        align = (WD_ALIGN_PARAGRAPH.CENTER if i == 0 else WD_ALIGN_PARAGRAPH.LEFT if i == 1
                 else WD_ALIGN_PARAGRAPH.RIGHT)
        _cell(cell, text, bold=bold, align=align)


def append_annex(doc, annex) -> None:  # noqa: ANN001 - a python-docx Document, a reports.document.Annex
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin = Mm(20), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Mm(0)
    _run(title, "PHỤ LỤC", bold=True, size=Pt(14))
    subtitle = doc.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle.paragraph_format.first_line_indent = Mm(0)
    subtitle.paragraph_format.space_after = Pt(6)
    _run(subtitle, annex.title, bold=True, size=Pt(13))
    header = ("STT", *annex.header)
    table = doc.add_table(rows=1, cols=len(header))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    widths = _widths(table, section, len(header))
    for cell, text, w in zip(table.rows[0].cells, header, widths):
        cell.width = w
        _cell(cell, text, bold=True)
    _repeat_header(table.rows[0])
    if annex.rows:
        # One row is formatted through python-docx, with a placeholder in every cell; each unit's row
        # is a copy of its XML with the unit's texts (formatting 170 rows cell by cell costs a second).
        proto = table.add_row()
        _fill(proto, ("0",) * len(header), widths)
        for n, values in enumerate(annex.rows, start=1):
            tr = copy.deepcopy(proto._tr)
            for t, text in zip(tr.iter(qn("w:t")), (str(n), *values)):
                t.text = text
            table._tbl.append(tr)
        table._tbl.remove(proto._tr)
    if annex.total:
        _fill(table.add_row(), ("", *annex.total), widths, bold=True)


def place_tables(doc, tables) -> None:  # noqa: ANN001 - a python-docx Document, [(header, rows)]
    """Each body table where its marker paragraph is: bordered, the header in bold and repeated on
    every page, the first column (a year, say) centred and the figures on the right."""
    markers = {table_marker(n): n for n in range(1, len(tables) + 1)}
    section = doc.sections[0]
    width = section.page_width - section.left_margin - section.right_margin
    for paragraph in list(doc.paragraphs):
        n = markers.get(paragraph.text.strip())
        if n is None:
            continue
        header, rows = tables[n - 1]
        table = doc.add_table(rows=1, cols=len(header))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _borders(table)
        table.autofit = False
        widths = [int(width / len(header))] * len(header)
        for cell, text, w in zip(table.rows[0].cells, header, widths):
            cell.width = w
            _cell(cell, text, bold=True)
        _repeat_header(table.rows[0])
        for values in rows:
            row = table.add_row()
            for i, (cell, text, w) in enumerate(zip(row.cells, values, widths)):
                cell.width = w
                align = (WD_ALIGN_PARAGRAPH.CENTER if i == 0 else WD_ALIGN_PARAGRAPH.RIGHT
                         if _FIGURE.fullmatch(text) else WD_ALIGN_PARAGRAPH.LEFT)
                _cell(cell, text, align=align)
        paragraph._p.addprevious(table._tbl)
        for run in list(paragraph.runs):  # the marker's paragraph stays, empty, as the space under the table
            run._r.getparent().remove(run._r)
