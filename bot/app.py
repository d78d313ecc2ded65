"""The app factory: one Bolt app wired to its database, policy and translations."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

import sqlalchemy as sa
from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.core.config import Settings
from bot.core.work import TrackedExecutor
from bot.flows.policy import Policy, load_policy
from bot.core.i18n import Translator
from storage.db import create_db_engine, migrate

if TYPE_CHECKING:
    from bot.slack.members import MemberCache
    from bot.workspaces import Directory, Workspace

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Deps:
    """What every listener needs, handed to it through Bolt's context as ``context["deps"]``."""

    settings: Settings
    engine: sa.Engine
    workspace: Workspace  # whose request this is: its intake channels and first leads
    policy: Policy  # the workspace's policy and language (install mode: each its own)
    tr: Translator
    clock: Callable[[], datetime] = field(default=utcnow)
    members: MemberCache = field(default_factory=lambda: _member_cache())


def _member_cache():
    from bot.slack.members import MemberCache

    return MemberCache()


def deps_of(context: BoltContext) -> Deps:
    return context["deps"]


def build_deps(settings: Settings, *, run_migrations: bool = True) -> Deps:
    """Load the policy and open the database; raise a one-line error when either is unusable."""
    from bot.workspaces import Workspace, from_settings

    policy = load_policy(settings.policy_file)
    engine = create_db_engine(settings.database_url)
    if run_migrations:
        migrate(engine)
    # Install mode: no workspace until a request says whose it is (see bot.workspaces.Directory).
    workspace = Workspace(None, (), ()) if settings.install_mode else from_settings(settings)
    return Deps(settings=settings, engine=engine, workspace=workspace, policy=policy,
                tr=Translator(settings.language))


def directory(deps: Deps) -> Directory:
    """Which Deps and client serve each workspace (one in token mode, each install's otherwise)."""
    from bot.workspaces import Directory
    from storage.installations import installation_store

    settings = deps.settings
    installations = installation_store(deps.engine, settings.client_id) if settings.install_mode else None
    return Directory(deps, client=lambda token: slack_client(settings, token=token),
                     installations=installations)


def slack_client(settings: Settings, *, token: str | None = None) -> WebClient:
    """A Web API client that retries connection errors, rate limits (honouring Retry-After)
    and Slack's server errors before a call counts as failed."""
    return WebClient(
        token=token or settings.bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


class _DropTokenNotice(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and then notes that our configured client wins; it does."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "token` will be unused" not in record.getMessage()


_TOKEN_NOTICE = _DropTokenNotice()
LISTENER_THREADS = 24


def create_app(deps: Deps, workspaces: Directory | None = None) -> App:
    """The Bolt app. In install mode each request is served with its own workspace's Deps."""
    from bot.handlers import register_all

    settings = deps.settings
    workspaces = workspaces or directory(deps)
    bolt_logger = logging.getLogger("bot.bolt")
    bolt_logger.addFilter(_TOKEN_NOTICE)
    client = slack_client(settings)
    install: dict = {}
    if settings.install_mode:
        from bot.handlers.install import authorize, oauth_settings

        oauth = oauth_settings(deps)
        install = dict(oauth_settings=oauth, authorize=authorize(deps, oauth, client),
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
