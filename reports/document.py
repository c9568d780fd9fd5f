"""The Word file: the render context of a report and its rendering through a docxtpl layout.

The layout (``reports/templates/report.docx``, made by ``reports/make_layout.py``) is a Word file
with Jinja tags, laid out per Nghị định 30/2020/NĐ-CP; an administrator may replace it with their
own file. Every text that goes into the context is sanitised first: characters XML 1.0 does not
allow are removed, Vietnamese is put in NFC form, and markup characters are escaped by docxtpl's
autoescape, so answers holding ``<w:t>``, ``&``, ``]]>``, emoji or 10,000 characters still give a
valid file. A layout that cannot be used raises :class:`LayoutError` naming the file and the problem.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from reports.formatting import date_line
from reports.periods import Period
from reports.prose import compose, table_marker

if TYPE_CHECKING:  # pragma: no cover - docxtpl, python-docx, lxml and Jinja are imported when a file is built
    from docxtpl import DocxTemplate

DEFAULT_LAYOUT = Path(__file__).parent / "templates" / "report.docx"
CONTEXT_KEYS = (
    "supervising_body", "issuing_body", "number_line", "date_line", "title", "abstract", "body",
    "signer_lines", "signer_name", "recipients", "draft",
)
ANNEX_KEY = "annex"  # the compiled report's per-unit table, added after the layout is rendered

# Characters outside the XML 1.0 ``Char`` production (C0 controls but tab, newline, carriage return;
# lone surrogates; U+FFFE and U+FFFF) make a .docx that Word refuses to open; C1 controls (DEL and
# U+0080–U+009F) are allowed by XML but discouraged and never meant in Vietnamese text.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class LayoutError(ValueError):
    """The Word layout template cannot be used; the message names the file and the problem."""


def sanitize(text: str) -> str:
    """Text that is safe inside a .docx: NFC, no XML-illegal characters, ``\\r\\n`` as ``\\n``."""
    text = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub("", text)


def _one_line(text: str) -> str:
    return " ".join(sanitize(text).split())


def _clean(obj: Any) -> Any:
    if isinstance(obj, str):
        return sanitize(obj)
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    return obj


def _clean_values(values: Any) -> Any:
    """Answers with their texts sanitised (free text, list items), before the prose is written."""
    if isinstance(values, str):
        return sanitize(values)
    if isinstance(values, dict):
        return {k: _clean_values(v) for k, v in values.items()}
    if isinstance(values, list):
        return [_clean_values(v) for v in values]
    if hasattr(values, "entries"):  # texts collected across units (reports.aggregate.PerUnit)
        return dataclasses.replace(values, entries=tuple((sanitize(name), sanitize(text)) for name, text in values.entries))
    return values  # numbers, dates, pairs, tallies


@dataclass(frozen=True)
class Letterhead:
    """What the commune's settings put around the body: bodies, number, place, signer, recipients."""

    issuing_body: tuple[str, ...]
    supervising_body: str = ""
    place: str = ""
    doc_number: str = ""
    doc_symbol: str = "BC-UBND"
    signer_lines: tuple[str, ...] = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    signer_name: str = ""
    recipients: tuple[str, ...] = ()


def number_line(number: str, symbol: str) -> str:
    """``Số: 05/BC-UBND`` (a zero before 1–9); the number left blank when not given."""
    number = _one_line(number)
    if number.isdigit() and 0 < int(number) < 10:
        number = f"{int(number):02d}"
    return f"Số: {number or ' ' * 8}/{_one_line(symbol)}"


def recipient_lines(recipients: tuple[str, ...] | list[str]) -> list[str]:
    """``UBND tỉnh …;`` … ``Lưu: VT.``: each entry ends with ``;``, the filing entry last with ``.``"""
    entries = [_one_line(r).rstrip(";.,").strip() for r in recipients]
    entries = [e for e in entries if e]
    filing = [e for e in entries if e.lower().startswith(("lưu", "luu"))]
    entries = [e for e in entries if e not in filing] + (filing[-1:] or ["Lưu: VT"])
    return [e + ";" for e in entries[:-1]] + [entries[-1] + "."]


def abstract_of(template_abstract: str, period: Period) -> str:
    return period.with_years(template_abstract)


def closing_sentence(abstract: str, issuer: str) -> str:
    """The body's last sentence: ``Trên đây là báo cáo kết quả … của Ủy ban nhân dân xã Đông Sơn./.``"""
    abstract = _one_line(abstract).rstrip(".")
    return f"Trên đây là báo cáo {abstract[:1].lower() + abstract[1:]} của {_one_line(issuer)}./."


def issuer_of(unit_name: str) -> str:
    """Who issues a commune's report, as a sentence names it: ``Ủy ban nhân dân xã Đông Sơn``."""
    name = _one_line(unit_name)
    return f"Ủy ban nhân dân {name[:1].lower() + name[1:]}"


# a document's number and symbol (145/KH-UBND, 103-QĐ/ĐU, 30/2020/NĐ-CP): its hyphens never break a line
_SYMBOL_TOKEN = re.compile(r"\S*\d\S*/\S*-\S*|\S*-\S*/\S*\d\S*|\S*/\S*\d\S*-\S*")
_NUMBER_UNIT = re.compile(r"(?<=\d) (?=[^\W\d_])")  # "2.706,51 ha", "65 buổi": kept on one line


def _hyphens_to_keep(text: str) -> list[int]:
    return [m.start() + i for m in _SYMBOL_TOKEN.finditer(text) for i, c in enumerate(m.group(0)) if c == "-"]


def keep_together(document: Any) -> None:
    """No line break inside a document number or between a figure and its unit, in the body's
    paragraphs: such spaces become no-break spaces, such hyphens Word's no-break hyphens
    (``w:noBreakHyphen``)."""
    from docx.oxml.ns import qn

    body = document.element.body
    for t in [t for p in body.iterchildren(qn("w:p")) for t in p.iter(qn("w:t"))]:  # the body, not the tables
        text = t.text or ""
        kept = _NUMBER_UNIT.sub("\u00a0", text)
        if kept != text:
            t.text = kept
        cuts = _hyphens_to_keep(kept)
        if not cuts:
            continue
        run, at = t.getparent(), t.getparent().index(t)
        run.remove(t)
        pieces, start = [], 0
        for cut in cuts:
            pieces += [kept[start:cut], None]
            start = cut + 1
        pieces.append(kept[start:])
        for piece in pieces:
            if piece is None:
                element = run.makeelement(qn("w:noBreakHyphen"), {})
            elif piece:
                element = run.makeelement(qn("w:t"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
                element.text = piece
            else:
                continue
            run.insert(at, element)
            at += 1


@dataclass(frozen=True)
class Annex:
    """A table after the signature, on a landscape page: one row a unit, a totals row last."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] = ()


def build_context(
    figures: Any,
    period: Period,
    letterhead: Letterhead,
    issued: date | None,
    today: date,
    *,
    compiled: bool = False,
    opening: tuple[str, ...] = (),
    closing: str = "",
    annex: Annex | None = None,
) -> dict[str, Any]:
    """The render context. ``issued`` is the date of a submitted report; ``None`` for a draft,
    whose date line leaves the day blank (``ngày    tháng 6 năm 2026``). ``compiled``: the compiled
    report of many units (``reports.aggregate.Compiled`` figures, the sections' compiled sentences);
    ``opening`` and ``closing`` are paragraphs before and after the body."""
    when = issued or today
    figures = dataclasses.replace(figures, values=_clean_values(figures.values),
                                  previous=_clean_values(figures.previous) if figures.previous is not None else None)
    place = _one_line(letterhead.place)
    template = figures.template
    abstract = (template.compiled_abstract or template.abstract) if compiled else template.abstract
    body = [{"level": 0, "number": "", "text": p, "key": "", "part": False} for p in opening]
    tables: list[tuple[list[str], list[list[str]]]] = []
    for block in compose(figures, compiled=compiled, period=period):
        item = block.as_context()
        if block.table is not None:  # a paragraph holding the table's marker (reports.annex.place_tables)
            tables.append((list(block.table.header), [list(row) for row in block.table.rows]))
            item["text"] = table_marker(len(tables))
        body.append(item)
    if closing:
        body.append({"level": 0, "number": "", "text": closing, "key": "", "part": False})
    for item in body:
        item["keep"] = False
    if body:  # the last paragraph stays on the signature's page: it never stands there alone
        body[-1]["keep"] = True
    context = {
        "supervising_body": _one_line(letterhead.supervising_body),
        "issuing_body": [_one_line(line) for line in letterhead.issuing_body if line.strip()],
        "number_line": number_line(letterhead.doc_number, letterhead.doc_symbol),
        "date_line": date_line(place, issued.day if issued else None, when.month, when.year),
        "title": _one_line(template.title),
        "abstract": _one_line(abstract_of(abstract, period)),
        "body": body,
        "signer_lines": [_one_line(line) for line in letterhead.signer_lines if line.strip()],
        "signer_name": _one_line(letterhead.signer_name),
        "recipients": recipient_lines(letterhead.recipients),
        "draft": issued is None,
        "tables": tables,
    }
    context = _clean(context)
    if annex is not None:
        context[ANNEX_KEY] = Annex(_one_line(annex.title), tuple(_one_line(h) for h in annex.header),
                                   tuple(tuple(_one_line(c) for c in row) for row in annex.rows),
                                   tuple(_one_line(c) for c in annex.total))
    return context


# ---------------------------------------------------------------------------- rendering


@lru_cache(maxsize=16)
def _layout_bytes(path: str, _mtime_ns: int, _size: int) -> bytes:
    return Path(path).read_bytes()


def _load(layout: Path) -> "DocxTemplate":
    from docx.opc.exceptions import PackageNotFoundError
    from docxtpl import DocxTemplate
    from lxml import etree

    try:
        stat = layout.stat()
        data = _layout_bytes(str(layout), stat.st_mtime_ns, stat.st_size)
    except FileNotFoundError:
        raise LayoutError(f"{layout}: the layout template file does not exist") from None
    except OSError as exc:
        raise LayoutError(f"{layout}: the layout template cannot be read ({exc.strerror})") from None
    tpl = DocxTemplate(BytesIO(data))
    try:
        tpl.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        raise LayoutError(f"{layout.name}: not a Word .docx file ({exc})") from None
    return tpl


def _near(exc: Exception) -> str:
    lines = [" ".join(line.split()) for line in getattr(exc, "docx_context", []) or []]
    lines = [line for line in lines if line]
    return f" near: “{' / '.join(lines)[:200]}”" if lines else ""


@lru_cache(maxsize=1)
def _jinja_env():  # noqa: ANN202 - jinja2.Environment
    import jinja2

    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def render_docx(context: dict[str, Any], out: Path | IO[bytes], layout: Path | None = None) -> None:
    """Render ``context`` into the layout and write the .docx to ``out`` (a path or a binary file)."""
    import jinja2
    from lxml import etree

    layout = Path(layout) if layout else DEFAULT_LAYOUT
    tpl = _load(layout)
    try:
        tpl.render(context, jinja_env=_jinja_env())
    except jinja2.TemplateSyntaxError as exc:
        raise LayoutError(f"{layout.name}: a template tag is broken: {exc.message}{_near(exc)}") from None
    except jinja2.UndefinedError as exc:
        known = ", ".join(CONTEXT_KEYS)
        raise LayoutError(f"{layout.name}: {exc.message} (the layout may use: {known})") from None
    except jinja2.TemplateError as exc:
        raise LayoutError(f"{layout.name}: the template cannot be rendered: {exc}{_near(exc)}") from None
    except etree.XMLSyntaxError as exc:
        raise LayoutError(f"{layout.name}: the tags break the Word XML ({exc})") from None
    keep_together(tpl.docx)
    if context.get("tables"):
        from reports.annex import place_tables

        place_tables(tpl.docx, context["tables"])
    annex = context.get(ANNEX_KEY)
    if annex is not None:
        from reports.annex import append_annex  # python-docx only; kept apart from the layout logic

        append_annex(tpl.docx, annex)
    props = tpl.docx.core_properties
    props.title = context.get("abstract", "")[:255]
    props.author = " ".join(context.get("issuing_body", []))[:255]
    props.language = "vi-VN"
    tpl.save(out)
