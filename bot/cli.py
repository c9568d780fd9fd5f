"""The ``danvan`` command line: chat in the terminal, run the bots, administer the database."""

from __future__ import annotations

import asyncio
import sys

from pathlib import Path

import typer

from bot.settings import Settings

app = typer.Typer(help="danvan — trợ lý báo cáo công tác dân vận chính quyền cấp xã.", no_args_is_help=True)


@app.command()
def chat(user: str = typer.Option(None, help="Terminal user name (default: the login name).")) -> None:
    """Chat with the assistant in this terminal, on the embedded SQLite database (no token needed)."""
    from bot.app import build_app
    from bot.channels.console import run_console
    from storage.demo import DEMO_INVITE

    settings = Settings()

    async def main() -> None:
        application = await build_app(settings, seed_demo=True)
        if sys.stdin.isatty():
            typer.echo(f"danvan — cơ sở dữ liệu: {settings.database_url}")
            typer.echo(f"Mã mời thử (xã Đông Sơn): {DEMO_INVITE}.  Gõ /thoat để thoát; mọi câu trả lời đã được lưu.\n")
        try:
            await run_console(application.core, user=user)
        finally:
            await application.close()

    asyncio.run(main())


@app.command()
def migrate() -> None:
    """Bring the database schema to the newest migration."""
    from storage.db import create_engine, migrate as do_migrate

    settings = Settings()

    async def main() -> None:
        engine = create_engine(settings.database_url)
        await do_migrate(engine)
        await engine.dispose()

    asyncio.run(main())
    typer.echo("OK")


@app.command("check-templates")
def check_templates(
    files: list[Path] = typer.Argument(None, help="YAML files to check before they are installed (default: "
                                       "the templates in use)."),
) -> None:
    """Load and validate report templates; print what each one holds, or each problem with its file,
    line and item."""
    from reports.schema import TEMPLATES_DIR, TemplateError, load_template, load_templates

    settings = Settings()
    try:
        if files:
            templates = {str(f): load_template(f) for f in files}
        else:
            templates = load_templates(settings.templates_dir or TEMPLATES_DIR)
    except TemplateError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    for t in templates.values():
        typer.echo(f"{t.key} v{t.version}: {len(t.indicators)} indicators, {len(t.rules)} rules, {len(t.computed)} computed")


@app.command("flow")
def flow_diagram() -> None:
    """Print the conversation's state diagram (Mermaid), drawn from the declared transition table."""
    from handlers.flow import mermaid

    typer.echo(mermaid(), nl=False)


from bot.admin_cli import invite_app, org_app, run  # noqa: E402 - Telegram bot and administration

app.command("run")(run)
app.add_typer(org_app, name="org")
app.add_typer(invite_app, name="invite")


from bot.export import export, set_layout  # noqa: E402 - the Word file of a report, the layout of an org unit

app.command("export")(export)
app.command("layout")(set_layout)


from bot.reminders_cli import deadline_app, reminders_app  # noqa: E402 - deadlines and the reminder scheduler

app.add_typer(reminders_app, name="reminders")
app.add_typer(deadline_app, name="deadline")


from bot.backup_cli import backup, restore  # noqa: E402 - copies of the SQLite database

app.command("backup")(backup)
app.command("restore")(restore)


if __name__ == "__main__":  # pragma: no cover
    app()


from bot.supervisor_cli import compile_report, status  # noqa: E402 - the supervisor's status and compiled report

app.command("status")(status)
app.command("compile")(compile_report)
