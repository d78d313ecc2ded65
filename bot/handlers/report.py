"""``/rapport`` for leads: the period's numbers, a chart and the decisions CSV, delivered in the
lead's private conversation with the bot (:mod:`bot.delivery.reports`, which the weekly digest uses too)."""

from __future__ import annotations

import logging

import pytz
from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.deps import deps_of
from bot.flows.permissions import Act
from bot.flows.report import parse_period
from bot.handlers.access import REF, RESPOND, decode, require
from bot.handlers.after_ack import after_ack
from bot.slack import ids
from bot.delivery.reports import deliver

logger = logging.getLogger(__name__)

HELP_WORDS = frozenset({"hulp", "help"})


def register(app: App) -> None:
    app.command(ids.REPORT_COMMAND, middleware=[
        decode(lambda body: (body.get("text") or "").strip(), where=RESPOND),
        require(Act.VIEW_REPORT, where=RESPOND, refusal="strikes.not_for_you"),
    ])(after_ack(on_report_command))


def on_report_command(ack: Ack, context: BoltContext, client: WebClient, respond: Respond) -> None:
    ack()
    deps = deps_of(context)
    team, user = context.team_id or "", context.user_id or ""
    text: str = context[REF]
    if text.lower() in HELP_WORDS:
        respond(text=deps.tr("report.usage"), response_type="ephemeral")
        return
    zone = deps.policy.business_hours.timezone
    today = deps.clock().astimezone(pytz.timezone(zone)).date()
    period = parse_period(text, today=today, zone=zone)
    files = deliver(client, deps, team_id=team, user_id=user, period=period)
    respond(text=deps.tr("report.sent" if files else "report.files_missing_scope"),
            response_type="ephemeral")
    logger.info("/rapport over %d days by lead %s", period.days, user)
