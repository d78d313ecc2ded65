"""manifest.yml against Slack's schema, and against what the bot actually registers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.handlers import register_all

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"


class RecordingApp:
    """Stands in for Bolt's App and notes what each ``register`` wires up."""

    def __init__(self) -> None:
        self.registered: dict[str, list[object]] = {}

    def __getattr__(self, kind: str):
        def listen(matcher: object = None, *args, **kwargs):
            self.registered.setdefault(kind, []).append(matcher)
            return lambda function: function

        return listen


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registered() -> dict[str, list[object]]:
    app = RecordingApp()
    register_all(app)
    return app.registered


def test_manifest_follows_slacks_schema(manifest):
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.exists():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA}")
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_every_shortcut_has_a_handler_and_every_handler_a_shortcut(manifest, registered):
    in_manifest = {s["callback_id"] for s in manifest["features"].get("shortcuts", [])}
    assert in_manifest == set(registered.get("shortcut", []))


def test_every_command_has_a_handler_and_is_escaped(manifest, registered):
    commands = manifest["features"].get("slash_commands", [])
    assert {c["command"] for c in commands} == set(registered.get("command", []))
    assert all(c.get("should_escape") is True for c in commands)


def test_every_event_has_a_handler_and_every_handler_an_event(manifest, registered):
    # Slack subscribes to message.channels / message.groups; Bolt listens to their type, "message".
    events = {e.split(".")[0] for e in manifest["settings"]["event_subscriptions"]["bot_events"]}
    assert events == set(registered.get("event", []))


def test_interactivity_and_socket_mode_are_on(manifest):
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True


def test_scopes_cover_what_the_bot_does(manifest):
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    # What the bot calls: reading the intake channel and its members (team membership), posting,
    # shortcuts and commands, direct messages to antennas, file uploads to leads, user time zones.
    assert {"chat:write", "channels:history", "groups:history", "channels:read", "groups:read",
            "commands", "im:write", "files:write", "users:read"} <= scopes


def test_install_mode_asks_for_the_manifests_scopes(manifest):
    from bot.slack.install import BOT_SCOPES

    # "Add to Slack" requests exactly what the app is configured with; incoming-webhook makes
    # Slack ask the installer for a channel, which becomes the intake channel.
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert "incoming-webhook" in BOT_SCOPES
