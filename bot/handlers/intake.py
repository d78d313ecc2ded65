"""The three ways in: a post in an intake channel, the message shortcut, and the form."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import cases as blocks
from bot.usecases import cases
from bot.slack import ids
from bot.usecases import submissions
from bot.deps import Deps, deps_of
from bot.usecases.cases import Intake
from bot.flows.intake import check_new_case, file_ids, is_new_post, read_post, unfurled_later
from bot.flows.permissions import Act
from bot.handlers.access import DM, RESPOND, Form, held_where_it_happens, require
from bot.handlers.after_ack import after_ack
from bot.handlers.errors import guarded
from bot.delivery import send
from bot.slack.forms import form_values
from bot.core import mrkdwn

logger = logging.getLogger(__name__)

def register(app: App) -> None:
    app.event("message", middleware=[held_where_it_happens(
        Act.OPEN_CASE, "a post in an intake channel, by one of its members: others are ignored"),
    ])(after_ack(on_message))
    app.shortcut(ids.REVIEW_MESSAGE_SHORTCUT, middleware=[require(Act.OPEN_CASE, where=RESPOND)])(
        guarded(on_review_message))
    app.shortcut(ids.NEW_CASE_SHORTCUT, middleware=[require(Act.OPEN_CASE, where=DM)])(
        guarded(on_new_case_shortcut))
    app.view(ids.NEW_CASE_VIEW, middleware=[require(Act.OPEN_CASE, where=Form(ids.FORM_TEXT))])(
        guarded(on_new_case_submitted))


_FORM_BLOCKS = {"text": ids.FORM_TEXT, "link": ids.FORM_LINK, "author": ids.FORM_AUTHOR,
                "platform": ids.FORM_PLATFORM, "channel": ids.FORM_CHANNEL}
_FORM_FIELDS = {block: name for name, block in _FORM_BLOCKS.items()}


def on_message(event: dict, body: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    channel = event.get("channel")
    if channel not in deps.workspace.intake_channels:
        return
    if event.get("subtype") == "message_changed":
        _unfurled_later(deps, context.team_id or body.get("team_id") or "", channel, event)
        return
    if not is_new_post(event):
        return
    ts = event.get("ts")
    thread_ts = event.get("thread_ts")
    team_id = context.team_id or body.get("team_id") or ""
    files = file_ids(event)
    if thread_ts and thread_ts != ts:
        if files:  # a screenshot in a case's thread is kept as evidence
            updated = cases.add_evidence_in_thread(
                deps.engine, deps.policy, team_id=team_id, channel_id=channel, thread_ts=thread_ts,
                file_ids=files, user_id=event["user"], now=deps.clock())
            if updated is not None and updated.bot_message_ts:
                send.redraw_case_message(client, deps, updated)
        return
    intake = Intake.of_post(read_post(event), files=files, team_id=team_id, channel_id=channel,
                            message_ts=ts, via="message", forwarded_by=event["user"],
                            forwarded_at=deps.clock())
    case, created = cases.open_case(deps.engine, intake, policy_version=deps.policy.version,
                                     screening=deps.policy.prescreen)
    if created:
        send.post_case_message(client, deps, case)


def on_review_message(ack: Ack, shortcut: dict, context: BoltContext, client: WebClient,
                      respond: Respond) -> None:
    """"Als dossier openen" on any message: the case opens in the intake channel."""
    ack()
    deps = deps_of(context)
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id")
    user = context.user_id
    team_id = context.team_id or ""
    post = read_post(message)
    by = dict(via="shortcut", forwarded_by=user, forwarded_at=deps.clock(), team_id=team_id)
    in_intake = channel in deps.workspace.intake_channels and (
        not message.get("thread_ts") or message.get("thread_ts") == message.get("ts")
    )
    if in_intake:
        # Already where cases live: the message itself becomes the case.
        case, created = cases.open_case(deps.engine, Intake.of_post(
            post, files=file_ids(message), channel_id=channel, message_ts=message["ts"], **by),
            policy_version=deps.policy.version, screening=deps.policy.prescreen)
        if created:
            send.post_case_message(client, deps, case)
        else:
            respond(text=deps.tr("intake.already_a_case", case=case.id), response_type="ephemeral")
        return
    permalink = client.chat_getPermalink(channel=channel, message_ts=message["ts"])["permalink"]
    # A case may already hold this message, or the message it shares.
    existing = cases.find_case_for_sources(deps.engine, team_id=team_id,
                                           permalinks=(permalink, post.permalink))
    if existing is not None:
        respond(text=deps.tr("intake.already_a_case", case=existing.id), response_type="ephemeral")
        return
    send.open_with_card(client, deps, Intake.of_post(
        post, files=file_ids(message), permalink=permalink,
        channel_id=deps.workspace.intake_channels[0], message_ts="", **by))
    respond(text=deps.tr("intake.opened", channel=mrkdwn.channel(deps.workspace.intake_channels[0])),
            response_type="ephemeral")


def on_new_case_shortcut(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    deps = deps_of(context)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=blocks.new_case_form(deps.tr, deps.workspace.intake_channels),
    )


def on_new_case_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    form = check_new_case({name: value for block, value in form_values(view).items()
                           if (name := _FORM_FIELDS.get(block))}, deps.workspace.intake_channels)
    if form.errors:
        ack(response_action="errors",
            errors={_FORM_BLOCKS[field]: deps.tr(key) for field, key in form.errors.items()})
        return
    channel = form.channel
    team = context.team_id or ""
    # The form's view id is the same each time the same form is sent: it opens one case.
    view_id = view.get("id")
    key = f"new_case:{view_id}" if isinstance(view_id, str) and view_id else None
    if key and not submissions.claim(deps.engine, team_id=team, key=key, user_id=context.user_id,
                                     now=deps.clock()):
        ack()
        logger.info("new-case form %s sent again by %s: nothing opened", view_id, context.user_id)
        send.ephemeral(client, channel=channel, user=context.user_id, text=deps.tr("intake.already_submitted"))
        return
    ack()  # the form closes: sending this view again can only be a replay
    case = send.open_with_card(client, deps, Intake(
        team_id=team, channel_id=channel, message_ts="", via="form", text=form.text,
        link=form.link, forwarded_by=context.user_id, forwarded_at=deps.clock(), platform=form.platform,
        author_handle=form.author,
    ))
    if key:
        submissions.settle(deps.engine, team_id=team, key=key, ref_id=case.id)


def _unfurled_later(deps: Deps, team_id: str, channel: str, event: dict) -> None:
    """A pasted link to a Slack message: Slack adds the message it links to as an edit."""
    found = unfurled_later(event)
    if found is not None:
        post = found.post
        cases.take_shared_words(deps.engine, team_id=team_id, channel_id=channel, message_ts=found.ts,
                                was=found.was, text=post.text, link=post.link, comment=post.comment,
                                permalink=post.permalink,
                                screening=deps.policy.prescreen)
