"""How long one compiled report takes: the .docx (docxtpl layout) and the summary message.

Prints the median time to build one report (figures → prose → render → save, plus the summary
text), the time for 200 in a row, and the time python-docx takes to write a plain document with
the same paragraphs (no layout template, no Jinja); the ratio of the two is the figure to watch.

    .venv/bin/python bench/compile_report.py [--runs 30] [--batch 200] [--template commune_half_year]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import docx  # noqa: E402
from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: E402
from docx.shared import Pt  # noqa: E402

from handlers.samples import sample_answers, sample_letterhead, sample_previous  # noqa: E402
from reports.document import build_context, render_docx  # noqa: E402
from reports.logic import ReportState  # noqa: E402
from reports.periods import Period  # noqa: E402
from reports.prose import Figures  # noqa: E402
from reports.schema import load_templates  # noqa: E402
from reports.summary import summary_text  # noqa: E402

TODAY = date(2026, 6, 16)


def build_one(template, answers, previous, period, out: Path) -> tuple[dict, str]:
    """What the chat does for one report once its answers are loaded."""
    figures = Figures(template, ReportState(template, answers).effective(),
                      ReportState(template, previous).effective())
    context = build_context(figures, period, sample_letterhead(), TODAY, TODAY)
    render_docx(context, out)
    return context, summary_text(figures, "Tóm tắt", "—")


def plain_docx(context: dict, out: Path) -> None:
    """The same paragraphs written straight with python-docx: a floor for any .docx writer."""
    d = docx.Document()
    table = d.add_table(rows=2, cols=2)
    left = table.cell(0, 0)
    for line in [context["supervising_body"], *context["issuing_body"]]:
        left.add_paragraph(line)
    table.cell(0, 1).add_paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    table.cell(0, 1).add_paragraph("Độc lập - Tự do - Hạnh phúc")
    table.cell(1, 0).add_paragraph(context["number_line"])
    table.cell(1, 1).add_paragraph(context["date_line"])
    for text in (context["title"], context["abstract"]):
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold = True
    for block in context["body"]:
        p = d.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        run = p.add_run(f"{block['number']} {block['text']}".strip())
        run.font.size = Pt(14)
        run.bold = block["level"] in (1, 2)
    sign = d.add_table(rows=1, cols=2)
    for r in context["recipients"]:
        sign.cell(0, 0).add_paragraph(f"- {r}")
    for line in [*context["signer_lines"], context["signer_name"]]:
        sign.cell(0, 1).add_paragraph(line)
    d.save(str(out))


def timed(fn, *args) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="single builds timed for the median")
    parser.add_argument("--batch", type=int, default=200, help="reports built in a row")
    parser.add_argument("--template", default="commune_half_year")
    args = parser.parse_args()

    template = load_templates()[args.template]
    period = Period(2026, template.period)
    answers = sample_answers(template, period)
    previous = sample_previous(template, answers)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        context, summary = build_one(template, answers, previous, period, tmp / "warm.docx")  # warm caches
        plain_docx(context, tmp / "warm-plain.docx")

        ours = [timed(build_one, template, answers, previous, period, tmp / f"one-{i}.docx") for i in range(args.runs)]
        plain = [timed(plain_docx, context, tmp / f"plain-{i}.docx") for i in range(args.runs)]

        start = time.perf_counter()
        for i in range(args.batch):
            build_one(template, answers, previous, period, tmp / f"batch-{i}.docx")
        batch = time.perf_counter() - start
        size = (tmp / "one-0.docx").stat().st_size

    paragraphs = len(context["body"])
    med_ours, med_plain = statistics.median(ours), statistics.median(plain)
    print(f"template {template.key}: {paragraphs} body paragraphs, {len(summary)} characters of summary, "
          f".docx {size / 1024:.0f} KiB")
    print(f"one report (.docx + summary), median of {args.runs}: {med_ours * 1000:.1f} ms")
    print(f"{args.batch} reports in a row: {batch:.2f} s ({batch / args.batch * 1000:.1f} ms each)")
    print(f"python-docx, plain document with the same paragraphs, median of {args.runs}: {med_plain * 1000:.1f} ms")
    print(f"ratio (ours / plain python-docx): {med_ours / med_plain:.2f}")


if __name__ == "__main__":
    main()
