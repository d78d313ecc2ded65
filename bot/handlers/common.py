"""Slack calls that several listeners make."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.blocks import kit as blocks
from bot.usecases import cases
from bot.usecases import outbox
from bot.deps import Deps
from bot.usecases.cases import CaseSnapshot


def post_case_thread(client: WebClient, deps: Deps, case: CaseSnapshot) -> None:
    """Start the tree in the case's thread and remember the message for later updates. When Slack
    stays unreachable after the client's retries, the outbox tries again later."""
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
        if not outbox.later(deps.engine, error, team_id=case.team_id, kind=outbox.POST_THREAD,
                            case_id=case.id, now=deps.clock()):
            raise
        return
    now = cases.set_bot_message(deps.engine, team_id=case.team_id, case_id=case.id, ts=response["ts"])
    if now.version != case.version:
        # Something happened while the message was on its way (a screenshot in the thread): the
        # buttons just drawn are already stale, so draw them again.
        refresh_case_message(client, deps, now)


def refresh_case_message(client: WebClient, deps: Deps, case: CaseSnapshot) -> None:
    """Redraw the case's message so the whole team sees the path taken (one chat.update)."""
    try:
        client.chat_update(
            channel=case.channel_id,
            ts=case.bot_message_ts,
            text=deps.tr("case.fallback", case=case.id),
            blocks=blocks.case_message(case, deps.policy, deps.tr),
        )
    except Exception as error:
        if not outbox.later(deps.engine, error, team_id=case.team_id, kind=outbox.REFRESH_THREAD,
                            case_id=case.id, now=deps.clock()):
            raise


def tell(client: WebClient, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
    """An ephemeral message: only the person who clicked sees it."""
    client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)
