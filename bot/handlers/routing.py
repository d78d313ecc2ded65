"""Routing in Slack: the route form from a case, the antenna's buttons in their direct message,
the answer and "not for us" forms, and /antenne."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.usecases import antennas, cases
from bot.slack import ids
from bot.usecases import routing
from bot.flows.commands import AntenneCommand, parse_antenne
from bot.flows.permissions import Act
from bot.blocks import routing as views
from bot.blocks.replies import antennas_changed
from bot.deps import Deps, deps_of
from bot.handlers.access import CHANNEL, REF, RESPOND, Form, action_value, decode, metadata, require
from bot.handlers.errors import guarded
from bot.delivery import send
from bot.slack.forms import form_values
from bot.slack.members import is_deactivated
from bot.blocks.kit import escape, local_time
from bot.core.mrkdwn import mention, unescape_links
from bot.core.problem import on_field, told_as
from bot.slack.refs import BadPayload, QuestionFormRef, QuestionRef
from bot.usecases.routing import AlreadyRouted, RoutedQuestionSnapshot

logger = logging.getLogger(__name__)

_ANSWER_FORM, _REROUTE_FORM = Form(ids.ANSWER_TEXT), Form(ids.ROUTE_SERVICE)


def register(app: App) -> None:
    app.view(ids.ROUTE_VIEW, middleware=[
        decode(metadata(QuestionRef.decode), where=Form(ids.ROUTE_SERVICE), problem="route.error_service_gone"),
        require(Act.ROUTE, where=Form(ids.ROUTE_QUESTION)),
    ])(guarded(on_route_submitted))
    for action_id, listener in ((ids.QUESTION_ANSWER, on_answer_button),
                                (ids.QUESTION_REROUTE, on_reroute_button), (ids.QUESTION_ACK, on_acknowledge)):
        app.action(action_id, middleware=[
            decode(action_value(QuestionFormRef.decode_button)), require(Act.ANSWER, where=CHANNEL),
        ])(guarded(listener))
    app.view(ids.ANSWER_VIEW, middleware=[
        decode(metadata(QuestionFormRef.decode), where=_ANSWER_FORM), require(Act.ANSWER, where=_ANSWER_FORM),
    ])(guarded(on_answer_submitted))
    app.view(ids.REROUTE_VIEW, middleware=[
        decode(metadata(QuestionFormRef.decode), where=_REROUTE_FORM), require(Act.ANSWER, where=_REROUTE_FORM),
    ])(guarded(on_reroute_submitted))
    app.command(ids.ANTENNE_COMMAND, middleware=[
        decode(lambda body: parse_antenne(body.get("text") or "")),
        require(Act.LIST_SERVICES, where=RESPOND),
        require(act_of=_act_of_antenne, acts=frozenset({Act.MANAGE_ANTENNAS}), where=RESPOND,
                refusal="antenne.leads_only"),
    ])(guarded(on_antenne_command))


def _act_of_antenne(command: AntenneCommand) -> Act | None:
    """Setting antennas or a service's settings is the leads'; looking is everyone's who lists."""
    return Act.MANAGE_ANTENNAS if command.kind in ("people", "settings") else None


# --- from a case -------------------------------------------------------------------------------


def open_route_form(client: WebClient, deps: Deps, *, trigger_id: str, case: cases.CaseSnapshot,
                    fyi: bool) -> None:
    services = antennas.list_services(deps.engine, team_id=case.team_id)
    similar = None if fyi else routing.similar_answer(deps.engine, team_id=case.team_id, text=case.text)
    client.views_open(trigger_id=trigger_id, view=views.route_form(
        deps.tr, case_id=case.id, version=case.version, fyi=fyi, services=services,
        question=unescape_links(case.text), similar=similar, policy=deps.policy))


def on_route_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    values = form_values(view)
    ref: QuestionRef = context[REF]
    with on_field(lambda problem: ids.ROUTE_SERVICE if "service" in problem.key else ids.ROUTE_QUESTION):
        with told_as("route.error_service_gone"):  # a form this bot did not draw so
            service_id = _number(values.get(ids.ROUTE_SERVICE, ""))
        try:
            question = routing.route(
                deps.engine, deps.policy, team_id=context.team_id or "", case_id=ref.case_id,
                service_id=service_id,
                question=values.get(ids.ROUTE_QUESTION, ""), context=values.get(ids.ROUTE_CONTEXT, ""),
                fyi=ref.mode == "fyi", user_id=context.user_id, now=deps.clock(),
                submission_key=f"route:{ref.case_id}:{ref.version}:{ref.mode}")
        except AlreadyRouted as done:
            # The form came twice (or a colleague routed the case from the same version): the
            # first one went out; this one only hears what happened.
            ack()
            first = done.question
            send.ephemeral(client, channel=first.case_channel, user=context.user_id,
                           thread_ts=first.case_ts,
                           text=deps.tr("route.already_routed", user=mention(first.asked_by),
                                        service=escape(send.service_named(deps, first)),
                                        time=local_time(first.asked_at, deps.tr)))
            return
    ack()
    undelivered = send.notify_antennas(client, deps, question, question.service.antennas)
    if question.kind == "fyi" and question.service.channel:
        try:  # the service's own channel hears of it too (never the intake channel)
            client.chat_postMessage(channel=question.service.channel, unfurl_links=False,
                                    text=deps.tr("route.dm_fallback", service=send.service_named(deps, question)),
                                    blocks=views.antenna_message(question, deps.policy, deps.tr, zone=None))
        except SlackApiError as error:
            logger.warning("question %s: service channel refused (%s)", question.id,
                           error.response.get("error"))
    client.chat_postMessage(
        channel=question.case_channel, thread_ts=question.case_ts, unfurl_links=False,
        text=deps.tr("route.fallback", service=send.service_named(deps, question)),
        blocks=views.asked_in_thread(question, deps.policy, deps.tr, undelivered=undelivered))
    send.redraw_case(client, deps, team_id=question.team_id, case_id=question.case_id)


# --- the antenna's buttons ---------------------------------------------------------------------


def on_answer_button(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=views.answer_form(
        deps_of(context).tr, question_id=context[REF].question_id))


def on_reroute_button(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    deps = deps_of(context)
    question = routing.load_question(deps.engine, team_id=context.team_id or "",
                                     question_id=context[REF].question_id)
    others = [s for s in antennas.list_services(deps.engine, team_id=question.team_id)
              if s.id != question.service.id]
    client.views_open(trigger_id=body["trigger_id"], view=views.reroute_form(
        deps.tr, question_id=question.id, services=others))


def on_acknowledge(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    deps = deps_of(context)
    question = routing.acknowledge(deps.engine, team_id=context.team_id or "",
                                   question_id=context[REF].question_id, user_id=context.user_id)
    _update_dms(client, deps, question, clicked=_clicked_dm(body))


def on_answer_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    with on_field(ids.ANSWER_TEXT):
        question = routing.answer(deps.engine, deps.policy, team_id=context.team_id or "",
                                  question_id=context[REF].question_id, user_id=context.user_id,
                                  text=form_values(view).get(ids.ANSWER_TEXT, ""), now=deps.clock())
    ack()
    client.chat_postMessage(
        channel=question.case_channel, thread_ts=question.case_ts, unfurl_links=False,
        text=deps.tr("route.answer_fallback", service=send.service_named(deps, question)),
        blocks=views.answered_in_thread(question, deps.policy, deps.tr))
    _update_dms(client, deps, question)
    send.redraw_case(client, deps, team_id=question.team_id, case_id=question.case_id)


def on_reroute_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    values = form_values(view)
    with on_field(lambda problem: ids.REROUTE_REASON if problem.key == "route.error_reason" else ids.ROUTE_SERVICE):
        old, new = routing.reroute(
            deps.engine, deps.policy, team_id=context.team_id or "", question_id=context[REF].question_id,
            service_id=_number(values.get(ids.ROUTE_SERVICE, "0")),
            reason=values.get(ids.REROUTE_REASON, ""), user_id=context.user_id, now=deps.clock())
    ack()
    _update_dms(client, deps, old)
    undelivered = send.notify_antennas(client, deps, new, new.service.antennas)
    text = deps.tr("route.thread_rerouted", user=mention(context.user_id), old=send.service_named(deps, old),
                   new=send.service_named(deps, new), reason=values.get(ids.REROUTE_REASON, ""))
    client.chat_postMessage(
        channel=new.case_channel, thread_ts=new.case_ts, text=text,
        blocks=views.text_blocks(text) + views.asked_in_thread(new, deps.policy, deps.tr, undelivered=undelivered))
    send.redraw_case(client, deps, team_id=new.team_id, case_id=new.case_id)


# --- /antenne ----------------------------------------------------------------------------------


def on_antenne_command(ack: Ack, context: BoltContext, client: WebClient, respond: Respond) -> None:
    """/antenne: the services and their antennas; leads set them with /antenne <service> @person."""
    ack()
    deps = deps_of(context)
    command: AntenneCommand = context[REF]
    if command.kind == "list":
        respond(blocks=views.services_list(antennas.list_services(deps.engine, team_id=context.team_id or ""),
                                           deps.tr), text=deps.tr("antenne.title"), response_type="ephemeral")
        return
    if command.kind == "usage":
        respond(text=deps.tr("antenne.usage"), response_type="ephemeral")
        return
    done = antennas.antenne(deps.engine, command, team_id=context.team_id or "",
                            by=context.user_id, now=deps.clock())
    service = done.service
    if command.kind == "people":
        gone = frozenset(p for p, changed in done.changes
                         if command.verb is None and changed and is_deactivated(client, p))
        respond(text=antennas_changed(command.verb, done.changes, deps.policy.service_name(
            service.name, deps.tr.language), deps.tr, gone), response_type="ephemeral")
        return
    flagged = [u for u in service.antennas + ((service.backup,) if service.backup else ())
               if command.kind == "show" and is_deactivated(client, u)]
    respond(blocks=views.service_detail(service, list(done.answers), deps.tr, flagged),
            text=escape(service.name), response_type="ephemeral")


# --- helpers -----------------------------------------------------------------------------------


def _number(value: str) -> int:
    """An id a form sent back: digits only, or the form is outdated."""
    if not (value.isascii() and value.isdigit()) or len(value) > 12:
        raise BadPayload("not an id")
    return int(value)


def _update_dms(client: WebClient, deps: Deps, question: RoutedQuestionSnapshot,
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
            client.chat_update(channel=channel, ts=ts, text=deps.tr("route.dm_fallback", service=send.service_named(deps, question)),
                               blocks=views.antenna_message(question, deps.policy, deps.tr, zone=None))
        except SlackApiError as error:
            logger.warning("question %s: direct message %s not updated (%s)", question.id, ts,
                           error.response.get("error"))


def _clicked_dm(body: dict) -> tuple[str, str] | None:
    """The clicked message, when Slack says it is in a direct message with the bot."""
    channel = (body.get("channel") or {}).get("id")
    ts = (body.get("container") or {}).get("message_ts") or (body.get("message") or {}).get("ts")
    if isinstance(channel, str) and channel.startswith("D") and isinstance(ts, str):
        return channel, ts
    return None

