"""Clicks on a case's message: the tree's buttons and the staff-member picker."""

from __future__ import annotations

import dataclasses
import logging

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks import cases as blocks
from bot.blocks.kit import local_time
from bot.usecases import cases
from bot.slack import ids
from bot.deps import deps_of
from bot.flows.tree import Click, Move
from bot.flows.permissions import Act, act_of_tree_action
from bot.handlers.errors import after_ack
from bot.handlers.common import is_colleague, permitted, refresh_case_message, tell
from bot.core.mrkdwn import mention
from bot.handlers.routing import open_route_form
from bot.handlers.strikes import open_strike_form
from bot.slack.refs import BadPayload, ButtonRef, CaseRef

logger = logging.getLogger(__name__)

FORM_ACTIONS = frozenset({"strike", "route", "inform_service"})  # a modal, not the click, records them


def register(app: App) -> None:
    app.action(ids.TREE_ACTION)(after_ack(on_tree_button, inline=opens_form))
    app.action(ids.STAFF_SELECT)(after_ack(on_staff_selected))


def opens_form(action: dict, **_: object) -> bool:
    """A click on an action that needs a modal (its trigger expires three seconds after it)."""
    try:
        ref = ButtonRef.decode(action.get("value"))
    except BadPayload:
        return False
    return ref.click.move is Move.ACTION and ref.click.target in FORM_ACTIONS


def on_tree_button(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    try:
        ref = ButtonRef.decode(action.get("value"))
    except BadPayload:
        _outdated(client, context, body)
        return
    act = act_of_tree_action(ref.click.target) if ref.click.move is Move.ACTION else Act.WALK_TREE
    if not _permitted(client, context, body, act):
        return
    if ref.click.move is Move.ACTION and ref.click.target in FORM_ACTIONS:
        _open_form(client, context, body, ref)
        return
    _apply(client, context, body, ref.case_id, ref.version, ref.click)


def _open_form(client: WebClient, context: BoltContext, body: dict, ref: ButtonRef) -> None:
    """Actions that need more than a click (a strike needs the author and the reasons)."""
    deps = deps_of(context)
    try:
        case = cases.load_case(deps.engine, team_id=context.team_id or "", case_id=ref.case_id)
    except cases.CaseNotFound:
        _outdated(client, context, body)
        return
    if case.version != ref.version or case.state.status != "open":
        tell(client, channel=case.channel_id, user=context.user_id, thread_ts=case.message_ts,
             text=deps.tr("refusal.not_here"))
        return
    if ref.click.target == "strike":
        open_strike_form(client, deps, trigger_id=body["trigger_id"], case=case)
    else:
        open_route_form(client, deps, trigger_id=body["trigger_id"], case=case,
                        fyi=ref.click.target == "inform_service")


def on_staff_selected(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    selected = action.get("selected_user")
    try:
        ref = CaseRef.decode(action.get("block_id"), ids.STAFF_BLOCK_PREFIX)
    except BadPayload:
        _outdated(client, context, body)
        return
    if not isinstance(selected, str) or not selected:
        return  # the picker was cleared: nothing to do
    if not _permitted(client, context, body, Act.WALK_TREE):
        return
    if not is_colleague(client, selected):
        logger.warning("case %s: staff picker sent a value that is not a colleague (user %s)",
                       ref.case_id, context.user_id)
        channel = (body.get("channel") or {}).get("id") or context.channel_id
        if channel:
            tell(client, channel=channel, user=context.user_id,
                 thread_ts=(body.get("container") or {}).get("thread_ts"),
                 text=deps_of(context).tr("refusal.not_a_colleague"))
        return
    _apply(client, context, body, ref.case_id, ref.version, Click(Move.STAFF, selected))


def _apply(client: WebClient, context: BoltContext, body: dict, case_id: int, version: int,
           click: Click) -> None:
    deps = deps_of(context)
    user = context.user_id
    try:
        result = cases.click(
            deps.engine, deps.policy, team_id=context.team_id or "", case_id=case_id,
            version=version, click=click,
            user_id=user, now=deps.clock(),
        )
    except cases.CaseNotFound:
        _outdated(client, context, body)
        return
    case = result.case
    if result.stale:
        last = case.history[-1] if case.history else None
        text = (
            deps.tr("refusal.stale", user=mention(last.user_id), time=local_time(last.at, deps.tr),
                    step=blocks.describe_history_line(last, deps.policy, deps.tr))
            if last else deps.tr("refusal.not_here")
        )
        tell(client, channel=case.channel_id, user=user, text=text, thread_ts=case.message_ts)
        return
    if result.refusal is not None:
        tell(client, channel=case.channel_id, user=user, thread_ts=case.message_ts,
             text=deps.tr(f"refusal.{result.refusal.value}"))
        return
    if case.bot_message_ts is None:
        # The click can overtake the write that remembers the message; it came from that message.
        clicked = (body.get("container") or {}).get("message_ts")
        case = dataclasses.replace(case, bot_message_ts=clicked)
    if case.bot_message_ts is None:
        logger.warning("case %s has no thread message to update", case.id)
    else:
        refresh_case_message(client, deps, case)
    if result.support_user is not None:
        client.chat_postMessage(
            channel=result.support_user,
            text=deps.tr("support.fallback"),
            blocks=blocks.support_message(deps.policy, deps.tr, case, user),
        )


def _permitted(client: WebClient, context: BoltContext, body: dict, act: Act) -> bool:
    container = body.get("container") or {}
    return permitted(client, context, act, channel=(body.get("channel") or {}).get("id"),
                     thread_ts=container.get("thread_ts"))


def _outdated(client: WebClient, context: BoltContext, body: dict) -> None:
    channel = (body.get("channel") or {}).get("id") or context.channel_id
    if channel and context.user_id:
        tell(client, channel=channel, user=context.user_id,
             text=deps_of(context).tr("refusal.outdated"))
