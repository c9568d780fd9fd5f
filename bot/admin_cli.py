"""Administrator commands: ``danvan org list|add``, ``danvan invite create`` and ``danvan run``.

They are registered on the ``danvan`` Typer app in ``bot/cli.py``.
"""

from __future__ import annotations

import asyncio

import typer

from bot.cli_support import fail as _fail
from bot.cli_support import open_engine
from bot.settings import Settings
from reports.i18n import _

org_app = typer.Typer(help="Org units (province, commune …) and their codes.", no_args_is_help=True)
invite_app = typer.Typer(help="Invite codes that register a chat for an org unit and a role.", no_args_is_help=True)


async def _open(settings: Settings):  # noqa: ANN202 - (engine, sessions)
    from storage.db import session_factory

    engine = await open_engine(settings)
    return engine, session_factory(engine)


@org_app.command("list")
def org_list() -> None:
    """Print the org units as a tree, with the codes that `invite create --org` takes."""
    from storage import access

    async def main() -> list[str]:
        engine, sessions = await _open(Settings())
        try:
            async with sessions() as session:
                tree = await access.load_tree(session)
        finally:
            await engine.dispose()
        return [f"{'  ' * depth}{u.code}  {u.name} ({u.kind})" for depth, u in tree.in_order()]

    lines = asyncio.run(main())
    if not lines:
        _fail(_("There are no org units yet. Add one with “danvan org add”."))
    for line in lines:
        typer.echo(line)


@org_app.command("add")
def org_add(
    code: str = typer.Argument(..., help="Short unique code, e.g. DONG_SON."),
    name: str = typer.Argument(..., help="Full name, e.g. “Xã Đông Sơn”."),
    kind: str = typer.Option("commune", help="province, commune, ward …"),
    parent: str = typer.Option(None, help="Code of the unit above it."),
    place: str = typer.Option("", help="Place name for the date line, e.g. “Đông Sơn”."),
) -> None:
    """Add an org unit under an existing one."""
    from storage import repo
    from storage.models import OrgUnit

    code = code.strip().upper()

    async def main() -> str | None:
        engine, sessions = await _open(Settings())
        try:
            async with sessions() as session, session.begin():
                if await repo.org_by_code(session, code) is not None:
                    return _("The org unit code {code} is already used.").format(code=code)
                parent_id = None
                if parent:
                    above = await repo.org_by_code(session, parent.strip().upper())
                    if above is None:
                        return _("There is no org unit with the code {code}; see “danvan org list”.").format(
                            code=parent)
                    parent_id = above.id
                session.add(OrgUnit(code=code, name=name.strip(), kind=kind.strip(), parent_id=parent_id,
                                    place_name=place.strip()))
        finally:
            await engine.dispose()
        return None

    problem = asyncio.run(main())
    if problem:
        _fail(problem)
    typer.echo(_("Added {code}: {name}.").format(code=code, name=name.strip()))


@invite_app.command("create")
def invite_create(
    org: str = typer.Option(..., "--org", help="Org unit code (see `danvan org list`)."),
    role: str = typer.Option("officer", "--role", help="officer, leader or supervisor."),
    uses: int = typer.Option(1, "--uses", help="How many people may register with it."),
    days: int = typer.Option(14, "--days", help="How many days it stays valid."),
    bot: str = typer.Option(None, "--bot",
                            help="The bot's username for the deep link (default: TELEGRAM_BOT_USERNAME, or asked from Telegram)."),
) -> None:
    """Create an invite code; print it with the deep link https://t.me/<bot>?start=<code>."""
    from storage.models import utcnow
    from handlers.invites import InviteError, create_invite, describe
    from storage import repo

    settings = Settings()

    async def main() -> tuple[str | None, list[str]]:
        engine, sessions = await _open(settings)
        try:
            async with sessions() as session, session.begin():
                unit = await repo.org_by_code(session, org.strip().upper())
                if unit is None:
                    return _("There is no org unit with the code {code}; see “danvan org list”.").format(
                        code=org), []
                try:
                    invite = await create_invite(session, unit, role, uses=uses, days=days, now=utcnow())
                except InviteError as err:
                    return str(err), []
                text = describe(invite, unit)
        finally:
            await engine.dispose()
        lines = [text]
        link = await _invite_link(bot, invite.code)
        if link:
            lines.append(_("Telegram link: {link}").format(link=link))
        return None, lines

    problem, lines = asyncio.run(main())
    if problem:
        _fail(problem)
    for line in lines:
        typer.echo(line)


async def _invite_link(username: str | None, code: str) -> str | None:
    """The Telegram deep link for ``code``: with --bot / TELEGRAM_BOT_USERNAME, or the username asked
    from Telegram when a token is set; None without either, or when Telegram cannot be asked."""
    from bot.channels import TELEGRAM

    name = (username or "").lstrip("@")
    if not name:
        try:
            name = await TELEGRAM.username() or ""
        except Exception:  # noqa: BLE001 - the link is a convenience; the code is printed anyway
            typer.echo(_("(No Telegram link: the bot's username could not be fetched; pass --bot USERNAME.)"), err=True)
            return None
    return TELEGRAM.invite_link(name, code) if name else None


def run(
    demo: bool = typer.Option(False, "--demo", help="Also create the demo province, commune and invite DEMO2026."),
) -> None:
    """Run the configured channels (Telegram: long polling, or a webhook when TELEGRAM_WEBHOOK_URL is
    set), their HTTP server, and the reminder scheduler when RUN_SCHEDULER=true."""
    import logging

    from bot.runner import run as run_bot

    settings = Settings()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if logging.getLogger().level > logging.DEBUG:  # Alembic's start-up chatter, unless debugging
        logging.getLogger("alembic").setLevel(logging.WARNING)
    raise typer.Exit(asyncio.run(run_bot(settings, demo=demo)))
