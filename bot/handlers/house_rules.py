"""``/gedragscode``: the public house rules as the bot enforces them; ``exporteer`` sends them as
HTML and Markdown to the person's private conversation with the bot; ``goedgekeurd 2027-01-15``
records the approval by the college and the management team (leads only). Also the review
reminder the scheduler sends the leads."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import house_rules as views
from bot.deps import Deps, deps_of
from bot.flows import house_rules as rules
from bot.flows.house_rules_render import to_html, to_markdown
from bot.flows.permissions import Act
from bot.handlers.access import REF, RESPOND, decode, require
from bot.handlers.after_ack import after_ack
from bot.slack import ids
from bot.usecases import house_rules

logger = logging.getLogger(__name__)

# The words after /gedragscode: the Dutch ones are what the Dutch interface shows.
WORDS = {"exporteer": "export", "exporteren": "export", "export": "export",
         "goedgekeurd": "approved", "goedkeuring": "approved", "approved": "approved",
         "hulp": "help", "help": "help"}


def register(app: App) -> None:
    app.command(ids.HOUSE_RULES_COMMAND, middleware=[
        decode(lambda body: _parse(body.get("text") or ""), where=RESPOND),
        require(Act.SHOW_HOUSE_RULES, where=RESPOND),
        require(act_of=lambda parsed: Act.APPROVE_HOUSE_RULES if parsed[0] == "approved" else None,
                acts=frozenset({Act.APPROVE_HOUSE_RULES}), where=RESPOND,
                refusal="house_rules.leads_only"),
    ])(after_ack(on_house_rules_command))


def _parse(text: str) -> tuple[str, list[str]]:
    """The verb after /gedragscode (``show`` when there is none) and all the words typed."""
    words = text.split()
    return (WORDS.get(words[0].lower(), "usage") if words else "show"), words


def on_house_rules_command(ack: Ack, context: BoltContext, client: WebClient,
                           respond: Respond) -> None:
    ack()
    deps = deps_of(context)
    verb, words = context[REF]
    if verb == "show" or (verb == "export" and len(words) == 1):
        (_show if verb == "show" else _export)(client, deps, context, respond)
    elif verb == "approved" and len(words) == 2:
        _approve(words[1], client, deps, context, respond)
    else:
        respond(text=deps.tr("house_rules.help"), response_type="ephemeral")
    logger.info("/gedragscode (%s) by %s", verb, context.user_id)


def _standing(deps: Deps, context: BoltContext) -> house_rules.Standing:
    return house_rules.standing(deps.engine, deps.policy, team_id=context.team_id or "",
                                now=deps.clock())


def _built(deps: Deps, standing: house_rules.Standing) -> rules.HouseRules:
    approved = standing.approval.approved_on if standing.approval else None
    return rules.build(deps.policy, deps.tr, approved=approved)


def _show(client: WebClient, deps: Deps, context: BoltContext, respond: Respond) -> None:
    standing = _standing(deps, context)
    blocks = views.house_rules_message(_built(deps, standing), deps.policy, deps.tr, standing)
    respond(blocks=blocks, text=deps.tr("house_rules.fallback"), response_type="ephemeral")


def _export(client: WebClient, deps: Deps, context: BoltContext, respond: Respond) -> None:
    """The rules as files for the website, in the person's private conversation with the bot."""
    built = _built(deps, _standing(deps, context))
    name = f"{deps.tr.plain('house_rules.file_name')}-{deps.clock():%Y-%m-%d}"
    dm = client.conversations_open(users=context.user_id)["channel"]["id"]
    client.files_upload_v2(channel=dm, file_uploads=[
        {"content": to_html(built), "filename": f"{name}.html",
         "title": deps.tr.plain("house_rules.export_title_html")},
        {"content": to_markdown(built), "filename": f"{name}.md",
         "title": deps.tr.plain("house_rules.export_title_md")},
    ])
    respond(text=deps.tr("house_rules.export_sent"), response_type="ephemeral")


def _approve(typed: str, client: WebClient, deps: Deps, context: BoltContext,
             respond: Respond) -> None:
    approval = house_rules.record_approval(
        deps.engine, deps.policy, team_id=context.team_id or "",
        approved_on=house_rules.parse_date(typed), user_id=context.user_id or "",
        now=deps.clock())
    respond(text=deps.tr("house_rules.recorded",
                         date=rules.long_date(approval.approved_on, deps.tr)),
            response_type="ephemeral")
