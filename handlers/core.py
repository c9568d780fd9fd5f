"""The conversation core: one Incoming event in, a list of Outgoing messages out.

Each event is handled in one database transaction: the update id is claimed, the chat's
conversation row is loaded (and locked on PostgreSQL), the answer is validated and stored, and
the transaction commits before the replies are returned to the channel that sends them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers import deadlines, invites, screens
from handlers import output, settings_flow
from handlers.commands import cmd, parse_command
from handlers.events import Choice, Incoming, Outgoing
from reports.i18n import _, use_locale
from handlers.parsing import AnswerError, match_choice, normalize, parse_answer
from reports.clock import VN_TZ
from reports.formatting import fmt_date
from reports.logic import SKIPPED, ReportState
from reports.periods import Period, selectable
from reports.schema import Indicator, Template
from reports.values import from_json, to_json
from storage import repo
from storage.models import Conversation, OrgUnit, Report, ReportStatus, User, utcnow

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


@dataclass
class Ctx:
    session: AsyncSession
    event: Incoming
    conv: Conversation
    user: User | None


class Core:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        templates: dict[str, Template],
        clock: Clock = utcnow,
    ) -> None:
        self.sessions = sessions
        self.templates = templates
        self.clock = clock
        self.files_dir = None  # where Word files are written; None: handlers.output.default_files_dir()

    # ------------------------------------------------------------------ entry point

    async def handle(self, event: Incoming) -> list[Outgoing]:
        try:
            return await self._handle(event)
        except Exception:  # the transaction rolled back: nothing half-stored; the update may be resent
            log.exception("failed to handle an event from %s chat %s", event.channel, event.chat_id)
            with use_locale(None):
                return [Outgoing(_("Sorry, something went wrong and nothing was saved. Please send it again."))]

    async def _handle(self, event: Incoming) -> list[Outgoing]:
        async with self.sessions() as session:
            async with session.begin():
                if event.update_id is not None and not await repo.claim_update(
                    session, event.channel, str(event.update_id)
                ):
                    return []
                conv = await repo.conversation_for(session, event.channel, event.chat_id)
                user = await repo.user_for(session, event.channel, event.user_id)
                with use_locale(user.locale if user else conv.data.get("locale")):
                    ctx = Ctx(session, event, conv, user)
                    out = await self._dispatch(ctx)
                session.add(conv)
        return out

    async def _dispatch(self, ctx: Ctx) -> list[Outgoing]:
        text = normalize(ctx.event.text or "")
        command = parse_command(text) if text else None
        if command and command[0] == "language":
            return await self._language(ctx, command[1])
        if ctx.user is None:
            return await self._unregistered(ctx, text, command)
        if command:
            return await self._command(ctx, *command)
        choice = ctx.event.choice or self._typed_choice(ctx, text)
        if choice:
            return await self._choice(ctx, choice)
        return await self._text(ctx, text)

    def _typed_choice(self, ctx: Ctx, text: str) -> str | None:
        """On menu screens, a typed number or label stands for the choice it names."""
        offered = ctx.conv.data.get("choices")
        if not offered or not text or ctx.conv.mode == "question":
            return None
        return match_choice(tuple(Choice(i, label) for i, label in offered), text)

    # ------------------------------------------------------------------ registration

    async def _unregistered(self, ctx: Ctx, text: str, command: tuple[str, str] | None) -> list[Outgoing]:
        conv = ctx.conv
        if command and command[0] == "help":
            return [Outgoing(screens.help_text(registered=False))]
        if command and command[0] == "start":
            if not command[1]:
                self._set_mode(conv, "await_code")
                return [Outgoing(_("Welcome! Please send the invite code you received from your supervisor."))]
            return await self._redeem(ctx, command[1])
        if command:
            return [Outgoing(_("Please register first: send your invite code, e.g. /start ABC123."))]
        if conv.mode == "await_name":
            return await self._finish_registration(ctx, text)
        if not text:
            return [Outgoing(_("Please send your invite code."))]
        return await self._redeem(ctx, text)

    async def _redeem(self, ctx: Ctx, code: str) -> list[Outgoing]:
        code = code.strip().upper()
        invite = await repo.find_invite(ctx.session, code)
        problem = repo.invite_problem(invite, self.clock())
        if problem:
            msg = {
                "unknown": _("The invite code “{code}” is not known. Check it and send it again."),
                "used": _("The invite code “{code}” has already been used up. Ask your supervisor for a new one."),
                "expired": _("The invite code “{code}” has expired. Ask your supervisor for a new one."),
            }[problem]
            self._set_mode(ctx.conv, "await_code")
            return [Outgoing(msg.format(code=code))]
        self._set_mode(ctx.conv, "await_name", invite=code)
        return [Outgoing(_("The code is valid. What is your full name?"))]

    async def _finish_registration(self, ctx: Ctx, name: str) -> list[Outgoing]:
        if not 2 <= len(name) <= 100 or name.startswith("/"):
            return [Outgoing(_("Please type your full name, e.g. Nguyễn Văn An."))]
        invite = await repo.find_invite(ctx.session, ctx.conv.data.get("invite", ""))
        if repo.invite_problem(invite, self.clock()):
            self._set_mode(ctx.conv, "await_code")
            return [Outgoing(_("The invite code can no longer be used. Please send a new code."))]
        user = await repo.register(ctx.session, invite, ctx.event.channel, ctx.event.user_id, ctx.event.chat_id, name)
        user.locale = ctx.conv.data.get("locale", user.locale)
        ctx.user = user
        ctx.conv.user_id = user.id
        org = await ctx.session.get(OrgUnit, user.org_unit_id)
        self._set_mode(ctx.conv, "idle")
        welcome = Outgoing(_("Thank you, {name}. You are registered for {org}.").format(name=name, org=org.name))
        return [welcome, *await self._menu(ctx)]

    async def _language(self, ctx: Ctx, arg: str) -> list[Outgoing]:
        locale = arg.strip().lower()[:2]
        if locale not in ("vi", "en"):
            return [Outgoing(_("Choose a language: {cmd} vi or {cmd} en.").format(cmd=cmd("language")))]
        if ctx.user:
            ctx.user.locale = locale
            ctx.session.add(ctx.user)
        ctx.conv.data = {**ctx.conv.data, "locale": locale}
        with use_locale(locale):
            return [Outgoing(_("Language set to English.") if locale == "en" else _("Language set to Vietnamese."))]

    # ------------------------------------------------------------------ commands

    async def _command(self, ctx: Ctx, action: str, arg: str) -> list[Outgoing]:
        if action == "help":
            return [Outgoing(screens.help_text(registered=True))]
        if action == "start":
            greeting = Outgoing(_("Hello, {name}.").format(name=ctx.user.full_name))
            return [greeting, *await self._resume(ctx)]
        if action == "new":
            return self._choose_template(ctx)
        if action == "continue":
            return await self._resume(ctx)
        if action == "unknown":
            return [Outgoing(_("Unknown command /{name}. Type {help} for the list.").format(name=arg, help=cmd("help")))]
        if action == "invite":
            return await invites.on_command(ctx.session, ctx.user, ctx.conv, arg, self.clock(), self._set_mode)
        if action == "deadline":
            return await deadlines.on_command(ctx.session, ctx.user, arg, self.clock().astimezone(VN_TZ).date())
        if action == "settings":
            return await self._settings(ctx, arg)
        report = await self._report(ctx)
        if report is None:
            return [Outgoing(_("There is no report open. Type {new} to start one.").format(new=cmd("new")))]
        if action == "review":
            return await self._review(ctx, report)
        if action == "submit":
            return await self._ask_submit(ctx, report)
        if action == "pause":
            return await self._pause(ctx, report)
        if action in ("summary", "file"):  # a draft too, at any time
            return await output.report_outputs(ctx.session, self.templates, report, self.clock(), ctx.event.channel,
                                               summary=action == "summary", document=action == "file",
                                               files_dir=self.files_dir)
        if report.status == ReportStatus.submitted:
            return [self._locked_message(report)]
        if action == "edit":
            return await self._edit(ctx, report, arg)
        if ctx.conv.mode != "question" or not ctx.conv.current_key:
            return [Outgoing(_("There is no question waiting. Type {cont} to continue.").format(cont=cmd("continue")))]
        if action == "back":
            return await self._back(ctx, report)
        if action == "skip":
            return await self._skip(ctx, report)
        if action == "keep":
            return await self._keep(ctx, report)
        return []  # pragma: no cover - every action is handled above

    # ------------------------------------------------------------------ choices and text

    async def _choice(self, ctx: Ctx, choice: str) -> list[Outgoing]:
        kind, _sep, value = choice.partition(":")
        if ctx.event.context is not None and ctx.event.context != ctx.conv.current_key:
            return [Outgoing(_("This button belongs to an earlier question. Please answer the current question."),
                             meta={"stale": True})]
        if kind == "inv":
            return await invites.on_choice(ctx.session, ctx.user, ctx.conv, value, self.clock(), self._set_mode)
        if kind == "tpl" and value in self.templates:
            return self._choose_period(ctx, value)
        if kind == "per":
            return await self._open_report(ctx, ctx.conv.data.get("template", ""), value)
        if kind == "open":
            return await self._open_existing(ctx, int(value))
        if kind in ("new", "continue", "review", "submit", "edit", "help", "skip", "back", "keep", "pause"):
            return await self._command(ctx, kind, "")
        if kind == "confirm":
            return await self._submit(ctx, confirmed=value == "yes")
        report = await self._report(ctx)
        if report is None or ctx.conv.mode != "question" or not ctx.conv.current_key:
            return [Outgoing(_("This button belongs to an earlier message. Type {cont} to continue.").format(
                cont=cmd("continue")), meta={"stale": True})]
        template = self.templates[report.template_key]
        ind = template.by_key[ctx.conv.current_key]
        if kind == "a" and ind.type == "yesno" and value in ("yes", "no"):
            return await self._accept(ctx, report, ind, value == "yes")
        if kind == "a" and ind.type == "choice" and value in ind.choice_labels:
            return await self._accept(ctx, report, ind, value)
        if kind == "a" and ind.type == "multichoice" and value in ind.choice_labels:
            return await self._accept(ctx, report, ind, [value])
        if kind == screens.STANDARD and ind.standard:
            return await self._accept(ctx, report, ind, ind.standard)
        return [Outgoing(_("This button belongs to an earlier question. Please answer the current question."),
                         meta={"stale": True})]

    async def _text(self, ctx: Ctx, text: str) -> list[Outgoing]:
        mode = ctx.conv.mode
        if mode == "settings":
            return await self._settings(ctx, text)
        if mode == "edit_pick":
            report = await self._report(ctx)
            if report is not None:
                return await self._edit(ctx, report, text)
        if mode == "paused":
            return [Outgoing(_("The report is paused. Type {cont} to continue.").format(cont=cmd("continue")))]
        offered = ctx.conv.data.get("choices")
        if mode != "question" and offered:
            choices = tuple(Choice(i, label) for i, label in offered)
            return [Outgoing(_("Please pick one of the options by its number (1 to {n}).").format(n=len(choices)),
                             choices)]
        if mode != "question" or not ctx.conv.current_key:
            return await self._menu(ctx, prefix=_("Please choose what to do."))
        report = await self._report(ctx)
        if report is None:
            return await self._menu(ctx)
        if report.status == ReportStatus.submitted:
            return [self._locked_message(report)]
        ind = self.templates[report.template_key].by_key[ctx.conv.current_key]
        if not text:
            return [Outgoing(_("Please type an answer.") + "\n💡 " + ind.hint)]
        if ind.type == "text" and ind.standard and text in ("1", "dùng đoạn mẫu"):
            return await self._accept(ctx, report, ind, ind.standard)
        try:
            value = parse_answer(ind, text)
        except AnswerError as err:
            return [Outgoing(_("Not accepted: {error}").format(error=err) + "\n💡 " + ind.hint)]
        return await self._accept(ctx, report, ind, value)

    # ------------------------------------------------------------------ the question flow

    async def _state(self, ctx: Ctx, report: Report) -> ReportState:
        template = self.templates[report.template_key]
        answers: dict[str, Any] = {}
        for row in await repo.answers_of(ctx.session, report.id):
            ind = template.by_key.get(row.key)
            if ind is None:
                continue  # an indicator of an older template version
            answers[row.key] = SKIPPED if row.skipped else from_json(ind.type, row.value)
        return ReportState(template, answers)

    async def _accept(self, ctx: Ctx, report: Report, ind: Indicator, value: Any) -> list[Outgoing]:
        state = await self._state(ctx, report)
        broken = state.violations_with(ind.key, value)
        if broken:
            reasons = "\n".join(f"• {rule.message}" for rule in broken)
            return [Outgoing(_("Not accepted:") + "\n" + reasons + "\n💡 " + ind.hint)]
        stored = to_json(ind.type, value)
        await repo.save_answer(ctx.session, report.id, ind.key, ind.type, stored, ctx.user.id)
        if ind.profile:
            org = await ctx.session.get(OrgUnit, report.org_unit_id)
            org.profile = {**org.profile, ind.key: stored}
            ctx.session.add(org)
        state = ReportState(state.template, {**state.answers, ind.key: value})
        return self._advance(ctx, state, ind.key)

    def _advance(self, ctx: Ctx, state: ReportState, key: str) -> list[Outgoing]:
        conv = ctx.conv
        if conv.data.get("editing"):
            return self._show_review(ctx, state)
        conv.history = [*conv.history, key][-200:]
        nxt = state.next_key(key)
        if nxt is None:
            done, total = state.progress()
            self._set_mode(conv, "review")
            first = Outgoing(_("All questions are answered ({done}/{total}). Review and submit.").format(
                done=done, total=total))
            return [first, *self._show_review(ctx, state)]
        return [self._ask(ctx, state, nxt)]

    def _ask(self, ctx: Ctx, state: ReportState, key: str, editing: bool = False) -> Outgoing:
        out = screens.question(state, key, editing=editing)
        self._set_mode(ctx.conv, "question", key=key, editing=editing, choices=out.choices)
        return out

    async def _back(self, ctx: Ctx, report: Report) -> list[Outgoing]:
        state = await self._state(ctx, report)
        if ctx.conv.data.get("editing"):
            return self._show_review(ctx, state)
        history = [k for k in ctx.conv.history if k in state.template.by_key]
        relevant = set(state.relevant_keys())
        while history and history[-1] not in relevant:
            history.pop()
        if not history:
            return [Outgoing(_("This is the first question; there is nothing to go back to.")),
                    self._ask(ctx, state, ctx.conv.current_key)]
        previous = history.pop()
        ctx.conv.history = history
        return [self._ask(ctx, state, previous)]

    async def _skip(self, ctx: Ctx, report: Report) -> list[Outgoing]:
        state = await self._state(ctx, report)
        ind = state.template.by_key[ctx.conv.current_key]
        if ind.required:
            return [Outgoing(_("This question is required and cannot be skipped.") + "\n💡 " + ind.hint)]
        await repo.save_answer(ctx.session, report.id, ind.key, ind.type, None, ctx.user.id, skipped=True)
        state = ReportState(state.template, {**state.answers, ind.key: SKIPPED})
        return self._advance(ctx, state, ind.key)

    async def _keep(self, ctx: Ctx, report: Report) -> list[Outgoing]:
        state = await self._state(ctx, report)
        key = ctx.conv.current_key
        if key not in state.answers:
            return [Outgoing(_("This question has no answer yet to keep."))]
        return self._advance(ctx, state, key)

    async def _edit(self, ctx: Ctx, report: Report, arg: str) -> list[Outgoing]:
        state = await self._state(ctx, report)
        keys = state.relevant_keys()
        arg = arg.strip()
        if not arg:
            self._set_mode(ctx.conv, "edit_pick")
            return [Outgoing(_("Type the number of the answer to change (1 to {n}), as shown in the review.").format(
                n=len(keys)))]
        if not arg.isdigit() or not 1 <= int(arg) <= len(keys):
            return [Outgoing(_("Please type a number from 1 to {n}, as shown in the review.").format(n=len(keys)))]
        return [self._ask(ctx, state, keys[int(arg) - 1], editing=True)]

    # ------------------------------------------------------------------ reports

    async def _report(self, ctx: Ctx) -> Report | None:
        if ctx.conv.report_id is None:
            return None
        report = await ctx.session.get(Report, ctx.conv.report_id)
        if report is None or report.template_key not in self.templates:
            return None
        return report

    def _period_label(self, report: Report) -> str:
        template = self.templates[report.template_key]
        return template.report_name(Period.from_key(report.period).year)

    def _locked_message(self, report: Report) -> Outgoing:
        return Outgoing(_("The report {name} was submitted and is locked; answers can no longer be changed. "
                          "Ask your supervisor if it must be reopened.").format(name=self._period_label(report)))

    def _choose_template(self, ctx: Ctx) -> list[Outgoing]:
        choices = tuple(Choice(f"tpl:{t.key}", t.name) for t in self.templates.values())
        self._set_mode(ctx.conv, "choose_template", choices=choices)
        return [Outgoing(_("Which report do you want to prepare?"), choices)]

    def _choose_period(self, ctx: Ctx, template_key: str) -> list[Outgoing]:
        template = self.templates[template_key]
        today = self.clock().astimezone(VN_TZ).date()
        choices = tuple(
            Choice(f"per:{p.key}", f"{p.label} ({fmt_date(p.start)} – {fmt_date(p.end)})")
            for p in selectable(template.period, today)
        )
        self._set_mode(ctx.conv, "choose_period", template=template_key, choices=choices)
        return [Outgoing(_("For which period?"), choices)]

    async def _open_report(self, ctx: Ctx, template_key: str, period_key: str) -> list[Outgoing]:
        template = self.templates.get(template_key)
        if template is None:
            return self._choose_template(ctx)
        org_id = ctx.user.org_unit_id
        report = await repo.find_report(ctx.session, org_id, template.key, period_key)
        if report is not None:
            ctx.conv.report_id = report.id
            if report.status == ReportStatus.submitted:
                self._set_mode(ctx.conv, "idle")
                return [self._locked_message(report)]
            note = Outgoing(_("This report already exists; continuing where it stopped."))
            return [note, *await self._resume(ctx)]
        report = await repo.create_report(ctx.session, org_id, template.key, template.version, period_key, ctx.user.id)
        org = await ctx.session.get(OrgUnit, org_id)
        reused = 0
        for ind in template.indicators:
            if ind.profile and org.profile.get(ind.key) is not None:
                await repo.save_answer(ctx.session, report.id, ind.key, ind.type, org.profile[ind.key], ctx.user.id)
                reused += 1
        ctx.conv.report_id = report.id
        ctx.conv.history = []
        state = await self._state(ctx, report)
        out = [Outgoing(_("New report: {name}.").format(name=self._period_label(report)))]
        if reused:
            out.append(Outgoing(_("{n} answers about the commune were filled in from the previous report; "
                                  "you can check them in the review ({review}).").format(n=reused, review=cmd("review"))))
        first = state.next_key(None)
        out.append(self._ask(ctx, state, first) if first else self._show_review(ctx, state)[0])
        return out

    async def _open_existing(self, ctx: Ctx, report_id: int) -> list[Outgoing]:
        report = await ctx.session.get(Report, report_id)
        if report is None or report.org_unit_id != ctx.user.org_unit_id:
            return await self._menu(ctx)
        ctx.conv.report_id = report.id
        return await self._resume(ctx)

    async def _resume(self, ctx: Ctx) -> list[Outgoing]:
        report = await self._report(ctx)
        if report is None or report.status == ReportStatus.submitted:
            drafts = await repo.drafts_of(ctx.session, ctx.user.org_unit_id)
            drafts = [d for d in drafts if d.template_key in self.templates]
            if len(drafts) == 1:
                report = drafts[0]
                ctx.conv.report_id = report.id
            elif drafts:
                choices = tuple(Choice(f"open:{d.id}", self._period_label(d)) for d in drafts)
                self._set_mode(ctx.conv, "choose_report", choices=choices)
                return [Outgoing(_("Which report do you want to continue?"), choices)]
            else:
                return await self._menu(ctx)
        state = await self._state(ctx, report)
        key = ctx.conv.current_key
        editing = bool(ctx.conv.data.get("editing"))
        known = key in state.template.by_key
        if not (known and state.is_relevant(key) and (key not in state.answers or editing)):
            key = state.next_key(key if known else None)
            editing = False
        if key is None:
            return self._show_review(ctx, state)
        done, total = state.progress()
        note = Outgoing(_("Continuing {name}: {done}/{total} answered.").format(
            name=self._period_label(report), done=done, total=total))
        return [note, self._ask(ctx, state, key, editing=editing)]

    async def _pause(self, ctx: Ctx, report: Report) -> list[Outgoing]:
        state = await self._state(ctx, report)
        done, total = state.progress()
        data = {k: v for k, v in ctx.conv.data.items() if k in ("locale", "editing")}
        ctx.conv.mode, ctx.conv.data = "paused", data
        return [Outgoing(_("Saved: {done}/{total} answered. Type {cont} whenever you want to continue.").format(
            done=done, total=total, cont=cmd("continue")))]

    async def _review(self, ctx: Ctx, report: Report) -> list[Outgoing]:
        return self._show_review(ctx, await self._state(ctx, report), locked=report.status == ReportStatus.submitted)

    def _show_review(self, ctx: Ctx, state: ReportState, locked: bool = False) -> list[Outgoing]:
        title = _("Review — {name}").format(name=state.template.name)
        out = screens.review(state, title, locked=locked)
        self._set_mode(ctx.conv, "review", key=ctx.conv.current_key, choices=out.choices)
        return [out]

    async def _ask_submit(self, ctx: Ctx, report: Report) -> list[Outgoing]:
        if report.status == ReportStatus.submitted:
            return [self._locked_message(report)]
        problems = await self._submit_problems(ctx, report)
        if problems:
            return [problems]
        choices = (Choice("confirm:yes", _("Yes, submit now")), Choice("confirm:no", _("Not yet")))
        self._set_mode(ctx.conv, "confirm_submit", choices=choices)
        return [Outgoing(_("Submit {name}? After submitting, answers can no longer be changed.").format(
            name=self._period_label(report)), choices)]

    async def _submit_problems(self, ctx: Ctx, report: Report) -> Outgoing | None:
        state = await self._state(ctx, report)
        missing = state.missing_required()
        broken = state.violations()
        if not missing and not broken:
            return None
        keys = state.relevant_keys()
        lines = [_("The report cannot be submitted yet:")]
        for ind in missing[:15]:
            lines.append(_("• {n}. {label}: not answered").format(n=keys.index(ind.key) + 1, label=ind.short_label))
        if len(missing) > 15:
            lines.append(_("• … and {n} more").format(n=len(missing) - 15))
        lines += [f"• {rule.message}" for rule in broken]
        lines.append(_("Type {edit} N to answer question N, or {cont} to continue in order.").format(
            edit=cmd("edit"), cont=cmd("continue")))
        return Outgoing("\n".join(lines))

    async def _submit(self, ctx: Ctx, confirmed: bool) -> list[Outgoing]:
        report = await self._report(ctx)
        if report is None or ctx.conv.mode != "confirm_submit":
            return [Outgoing(_("This button belongs to an earlier message. Type {cont} to continue.").format(
                cont=cmd("continue")), meta={"stale": True})]
        if not confirmed:
            return await self._review(ctx, report)
        if report.status == ReportStatus.submitted:
            return [self._locked_message(report)]
        problems = await self._submit_problems(ctx, report)
        if problems:
            return [problems]
        now = self.clock()
        report.status = ReportStatus.submitted
        report.submitted_at = now
        ctx.session.add(report)
        self._set_mode(ctx.conv, "idle")
        local = now.astimezone(VN_TZ)
        done = Outgoing(_("Submitted: {name}, at {time} on {date}. Thank you!").format(
            name=self._period_label(report), time=local.strftime("%H:%M"), date=fmt_date(local.date())))
        return [done, *await output.report_outputs(ctx.session, self.templates, report, now, ctx.event.channel,
                                                   files_dir=self.files_dir)]

    async def _settings(self, ctx: Ctx, text: str) -> list[Outgoing]:
        """/caidat: show the Word file's settings, or store the ``name: value`` lines written."""
        org, parent = await output.org_and_parent(ctx.session, ctx.user.org_unit_id)
        if not text.strip():
            self._set_mode(ctx.conv, "settings")
            return [Outgoing(settings_flow.show(org, parent))]
        reply, stored = settings_flow.handle(org, parent, text)
        if stored:
            ctx.session.add(org)
            if ctx.conv.mode == "settings":
                self._set_mode(ctx.conv, "idle")
        return [Outgoing(reply)]

    async def _menu(self, ctx: Ctx, prefix: str | None = None) -> list[Outgoing]:
        choices = [Choice("new", _("Start a new report"))]
        drafts = await repo.drafts_of(ctx.session, ctx.user.org_unit_id)
        if drafts:
            choices.append(Choice("continue", _("Continue a report in progress")))
        choices.append(Choice("help", _("Help")))
        self._set_mode(ctx.conv, "idle", choices=tuple(choices))
        return [Outgoing(prefix or _("What would you like to do?"), tuple(choices))]

    # ------------------------------------------------------------------ state helpers

    @staticmethod
    def _set_mode(conv: Conversation, mode: str, key: str | None = None, editing: bool = False,
                  choices: tuple[Choice, ...] = (), **extra: Any) -> None:
        data = {k: v for k, v in conv.data.items() if k == "locale"}
        if mode in ("choose_period",):
            data["template"] = extra.pop("template", conv.data.get("template"))
        data.update(extra)
        if editing:
            data["editing"] = True
        if choices:
            data["choices"] = [[c.id, c.label] for c in choices]
        conv.mode = mode
        conv.current_key = key
        conv.data = data
