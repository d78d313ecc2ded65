"""On every start: while the policy still holds example links or hand-filled markers, say so in
the log and to the leads in Slack. The bot still starts (a team may try it out first), but the
suggested replies would otherwise post ``https://www.example.be/…`` on the municipality's page."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.usecases import leads as lead_cases

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.deps import Deps

logger = logging.getLogger(__name__)


def problem_lines(problems: list[tuple[str, str]]) -> str:
    return "\n".join(f"• `{where}`: {what}" for where, what in problems)


def announce_unfinished_policy(deps: Deps, client: WebClient | None) -> list[tuple[str, str]]:
    """Log the unfinished settings, and send each lead a direct message (token mode; ``client``
    None: the log only). Never stops the start: a Slack error is logged and left."""
    problems = deps.policy.unfinished()
    if not problems:
        return problems
    logger.warning(
        "the policy is not ready: %d setting(s) still hold an example or a placeholder: %s",
        len(problems), "; ".join(f"{where} = {what}" for where, what in problems),
    )
    if client is None or deps.settings.install_mode:
        return problems
    text = deps.tr("policy.unfinished", problems=problem_lines(problems))
    try:
        team_id = client.auth_test().get("team_id")
        leads = list(dict.fromkeys([*deps.workspace.lead_user_ids,
                                    *(lead_cases.leads(deps.engine, team_id=team_id) if team_id else [])]))
    except Exception as error:  # noqa: BLE001 (Slack or the database: the start goes on)
        logger.warning("could not find the leads to warn about the policy: %s", type(error).__name__)
        return problems
    for user_id in leads:
        try:
            channel = client.conversations_open(users=user_id)["channel"]["id"]
            client.chat_postMessage(channel=channel, text=text)
        except Exception as error:  # noqa: BLE001
            logger.warning("could not warn lead %s about the policy: %s", user_id, type(error).__name__)
    return problems
