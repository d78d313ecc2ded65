"""The strike register in Slack: recording a strike from a case, confirming the measure taken,
and ``/strikes`` for leads (overview, one author's history, revocations, appeals, export, leads)."""

from __future__ import annotations

import logging
import re

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.usecases import cases
from bot.slack import ids
from bot.usecases import prescreen, privacy, strikes
from bot.blocks.prescreen import agreement_block
from bot.blocks import strikes as views
from bot.handlers.access import may
from bot.deps import Deps, deps_of
from bot.blocks.kit import iso_local, local_time
from bot.flows.commands import STRIKES_WORDS, lead_word, strikes_word
from bot.flows.permissions import Act
from bot.flows.strikes import AuthorQuery, Review, StrikeProblem, parse_author
from bot.handlers.errors import after_ack, guarded
from bot.handlers.common import form_values, is_colleague, permitted, refresh_case_message, tell
from bot.core.mrkdwn import mention
from bot.slack.refs import AuthorRef, BadPayload, CaseRef, StrikeRef

logger = logging.getLogger(__name__)

_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def register(app: App) -> None:
    app.command(ids.STRIKES_COMMAND)(after_ack(on_strikes_command))
    app.action(ids.STRIKES_PAGE_ACTION)(after_ack(on_overview_page))
    app.action(ids.STRIKES_AUTHOR_ACTION)(after_ack(on_author_history))
    app.action(ids.REVIEW_ACTION)(guarded(on_review_button))
    app.view(ids.REVIEW_VIEW)(guarded(on_review_submitted))
    app.view(ids.STRIKE_VIEW)(guarded(on_strike_submitted))
    app.action(ids.MEASURE_ACTION)(after_ack(on_measure_confirmed))
    app.action(ids.ERASE_ACTION)(guarded(on_erase_confirmed))


# --- from a case -------------------------------------------------------------------------------


def open_strike_form(client: WebClient, deps: Deps, *, trigger_id: str, case: cases.CaseSnapshot) -> None:
    author = (case.author_platform, case.author_handle) if case.author_handle else None
    client.views_open(trigger_id=trigger_id, view=views.strike_form(
        deps.tr, case_id=case.id, version=case.version, platform=case.platform, author=author))


def on_strike_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    try:
        ref = CaseRef.decode(view.get("private_metadata"), "")
    except BadPayload:
        ack(response_action="errors", errors={ids.STRIKE_REASON_INTERNAL: deps.tr("refusal.outdated")})
        return
    values = form_values(view)
    errors: dict[str, str] = {}
    author: AuthorQuery | None = None
    if ids.STRIKE_HANDLE in values or ids.STRIKE_PLATFORM in values:
        try:
            author = parse_author(values.get(ids.STRIKE_HANDLE) or "", values.get(ids.STRIKE_PLATFORM))
        except StrikeProblem as problem:
            errors[ids.STRIKE_HANDLE] = deps.tr(problem.key)
    internal = values.get(ids.STRIKE_REASON_INTERNAL) or ""
    public = values.get(ids.STRIKE_REASON_PUBLIC) or ""
    if not internal:
        errors[ids.STRIKE_REASON_INTERNAL] = deps.tr("strikes.error_reason_required")
    if not public:
        errors[ids.STRIKE_REASON_PUBLIC] = deps.tr("strikes.error_reason_required")
    if not permitted(client, context, Act.RECORD_STRIKE, quiet=True):
        errors = {ids.STRIKE_REASON_INTERNAL: deps.tr("access.refused")}
    if errors:
        ack(response_action="errors", errors=errors)
        return
    ack()
    user = context.user_id
    try:
        result = strikes.record_strike(
            deps.engine, deps.policy, team_id=context.team_id or "", case_id=ref.case_id,
            author=author, reason_internal=internal,
            reason_public=public, user_id=user, now=deps.clock())
    except StrikeProblem as problem:
        case = _case_or_none(deps, context.team_id or "", ref.case_id)
        if case is not None:
            tell(client, channel=case.channel_id, user=user, thread_ts=case.message_ts,
                 text=deps.tr(problem.key))
        return
    case = result.case
    if not result.created:
        tell(client, channel=case.channel_id, user=user, thread_ts=case.message_ts,
             text=deps.tr.plural("strikes.already", result.counting))
        return
    if case.bot_message_ts:
        refresh_case_message(client, deps, case)
    posted = client.chat_postMessage(
        channel=case.channel_id, thread_ts=case.message_ts,
        text=deps.tr("strikes.fallback"),
        blocks=views.guidance(result, deps.policy, deps.tr, reason_public=public, rule=case.node_id),
        unfurl_links=False,
    )
    strikes.remember_guidance(deps.engine, team_id=case.team_id, strike_id=result.strike_id,
                              channel_id=posted["channel"], ts=posted["ts"], now=deps.clock())


def on_measure_confirmed(ack: Ack, body: dict, action: dict, context: BoltContext,
                         client: WebClient) -> None:
    """"Warning sent" / "Blocked": the team acted on the platform; logged once."""
    ack()
    deps = deps_of(context)
    user = context.user_id
    team = context.team_id or ""
    channel = (body.get("channel") or {}).get("id")
    if not permitted(client, context, Act.RECORD_STRIKE, channel=channel):
        return
    try:
        ref = StrikeRef.decode(action.get("value"))
        done = strikes.confirm_measure(deps.engine, deps.policy, team_id=team,
                                        strike_id=ref.strike_id, kind=ref.kind, user_id=user,
                                        now=deps.clock())
    except (BadPayload, StrikeProblem):
        if channel:
            tell(client, channel=channel, user=user, text=deps.tr("refusal.outdated"))
        return
    if not done:
        if channel:
            tell(client, channel=channel, user=user, text=deps.tr("strikes.already_confirmed"))
        return
    # Redrawn from the database: the message, its channel and its ts are never the payload's.
    shown = strikes.guidance(deps.engine, deps.policy, team_id=team, strike_id=ref.strike_id,
                             kind=ref.kind)
    blocks = views.guidance(shown.result, deps.policy, deps.tr, reason_public=shown.reason_public,
                            rule=shown.rule, confirmed=shown.confirmed)
    for where, ts in shown.messages or _clicked_in_thread(body, shown):
        client.chat_update(channel=where, ts=ts, blocks=blocks,
                           text=deps.tr("strikes.fallback"))


def _clicked_in_thread(body: dict, shown: strikes.Guidance) -> tuple[tuple[str, str], ...]:
    """A guidance posted before the bot kept its messages: the clicked one, when Slack says it
    is in the strike's own case thread."""
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if (channel == shown.case_channel and container.get("thread_ts") == shown.case_ts
            and isinstance(ts, str) and ts != shown.case_ts):
        return ((channel, ts),)
    return ()


# --- /strikes for leads ------------------------------------------------------------------------


def on_strikes_command(ack: Ack, command: dict, context: BoltContext, client: WebClient,
                       respond: Respond) -> None:
    ack()
    deps = deps_of(context)
    user = context.user_id
    if not _is_lead(deps, context):
        respond(text=deps.tr("strikes.not_for_you"), response_type="ephemeral")
        return
    text = (command.get("text") or "").strip()
    words = text.split()
    first = strikes_word(words[0]) if words else ""
    if not text:
        _respond_overview(respond, deps, context, offset=0)
    elif first == "help":
        respond(text=deps.tr("strikes.help"), response_type="ephemeral")
    elif first == "export" and len(words) == 1:
        _export(client, deps, context, respond)
    elif first in ("data", "erase") and len(words) > 1:
        _privacy(first, " ".join(words[1:]), client, deps, context, respond)
    elif first == "leads":
        _leads(words[1:], deps, context, respond)
    else:
        try:
            query = parse_author(text)
        except StrikeProblem as problem:
            respond(text=deps.tr(problem.key), response_type="ephemeral")
            return
        _respond_history(respond, deps, context, query, text)
    known = first if first in STRIKES_WORDS.values() else "history"  # never log an author's name
    logger.info("/strikes (%s) by lead %s", known if text else "overview", user)


def on_overview_page(ack: Ack, action: dict, context: BoltContext, respond: Respond) -> None:
    ack()
    deps = deps_of(context)
    if not _lead_or_refuse(deps, context, respond):
        return
    value = action.get("value") or ""
    offset = int(value) if value.isdigit() and len(value) < 9 else 0
    _respond_overview(respond, deps, context, offset=offset, replace=True)


def on_author_history(ack: Ack, action: dict, context: BoltContext, respond: Respond) -> None:
    ack()
    deps = deps_of(context)
    if not _lead_or_refuse(deps, context, respond):
        return
    try:
        ref = AuthorRef.decode(action.get("value"))
    except BadPayload:
        _say(respond, deps.tr("refusal.outdated"))
        return
    _respond_history(respond, deps, context, AuthorQuery(ref.platform, ref.handle), ref.handle,
                     replace=True)


def on_review_button(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient,
                     respond: Respond) -> None:
    ack()
    deps = deps_of(context)
    if not _lead_or_refuse(deps, context, respond):
        return
    try:
        ref = StrikeRef.decode(action.get("value"))
        strikes.check_strike(deps.engine, team_id=context.team_id or "", strike_id=ref.strike_id)
    except (BadPayload, StrikeProblem):
        _say(respond, deps.tr("refusal.outdated"))
        return
    client.views_open(trigger_id=body["trigger_id"],
                      view=views.review_form(deps.tr, strike_id=ref.strike_id, kind=ref.kind))


def on_review_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    if not _is_lead(deps, context):
        ack(response_action="errors", errors={ids.REVIEW_REASON: deps.tr("strikes.not_for_you")})
        return
    values = form_values(view)
    try:
        ref = StrikeRef.decode(view.get("private_metadata"))
        review = Review(values[ids.REVIEW_OUTCOME]) if ref.kind == "appeal" else Review(ref.kind)
    except (BadPayload, ValueError, KeyError):
        ack(response_action="errors", errors={ids.REVIEW_REASON: deps.tr("refusal.outdated")})
        return
    try:
        line = strikes.review_strike(
            deps.engine, team_id=context.team_id or "", strike_id=ref.strike_id, review=review,
            reason=values.get(ids.REVIEW_REASON) or "", user_id=context.user_id, now=deps.clock())
    except StrikeProblem as problem:
        ack(response_action="errors", errors={ids.REVIEW_REASON: deps.tr(problem.key)})
        return
    ack()
    # Tell the case's thread, so the team sees the register changed and why.
    client.chat_postMessage(
        channel=line.channel_id, thread_ts=line.message_ts,
        text=deps.tr(f"strikes.review.{review.value}", user=mention(context.user_id),
                     time=local_time(deps.clock(), deps.tr), reason=values.get(ids.REVIEW_REASON) or ""),
    )


# --- helpers -----------------------------------------------------------------------------------


def _is_lead(deps: Deps, context: BoltContext, act: Act = Act.REVIEW_REGISTER) -> bool:
    """Every /strikes act is the leads' alone (the table in bot.flows.permissions)."""
    return may(deps, context.client, team_id=context.team_id or "", user_id=context.user_id or "",
               act=act)


def _lead_or_refuse(deps: Deps, context: BoltContext, respond: Respond,
                    act: Act = Act.REVIEW_REGISTER) -> bool:
    """The polite refusal reveals nothing, not even whether the author exists."""
    if _is_lead(deps, context, act):
        return True
    _say(respond, deps.tr("strikes.not_for_you"))
    return False


def _say(respond: Respond, text: str) -> None:
    """A private answer under the message that was clicked, leaving that message as it is."""
    respond(text=text, response_type="ephemeral", replace_original=False)


def _respond_overview(respond: Respond, deps: Deps, context: BoltContext, *, offset: int,
                      replace: bool = False) -> None:
    lines = strikes.overview(deps.engine, deps.policy, team_id=context.team_id or "",
                              now=deps.clock(), offset=offset, limit=views.OVERVIEW_PAGE + 1)
    more = len(lines) > views.OVERVIEW_PAGE
    blocks = views.overview(lines[: views.OVERVIEW_PAGE], deps.tr, offset=offset, more=more)
    if offset == 0:  # and how often the team agreed with the pre-screen's signals
        blocks += agreement_block(prescreen.agreement(deps.engine, team_id=context.team_id or "",
                                                      now=deps.clock()), deps.tr)
    respond(blocks=blocks, text=deps.tr("strikes.overview_title"), response_type="ephemeral",
            replace_original=replace)


def _respond_history(respond: Respond, deps: Deps, context: BoltContext, query: AuthorQuery,
                     typed: str, *, replace: bool = False) -> None:
    authors = strikes.history(deps.engine, deps.policy, team_id=context.team_id or "",
                               query=query, now=deps.clock())
    url = getattr(context.authorize_result, "url", None) if context.authorize_result else None
    blocks = views.history(authors, deps.policy, deps.tr, workspace_url=url, query=typed)
    respond(blocks=blocks, text=deps.tr("strikes.history_fallback"), response_type="ephemeral",
            replace_original=replace)


def _export(client: WebClient, deps: Deps, context: BoltContext, respond: Respond) -> None:
    """The register as CSV, in the lead's private conversation with the bot, never a channel."""
    now = deps.clock()
    content = strikes.export_csv(deps.engine, team_id=context.team_id or "", now=now,
                                  local=iso_local)
    dm = client.conversations_open(users=context.user_id)["channel"]["id"]
    client.files_upload_v2(
        channel=dm, content=content, filename=f"strikes-{now:%Y-%m-%d}.csv",
        title=deps.tr("strikes.export_title"),
    )
    respond(text=deps.tr("strikes.export_sent"), response_type="ephemeral")


def _privacy(verb: str, text: str, client: WebClient, deps: Deps, context: BoltContext,
             respond: Respond) -> None:
    """Right of access (a JSON file in the lead's private conversation) and right to erasure
    (after an explicit confirmation: erasing cannot be undone)."""
    try:
        query = parse_author(text)
    except StrikeProblem as problem:
        respond(text=deps.tr(problem.key), response_type="ephemeral")
        return
    if verb == "data":
        content = privacy.author_data(deps.engine, team_id=context.team_id or "", query=query,
                                      local=iso_local)
        if content is None:
            respond(text=deps.tr("strikes.history_none", query=query.handle), response_type="ephemeral")
            return
        dm = client.conversations_open(users=context.user_id)["channel"]["id"]
        # The file's name holds no handle: file names show up in lists and notifications.
        client.files_upload_v2(channel=dm, content=content,
                               filename=f"gegevens-{deps.clock():%Y-%m-%d-%H%M}.json",
                               title=deps.tr("privacy.data_title"))
        respond(text=deps.tr("strikes.export_sent"), response_type="ephemeral")
        return
    if query.platform is None:
        respond(text=deps.tr("privacy.erase_needs_platform"), response_type="ephemeral")
        return
    respond(blocks=views.erase_confirmation(query.platform, query.handle, deps.tr),
            text=deps.tr("privacy.erase_title"), response_type="ephemeral")


def on_erase_confirmed(ack: Ack, action: dict, context: BoltContext, client: WebClient,
                       respond: Respond) -> None:
    ack()
    deps = deps_of(context)
    if not _lead_or_refuse(deps, context, respond, act=Act.ERASE_DATA):
        return
    try:
        ref = AuthorRef.decode(action.get("value"))
    except BadPayload:
        _say(respond, deps.tr("refusal.outdated"))
        return
    result = privacy.erase_author(deps.engine, team_id=context.team_id or "", platform=ref.platform,
                                  handle=ref.handle, by=context.user_id, now=deps.clock())
    key = "privacy.erased" if result.authors else "privacy.nothing_to_erase"
    text = deps.tr(key, erased_cases=deps.tr.plural("privacy.erased_cases", result.cases),
                   erased_strikes=deps.tr.plural("privacy.erased_strikes", result.strikes)) \
        if result.authors else deps.tr(key)
    if result.authors:
        text += "\n" + deps.tr("privacy.not_erasable")
    respond(text=text,
            response_type="ephemeral", replace_original=True)


def _leads(words: list[str], deps: Deps, context: BoltContext, respond: Respond) -> None:
    team = context.team_id or ""
    if not words:
        respond(blocks=views.leads_list(strikes.leads(deps.engine, team_id=team), deps.tr),
                text=deps.tr("leads.title"), response_type="ephemeral")
        return
    verb = lead_word(words[0])
    found = _MENTION.match(words[1]) if len(words) == 2 else None
    if verb is None or found is None:
        respond(text=deps.tr("leads.usage"), response_type="ephemeral")
        return
    target = found.group(1)
    if verb == "add" and not is_colleague(context.client, target):  # no bot, no departed account
        respond(text=deps.tr("refusal.not_a_colleague"), response_type="ephemeral")
        return
    try:
        changed = strikes.set_lead(deps.engine, team_id=team, user_id=target, lead=verb == "add",
                                    by=context.user_id, now=deps.clock())
    except StrikeProblem as problem:
        respond(text=deps.tr(problem.key), response_type="ephemeral")
        return
    key = {("add", True): "leads.added", ("remove", True): "leads.removed",
           ("add", False): "leads.add_unchanged", ("remove", False): "leads.remove_unchanged"}[
        (verb, changed)]
    respond(text=deps.tr(key, user=mention(target)), response_type="ephemeral")


def _case_or_none(deps: Deps, team_id: str, case_id: int) -> cases.CaseSnapshot | None:
    try:
        return cases.load_case(deps.engine, team_id=team_id, case_id=case_id)
    except cases.CaseNotFound:
        return None
