"""Install mode: "Add to Slack" through Bolt's OAuth flow, with slack_sdk's stores in the bot's
database (``GET /slack/install`` starts it, ``GET /slack/oauth_redirect`` finishes it).

The channel the installer picks on Slack's consent screen (the ``incoming-webhook`` scope asks for
one) becomes the workspace's intake channel, and the installer its first lead.
"""

from __future__ import annotations

import html
import logging

from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk import WebClient

from bot.deps import Deps
from bot.usecases import workspaces
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


def oauth_settings(deps: Deps) -> OAuthSettings:
    settings = deps.settings
    return OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.redirect_uri,
        installation_store=installation_store(deps.engine, settings.client_id),
        installation_store_bot_only=True,
        state_store=state_store(deps.engine),
        # /slack/install goes straight to Slack's consent screen, in the installer's language.
        install_page_rendering_enabled=False,
        callback_options=CallbackOptions(success=_success(deps), failure=_failure(deps)),
    )


def authorize(deps: Deps, settings: OAuthSettings, client: WebClient) -> InstallationStoreAuthorize:
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


def _success(deps: Deps):
    def success(args: SuccessArgs) -> BoltResponse:
        installation = args.installation
        channel = installation.incoming_webhook_channel_id
        workspaces.installed(
            deps.engine, team_id=installation.team_id, name=installation.team_name or "",
            installer=installation.user_id, channel_id=channel, language=deps.settings.language,
            now=deps.clock())
        text = deps.tr("install.done", channel=f"#{installation.incoming_webhook_channel or ''}")
        link = f"slack://app?team={installation.team_id}&id={installation.app_id}"
        return _page(200, deps.tr("install.title"), text, link, deps.tr("install.open"))

    return success


def _failure(deps: Deps):
    def failure(args: FailureArgs) -> BoltResponse:
        logger.warning("an installation failed: %s", args.reason)
        return _page(args.suggested_status_code, deps.tr("install.title"),
                     deps.tr("install.failed"), "/slack/install", deps.tr("install.again"))

    return failure


def _page(status: int, title: str, text: str, link: str, label: str) -> BoltResponse:
    body = (
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"
        f"<p><a href=\"{html.escape(link, quote=True)}\">{html.escape(label)}</a></p></body></html>"
    )
    return BoltResponse(status=status, body=body, headers={"Content-Type": "text/html; charset=utf-8"})
