"""The app factory: one Bolt app wired to its database, policy and translations."""

from __future__ import annotations

import logging
from typing import Callable

from slack_bolt import App, BoltContext, BoltResponse

from bot.core.work import TrackedExecutor
from bot.deps import Deps
from bot.directory import Directory, directory
from bot.handlers import register_all
from bot.handlers.workspaces import on_installed
from bot.slack.client import slack_client
from bot.slack.install import authorize, oauth_settings

logger = logging.getLogger(__name__)


class _DropTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and then notes that our configured client wins; it does."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "token` will be unused" not in record.getMessage()


_TOKEN_NOTICE = _DropTokenNotice()
LISTENER_THREADS = 24


def create_app(deps: Deps, workspaces: Directory | None = None) -> App:
    """The Bolt app. In install mode each request is served with its own workspace's Deps."""
    settings = deps.settings
    workspaces = workspaces or directory(deps)
    bolt_logger = logging.getLogger("bot.bolt")
    bolt_logger.addFilter(_TOKEN_NOTICE)
    client = slack_client(settings)
    install: dict = {}
    if settings.install_mode:
        oauth = oauth_settings(settings, deps.engine, deps.tr, on_installed(deps))
        install = dict(oauth_settings=oauth, authorize=authorize(oauth, client),
                       installation_store_bot_only=True,
                       user_facing_authorize_error_message=deps.tr("install.unavailable"))
    app = App(
        client=client,
        signing_secret=settings.signing_secret or "",
        # Socket Mode has no HTTP requests to verify; in HTTP mode verification is always on.
        request_verification_enabled=not settings.socket_mode,
        process_before_response=False,
        # Buttons and forms are acknowledged from Bolt's listener threads; its default of five
        # keeps an ack waiting behind earlier requests' database and Slack work.
        listener_executor=TrackedExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
        logger=bolt_logger,
        **install,
    )

    def inject_deps(context: BoltContext, body: dict, next: Callable[[], None]) -> BoltResponse | None:
        served = workspaces.deps_for(context.team_id)
        if served is None and not _is_uninstall(body):
            # Installed at Slack but not (or no longer) set up here: nothing to act on.
            logger.warning("a request for workspace %s, which is not served", context.team_id)
            return BoltResponse(status=200, body="")
        context["deps"] = served or deps
        context["workspaces"] = workspaces
        if not settings.install_mode and context.team_id and not _is_uninstall(body):
            # Token mode: a request served with a valid token lifts an earlier uninstall.
            try:
                workspaces.lift_token_mode_uninstall(context.team_id, client=client)
            except Exception as error:  # noqa: BLE001 (never at the cost of the request)
                logger.warning("could not check for an uninstall to lift: %s", type(error).__name__)
        return next()

    app.use(inject_deps)
    register_all(app)
    if not settings.install_mode:
        # Token mode: starting with a valid token for an uninstalled workspace lifts the uninstall.
        try:
            workspaces.lift_token_mode_uninstall(client=client)
        except Exception as error:  # noqa: BLE001 (Slack or the database away: the next request retries)
            logger.warning("could not check for an uninstall to lift: %s", type(error).__name__)
    return app


def _is_uninstall(body: dict) -> bool:
    return (body or {}).get("type") == "event_callback" and (body.get("event") or {}).get("type") in (
        "app_uninstalled", "tokens_revoked")
