"""Install mode: "Add to Slack" through Bolt's OAuth flow, with slack_sdk's stores in the bot's
database (``GET /slack/install`` starts it, ``GET /slack/oauth_redirect`` finishes it).

The channel the installer picks on Slack's consent screen (the ``incoming-webhook`` scope asks for
one) becomes the workspace's intake channel, and the installer its first lead: the listener that
records it (``on_installed``) is a handler's, handed in by the app factory. Here is only Slack's
side: the OAuth settings, the per-request token lookup and the page the installer sees.
"""

from __future__ import annotations

import html
import logging
from typing import Callable

import sqlalchemy as sa
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from bot.core.config import Settings
from bot.core.i18n import Translator
from storage.installations import installation_store, state_store

logger = logging.getLogger(__name__)

# The bot's scopes; manifest.yml asks for the same (a test keeps them equal).
BOT_SCOPES = (
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:read",
    "files:write",
    "groups:history",
    "groups:read",
    "im:write",
    "incoming-webhook",  # Slack asks the installer which channel: the intake channel
    "users:read",
)


def oauth_settings(settings: Settings, engine: sa.Engine, tr: Translator,
                   on_installed: Callable[[Installation], None]) -> OAuthSettings:
    """Bolt's OAuth flow with the stores in the bot's database; ``on_installed`` records a
    finished installation before the installer sees the page."""
    return OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.redirect_uri,
        installation_store=installation_store(engine, settings.client_id),
        installation_store_bot_only=True,
        state_store=state_store(engine),
        # /slack/install goes straight to Slack's consent screen, in the installer's language.
        install_page_rendering_enabled=False,
        callback_options=CallbackOptions(success=_success(tr, on_installed), failure=_failure(tr)),
    )


def authorize(settings: OAuthSettings, client: WebClient) -> InstallationStoreAuthorize:
    """Find the workspace's bot token per request; its auth.test is asked once per process and
    token (Bolt's default asks on every request: one extra Slack call per click)."""
    return InstallationStoreAuthorize(
        installation_store=settings.installation_store,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        bot_only=True,
        cache_enabled=True,
        client=client,
        logger=logging.getLogger("bot.bolt"),
    )


def _success(tr: Translator, on_installed: Callable[[Installation], None]):
    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        on_installed(installation)
        text = tr("install.done", channel=f"#{installation.incoming_webhook_channel or ''}")
        link = f"slack://app?team={installation.team_id}&id={installation.app_id}"
        return _page(200, tr("install.title"), text, link, tr("install.open"))

    return success


def _failure(tr: Translator):
    def failure(args: FailureArgs) -> BoltResponse:
        logger.warning("an installation failed: %s", args.reason)
        return _page(args.suggested_status_code, tr("install.title"),
                     tr("install.failed"), "/slack/install", tr("install.again"))

    return failure


def _page(status: int, title: str, text: str, link: str, label: str) -> BoltResponse:
    body = (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
        f"<p><a href=\"{html.escape(link, quote=True)}\">{html.escape(label)}</a></p></body></html>"
    )
    return BoltResponse(status=status, body=body, headers={"Content-Type": "text/html; charset=utf-8"})
