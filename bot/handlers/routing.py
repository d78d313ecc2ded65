"""Routing in Slack: the route form from a case, the antenna's buttons in their direct message,
the answer and "not for us" forms, and /antenne."""

from __future__ import annotations

import logging
import re

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.usecases import antennas, cases
from bot.slack import ids
from bot.usecases import routing
from bot.handlers.access import may
from bot.flows.commands import parse_antenne
from bot.flows.permissions import Act
from bot.blocks import routing as views
from bot.deps import Deps, deps_of
from bot.handlers.errors import guarded
from bot.handlers.common import form_values, permitted, refresh_case_message, tell
from bot.blocks.kit import escape, local_time
from bot.core.mrkdwn import mention
from bot.slack.refs import BadPayload, QuestionFormRef, QuestionRef
from bot.usecases.routing import AlreadyRouted, RoutedQuestionSnapshot, RoutingProblem

logger = logging.getLogger(__name__)

def register(app: App) -> None:
    app.view(ids.ROUTE_VIEW)(guarded(on_route_submitted))
    app.action(ids.QUESTION_ANSWER)(guarded(on_answer_button))
    app.action(ids.QUESTION_REROUTE)(guarded(on_reroute_button))
    app.action(ids.QUESTION_ACK)(guarded(on_acknowledge))
    app.view(ids.ANSWER_VIEW)(guarded(on_answer_submitted))
    app.view(ids.REROUTE_VIEW)(guarded(on_reroute_submitted))
    app.command(ids.ANTENNE_COMMAND)(guarded(on_antenne_command))


# --- from a case -------------------------------------------------------------------------------


def open_route_form(client: WebClient, deps: Deps, *, trigger_id: str, case: cases.CaseSnapshot,
                    fyi: bool) -> None:
    services = antennas.list_services(deps.engine, team_id=case.team_id)
    similar = None if fyi else routing.similar_answer(deps.engine, team_id=case.team_id, text=case.text)
    client.views_open(trigger_id=trigger_id, view=views.route_form(
        deps.tr, case_id=case.id, version=case.version, fyi=fyi, services=services,
        question=_unescape_links(case.text), similar=similar, policy=deps.policy))


def on_route_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    values = form_values(view)
    if not permitted(client, context, Act.ROUTE, quiet=True):
        ack(response_action="errors", errors={ids.ROUTE_QUESTION: deps.tr("access.refused")})
        return
    try:
        ref = QuestionRef.decode(view.get("private_metadata"))
        service_id = int(values.get(ids.ROUTE_SERVICE, ""))
    except (BadPayload, ValueError):
        ack(response_action="errors", errors={ids.ROUTE_SERVICE: deps.tr("route.error_service_gone")})
        return
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
        tell(client, channel=first.case_channel, user=context.user_id, thread_ts=first.case_ts,
             text=deps.tr("route.already_routed", user=mention(first.asked_by),
                          service=escape(_named(deps, first)), time=local_time(first.asked_at, deps.tr)))
        return
    except RoutingProblem as problem:
        block = ids.ROUTE_SERVICE if "service" in problem.key else ids.ROUTE_QUESTION
        ack(response_action="errors", errors={block: deps.tr.plain(problem.key, **_named_values(deps, problem))})
        return
    ack()
    undelivered = notify_antennas(client, deps, question, question.service.antennas)
    if question.kind == "fyi" and question.service.channel:
        try:  # the service's own channel hears of it too (never the intake channel)
            client.chat_postMessage(channel=question.service.channel, unfurl_links=False,
                                    text=deps.tr("route.dm_fallback", service=_named(deps, question)),
                                    blocks=views.antenna_message(question, deps.policy, deps.tr, zone=None))
        except SlackApiError as error:
            logger.warning("question %s: service channel refused (%s)", question.id,
                           error.response.get("error"))
    client.chat_postMessage(
        channel=question.case_channel, thread_ts=question.case_ts, unfurl_links=False,
        text=deps.tr("route.fallback", service=_named(deps, question)),
        blocks=views.asked_in_thread(question, deps.policy, deps.tr, undelivered=undelivered))
    _refresh_case(client, deps, question.team_id, question.case_id)


def _named(deps: Deps, question: RoutedQuestionSnapshot) -> str:
    """The question's service as a sentence names it ("de groendienst")."""
    return deps.policy.service_name(question.service.name, deps.tr.language)


def _named_values(deps: Deps, problem: RoutingProblem) -> dict:
    """A problem's values, with a service named as a sentence names it."""
    values = dict(problem.values)
    if "service" in values:
        values["service"] = deps.policy.service_name(values["service"], deps.tr.language)
    return values


def notify_antennas(client: WebClient, deps: Deps, question: RoutedQuestionSnapshot, users: tuple[str, ...] | list[str],
                    *, reminder: bool = False) -> list[str]:
    """A direct message to each antenna; returns who could not be reached."""
    undelivered = []
    for user in users:
        zone = None
        try:
            info = client.users_info(user=user)["user"]
            if info.get("deleted"):
                undelivered.append(user)
                continue
            zone = info.get("tz")
            sent = client.chat_postMessage(
                channel=user, unfurl_links=False,
                text=deps.tr("route.dm_fallback", service=_named(deps, question)),
                blocks=views.antenna_message(question, deps.policy, deps.tr, zone=zone, reminder=reminder))
            routing.remember_message(deps.engine, team_id=question.team_id, question_id=question.id,
                                     user_id=user, channel_id=sent["channel"], ts=sent["ts"],
                                     now=deps.clock())
        except SlackApiError as error:
            logger.warning("question %s: no direct message to %s (%s)", question.id, user,
                           error.response.get("error"))
            undelivered.append(user)
    return undelivered


# --- the antenna's buttons ---------------------------------------------------------------------


def on_answer_button(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    deps = deps_of(context)
    question = _question_for_antenna(client, deps, context, body, action)
    if question is None:
        return
    client.views_open(trigger_id=body["trigger_id"], view=views.answer_form(
        deps.tr, question_id=question.id))


def on_reroute_button(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    deps = deps_of(context)
    question = _question_for_antenna(client, deps, context, body, action)
    if question is None:
        return
    others = [s for s in antennas.list_services(deps.engine, team_id=question.team_id)
              if s.id != question.service.id]
    client.views_open(trigger_id=body["trigger_id"], view=views.reroute_form(
        deps.tr, question_id=question.id, services=others))


def on_acknowledge(ack: Ack, body: dict, action: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    deps = deps_of(context)
    try:
        question = routing.acknowledge(deps.engine, team_id=context.team_id or "",
                                       question_id=_question_id(action), user_id=context.user_id)
    except (RoutingProblem, ValueError) as problem:
        _tell_antenna(client, deps, body, context, problem)
        return
    _update_dms(client, deps, question, clicked=_clicked_dm(body))


def on_answer_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    try:
        ref = QuestionFormRef.decode(view.get("private_metadata"))
        question = routing.answer(deps.engine, deps.policy, team_id=context.team_id or "",
                                  question_id=ref.question_id, user_id=context.user_id,
                                  text=form_values(view).get(ids.ANSWER_TEXT, ""), now=deps.clock())
    except BadPayload:
        ack(response_action="errors", errors={ids.ANSWER_TEXT: deps.tr("refusal.outdated")})
        return
    except RoutingProblem as problem:
        ack(response_action="errors", errors={ids.ANSWER_TEXT: deps.tr.plain(problem.key, **_named_values(deps, problem))})
        return
    ack()
    client.chat_postMessage(
        channel=question.case_channel, thread_ts=question.case_ts, unfurl_links=False,
        text=deps.tr("route.answer_fallback", service=_named(deps, question)),
        blocks=views.answered_in_thread(question, deps.policy, deps.tr))
    _update_dms(client, deps, question)
    _refresh_case(client, deps, question.team_id, question.case_id)


def on_reroute_submitted(ack: Ack, view: dict, context: BoltContext, client: WebClient) -> None:
    deps = deps_of(context)
    values = form_values(view)
    try:
        ref = QuestionFormRef.decode(view.get("private_metadata"))
        old, new = routing.reroute(
            deps.engine, deps.policy, team_id=context.team_id or "", question_id=ref.question_id,
            service_id=int(values.get(ids.ROUTE_SERVICE, "0")),
            reason=values.get(ids.REROUTE_REASON, ""), user_id=context.user_id, now=deps.clock())
    except RoutingProblem as problem:  # a ValueError too: it goes first
        block = ids.REROUTE_REASON if problem.key == "route.error_reason" else ids.ROUTE_SERVICE
        ack(response_action="errors", errors={block: deps.tr.plain(problem.key, **_named_values(deps, problem))})
        return
    except (BadPayload, ValueError):
        ack(response_action="errors", errors={ids.ROUTE_SERVICE: deps.tr("refusal.outdated")})
        return
    ack()
    _update_dms(client, deps, old)
    undelivered = notify_antennas(client, deps, new, new.service.antennas)
    text = deps.tr("route.thread_rerouted", user=mention(context.user_id), old=_named(deps, old),
                   new=_named(deps, new), reason=values.get(ids.REROUTE_REASON, ""))
    client.chat_postMessage(
        channel=new.case_channel, thread_ts=new.case_ts, text=text,
        blocks=views.nudge(text) + views.asked_in_thread(new, deps.policy, deps.tr, undelivered=undelivered))
    _refresh_case(client, deps, new.team_id, new.case_id)


# --- /antenne ----------------------------------------------------------------------------------


def on_antenne_command(ack: Ack, command: dict, context: BoltContext, client: WebClient,
                       respond: Respond) -> None:
    """/antenne: the services and their antennas; leads set them with /antenne <service> @person."""
    ack()
    deps = deps_of(context)
    team = context.team_id or ""
    if not permitted(client, context, Act.LIST_SERVICES, respond=respond):
        return
    parsed = parse_antenne(command.get("text") or "")
    if parsed.kind == "list":
        respond(blocks=views.services_list(antennas.list_services(deps.engine, team_id=team), deps.tr),
                text=deps.tr("antenne.title"), response_type="ephemeral")
        return
    if parsed.kind == "usage":
        respond(text=deps.tr("antenne.usage"), response_type="ephemeral")
        return
    if parsed.kind != "show" and not may(deps, client, team_id=team, user_id=context.user_id,
                                         act=Act.MANAGE_ANTENNAS):
        respond(text=deps.tr("antenne.leads_only"), response_type="ephemeral")
        return
    try:
        service = antennas.resolve_service(deps.engine, team_id=team, name=parsed.service)
        if parsed.kind == "settings":
            service = antennas.configure_service(
                deps.engine, team_id=team, service_id=service.id,
                question_minutes=parsed.question_minutes, report_minutes=parsed.report_minutes,
                channel_id=parsed.channel, by=context.user_id)
    except RoutingProblem as problem:
        respond(text=deps.tr(problem.key, **_named_values(deps, problem)), response_type="ephemeral")
        return
    if parsed.kind == "settings":
        respond(blocks=views.service_detail(service, [], deps.tr, []), text=escape(service.name),
                response_type="ephemeral")
        return
    if parsed.kind == "show":
        answers = routing.standard_answers(deps.engine, team_id=team, service_id=service.id)
        flagged = [u for u in service.antennas + ((service.backup,) if service.backup else ())
                   if _deactivated(client, u)]
        respond(blocks=views.service_detail(service, answers, deps.tr, flagged),
                text=escape(service.name), response_type="ephemeral")
        return
    done = []
    for person in parsed.people:
        changed = antennas.set_antenna(
            deps.engine, team_id=team, service_id=service.id, user_id=person,
            role="backup" if parsed.verb == "backup" else "antenna", add=parsed.verb != "remove",
            by=context.user_id, now=deps.clock())
        key = {None: "antenne.added", "backup": "antenne.backup_set"}.get(parsed.verb, "antenne.removed")
        done.append(deps.tr(key if changed else "antenne.unchanged", user=mention(person),
                            service=deps.policy.service_name(service.name, deps.tr.language)))
        if parsed.verb is None and changed and _deactivated(client, person):
            done.append(":warning: " + deps.tr("antenne.deactivated", users=mention(person)))
    respond(text="\n".join(done), response_type="ephemeral")


# --- helpers -----------------------------------------------------------------------------------


def _question_id(action: dict) -> int:
    value = action.get("value") or ""
    if not value.isdigit() or len(value) > 12:
        raise ValueError("not a question id")
    return int(value)


def _question_for_antenna(client: WebClient, deps: Deps, context: BoltContext, body: dict,
                          action: dict) -> RoutedQuestionSnapshot | None:
    try:
        question = routing.load_question(deps.engine, team_id=context.team_id or "",
                                         question_id=_question_id(action))
        allowed = set(question.service.antennas) | ({question.service.backup} - {None})
        if context.user_id not in allowed:
            raise RoutingProblem("route.error_not_your_service", service=_named(deps, question))
        if question.status not in ("open", "acknowledged"):
            raise RoutingProblem("route.error_done", status=question.status)
    except (RoutingProblem, ValueError) as problem:
        _tell_antenna(client, deps, body, context, problem)
        return None
    return question


def _tell_antenna(client: WebClient, deps: Deps, body: dict, context: BoltContext,
                  problem: Exception) -> None:
    if isinstance(problem, RoutingProblem):
        text = deps.tr(problem.key, **_named_values(deps, problem))
    else:
        text = deps.tr("refusal.outdated")
    channel = (body.get("channel") or {}).get("id")
    if channel:
        tell(client, channel=channel, user=context.user_id, text=text)


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
            client.chat_update(channel=channel, ts=ts, text=deps.tr("route.dm_fallback", service=_named(deps, question)),
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


def _refresh_case(client: WebClient, deps: Deps, team_id: str, case_id: int) -> None:
    case = cases.load_case(deps.engine, team_id=team_id, case_id=case_id)
    if case.bot_message_ts:
        refresh_case_message(client, deps, case)


def _deactivated(client: WebClient, user: str) -> bool:
    try:
        return bool(client.users_info(user=user)["user"].get("deleted"))
    except SlackApiError:
        return True


def _unescape_links(text: str) -> str:
    """The post as a question for the form: Slack's link markup made readable."""
    return re.sub(r"<(https?://[^|>]+)(?:\|[^>]*)?>", r"\1", text or "").replace("&amp;", "&") \
        .replace("&lt;", "<").replace("&gt;", ">")
