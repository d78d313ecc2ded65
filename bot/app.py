"""The app factory: one Bolt app wired to its database, policy and translations."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Callable

import sqlalchemy as sa
from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.flows.policy import Policy, load_policy
from bot.i18n import Translator
from storage.db import create_db_engine, migrate

if TYPE_CHECKING:
    from bot.access import MemberCache

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Deps:
    """What every listener needs, handed to it through Bolt's context as ``context["deps"]``."""

    settings: Settings
    engine: sa.Engine
    policy: Policy
    tr: Translator
    clock: Callable[[], datetime] = field(default=utcnow)
    members: MemberCache = field(default_factory=lambda: _member_cache())


def _member_cache():
    from bot.access import MemberCache

    return MemberCache()


def deps_of(context: BoltContext) -> Deps:
    return context["deps"]


def build_deps(settings: Settings, *, run_migrations: bool = True) -> Deps:
    """Load the policy and open the database; raise a one-line error when either is unusable."""
    policy = load_policy(settings.policy_file)
    engine = create_db_engine(settings.database_url)
    if run_migrations:
        migrate(engine)
    return Deps(settings=settings, engine=engine, policy=policy, tr=Translator(settings.language))


def slack_client(settings: Settings) -> WebClient:
    """The one Web API client: retries connection errors, rate limits (honouring Retry-After)
    and Slack's server errors before a call counts as failed."""
    return WebClient(
        token=settings.bot_token,
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


def create_app(deps: Deps) -> App:
    from bot.handlers import register_all

    settings = deps.settings
    bolt_logger = logging.getLogger("bot.bolt")
    bolt_logger.addFilter(_TOKEN_NOTICE)
    app = App(
        client=slack_client(settings),
        signing_secret=settings.signing_secret or "",
        # Socket Mode has no HTTP requests to verify; in HTTP mode verification is always on.
        request_verification_enabled=not settings.socket_mode,
        process_before_response=False,
        # Buttons and forms are acknowledged from Bolt's listener threads; its default of five
        # keeps an ack waiting behind earlier requests' database and Slack work.
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
        logger=bolt_logger,
    )

    def inject_deps(context: BoltContext, next: Callable[[], None]) -> None:
        context["deps"] = deps
        next()

    app.use(inject_deps)
    register_all(app)
    return app
