"""``danvan export``: write a report's Word file from the command line, or preview the layout with
sample figures; ``danvan layout``: give an org unit its own Word layout. Registered in bot/cli.py.

    danvan export --sample --out mau.docx                  # the standard layout, sample figures
    danvan export --sample --layout my.docx --out mau.docx  # preview an edited layout
    danvan export --report 12 --out bao-cao.docx            # a stored report (a draft too)
    danvan layout DONG_SON /srv/danvan/layouts/dong-son.docx
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path

import typer

from bot.cli_support import fail as _fail
from bot.cli_support import open_engine
from bot.settings import Settings
from reports.i18n import _


def _templates(settings: Settings):  # noqa: ANN202 - dict[str, Template]
    from reports.schema import TEMPLATES_DIR, TemplateError, load_templates

    try:
        return load_templates(settings.templates_dir or TEMPLATES_DIR)
    except TemplateError as exc:
        _fail(str(exc))


def write_sample(template_key: str | None, period_key: str | None, out: Path, layout: Path | None,
                 draft: bool = False, settings: Settings | None = None) -> str:
    """Render the sample report into ``out``; returns the summary text. Raises LayoutError."""
    from handlers.output import write_docx
    from handlers.samples import sample_figures, sample_letterhead
    from reports.clock import vn_today
    from reports.document import abstract_of, build_context, closing_sentence, issuer_of
    from reports.periods import Period, latest_started
    from reports.summary import summary_text

    templates = _templates(settings or Settings())
    if template_key is None:
        template_key = "commune_half_year" if "commune_half_year" in templates else next(iter(templates))
    template = templates.get(template_key)
    if template is None:
        _fail(_("Unknown report template “{key}”. Known: {keys}.").format(key=template_key, keys=", ".join(templates)))
    today = vn_today(datetime.now(timezone.utc))
    period = Period.from_key(period_key) if period_key else latest_started(template.period, today, template.years)
    if period.kind != template.period:
        _fail(_("The period {period} does not fit the template {key}.").format(period=period_key, key=template.key))
    figures = sample_figures(template, period)
    letterhead = sample_letterhead()
    closing = closing_sentence(abstract_of(template.abstract, period), issuer_of(f"xã {letterhead.place}"))
    context = build_context(figures, period, letterhead, None if draft else today, today, closing=closing)
    write_docx(context, out, layout, fallback=False)
    return summary_text(figures, template.report_name(period), "")


def export(
    out: Path = typer.Option(..., "--out", help="The .docx file to write."),
    sample: bool = typer.Option(False, "--sample", help="Render the layout with sample figures (a preview)."),
    report: int = typer.Option(None, "--report", help="The id of a stored report to write."),
    layout: Path = typer.Option(None, "--layout", help="A Word layout (.docx with Jinja tags) instead of the standard one."),
    template: str = typer.Option(None, "--template", help="With --sample: the report template key."),
    period: str = typer.Option(None, "--period", help="With --sample: the period, e.g. 2026-H1 or 2026."),
    draft: bool = typer.Option(False, "--draft", help="With --sample: leave the day of the date line blank."),
    summary: bool = typer.Option(False, "--summary", help="Also print the summary message."),
) -> None:
    """Write a report's Word file (--report ID) or a preview of the layout with sample figures (--sample)."""
    from reports.document import LayoutError

    if sample == (report is not None):
        _fail(_("Give exactly one of --sample or --report ID."))
    if out.suffix.lower() != ".docx":
        _fail(_("The output file must end in .docx."))
    settings = Settings()
    try:
        if sample:
            text = write_sample(template, period, out, layout, draft, settings)
        else:
            text = asyncio.run(_export_report(settings, report, out, layout))
    except LayoutError as exc:
        _fail(_("The Word layout cannot be used: {error}").format(error=exc))
    if summary:
        typer.echo(text)
    typer.echo(_("Written: {path}").format(path=out))


async def _export_report(settings: Settings, report_id: int, out: Path, layout: Path | None) -> str:
    from reports.i18n import use_locale
    from handlers.output import build_file, load_figures, summary_message
    from storage.db import session_factory
    from storage.models import Report

    templates = _templates(settings)
    engine = await open_engine(settings)
    try:
        async with session_factory(engine)() as session:
            report = await session.get(Report, report_id)
            if report is None:
                _fail(_("There is no report with id {id}.").format(id=report_id))
            template = templates.get(report.template_key)
            if template is None:
                _fail(_("The report template “{key}” of report {id} is not installed.").format(
                    key=report.template_key, id=report_id))
            built = await build_file(session, template, report, datetime.now(timezone.utc), out, layout)
            if built.layout_problem:
                typer.echo(_("The org unit's own layout cannot be used; the standard one was used: {error}").format(
                    error=built.layout_problem), err=True)
            figures, prev = await load_figures(session, template, report)
            with use_locale("vi"):
                return summary_message(figures, template, report, prev).text
    finally:
        await engine.dispose()


def set_layout(
    org: str = typer.Argument(..., help="The org unit's code, e.g. DONG_SON."),
    path: str = typer.Argument(..., help="The layout .docx, or - for the standard layout."),
) -> None:
    """Give an org unit its own Word layout; it is checked by rendering the sample report with it first."""
    import tempfile

    from reports.document import LayoutError
    from storage import repo
    from storage.db import session_factory

    settings = Settings()
    layout = None if path == "-" else Path(path).resolve()
    if layout is not None:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                write_sample(None, None, Path(tmp) / "check.docx", layout, settings=settings)
            except LayoutError as exc:
                _fail(_("The Word layout cannot be used: {error}").format(error=exc))

    async def main() -> bool:
        engine = await open_engine(settings)
        try:
            async with session_factory(engine)() as session, session.begin():
                return await repo.set_layout(session, org, None if layout is None else str(layout))
        finally:
            await engine.dispose()

    if not asyncio.run(main()):
        _fail(_("There is no org unit with the code {code}.").format(code=org))
    typer.echo(_("Layout of {code}: {path}").format(code=org, path=layout or _("the standard layout")))
