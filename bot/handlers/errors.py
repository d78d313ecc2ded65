"""The one error handler: log with ids only, and tell the person who waits, in their language."""

from __future__ import annotations

import functools
import logging
from typing import Callable

import sqlalchemy as sa

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.replies import problem_text
from bot.core.problem import Problem
from storage.scope import NotInWorkspace

logger = logging.getLogger(__name__)


def register(app: App) -> None:
    app.error(on_error)


def guarded(listener: Callable) -> Callable:
    """Run a listener so that an error after its ack() is reported here, not re-raised.

    Bolt's thread runner, when a listener raises after acknowledging, can overwrite the ack it
    already has with nothing, and Slack then gets a 404 after three seconds instead of the 200.
    Bolt passes arguments by the names the listener declares (it unwraps this wrapper), and every
    listener of this bot declares ``context`` and ``client``.
    """

    @functools.wraps(listener)
    def run(**kwargs):
        acked = []
        if "ack" in kwargs:
            bolt_ack = kwargs["ack"]

            def ack(*args, **options):
                acked.append(True)
                return bolt_ack(*args, **options)

            kwargs["ack"] = ack
        try:
            return listener(**kwargs)
        except (Problem, NotInWorkspace) as refused:
            # A refusal: the use case wrote nothing (its transaction is rolled back); the person
            # hears why, in their language, and the log gets the ids.
            shown = False
            if "ack" in kwargs and not acked:
                shown = _ack_failure(bolt_ack, kwargs.get("view"), kwargs["context"], refused)
            refuse(refused, kwargs, shown_in_form=shown)
            return None
        except Exception as error:  # noqa: BLE001 (reported to the user and logged with ids)
            body = kwargs.get("body") or kwargs.get("shortcut") or kwargs.get("command") or {}
            view = kwargs.get("view")
            if "ack" in kwargs and not acked:
                _ack_failure(bolt_ack, view, kwargs["context"], error)
            context = kwargs["context"]
            on_error(error, body, context, kwargs.get("client") or context.client)
            return None

    return run


def _ack_failure(ack: Callable, view: dict | None, context: BoltContext, error: Exception) -> bool:
    """A form that failed before its ack shows the problem on the field it names, else on its
    first input; it stays open, so nothing the person typed is lost. Anything else is simply
    acknowledged. True when the problem is shown in the form."""
    inputs = [b.get("block_id") for b in (view or {}).get("blocks", [])
              if isinstance(b, dict) and b.get("type") == "input" and b.get("block_id")]
    deps = context.get("deps")
    problem = as_problem(error) if isinstance(error, (Problem, NotInWorkspace)) else None
    field = (problem.block if problem else None) or (inputs[0] if inputs else None)
    if field is None or deps is None:
        ack()
        return False
    if problem is not None:  # a form's error is plain text: Slack parses no markup there
        text = problem_text(problem, deps.policy, deps.tr, plain=True)
    else:
        text = deps.tr("error.database" if isinstance(error, sa.exc.DBAPIError) else "error.generic")
    ack(response_action="errors", errors={field: text})
    return True


def as_problem(refused: Exception) -> Problem:
    """A refusal as the problem told to the person (a row of another workspace included)."""
    return refused if isinstance(refused, Problem) else Problem("refusal.other_workspace")


def refuse(refused: Exception, kwargs: dict, *, shown_in_form: bool = False) -> None:
    """A refusal: one log line with ids, and the person who asked is told privately, in their
    language: in the thread the problem names; through ``respond`` for a listener that answers
    that way (commands, the leads' own messages) or for a row of another workspace; beside the
    message that was clicked; or, after a form has closed, in their conversation with the bot."""
    context: BoltContext = kwargs["context"]
    body = kwargs.get("body") or kwargs.get("command") or {
        "type": "view_submission" if "view" in kwargs else None}
    kind = body.get("type") if isinstance(body, dict) else None
    if isinstance(refused, NotInWorkspace):
        logger.warning("refused %s: %s %s belongs to workspace %s, not %s (user %s)", kind,
                       refused.kind, refused.row_id, refused.owner, refused.team_id, context.user_id)
    else:
        logger.info("refused %s: %s %s (team %s, user %s)",
                    kind or ("command" if "command" in kwargs else None), type(refused).__name__,
                    refused.key, context.team_id, context.user_id)
    deps = context.get("deps")
    if deps is None or not context.user_id or shown_in_form:
        return
    if "event" in kwargs and not isinstance(refused, NotInWorkspace):
        return  # a post, not a request to the bot: nobody waits for an answer
    problem = as_problem(refused)
    text = problem_text(problem, deps.policy, deps.tr)
    client: WebClient = kwargs.get("client") or context.client
    channel = ((body.get("channel") or {}).get("id") if isinstance(body, dict) else None) or context.channel_id
    try:
        if problem.thread is not None:
            client.chat_postEphemeral(channel=problem.thread[0], user=context.user_id, text=text,
                                      thread_ts=problem.thread[1])
        elif context.response_url and "command" in kwargs:
            context.respond(text=text, response_type="ephemeral")
        elif context.response_url and ("respond" in kwargs or isinstance(refused, NotInWorkspace)):
            context.respond(text=text, response_type="ephemeral", replace_original=False)
        elif channel:
            client.chat_postEphemeral(channel=channel, user=context.user_id, text=text)
        elif context.response_url:
            context.respond(text=text, response_type="ephemeral", replace_original=False)
        else:  # a form already closed: its sender hears it in their conversation with the bot
            client.chat_postMessage(channel=context.user_id, text=text)
    except Exception as failure:  # noqa: BLE001 (telling the user is best effort; logged above)
        logger.warning("could not tell user %s about the refusal: %s", context.user_id,
                       type(failure).__name__)


def on_error(error: Exception, body: dict, context: BoltContext, client: WebClient) -> None:
    # Never log the body: it holds citizens' words.
    kind = body.get("type") if isinstance(body, dict) else None
    detail = error.response.get("error") if isinstance(error, SlackApiError) else ""
    logger.error(
        "%s while handling %s (team %s, user %s, channel %s) %s",
        type(error).__name__, kind, context.team_id, context.user_id, context.channel_id, detail,
        # A database that is away is not a bug: one line, no traceback (it holds no content anyway).
        exc_info=not isinstance(error, (SlackApiError, sa.exc.DBAPIError)),
    )
    deps = context.get("deps")
    if deps is None or not context.user_id:
        return
    database = isinstance(error, sa.exc.DBAPIError)
    text = deps.tr("error.database" if database else "error.generic")
    try:
        if context.response_url:  # commands, shortcuts and buttons carry one
            context.respond(text=text, response_type="ephemeral", replace_original=False)
        elif context.channel_id and (kind == "block_actions" or (database and kind == "event_callback")):
            # A post that could not become a case: its author hears it, nothing is lost silently.
            client.chat_postEphemeral(channel=context.channel_id, user=context.user_id, text=text)
    except Exception as failure:  # noqa: BLE001 (telling the user is best effort; logged above)
        logger.warning("could not tell user %s about the error: %s", context.user_id,
                       type(failure).__name__)
