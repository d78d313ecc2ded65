"""Slack calls that several listeners make."""

from __future__ import annotations

import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import cases as blocks
from bot.usecases import cases
from bot.slack import ids
from bot.usecases import outbox
from bot.flows.permissions import Act
from bot.deps import Deps, deps_of
from bot.handlers.access import may
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


def form_values(view: dict) -> dict[str, str]:
    """A modal's inputs by block id: texts trimmed, selects and radio buttons as their value,
    empty ones left out. Every input element of this bot has the action_id ``ids.FORM_INPUT``."""
    found: dict[str, str] = {}
    for block_id, elements in ((view.get("state") or {}).get("values") or {}).items():
        element = (elements or {}).get(ids.FORM_INPUT) if isinstance(elements, dict) else None
        if not isinstance(element, dict):
            continue
        option = element.get("selected_option")
        value = option.get("value") if isinstance(option, dict) else element.get("value")
        if isinstance(value, str) and value.strip():
            found[block_id] = value.strip()
    return found


def permitted(client: WebClient, context, act: Act, *, channel: str | None = None,
              thread_ts: str | None = None, respond=None, quiet: bool = False) -> bool:
    """Check the permission table; tell the person (ephemerally) when they may not."""
    deps = deps_of(context)
    if may(deps, client, team_id=context.team_id or "", user_id=context.user_id or "", act=act):
        return True
    text = deps.tr("access.refused")
    if quiet:
        return False
    if respond is not None:
        respond(text=text, response_type="ephemeral", replace_original=False)
    elif channel:
        tell(client, channel=channel, user=context.user_id, text=text, thread_ts=thread_ts)
    else:  # nowhere to answer in place (a global shortcut): a direct message
        client.chat_postMessage(channel=context.user_id, text=text)
    return False


# A Slack user id as Slack writes it: U… or W… (Enterprise Grid), capitals and digits only.
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def is_colleague(client: WebClient, user_id: object) -> bool:
    """Whether a user id a client sent is a real person's: well formed, known to Slack
    (``users.info``), not deactivated and not a bot. Anything else is refused, never used."""
    if not isinstance(user_id, str) or not USER_ID.fullmatch(user_id) or user_id == "USLACKBOT":
        return False
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError:
        return False
    return (isinstance(user, dict) and user.get("id") == user_id and not user.get("deleted")
            and not user.get("is_bot"))
