"""The strike register in Slack: recording a strike from a case, confirming the measure taken,
and ``/strikes`` for leads (overview, one author's history, revocations, appeals, export, leads)."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack import ids
from bot.usecases import leads, prescreen, privacy, strikes
from bot.blocks.prescreen import agreement_block
from bot.blocks import strikes as views
from bot.blocks.replies import erased, lead_changed, strike_reviewed
from bot.deps import Deps, deps_of
from bot.blocks.kit import iso_local
from bot.flows.commands import StrikesCommand, parse_strikes
from bot.flows.permissions import STRIKES_ACTS, Act, act_of_strikes_command
from bot.flows.strikes import AuthorQuery, check_strike_form
from bot.handlers.access import CHANNEL, REF, RESPOND, Form, decode, require
from bot.handlers.after_ack import after_ack
from bot.handlers.errors import guarded
from bot.delivery import send
from bot.slack.forms import chosen_review, form_values
from bot.slack.members import is_colleague
from bot.core.problem import on_field, told_as
from bot.slack.refs import AuthorRef, CaseRef, StrikeRef, action_value, metadata, page_offset

logger = logging.getLogger(__name__)

# The leads' acts: a refusal reveals nothing, not even whether the author exists.
_LEADS = dict(where=RESPOND, refusal="strikes.not_for_you")
_STRIKE_FORM = Form(ids.STRIKE_REASON_INTERNAL)
_REVIEW_FORM = Form(ids.REVIEW_REASON)


def register(app: App) -> None:
    app.command(ids.STRIKES_COMMAND, middleware=[
        decode(lambda body: parse_strikes(body.get("text") or "")),
        require(act_of=lambda command: act_of_strikes_command(command.kind), acts=STRIKES_ACTS, **_LEADS),
    ])(after_ack(on_strikes_command))
    app.action(ids.STRIKES_PAGE_ACTION, middleware=[
        decode(action_value(page_offset)), require(Act.REVIEW_REGISTER, **_LEADS),
    ])(after_ack(on_overview_page))
    app.action(ids.STRIKES_AUTHOR_ACTION, middleware=[
        decode(action_value(AuthorRef.decode), where=RESPOND), require(Act.REVIEW_REGISTER, **_LEADS),
    ])(after_ack(on_author_history))
    app.action(ids.REVIEW_ACTION, middleware=[
        decode(action_value(StrikeRef.decode), where=RESPOND), require(Act.REVOKE_STRIKE, **_LEADS),
    ])(guarded(on_review_button))
    app.view(ids.REVIEW_VIEW, middleware=[
        decode(metadata(StrikeRef.decode), where=_REVIEW_FORM),
        require(Act.REVOKE_STRIKE, where=_REVIEW_FORM, refusal="strikes.not_for_you"),
    ])(guarded(on_review_submitted))
    app.view(ids.STRIKE_VIEW, middleware=[
        decode(metadata(lambda value: CaseRef.decode(value, "")), where=_STRIKE_FORM),
        require(Act.RECORD_STRIKE, where=_STRIKE_FORM),
    ])(guarded(on_strike_submitted))
    app.action(ids.MEASURE_ACTION, middleware=[
        decode(action_value(StrikeRef.decode)), require(Act.RECORD_STRIKE, where=CHANNEL),
    ])(after_ack(on_measure_confirmed))
    app.action(ids.ERASE_ACTION, middleware=[
        decode(action_value(AuthorRef.decode), where=RESPOND), require(Act.ERASE_DATA, **_LEADS),
    ])(guarded(on_erase_confirmed))


# --- from a case (the form itself is opened by the tree's button) ------------------------------


_STRIKE_BLOCKS = {"handle": ids.STRIKE_HANDLE, "internal": ids.STRIKE_REASON_INTERNAL,
                  "public": ids.STRIKE_REASON_PUBLIC}


def on_strike_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    ref: CaseRef = context[REF]
    values = form_values(view)
    form = check_strike_form(handle=values.get(ids.STRIKE_HANDLE), platform=values.get(ids.STRIKE_PLATFORM),
                             internal=values.get(ids.STRIKE_REASON_INTERNAL),
                             public=values.get(ids.STRIKE_REASON_PUBLIC))
    if form.errors:
        ack(response_action="errors",
            errors={_STRIKE_BLOCKS[field]: deps.tr(key) for field, key in form.errors.items()})
        return
    ack()
    user = context.user_id
    result = strikes.record_strike(
        deps.engine, deps.policy, team_id=context.team_id or "", case_id=ref.case_id,
        author=form.author, reason_internal=form.internal,
        reason_public=form.public, user_id=user, now=deps.clock())
    case = result.case
    if not result.created:
        send.ephemeral(client, channel=case.channel_id, user=user, thread_ts=case.message_ts,
             text=deps.tr.plural("strikes.already", result.counting))
        return
    send.strike_recorded(client, deps, result, reason_public=form.public)


def on_measure_confirmed(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    """"Warning sent" / "Blocked": the team acted on the platform; logged once."""
    ack()
    deps = deps_of(context)
    user = context.user_id
    team = context.team_id or ""
    channel = (body.get("channel") or {}).get("id")
    ref: StrikeRef = context[REF]
    with told_as("refusal.outdated"):  # the guidance the button sits under no longer applies
        done = strikes.confirm_measure(deps.engine, deps.policy, team_id=team,
                                       strike_id=ref.strike_id, kind=ref.kind, user_id=user,
                                       now=deps.clock())
    if not done:
        if channel:
            send.ephemeral(client, channel=channel, user=user, text=deps.tr("strikes.already_confirmed"))
        return
    send.redraw_guidance(client, deps, team_id=team, strike_id=ref.strike_id, kind=ref.kind,
                         clicked=body.get("container") or {})


# --- /strikes for leads ------------------------------------------------------------------------


def on_strikes_command(ack: Ack, context: BoltContext, client: WebClient, respond: Respond) -> None:
    ack()
    deps = deps_of(context)
    command: StrikesCommand = context[REF]
    if command.problem is not None:
        respond(text=deps.tr(command.problem), response_type="ephemeral")
    elif command.kind == "help":
        respond(text=deps.tr("strikes.help"), response_type="ephemeral")
    else:
        _COMMANDS[command.kind](command, client, deps, context, respond)
    logger.info("/strikes (%s) by lead %s", command.kind, context.user_id)  # never an author's name


def on_overview_page(ack: Ack, context: BoltContext, respond: Respond) -> None:
    ack()
    _overview(None, None, deps_of(context), context, respond, offset=context[REF], replace=True)


def on_author_history(ack: Ack, context: BoltContext, respond: Respond) -> None:
    ack()
    ref: AuthorRef = context[REF]
    command = StrikesCommand("history", query=AuthorQuery(ref.platform, ref.handle), typed=ref.handle)
    _history(command, None, deps_of(context), context, respond, replace=True)


def on_review_button(ack: Ack, body: dict, context: BoltContext, client: WebClient,
                     respond: Respond) -> None:
    ack()
    deps = deps_of(context)
    ref: StrikeRef = context[REF]
    with told_as("refusal.outdated"):
        strikes.check_strike(deps.engine, team_id=context.team_id or "", strike_id=ref.strike_id)
    client.views_open(trigger_id=body["trigger_id"],
                      view=views.review_form(deps.tr, strike_id=ref.strike_id, kind=ref.kind))


def on_review_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    values = form_values(view)
    ref: StrikeRef = context[REF]
    with on_field(ids.REVIEW_REASON):
        review = chosen_review(ref.kind, values.get(ids.REVIEW_OUTCOME))
        line = strikes.review_strike(
            deps.engine, team_id=context.team_id or "", strike_id=ref.strike_id, review=review,
            reason=values.get(ids.REVIEW_REASON) or "", user_id=context.user_id, now=deps.clock())
    ack()
    # Tell the case's thread, so the team sees the register changed and why.
    client.chat_postMessage(channel=line.channel_id, thread_ts=line.message_ts, text=strike_reviewed(
        review, deps.tr, user=context.user_id, at=deps.clock(), reason=values.get(ids.REVIEW_REASON) or ""))


def on_erase_confirmed(ack: Ack, context: BoltContext, respond: Respond) -> None:
    ack()
    deps = deps_of(context)
    ref: AuthorRef = context[REF]
    result = privacy.erase_author(deps.engine, team_id=context.team_id or "", platform=ref.platform,
                                  handle=ref.handle, by=context.user_id, now=deps.clock())
    respond(text=erased(result, deps.tr), response_type="ephemeral", replace_original=True)


# --- the /strikes subcommands ------------------------------------------------------------------


def _overview(command, client, deps: Deps, context: BoltContext, respond: Respond, *,
              offset: int = 0, replace: bool = False) -> None:
    lines = strikes.overview(deps.engine, deps.policy, team_id=context.team_id or "",
                              now=deps.clock(), offset=offset, limit=views.OVERVIEW_PAGE + 1)
    blocks = views.overview_page(lines, deps.tr, offset=offset)
    if offset == 0:  # and how often the team agreed with the pre-screen's signals
        blocks += agreement_block(prescreen.agreement(deps.engine, team_id=context.team_id or "",
                                                      now=deps.clock()), deps.tr)
    respond(blocks=blocks, text=deps.tr("strikes.overview_title"), response_type="ephemeral",
            replace_original=replace)


def _history(command: StrikesCommand, client, deps: Deps, context: BoltContext, respond: Respond, *,
             replace: bool = False) -> None:
    authors = strikes.history(deps.engine, deps.policy, team_id=context.team_id or "",
                               query=command.query, now=deps.clock())
    url = getattr(context.authorize_result, "url", None) if context.authorize_result else None
    blocks = views.history(authors, deps.policy, deps.tr, workspace_url=url, query=command.typed)
    respond(blocks=blocks, text=deps.tr("strikes.history_fallback"), response_type="ephemeral",
            replace_original=replace)


def _export(command, client: WebClient, deps: Deps, context: BoltContext, respond: Respond) -> None:
    """The register as CSV, in the lead's private conversation with the bot, never a channel."""
    now = deps.clock()
    content = strikes.export_csv(deps.engine, team_id=context.team_id or "", now=now,
                                  local=iso_local)
    send.file_to_person(client, user=context.user_id, content=content, filename=f"strikes-{now:%Y-%m-%d}.csv",
                        title=deps.tr("strikes.export_title"))
    respond(text=deps.tr("strikes.export_sent"), response_type="ephemeral")


def _data(command: StrikesCommand, client: WebClient, deps: Deps, context: BoltContext,
          respond: Respond) -> None:
    """Right of access: a JSON file in the lead's private conversation with the bot."""
    content = privacy.author_data(deps.engine, team_id=context.team_id or "", query=command.query,
                                  local=iso_local)
    if content is None:
        respond(text=deps.tr("strikes.history_none", query=command.query.handle), response_type="ephemeral")
        return
    # The file's name holds no handle: file names show up in lists and notifications.
    send.file_to_person(client, user=context.user_id, content=content,
                        filename=f"gegevens-{deps.clock():%Y-%m-%d-%H%M}.json", title=deps.tr("privacy.data_title"))
    respond(text=deps.tr("strikes.export_sent"), response_type="ephemeral")


def _erase(command: StrikesCommand, client, deps: Deps, context: BoltContext, respond: Respond) -> None:
    """Right to erasure: only after an explicit confirmation (erasing cannot be undone)."""
    respond(blocks=views.erase_confirmation(command.query.platform, command.query.handle, deps.tr),
            text=deps.tr("privacy.erase_title"), response_type="ephemeral")


def _leads(command: StrikesCommand, client, deps: Deps, context: BoltContext, respond: Respond) -> None:
    team = context.team_id or ""
    if command.verb is None:
        respond(blocks=views.leads_list(leads.leads(deps.engine, team_id=team), deps.tr),
                text=deps.tr("leads.title"), response_type="ephemeral")
        return
    if command.verb == "add" and not is_colleague(context.client, command.user):  # no bot, no departed account
        respond(text=deps.tr("refusal.not_a_colleague"), response_type="ephemeral")
        return
    changed = leads.set_lead(deps.engine, team_id=team, user_id=command.user,
                             lead=command.verb == "add", by=context.user_id, now=deps.clock())
    respond(text=lead_changed(command.verb, changed, command.user, deps.tr), response_type="ephemeral")


_COMMANDS = {"overview": _overview, "history": _history, "export": _export, "data": _data,
             "erase": _erase, "leads": _leads}

