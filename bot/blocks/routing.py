"""Block Kit builders for routing: the route form, the antenna's direct message, the answer in the
case thread, reminders and escalations, and /antenne. Pure functions returning Block Kit JSON (see
bot/blocks/kit.py); citizens' words are escaped."""

from __future__ import annotations

from datetime import datetime

import pytz
from bot.slack import ids
from bot.blocks.kit import (
    SECTION_LIMIT,
    Block,
    View,
    actions,
    button,
    clip,
    context,
    escape,
    input_block,
    local_time,
    modal,
    option,
    post_link,
    quote,
    section,
    suggested_text,
    static_select,
    text_input,
)
from bot.blocks.replies import antennas_changed
from bot.flows.commands import AntenneCommand
from bot.flows.policy import Policy
from bot.core.i18n import Translator
from bot.core import mrkdwn
from bot.core.mrkdwn import mention, mentions
from bot.slack.refs import QuestionFormRef, QuestionRef
from bot.usecases.antennas import AntenneDone
from bot.usecases.routing import ANSWER_LIMIT, QUESTION_LIMIT, RoutedQuestionSnapshot, ServiceView, Similar
from storage.models import QuestionStatus

POST_EXCERPT = 1500


def time_in(moment: datetime, zone: str | None, tr: Translator) -> str:
    """A deadline in the reader's own time zone (their Slack profile), Brussels when unknown."""
    try:
        tz = pytz.timezone(zone) if zone else None
    except pytz.UnknownTimeZoneError:
        tz = None
    if tz is None:
        return local_time(moment, tr)
    return tr.time(moment, zone=tz)


def _service_options(services: list[ServiceView], tr: Translator) -> list[Block]:
    return [
        option(clip(s.name, 75), str(s.id), description=clip(s.description or "—", 75))
        for s in services
    ][:100]


def route_form(tr: Translator, *, case_id: int, version: int, fyi: bool, services: list[ServiceView],
               question: str, similar: Similar | None, policy: Policy) -> View:
    """Ask a service: which one, the question (prefilled with the post), optional context."""
    blocks: list[Block] = []
    if similar is not None:
        text = tr("route.similar", service=escape(policy.service_name(similar.service, tr.language)),
                  question=escape(clip(similar.question, 300)), answer=quote(escape(clip(similar.answer, 1500))))
        blocks.append(section(clip(text, SECTION_LIMIT)))
    blocks.append(input_block(ids.ROUTE_SERVICE, tr("route.service"),
                              static_select(_service_options(services, tr))))
    blocks.append(input_block(
        ids.ROUTE_QUESTION, tr("route.fyi_text") if fyi else tr("route.question"),
        text_input(max_length=QUESTION_LIMIT, multiline=True,
                   initial_value=clip(question, QUESTION_LIMIT) or None),
    ))
    blocks.append(input_block(ids.ROUTE_CONTEXT, tr("route.context"),
                              text_input(max_length=QUESTION_LIMIT, multiline=True), optional=True))
    return modal(
        callback_id=ids.ROUTE_VIEW,
        private_metadata=QuestionRef(case_id, version, "fyi" if fyi else "ask").encode(),
        title=clip(tr("route.fyi_title") if fyi else tr("route.title"), 24),
        submit=tr("route.submit"),
        close=tr("form.cancel"),
        blocks=blocks,
    )


def antenna_message(q: RoutedQuestionSnapshot, policy: Policy, tr: Translator, *, zone: str | None,
                    reminder: bool = False) -> list[Block]:
    """Everything an antenna needs to answer without seeing the intake channel."""
    head_key = "route.dm_fyi" if q.kind == "fyi" else ("route.dm_reminder" if reminder else "route.dm_title")
    lines = [tr(head_key, user=mention(q.asked_by), service=escape(policy.service_name(q.service.name, tr.language)))]
    lines.append(quote(escape(clip(q.question, QUESTION_LIMIT))))
    if q.context:
        lines.append(tr("route.dm_context", context=escape(clip(q.context, 1000))))
    blocks: list[Block] = [section(clip("\n".join(lines), SECTION_LIMIT))]
    post = tr("route.dm_post") + "\n" + quote(escape(clip(q.case_text or "—", POST_EXCERPT)))
    if q.case_link:
        post += "\n" + post_link(q.case_link)
    if q.case_comment:
        post += "\n" + tr("route.dm_comment") + "\n" + quote(escape(clip(q.case_comment, POST_EXCERPT)))
    blocks.append(section(clip(post, SECTION_LIMIT)))
    if q.kind != "fyi" and q.due_at is not None:
        blocks.append(context(tr("route.dm_due", time=time_in(q.due_at, zone, tr))))
    if q.status in (QuestionStatus.OPEN, QuestionStatus.ACKNOWLEDGED):
        buttons = [
            button(tr("route.answer"), style="primary", action_id=ids.QUESTION_ANSWER, value=str(q.id)),
            button(tr("route.not_for_us"), action_id=ids.QUESTION_REROUTE, value=str(q.id)),
        ]
        if q.status == QuestionStatus.OPEN:
            buttons.append(button(tr("route.on_it"), action_id=ids.QUESTION_ACK, value=str(q.id)))
        else:
            blocks.append(context(tr("route.dm_acknowledged")))
        blocks.append(actions(buttons))
    elif q.status == QuestionStatus.ANSWERED:
        blocks.append(context(tr("route.dm_answered", user=mention(q.answered_by))))
    elif q.status == QuestionStatus.REROUTED:
        blocks.append(context(tr("route.dm_rerouted")))
    return blocks


def answer_form(tr: Translator, *, question_id: int) -> View:
    return modal(
        callback_id=ids.ANSWER_VIEW,
        private_metadata=QuestionFormRef(question_id).encode(),
        title=clip(tr("route.answer"), 24),
        submit=tr("route.answer_submit"),
        close=tr("form.cancel"),
        blocks=[input_block(ids.ANSWER_TEXT, tr("route.answer_label"),
                            text_input(max_length=ANSWER_LIMIT, multiline=True),
                            hint=tr("route.answer_hint"))],
    )


def reroute_form(tr: Translator, *, question_id: int, services: list[ServiceView]) -> View:
    return modal(
        callback_id=ids.REROUTE_VIEW,
        private_metadata=QuestionFormRef(question_id).encode(),
        title=clip(tr("route.not_for_us"), 24),
        submit=tr("route.reroute_submit"),
        close=tr("form.cancel"),
        blocks=[
            input_block(ids.ROUTE_SERVICE, tr("route.reroute_service"),
                        static_select(_service_options(services, tr))),
            input_block(ids.REROUTE_REASON, tr("route.reroute_reason"), text_input(max_length=500)),
        ],
    )


def asked_in_thread(q: RoutedQuestionSnapshot, policy: Policy, tr: Translator, *,
                    undelivered: list[str]) -> list[Block]:
    """The case thread learns who was asked, by when, and what to tell the citizen meanwhile."""
    antennas = mentions(q.service.antennas) or tr("route.no_antenna")
    service = escape(policy.service_name(q.service.name, tr.language))
    if q.kind == "fyi":
        text = tr("route.thread_fyi", service=service, antennas=antennas)
    else:
        text = tr("route.thread_asked", user=mention(q.asked_by), service=service,
                  antennas=antennas, time=local_time(q.due_at, tr))
        text += "\n" + tr("route.thread_holding") + "\n" + suggested_text(
            policy.routing.holding_reply, policy, tr)
    if undelivered:
        text += "\n:warning: " + tr("route.undelivered", users=mentions(undelivered))
    return [section(clip(text, SECTION_LIMIT))]


def answered_in_thread(q: RoutedQuestionSnapshot, policy: Policy, tr: Translator) -> list[Block]:
    """The service's answer in the case thread, and a public reply drafted around it."""
    service = policy.service_name(q.service.name, tr.language)
    head = tr("route.thread_answer", user=mention(q.asked_by), service=escape(service),
              antenna=mention(q.answered_by))
    answer = quote(escape(clip(q.answer or "", 2500)))
    reply = suggested_text(policy.routing.answer_reply, policy, tr, answer=q.answer or "",
                           service=service)
    return [
        section(clip(head + "\n" + answer, SECTION_LIMIT)),
        section(clip(f"*{tr('case.suggested_reply')}*\n" + reply, SECTION_LIMIT)),
    ]


def services_list(services: list[ServiceView], tr: Translator) -> list[Block]:
    if not services:
        return [section(tr("antenne.none"))]
    blocks: list[Block] = [section(tr("antenne.title"))]
    for s in services[:45]:
        antennas = mentions(s.antennas) or tr("route.no_antenna")
        line = tr("antenne.line", service=escape(s.name), description=escape(s.description),
                  antennas=antennas, open_questions=tr.plural("antenne.open_questions", s.open_questions))
        if s.backup:
            line += " · " + tr("antenne.backup", user=mention(s.backup))
        blocks.append(section(clip(line, SECTION_LIMIT)))
    return blocks


def service_detail(s: ServiceView, answers: list[RoutedQuestionSnapshot], tr: Translator,
                   flagged: list[str]) -> list[Block]:
    blocks = services_list([s], tr)[1:]
    settings = []
    if s.question_minutes or s.report_minutes:
        settings.append(tr("antenne.targets", questions=_hours(s.question_minutes, tr),
                           reports=_hours(s.report_minutes, tr)))
    if s.channel:
        settings.append(tr("antenne.channel", channel=mrkdwn.channel(s.channel)))
    if settings:
        blocks.append(context(" · ".join(settings)))
    if flagged:
        blocks.append(context(
            ":warning: " + tr("antenne.deactivated", users=mentions(flagged))))
    if answers:
        blocks.append(section(tr("antenne.answers")))
        for a in answers[:10]:
            text = f"*{escape(clip(a.question, 300))}*\n" + quote(escape(clip(a.answer or "", 1200)))
            blocks.append(section(clip(text, SECTION_LIMIT)))
    return blocks


def text_blocks(text: str) -> list[Block]:
    """A short text as blocks: one section, clipped to what Slack takes."""
    return [section(clip(text, SECTION_LIMIT))]


def _hours(minutes: int | None, tr: Translator) -> str:
    return tr("antenne.policy_target") if not minutes else tr("antenne.hours", hours=f"{minutes / 60:g}")


def people_to_check(command: AntenneCommand, done: AntenneDone) -> list[str]:
    """Whose Slack account to check for deactivation before answering ``/antenne <service> …``:
    the people just made antennas, or the antennas and backup of a service shown."""
    if command.kind == "people":
        return [person for person, changed in done.changes if command.verb is None and changed]
    service = done.service
    return list(service.antennas + ((service.backup,) if service.backup else ())) \
        if command.kind == "show" else []


def antenne_done(command: AntenneCommand, done: AntenneDone, policy: Policy, tr: Translator,
                 deactivated: frozenset[str]) -> dict:
    """The answer to ``/antenne <service> …``: a line per person changed, else the service (its
    deactivated people flagged)."""
    service = done.service
    if command.kind == "people":
        return {"text": antennas_changed(command.verb, done.changes, policy.service_name(
            service.name, tr.language), tr, deactivated)}
    flagged = [person for person in people_to_check(command, done) if person in deactivated]
    return {"blocks": service_detail(service, list(done.answers), tr, flagged),
            "text": escape(service.name)}
