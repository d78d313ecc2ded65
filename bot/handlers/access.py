"""Who may act, declared once per listener, as Bolt listener middleware (as Netflix Dispatch does).

Every listener says at registration how its reference is read (``decode``: the button value, the
form's private_metadata or the command's words, read once, into ``context["ref"]``; the readers of
each place are in bot.slack.refs) and which act
of the table in bot.flows.permissions it is (``require``), or that no person acts
(``no_person_acts``). A refusal is told privately where the person acted, and the listener never
runs. Who someone is: ``bot.usecases.access`` (team members are the members of an intake
channel, ``bot.slack.members``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from slack_bolt import Ack, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.deps import deps_of
from bot.blocks.replies import problem_text
from bot.flows.permissions import ALLOWED, Act, allowed
from bot.delivery import send
from bot.core.problem import Problem
from bot.handlers.errors import _ack_failure, on_error, refuse
from bot.slack.refs import BadPayload
from bot.usecases import access
from bot.usecases.routing import RoutingProblem
from storage.scope import NotInWorkspace

REF = "ref"  # the context key of the decoded reference

# Where a refusal is told: the command's or message's response_url, the thread of the message
# clicked, the channel clicked in, a direct message, or the form's own input (``Form``).
RESPOND, THREAD, CHANNEL, DM = "respond", "thread", "channel", "dm"


@dataclass(frozen=True)
class Form:
    block: str  # the input under which the refusal is shown; the form stays open


def may(deps, client: WebClient, *, team_id: str, user_id: str, act: Act,
        question_id: int | None = None) -> bool:
    """Whether the table lets ``user_id`` do ``act`` (on the question, for an antenna's act)."""
    channels = deps.workspace.intake_channels
    return allowed(act, access.roles(
        deps.engine, team_id=team_id, user_id=user_id, needed=ALLOWED[act],
        in_team=lambda: any(user_id in deps.members.members(client, c) for c in channels),
        seeds=deps.workspace.lead_user_ids, now=deps.clock(), question_id=question_id))


# --- the listener middleware -------------------------------------------------------------------


def require(act: Act | None = None, *, act_of: Callable[[object], Act | None] | None = None,
            acts: frozenset[Act] | None = None, where: str | Form = THREAD,
            refusal: str = "access.refused") -> Callable:
    """The listener is ``act`` (or ``act_of(ref)``, one of ``acts``; None: nothing more to
    check); anyone the table does not allow it hears ``refusal`` and the listener never runs."""
    declared = frozenset(acts) if acts is not None else frozenset({act})

    def require_act(ack: Ack, body: dict, context: BoltContext, client: WebClient,
                    next: Callable[[], None]) -> BoltResponse | None:
        ref = context.get(REF)
        wanted = act if act_of is None else act_of(ref)
        if wanted is None:
            return next()
        deps = deps_of(context)
        try:
            if may(deps, client, team_id=context.team_id or "", user_id=context.user_id or "",
                   act=wanted, question_id=getattr(ref, "question_id", None)):
                return next()
            text = deps.tr(refusal)
        except RoutingProblem as problem:  # not (or no longer) theirs to answer: why
            text = problem_text(problem, deps.policy, deps.tr, plain=isinstance(where, Form))
        except Exception as error:  # noqa: BLE001 (as guarded listeners report it)
            return _failed(error, ack, body, context, client)
        return reply(where, text, ack=ack, body=body, context=context, client=client,
                     direct_when_nowhere=True)

    require_act.acts = declared  # type: ignore[attr-defined]
    return require_act


def decode(read: Callable[[dict], object], *, where: str | Form = CHANNEL,
           problem: str = "refusal.outdated") -> Callable:
    """Read the listener's reference from the payload once (``read`` raises BadPayload for one
    this bot did not write) into ``context["ref"]``; a bad one is refused with ``problem``."""

    def decode_ref(ack: Ack, body: dict, context: BoltContext, client: WebClient,
                   next: Callable[[], None]) -> BoltResponse | None:
        try:
            context[REF] = read(body)
        except BadPayload:
            return reply(where, deps_of(context).tr(problem), ack=ack, body=body, context=context,
                         client=client)
        except Exception as error:  # noqa: BLE001 (as guarded listeners report it)
            return _failed(error, ack, body, context, client)
        return next()

    decode_ref.reads = read  # type: ignore[attr-defined]
    return decode_ref


def no_person_acts(why: str) -> Callable:
    """The declaration of a listener no person's act reaches (the app uninstalled, a token
    revoked): nothing to check."""

    def nobody(next: Callable[[], None]) -> None:
        return next()

    nobody.acts = frozenset()  # type: ignore[attr-defined]
    nobody.no_person = why  # type: ignore[attr-defined]
    return nobody


def held_where_it_happens(act: Act, why: str) -> Callable:
    """The declaration of an act whose payload shows the right to it (a post in an intake channel
    is by one of its members): the listener answers only there."""

    def shown(next: Callable[[], None]) -> None:
        return next()

    shown.acts = frozenset({act})  # type: ignore[attr-defined]
    shown.held_by = why  # type: ignore[attr-defined]
    return shown


# --- telling the person ------------------------------------------------------------------------


def reply(where: str | Form, text: str, *, ack: Ack, body: dict, context: BoltContext,
          client: WebClient, direct_when_nowhere: bool = False) -> BoltResponse:
    """Acknowledge, and tell only the person who acted, where they acted."""
    if isinstance(where, Form):
        return ack(response_action="errors", errors={where.block: text})
    response = ack()
    user = context.user_id
    channel = (body.get("channel") or {}).get("id") or context.channel_id
    try:
        if where == RESPOND and context.response_url:
            context.respond(text=text, response_type="ephemeral", replace_original=False)
        elif where in (THREAD, CHANNEL) and channel and user:
            thread = (body.get("container") or {}).get("thread_ts") if where == THREAD else None
            send.ephemeral(client, channel=channel, user=user, text=text, thread_ts=thread)
        elif user and (where == DM or direct_when_nowhere):  # nowhere to answer in place
            client.chat_postMessage(channel=user, text=text)
    except Exception as error:  # noqa: BLE001 (Slack refused to tell them: as any listener's error)
        on_error(error, body, context, client)
    return response


def _failed(error: Exception, ack: Ack, body: dict, context: BoltContext,
            client: WebClient) -> BoltResponse:
    """A check that could not be made (the database away, another workspace's row): reported
    as a guarded listener reports it."""
    view = body.get("view") if isinstance(body, dict) else None
    shown = _ack_failure(ack, view, context, error)
    if isinstance(error, (Problem, NotInWorkspace)):
        told = {"context": context, "body": body, "client": client}
        if isinstance(body, dict) and "command" in body:
            told["command"] = body
        refuse(error, told, shown_in_form=shown)
    else:
        on_error(error, body, context, client)
    return ack.response or BoltResponse(status=200, body="")
