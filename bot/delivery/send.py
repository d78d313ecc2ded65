"""The one sender of case and antenna messages, for listeners and the scheduler's jobs alike
(:mod:`bot.delivery.jobs`); no listener of its own.

A case's message in its thread is posted once and redrawn as the case changes; when Slack stays
unreachable after the client's retries, the outbox keeps the intent and a later attempt draws the
case as it is then. Antennas hear of a question in a direct message each, redrawn as the question
changes; the case's thread hears who was asked and what they answered. A recorded strike's
guidance is posted in the case's thread and redrawn when the measure is confirmed. Besides: a
case's card in the intake channel, the support message to a targeted colleague, and files in a
lead's private conversation with the bot.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import cases as blocks
from bot.blocks import routing as views
from bot.blocks import strikes as strike_blocks
from bot.deps import Deps
from bot.flows.intake import guess_platform, normalise_handle
from bot.usecases import cases, outbox, routing, strikes
from bot.usecases.cases import CaseSnapshot, Intake
from bot.usecases.routing import RoutedQuestionSnapshot
from bot.usecases.strikes import StrikeResult

logger = logging.getLogger(__name__)


def post_case_message(client: WebClient, deps: Deps, case: CaseSnapshot, *,
                      now: datetime | None = None, attempt: int = 1) -> bool:
    """Start the tree in the case's thread and remember the message for later updates. False when
    Slack could not take it and the outbox tries again later (``attempt`` counts the tries)."""
    try:
        response = client.chat_postMessage(
            channel=case.channel_id,
            thread_ts=case.message_ts,
            text=deps.tr("case.fallback", case=case.id),
            blocks=blocks.case_message(case, deps.policy, deps.tr),
            unfurl_links=False,
            unfurl_media=False,
        )
    except Exception as error:
        if not outbox.defer_if_transient(deps.engine, error, team_id=case.team_id,
                                         kind=outbox.POST_THREAD, case_id=case.id,
                                         now=now or deps.clock(), attempt=attempt):
            raise
        return False
    posted = cases.set_bot_message(deps.engine, team_id=case.team_id, case_id=case.id, ts=response["ts"])
    if posted.version != case.version:
        # Something happened while the message was on its way (a screenshot in the thread): the
        # buttons just drawn are already stale, so draw them again.
        redraw_case_message(client, deps, posted, now=now)
    return True


def open_with_card(client: WebClient, deps: Deps, intake: Intake) -> CaseSnapshot:
    """Post the case's card in the intake channel, open the case on it, then start the tree in
    its thread."""
    platform = intake.platform or guess_platform(intake.link)
    author = normalise_handle(platform, intake.author_handle) if intake.author_handle else None
    card = client.chat_postMessage(
        channel=intake.channel_id,
        text=deps.tr("card.fallback"),
        blocks=blocks.case_card(intake.text, intake.link, platform, author, intake.forwarded_by,
                                intake.source_permalink, deps.tr, comment=intake.comment),
        unfurl_links=False,
        unfurl_media=False,
    )
    intake = dataclasses.replace(intake, message_ts=card["ts"])
    case, created = cases.open_case(deps.engine, intake, policy_version=deps.policy.version,
                                     screening=deps.policy.prescreen)
    if created:
        post_case_message(client, deps, case)
    return case


def redraw_case_message(client: WebClient, deps: Deps, case: CaseSnapshot, *,
                        now: datetime | None = None, attempt: int = 1) -> bool:
    """Redraw the case's message so the whole team sees the path taken (one chat.update). False
    when Slack could not take it and the outbox tries again later."""
    try:
        client.chat_update(
            channel=case.channel_id,
            ts=case.bot_message_ts,
            text=deps.tr("case.fallback", case=case.id),
            blocks=blocks.case_message(case, deps.policy, deps.tr),
        )
    except Exception as error:
        if not outbox.defer_if_transient(deps.engine, error, team_id=case.team_id,
                                         kind=outbox.REFRESH_THREAD, case_id=case.id,
                                         now=now or deps.clock(), attempt=attempt):
            raise
        return False
    return True


def redraw_clicked(client: WebClient, deps: Deps, case: CaseSnapshot, *, clicked_ts: str | None) -> None:
    """Redraw the case's message after a click on it. The click can overtake the write that
    remembers the message; it came from that message (``clicked_ts``)."""
    if case.bot_message_ts is None:
        case = dataclasses.replace(case, bot_message_ts=clicked_ts)
    if case.bot_message_ts is None:
        logger.warning("case %s has no thread message to update", case.id)
    else:
        redraw_case_message(client, deps, case)


def support_colleague(client: WebClient, deps: Deps, case: CaseSnapshot, *, colleague: str,
                      by: str) -> None:
    """The colleague a case targets personally hears, in a direct message, where to find support."""
    client.chat_postMessage(channel=colleague, text=deps.tr("support.fallback"),
                            blocks=blocks.support_message(deps.policy, deps.tr, case, by))


def redraw_case(client: WebClient, deps: Deps, *, team_id: str, case_id: int) -> None:
    """Redraw a case's message as the database has it now, when it has one."""
    case = cases.load_case(deps.engine, team_id=team_id, case_id=case_id)
    if case.bot_message_ts:
        redraw_case_message(client, deps, case)


def deliver_case_message(client: WebClient, deps: Deps, *, team_id: str, case_id: int,
                         now: datetime, attempt: int) -> bool:
    """One more try (the ``attempt``-th) of a case message Slack could not take, drawn as the case
    is now: posted when it never was, redrawn otherwise. False when left for a later try."""
    case = cases.load_case(deps.engine, team_id=team_id, case_id=case_id)
    if case.bot_message_ts is None:
        return post_case_message(client, deps, case, now=now, attempt=attempt)
    return redraw_case_message(client, deps, case, now=now, attempt=attempt)


def notify_antennas(client: WebClient, deps: Deps, question: RoutedQuestionSnapshot,
                    users: tuple[str, ...] | list[str], *, reminder: bool = False) -> list[str]:
    """A direct message to each antenna; returns who could not be reached."""
    undelivered = []
    for user in users:
        try:
            info = client.users_info(user=user)["user"]
            if info.get("deleted"):
                undelivered.append(user)
                continue
            sent = client.chat_postMessage(
                channel=user, unfurl_links=False,
                text=deps.tr("route.dm_fallback", service=service_named(deps, question)),
                blocks=views.antenna_message(question, deps.policy, deps.tr, zone=info.get("tz"),
                                             reminder=reminder))
            routing.remember_message(deps.engine, team_id=question.team_id, question_id=question.id,
                                     user_id=user, channel_id=sent["channel"], ts=sent["ts"],
                                     now=deps.clock())
        except SlackApiError as error:
            logger.warning("question %s: no direct message to %s (%s)", question.id, user,
                           error.response.get("error"))
            undelivered.append(user)
    return undelivered


def question_asked(client: WebClient, deps: Deps, question: RoutedQuestionSnapshot, *,
                   note: str | None = None) -> None:
    """A question routed (or passed on, with the thread's ``note`` saying so): its service's
    antennas hear of it (a first FYI also in the service's own channel, never the intake
    channel), the case's thread hears who was asked, and the case's message is redrawn."""
    undelivered = notify_antennas(client, deps, question, question.service.antennas)
    if note is None and question.kind == "fyi" and question.service.channel:
        try:
            client.chat_postMessage(channel=question.service.channel, unfurl_links=False,
                                    text=deps.tr("route.dm_fallback", service=service_named(deps, question)),
                                    blocks=views.antenna_message(question, deps.policy, deps.tr, zone=None))
        except SlackApiError as error:
            logger.warning("question %s: service channel refused (%s)", question.id,
                           error.response.get("error"))
    asked = views.asked_in_thread(question, deps.policy, deps.tr, undelivered=undelivered)
    if note is None:
        client.chat_postMessage(
            channel=question.case_channel, thread_ts=question.case_ts, unfurl_links=False,
            text=deps.tr("route.fallback", service=service_named(deps, question)), blocks=asked)
    else:
        client.chat_postMessage(channel=question.case_channel, thread_ts=question.case_ts,
                                text=note, blocks=views.text_blocks(note) + asked)
    redraw_case(client, deps, team_id=question.team_id, case_id=question.case_id)


def question_answered(client: WebClient, deps: Deps, question: RoutedQuestionSnapshot) -> None:
    """The answer in the case's thread, the antennas' messages redrawn, the case's too."""
    client.chat_postMessage(
        channel=question.case_channel, thread_ts=question.case_ts, unfurl_links=False,
        text=deps.tr("route.answer_fallback", service=service_named(deps, question)),
        blocks=views.answered_in_thread(question, deps.policy, deps.tr))
    redraw_antenna_messages(client, deps, question)
    redraw_case(client, deps, team_id=question.team_id, case_id=question.case_id)


def redraw_antenna_messages(client: WebClient, deps: Deps, question: RoutedQuestionSnapshot,
                            clicked: tuple[str, str] | None = None) -> None:
    """Redraw every direct message the bot sent about the question, as the database has it.
    Which messages those are is read from the database too: a form or a button never says
    which message to overwrite. (A question sent before the bot kept them: only the direct
    message that was clicked, as Slack reported it.)"""
    messages = routing.messages_of(deps.engine, team_id=question.team_id, question_id=question.id)
    if not messages and clicked is not None:
        messages = [clicked]
    for channel, ts in messages:
        try:
            client.chat_update(channel=channel, ts=ts, text=deps.tr("route.dm_fallback", service=service_named(deps, question)),
                               blocks=views.antenna_message(question, deps.policy, deps.tr, zone=None))
        except SlackApiError as error:
            logger.warning("question %s: direct message %s not updated (%s)", question.id, ts,
                           error.response.get("error"))


def strike_recorded(client: WebClient, deps: Deps, result: StrikeResult, *, reason_public: str) -> None:
    """A new strike: the case's message redrawn, and what the rule asks now (the guidance, with
    the private message to send) in the case's thread, kept to be redrawn when confirmed."""
    case = result.case
    if case.bot_message_ts:
        redraw_case_message(client, deps, case)
    posted = client.chat_postMessage(
        channel=case.channel_id, thread_ts=case.message_ts,
        text=deps.tr("strikes.fallback"),
        blocks=strike_blocks.guidance(result, deps.policy, deps.tr, reason_public=reason_public,
                                      rule=case.node_id),
        unfurl_links=False,
    )
    strikes.remember_guidance(deps.engine, team_id=case.team_id, strike_id=result.strike_id,
                              channel_id=posted["channel"], ts=posted["ts"], now=deps.clock())


def redraw_guidance(client: WebClient, deps: Deps, *, team_id: str, strike_id: int, kind: str,
                    clicked: dict) -> None:
    """Redraw a strike's guidance, confirmed, from the database: the message, its channel and its
    ts are never the payload's. (A guidance posted before the bot kept its messages: the
    clicked one, when Slack's ``clicked`` container says it is in the strike's own case thread.)"""
    shown = strikes.guidance(deps.engine, deps.policy, team_id=team_id, strike_id=strike_id, kind=kind)
    blocks = strike_blocks.guidance(shown.result, deps.policy, deps.tr, reason_public=shown.reason_public,
                                    rule=shown.rule, confirmed=shown.confirmed)
    channel, ts = clicked.get("channel_id"), clicked.get("message_ts")
    in_thread = (channel == shown.case_channel and clicked.get("thread_ts") == shown.case_ts
                 and isinstance(ts, str) and ts not in (shown.case_ts, shown.case_bot_ts))
    for where, message in shown.messages or (((channel, ts),) if in_thread else ()):
        client.chat_update(channel=where, ts=message, blocks=blocks, text=deps.tr("strikes.fallback"))


def file_to_person(client: WebClient, *, user: str, content: str, filename: str, title: str) -> None:
    """A file in the person's private conversation with the bot, never a channel."""
    dm = client.conversations_open(users=user)["channel"]["id"]
    client.files_upload_v2(channel=dm, content=content, filename=filename, title=title)


def service_named(deps: Deps, question: RoutedQuestionSnapshot) -> str:
    """The question's service as a sentence names it ("de groendienst")."""
    return deps.policy.service_name(question.service.name, deps.tr.language)


def thread_note(client: WebClient, *, channel: str, thread_ts: str, text: str) -> None:
    """A short note in a case's thread, for the whole team."""
    client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text,
                            blocks=views.text_blocks(text), unfurl_links=False)


def ephemeral(client: WebClient, *, channel: str, user: str, text: str,
              thread_ts: str | None = None) -> None:
    """An ephemeral message: only the person who clicked sees it."""
    client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
