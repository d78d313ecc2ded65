"""The one error handler: log with ids only, and tell the person who waits, in their language."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.error(on_error)


def on_error(error: Exception, body: dict, context: BoltContext, client: WebClient) -> None:
    # Never log the body: it holds citizens' words.
    kind = body.get("type") if isinstance(body, dict) else None
    detail = error.response.get("error") if isinstance(error, SlackApiError) else ""
    logger.error(
        "%s while handling %s (team %s, user %s, channel %s) %s",
        type(error).__name__, kind, context.team_id, context.user_id, context.channel_id, detail,
        exc_info=not isinstance(error, SlackApiError),
    )
    deps = context.get("deps")
    if deps is None or not context.user_id:
        return
    text = deps.tr("error.generic")
    try:
        if context.respond is not None:  # commands, shortcuts and buttons carry a response_url
            context.respond(text=text, response_type="ephemeral", replace_original=False)
        elif context.channel_id and kind == "block_actions":
            client.chat_postEphemeral(channel=context.channel_id, user=context.user_id, text=text)
    except Exception:  # noqa: BLE001 (telling the user is best effort; the error is logged above)
        logger.warning("could not tell user %s about the error", context.user_id)
