"""``/oefenen``: practising the tree on made-up comments in the person's direct messages with the
bot, and each person's own results (a lead also sees the team's totals per category)."""

from __future__ import annotations

import logging
import re

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import practice as views
from bot.deps import Deps, deps_of
from bot.flows import practice as rules
from bot.flows.permissions import Act
from bot.flows.practice import Move
from bot.handlers.access import CHANNEL, REF, RESPOND, decode, may, no_person_acts, require
from bot.core.mrkdwn import mention
from bot.handlers.after_ack import after_ack
from bot.slack.members import USER_ID
from bot.slack import ids
from bot.slack.refs import PracticeRef, action_value
from bot.usecases import practice

logger = logging.getLogger(__name__)

RESULTS_WORDS = frozenset({"resultaten", "results"})
HELP_WORDS = frozenset({"hulp", "help"})
ERASE_WORDS = frozenset({"wis", "erase"})
TEAM_WORDS = frozenset({"team"})
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def register(app: App) -> None:
    app.command(ids.PRACTICE_COMMAND, middleware=[
        decode(lambda body: (body.get("text") or "").strip(), where=RESPOND),
        require(Act.PRACTISE, where=RESPOND),
        require(act_of=_act_of_command, acts=frozenset({Act.ERASE_PRACTICE, Act.PRACTICE_TOTALS}),
                where=RESPOND),
    ])(after_ack(on_practice_command))
    app.action(ids.PRACTICE_ACTION, middleware=[
        decode(action_value(PracticeRef.decode), problem="practice.refused_stale"),
        require(Act.PRACTISE, where=CHANNEL),
    ])(after_ack(on_practice_button))
    app.event("user_change", middleware=[
        no_person_acts("a Slack account changed; a deactivated one's practice answers go"),
    ])(after_ack(on_user_change))


def _act_of_command(text: str) -> Act | None:
    """Erasing a colleague's answers and the team's totals are the leads'; the rest is everyone's
    who practises."""
    first = text.split()[0].lower() if text.split() else ""
    if first in ERASE_WORDS:
        return Act.ERASE_PRACTICE
    return Act.PRACTICE_TOTALS if first in TEAM_WORDS else None


def on_practice_command(ack: Ack, context: BoltContext, client: WebClient, respond: Respond) -> None:
    ack()
    deps = deps_of(context)
    team_id, user = context.team_id or "", context.user_id
    text: str = context[REF]
    if text.lower() in RESULTS_WORDS:
        _results(client, deps, context, respond)
        return
    if text.lower() in TEAM_WORDS:
        respond(text=deps.tr("practice.team_title"), response_type="ephemeral",
                blocks=views.team_totals(practice.team_totals(deps.engine, team_id=team_id),
                                         deps.policy, deps.tr))
        return
    if text.split()[:1] and text.split()[0].lower() in ERASE_WORDS:
        _erase(client, deps, context, respond, text.split()[1:])
        return
    size = rules.DEFAULT_SIZE if not text else rules.parse_size(text)
    if size is None or text.lower() in HELP_WORDS:
        respond(text=deps.tr("practice.usage"), response_type="ephemeral")
        return
    bank = practice.bank_for(deps.policy, deps.settings.policy_file)
    view = practice.start_round(deps.engine, bank, team_id=team_id, user_id=user, size=size,
                                now=deps.clock())
    client.chat_postMessage(channel=user, text=deps.tr.plain("practice.fallback"),
                            blocks=views.practice_message(view, deps.policy, deps.tr))
    respond(text=deps.tr("practice.started"), response_type="ephemeral")
    logger.info("practice round %s started by %s (%d comments)", view.round_id, user, size)


def _results(client: WebClient, deps: Deps, context: BoltContext, respond: Respond) -> None:
    team_id, user = context.team_id or "", context.user_id
    mine = practice.results(deps.engine, team_id=team_id, user_id=user, policy=deps.policy)
    team = None
    if may(deps, client, team_id=team_id, user_id=user, act=Act.PRACTICE_TOTALS):
        team = practice.team_totals(deps.engine, team_id=team_id)
    respond(text=deps.tr("practice.results_title"), response_type="ephemeral",
            blocks=views.results(mine, team, deps.policy, deps.tr))


def _erase(client: WebClient, deps: Deps, context: BoltContext, respond: Respond,
           words: list[str]) -> None:
    """A lead erases a colleague's practice answers, on request."""
    team_id = context.team_id or ""
    match = _MENTION.match(words[0]) if len(words) == 1 else None
    if match is None:
        respond(text=deps.tr("practice.erase_usage"), response_type="ephemeral")
        return
    practice.erase_person(deps.engine, team_id=team_id, user_id=match.group(1))
    respond(text=deps.tr("practice.erased", user=mention(match.group(1))), response_type="ephemeral")


def on_user_change(event: dict, context: BoltContext, client: WebClient) -> None:
    """Someone's Slack account was deactivated: their practice answers go with it."""
    deps = deps_of(context)
    person = event.get("user") if isinstance(event, dict) else None
    if not isinstance(person, dict) or person.get("deleted") is not True:
        return
    user_id = person.get("id")
    if isinstance(user_id, str) and USER_ID.fullmatch(user_id):
        practice.erase_person(deps.engine, team_id=context.team_id or "", user_id=user_id)


def on_practice_button(ack: Ack, body: dict, context: BoltContext, client: WebClient) -> None:
    ack()
    deps = deps_of(context)
    channel = (body.get("channel") or {}).get("id") or context.channel_id
    message_ts = (body.get("container") or {}).get("message_ts")
    ref: PracticeRef = context[REF]
    bank = practice.bank_for(deps.policy, deps.settings.policy_file)
    view = practice.click(deps.engine, deps.policy, bank, team_id=context.team_id or "",
                          user_id=context.user_id, round_id=ref.round_id, version=ref.version,
                          move=ref.click, now=deps.clock())
    if ref.click.move in (Move.NEXT, Move.STOP):
        # The answered comment keeps its feedback; only its buttons go.
        kept = [b for b in (body.get("message") or {}).get("blocks") or [] if b.get("type") != "actions"]
        if message_ts and kept:
            client.chat_update(channel=channel, ts=message_ts, text=deps.tr.plain("practice.fallback"),
                               blocks=kept)
        blocks = views.round_done(view, deps.tr) if view.finished \
            else views.practice_message(view, deps.policy, deps.tr)
        client.chat_postMessage(channel=channel, text=deps.tr.plain("practice.fallback"), blocks=blocks)
        return
    client.chat_update(channel=channel, ts=message_ts, text=deps.tr.plain("practice.fallback"),
                       blocks=views.practice_message(view, deps.policy, deps.tr))

