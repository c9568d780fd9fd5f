"""``danvan status`` and ``danvan compile``: the supervisor's status list and compiled report from the
command line, for any org unit, template and period. Registered in bot/cli.py.

    danvan status --org PHU_THO --period 2026-H1 [--chart tinh-hinh.png]
    danvan compile --org PHU_THO --period 2026 --docx tong-hop.docx --xlsx tong-hop.xlsx
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path

import typer

from bot.cli_support import fail, open_engine
from bot.export import _templates
from bot.settings import Settings
from reports.i18n import _


def _target(templates, period_key: str, template_key: str | None):  # noqa: ANN001, ANN202
    from reports.periods import Period

    try:
        period = Period.from_key(period_key.strip())
    except ValueError:
        fail(_("“{period}” is not a period: write 2026-H1 (6 months) or 2026 (the year).").format(period=period_key))
    found = [t for t in templates.values() if t.level == "commune" and t.period == period.kind
             and (template_key is None or t.key == template_key)]
    if not found:
        fail(_("No report template for the period {period}.").format(period=period_key))
    return found[0], period


async def _run(org_code: str, period_key: str, template_key: str | None, chart: Path | None,
               docx: Path | None, xlsx: Path | None, compile_: bool) -> str:
    from sqlalchemy.ext.asyncio import async_sessionmaker
    from sqlmodel.ext.asyncio.session import AsyncSession

    from handlers import compiled, overview
    from reports.clock import vn_today
    from storage import access, repo

    settings = Settings()
    templates = _templates(settings)
    template, period = _target(templates, period_key, template_key)
    engine = await open_engine(settings)
    try:
        sessions = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
        async with sessions() as session:
            org = await repo.org_by_code(session, org_code.strip().upper())
            if org is None:
                fail(_("Unknown org unit “{code}”.").format(code=org_code))
            tree = await access.load_tree(session)
            now = datetime.now(timezone.utc)
            if not compile_:
                text, _rows, _drawn = await compiled.status(session, tree, org, template, period, vn_today(now), chart)
                return text
            result = await overview.compile_below(session, tree, org.id, template, period)
            if result.units and (docx or xlsx):
                await compiled.compile_files(session, tree, org, result, period, now, docx, xlsx)
            return compiled.summary_text(org, result, period)
    finally:
        await engine.dispose()


def status(
    org: str = typer.Option(..., "--org", help="Code of the supervising org unit, e.g. PHU_THO."),
    period: str = typer.Option(..., "--period", help="2026-H1 (6 months) or 2026 (the year)."),
    template: str = typer.Option(None, "--template", help="Template key (default: the commune report of the period)."),
    chart: Path = typer.Option(None, "--chart", help="Also draw the chart into this PNG file."),
) -> None:
    """Who has submitted, below an org unit: submitted, draft or not started, and how late."""
    typer.echo(asyncio.run(_run(org, period, template, chart, None, None, False)))


def compile_report(
    org: str = typer.Option(..., "--org", help="Code of the supervising org unit, e.g. PHU_THO."),
    period: str = typer.Option(..., "--period", help="2026-H1 (6 months) or 2026 (the year)."),
    template: str = typer.Option(None, "--template", help="Template key (default: the commune report of the period)."),
    docx: Path = typer.Option(None, "--docx", help="Write the compiled Word file here."),
    xlsx: Path = typer.Option(None, "--xlsx", help="Write the Excel workbook here."),
) -> None:
    """The compiled report of the submitted reports below an org unit: summary, Word, Excel."""
    typer.echo(asyncio.run(_run(org, period, template, None, docx, xlsx, True)))
