"""A workspace's installation: "Add to Slack" finished (install mode), or the bot removed from a
workspace (``app_uninstalled``, or its bot token revoked). Slack's side of installing (OAuth
settings, the token per request, the installer's page) is in bot/slack/install.py."""

from __future__ import annotations

from typing import Callable

from slack_bolt import App, BoltContext
from slack_sdk.oauth.installation_store import Installation

from bot.deps import Deps, deps_of
from bot.usecases import workspaces
from bot.handlers.access import no_person_acts
from bot.handlers.errors import guarded


def register(app: App) -> None:
    def on_uninstalled(body: dict, context: BoltContext) -> None:
        removed(app, context, team_id=body.get("team_id") or context.team_id or "")

    def on_tokens_revoked(event: dict, body: dict, context: BoltContext) -> None:
        # Only the bot's token matters: this bot holds no user tokens.
        if (event.get("tokens") or {}).get("bot"):
            removed(app, context, team_id=body.get("team_id") or context.team_id or "")

    nobody = [no_person_acts("Slack tells that the app left the workspace")]
    app.event("app_uninstalled", middleware=nobody)(guarded(on_uninstalled))
    app.event("tokens_revoked", middleware=nobody)(guarded(on_tokens_revoked))


def on_installed(deps: Deps) -> Callable[[Installation], None]:
    """Record a finished "Add to Slack": the picked channel is the intake channel, the installer
    the first lead."""

    def installed(installation: Installation) -> None:
        workspaces.installed(
            deps.engine, team_id=installation.team_id, name=installation.team_name or "",
            installer=installation.user_id, channel_id=installation.incoming_webhook_channel_id,
            language=deps.settings.language, now=deps.clock())

    return installed


def removed(app: App, context: BoltContext, *, team_id: str) -> None:
    """Stop all work for the workspace and schedule its data for erasure."""
    if not team_id:
        return
    deps = deps_of(context)
    workspaces.uninstalled(deps.engine, team_id=team_id,
                           retention_months=deps.policy.retention_months, now=deps.clock())
    if app.installation_store is not None:  # install mode: its token is gone for good
        app.installation_store.delete_all(enterprise_id=None, team_id=team_id)
    directory = context.get("workspaces")
    if directory is not None:
        directory.forget(team_id)
