"""Routing in Slack: the route form from a case, the antenna's buttons in their direct message,
the answer and "not for us" forms, and /antenne."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.usecases import antennas
from bot.slack import ids
from bot.usecases import routing
from bot.flows.commands import AntenneCommand, parse_antenne
from bot.flows.permissions import Act
from bot.blocks import routing as views
from bot.blocks.replies import already_routed, rerouted
from bot.deps import deps_of
from bot.handlers.access import CHANNEL, REF, RESPOND, Form, decode, require
from bot.handlers.errors import guarded
from bot.delivery import send
from bot.slack.forms import chosen_id, form_values
from bot.slack.members import is_deactivated
from bot.core.problem import on_field, told_as
from bot.slack.refs import QuestionFormRef, QuestionRef, action_value, clicked_direct_message, metadata
from bot.usecases.routing import AlreadyRouted

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


# --- from a case (the form itself is opened by the tree's button) ------------------------------


def on_route_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    values = form_values(view)
    ref: QuestionRef = context[REF]
    with on_field(lambda problem: ids.ROUTE_SERVICE if "service" in problem.key else ids.ROUTE_QUESTION):
        with told_as("route.error_service_gone"):  # a form this bot did not draw so
            service_id = chosen_id(values.get(ids.ROUTE_SERVICE, ""))
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
                           thread_ts=first.case_ts, text=already_routed(first, deps.policy, deps.tr))
            return
    ack()
    send.question_asked(client, deps, question)


# --- the antenna's buttons ---------------------------------------------------------------------


def on_answer_button(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=views.answer_form(
        deps_of(context).tr, question_id=context[REF].question_id))


def on_reroute_button(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    deps = deps_of(context)
    question, others = routing.reroute_choices(deps.engine, team_id=context.team_id or "",
                                               question_id=context[REF].question_id)
    client.views_open(trigger_id=body["trigger_id"], view=views.reroute_form(
        deps.tr, question_id=question.id, services=others))


def on_acknowledge(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    deps = deps_of(context)
    question = routing.acknowledge(deps.engine, team_id=context.team_id or "",
                                   question_id=context[REF].question_id, user_id=context.user_id)
    send.redraw_antenna_messages(client, deps, question, clicked=clicked_direct_message(body))


def on_answer_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    with on_field(ids.ANSWER_TEXT):
        question = routing.answer(deps.engine, deps.policy, team_id=context.team_id or "",
                                  question_id=context[REF].question_id, user_id=context.user_id,
                                  text=form_values(view).get(ids.ANSWER_TEXT, ""), now=deps.clock())
    ack()
    send.question_answered(client, deps, question)


def on_reroute_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    values = form_values(view)
    with on_field(lambda problem: ids.REROUTE_REASON if problem.key == "route.error_reason" else ids.ROUTE_SERVICE):
        old, new = routing.reroute(
            deps.engine, deps.policy, team_id=context.team_id or "", question_id=context[REF].question_id,
            service_id=chosen_id(values.get(ids.ROUTE_SERVICE, "0")),
            reason=values.get(ids.REROUTE_REASON, ""), user_id=context.user_id, now=deps.clock())
    ack()
    send.redraw_antenna_messages(client, deps, old)
    send.question_asked(client, deps, new, note=rerouted(
        old, new, deps.policy, deps.tr, user=context.user_id, reason=values.get(ids.REROUTE_REASON, "")))


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
    gone = frozenset(person for person in views.people_to_check(command, done)
                     if is_deactivated(client, person))
    respond(**views.antenne_done(command, done, deps.policy, deps.tr, gone), response_type="ephemeral")
