"""The one sender of case and antenna messages, for listeners and the scheduler's jobs alike
(:mod:`bot.delivery.jobs`); no listener of its own.

A case's message in its thread is posted once and redrawn as the case changes; when Slack stays
unreachable after the client's retries, the outbox keeps the intent and a later attempt draws the
case as it is then. Antennas hear of a question in a direct message each.
"""

from __future__ import annotations

import logging
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import cases as blocks
from bot.blocks import routing as views
from bot.deps import Deps
from bot.usecases import cases, outbox, routing
from bot.usecases.cases import CaseSnapshot
from bot.usecases.routing import RoutedQuestionSnapshot

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
