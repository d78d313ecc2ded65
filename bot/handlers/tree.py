"""Clicks on a case's message: the tree's buttons and the staff-member picker."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.blocks.forms import action_form
from bot.blocks.replies import refused_click
from bot.usecases import cases, forms
from bot.slack import ids
from bot.deps import deps_of
from bot.flows.tree import Click, Move
from bot.flows.permissions import Act, act_of_tree_action
from bot.handlers.access import REF, decode, require
from bot.handlers.after_ack import after_ack
from bot.delivery import send
from bot.slack.members import is_colleague
from bot.slack.refs import ButtonRef, CaseRef, action_value

logger = logging.getLogger(__name__)

FORM_ACTIONS = frozenset({"strike", "route", "inform_service"})  # a modal, not the click, records them


def register(app: App) -> None:
    app.action(ids.TREE_ACTION, middleware=[
        decode(action_value(ButtonRef.decode)),
        require(act_of=_act_of_click, acts=frozenset({Act.WALK_TREE, Act.RECORD_STRIKE, Act.ROUTE})),
    ])(after_ack(on_tree_button, inline=opens_form))
    app.action(ids.STAFF_SELECT, middleware=[
        decode(lambda body: CaseRef.decode(((body.get("actions") or [{}])[0]).get("block_id"),
                                           ids.STAFF_BLOCK_PREFIX)),
        require(Act.WALK_TREE),
    ])(after_ack(on_staff_selected))


def _act_of_click(ref: ButtonRef) -> Act:
    return act_of_tree_action(ref.click.target) if ref.click.move is Move.ACTION else Act.WALK_TREE


def opens_form(context: BoltContext, **_: object) -> bool:
    """A click on an action that needs a modal (its trigger expires three seconds after it)."""
    ref = context.get(REF)
    return ref.click.move is Move.ACTION and ref.click.target in FORM_ACTIONS


def on_tree_button(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    ref: ButtonRef = context[REF]
    if ref.click.move is Move.ACTION and ref.click.target in FORM_ACTIONS:
        _open_form(client, context, body, ref)
        return
    _apply(client, context, body, ref.case_id, ref.version, ref.click)


def _open_form(client: WebClient, context: BoltContext, body: dict, ref: ButtonRef) -> None:
    """Actions that need more than a click (a strike needs the author and the reasons)."""
    deps = deps_of(context)
    form = forms.action_form(deps.engine, team_id=context.team_id or "", case_id=ref.case_id,
                             version=ref.version, action=ref.click.target)
    client.views_open(trigger_id=body["trigger_id"], view=action_form(form, deps.policy, deps.tr))


def on_staff_selected(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    selected = action.get("selected_user")
    ref: CaseRef = context[REF]
    if not isinstance(selected, str) or not selected:
        return  # the picker was cleared: nothing to do
    if not is_colleague(client, selected):
        logger.warning("case %s: staff picker sent a value that is not a colleague (user %s)",
                       ref.case_id, context.user_id)
        channel = (body.get("channel") or {}).get("id") or context.channel_id
        if channel:
            send.ephemeral(client, channel=channel, user=context.user_id,
                 thread_ts=(body.get("container") or {}).get("thread_ts"),
                 text=deps_of(context).tr("refusal.not_a_colleague"))
        return
    _apply(client, context, body, ref.case_id, ref.version, Click(Move.STAFF, selected))


def _apply(client: WebClient, context: BoltContext, body: dict, case_id: int, version: int,
           click: Click) -> None:
    deps = deps_of(context)
    user = context.user_id
    result = cases.click(
        deps.engine, deps.policy, team_id=context.team_id or "", case_id=case_id,
        version=version, click=click,
        user_id=user, now=deps.clock(),
    )
    case = result.case
    if result.stale or result.refusal is not None:
        send.ephemeral(client, channel=case.channel_id, user=user, thread_ts=case.message_ts,
                       text=refused_click(result, deps.policy, deps.tr))
        return
    send.redraw_clicked(client, deps, case, clicked_ts=(body.get("container") or {}).get("message_ts"))
    if result.support_user is not None:
        send.support_colleague(client, deps, case, colleague=result.support_user, by=user)


