"""The three ways in: a post in an intake channel, the message shortcut, and the form."""

from __future__ import annotations

import dataclasses
import logging

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import kit as blocks
from bot.usecases import cases
from bot.slack import ids
from bot.usecases import submissions
from bot.deps import Deps, deps_of
from bot.usecases.cases import Intake
from bot.flows.intake import PLATFORMS, find_link, guess_platform, normalise_handle, shared_posts
from bot.flows.permissions import Act
from bot.handlers.errors import after_ack, guarded
from bot.handlers.common import permitted, post_case_thread, refresh_case_message, tell
from bot.core import mrkdwn

logger = logging.getLogger(__name__)

# Message subtypes that are a person's new post; edits, joins, bot posts and the rest are not.
_POST_SUBTYPES = (None, "file_share")


def register(app: App) -> None:
    app.event("message")(after_ack(on_message))
    app.shortcut(ids.REVIEW_MESSAGE_SHORTCUT)(guarded(on_review_message))
    app.shortcut(ids.NEW_CASE_SHORTCUT)(guarded(on_new_case_shortcut))
    app.view(ids.NEW_CASE_VIEW)(guarded(on_new_case_submitted))


def on_message(event: dict, body: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    channel = event.get("channel")
    if channel not in deps.workspace.intake_channels:
        return
    if event.get("subtype") == "message_changed":
        _unfurled_later(deps, context.team_id or body.get("team_id") or "", channel, event)
        return
    if event.get("subtype") not in _POST_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return
    ts = event.get("ts")
    thread_ts = event.get("thread_ts")
    team_id = context.team_id or body.get("team_id") or ""
    files = _file_ids(event)
    if thread_ts and thread_ts != ts:
        if files:
            _evidence_from_thread(client, deps, team_id, channel, thread_ts, files, event["user"])
        return
    post = _post(event)
    intake = Intake(
        team_id=team_id,
        channel_id=channel,
        message_ts=ts,
        via="message",
        text=post.text,
        link=post.link,
        forwarded_by=event["user"],
        forwarded_at=deps.clock(),
        file_ids=tuple(dict.fromkeys(files + post.file_ids)),
        source_permalink=post.permalink,
        comment=post.comment,
    )
    case, created = cases.open_case(deps.engine, intake, policy_version=deps.policy.version,
                                     screening=deps.policy.prescreen)
    if created:
        post_case_thread(client, deps, case)


def on_review_message(ack: Ack, shortcut: dict, context: BoltContext, client: WebClient,
                      respond: Respond) -> None:
    """"Als dossier openen" on any message: the case opens in the intake channel."""
    ack()
    if not permitted(client, context, Act.OPEN_CASE, respond=respond):
        return
    deps = deps_of(context)
    message = shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id")
    user = context.user_id
    team_id = context.team_id or ""
    post = _post(message)
    files = tuple(dict.fromkeys(_file_ids(message) + post.file_ids))
    in_intake = channel in deps.workspace.intake_channels and (
        not message.get("thread_ts") or message.get("thread_ts") == message.get("ts")
    )
    if in_intake:
        # Already where cases live: the message itself becomes the case.
        case, created = cases.open_case(deps.engine, Intake(
            team_id=team_id, channel_id=channel, message_ts=message["ts"], via="shortcut",
            text=post.text, link=post.link, forwarded_by=user, forwarded_at=deps.clock(),
            file_ids=files, source_permalink=post.permalink, comment=post.comment,
        ), policy_version=deps.policy.version, screening=deps.policy.prescreen)
        if created:
            post_case_thread(client, deps, case)
        else:
            respond(text=deps.tr("intake.already_a_case", case=case.id), response_type="ephemeral")
        return
    permalink = client.chat_getPermalink(channel=channel, message_ts=message["ts"])["permalink"]
    # A case may already hold this message, or the message it shares.
    existing = None
    for source in dict.fromkeys(filter(None, (permalink, post.permalink))):
        existing = cases.find_case_for_source(deps.engine, team_id=team_id, permalink=source)
        if existing is not None:
            break
    if existing is not None:
        respond(text=deps.tr("intake.already_a_case", case=existing.id), response_type="ephemeral")
        return
    _open_with_card(client, deps, Intake(
        team_id=team_id, channel_id=deps.workspace.intake_channels[0], message_ts="",
        via="shortcut", text=post.text, link=post.link, forwarded_by=user, forwarded_at=deps.clock(),
        file_ids=files, source_permalink=post.permalink or permalink, comment=post.comment,
    ))
    respond(text=deps.tr("intake.opened", channel=mrkdwn.channel(deps.workspace.intake_channels[0])),
            response_type="ephemeral")


def on_new_case_shortcut(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    if not permitted(client, context, Act.OPEN_CASE):
        return
    deps = deps_of(context)
    client.views_open(
        trigger_id=body["trigger_id"],
        view=blocks.new_case_form(deps.tr, deps.workspace.intake_channels),
    )


def on_new_case_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    values = (view.get("state") or {}).get("values") or {}

    def field(block_id: str) -> str | None:
        element = (values.get(block_id) or {}).get(ids.FORM_INPUT) or {}
        if element.get("selected_option"):
            return element["selected_option"].get("value")
        value = element.get("value")
        return value.strip() if isinstance(value, str) and value.strip() else None

    text, link, author = field(ids.FORM_TEXT) or "", field(ids.FORM_LINK), field(ids.FORM_AUTHOR)
    platform = field(ids.FORM_PLATFORM)
    channel = field(ids.FORM_CHANNEL) or deps.workspace.intake_channels[0]
    errors = {}
    if not text and not link:
        errors[ids.FORM_TEXT] = deps.tr("form.error_empty")
    if platform is not None and platform not in PLATFORMS:
        errors[ids.FORM_PLATFORM] = deps.tr("form.error_platform")
    platform = platform or guess_platform(link)
    if author and normalise_handle(platform, author) is None:
        errors[ids.FORM_AUTHOR] = deps.tr("form.error_author")
    if channel not in deps.workspace.intake_channels:
        errors[ids.FORM_CHANNEL] = deps.tr("form.error_channel")
    if not permitted(client, context, Act.OPEN_CASE, quiet=True):
        errors = {ids.FORM_TEXT: deps.tr("access.refused")}
    if errors:
        ack(response_action="errors", errors=errors)
        return
    team = context.team_id or ""
    # The form's view id is the same each time the same form is sent: it opens one case.
    view_id = view.get("id")
    key = f"new_case:{view_id}" if isinstance(view_id, str) and view_id else None
    if key and not submissions.claim(deps.engine, team_id=team, key=key, user_id=context.user_id,
                                     now=deps.clock()):
        ack()
        logger.info("new-case form %s sent again by %s: nothing opened", view_id, context.user_id)
        tell(client, channel=channel, user=context.user_id, text=deps.tr("intake.already_submitted"))
        return
    ack()  # the form closes: sending this view again can only be a replay
    case = _open_with_card(client, deps, Intake(
        team_id=team, channel_id=channel, message_ts="", via="form", text=text,
        link=link, forwarded_by=context.user_id, forwarded_at=deps.clock(), platform=platform,
        author_handle=author,
    ))
    if key:
        submissions.settle(deps.engine, team_id=team, key=key, ref_id=case.id)


def _open_with_card(client: WebClient, deps: Deps, intake: Intake) -> cases.CaseSnapshot:
    """Post the case's card in the intake channel, then start the tree in its thread."""
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
        post_case_thread(client, deps, case)
    return case


def _evidence_from_thread(client: WebClient, deps: Deps, team_id: str, channel: str,
                          thread_ts: str, files: tuple[str, ...], user: str) -> None:
    case = cases.find_case_for_thread(deps.engine, team_id=team_id, channel_id=channel,
                                      thread_ts=thread_ts)
    if case is None:
        return
    updated = cases.add_evidence_from_thread(
        deps.engine, deps.policy, team_id=team_id, case_id=case.id, file_ids=files, user_id=user,
        now=deps.clock()
    )
    if updated is not None and updated.bot_message_ts:
        refresh_case_message(client, deps, updated)


@dataclasses.dataclass(frozen=True)
class _Post:
    text: str
    link: str | None
    comment: str | None
    permalink: str | None
    file_ids: tuple[str, ...]


def _post(message: dict) -> _Post:
    """What a message brings in: its own words, or, when it shares or forwards other messages,
    their words as the post and its own words as the comment of the person who shared them."""
    own = message.get("text") if isinstance(message.get("text"), str) else ""
    shared = shared_posts(message)
    if not shared:
        return _Post(own, find_link(own), None, None, ())
    text = "\n\n".join(post.text for post in shared if post.text)
    permalink = next((post.permalink for post in shared if post.permalink), None)
    files = tuple(dict.fromkeys(f for post in shared for f in post.file_ids))
    # A pasted link to the shared message is not a comment, nor the citizen's post's link.
    for post in shared:
        if post.permalink:
            own = own.replace(f"<{post.permalink}>", "")
    return _Post(text, find_link(text) or find_link(own), own.strip() or None, permalink, files)


def _unfurled_later(deps: Deps, team_id: str, channel: str, event: dict) -> None:
    """A pasted link to a Slack message: Slack adds the message it links to as an edit."""
    message, previous = event.get("message"), event.get("previous_message")
    if not isinstance(message, dict) or not isinstance(previous, dict) or message.get("bot_id"):
        return
    ts = message.get("ts")
    if not isinstance(ts, str) or message.get("thread_ts") not in (None, ts):
        return
    if shared_posts(previous) or not shared_posts(message):
        return
    post = _post(message)
    cases.take_shared_words(deps.engine, team_id=team_id, channel_id=channel, message_ts=ts,
                            was=_post(previous).text, text=post.text, link=post.link,
                            comment=post.comment, permalink=post.permalink,
                            screening=deps.policy.prescreen)


def _file_ids(message: dict) -> tuple[str, ...]:
    return tuple(
        f["id"] for f in message.get("files") or []
        if isinstance(f, dict) and isinstance(f.get("id"), str)
    )
