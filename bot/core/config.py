"""Settings, read once from the environment at start-up.

A missing or malformed setting raises :class:`ConfigError` whose message is one line naming it; the
entry points print that line and stop, so an operator never has to read a traceback.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from typing import Callable, Mapping

DEFAULT_DATABASE_URL = "sqlite:///reageerwijzer.sqlite3"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
LANGUAGES = ("nl", "en")

CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line naming it."""


def seconds_from_env(name: str, default: float, low: float, high: float,
                     env: Mapping[str, str] = os.environ) -> float:
    """A number of seconds from the environment (``default`` when unset); raises
    :class:`ConfigError` naming the setting when it is not a number from ``low`` to ``high``."""
    raw = env.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError(f"{name} must be a number of seconds from {low:g} to {high:g}")
    return value


def exit_on_bad_setting(read: Callable[[], float]) -> float:
    """``read()``, or one line on stderr and exit code 2 when its setting is malformed (for the
    settings read outside :class:`Settings`)."""
    try:
        return read()
    except ConfigError as error:
        print(f"reageerwijzer: {error}", file=sys.stderr)
        raise SystemExit(2) from None


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = field(repr=False)  # None in install mode: each workspace has its own
    signing_secret: str | None = field(repr=False)
    app_token: str | None = field(repr=False)
    database_url: str = field(repr=False)  # may hold a password
    slack_api_url: str
    port: int
    intake_channels: tuple[str, ...]
    lead_user_ids: tuple[str, ...]
    policy_file: str | None
    language: str
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    redirect_uri: str | None = None

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def install_mode(self) -> bool:
        """One deployment for many workspaces, each added with "Add to Slack" (OAuth)."""
        return self.client_id is not None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
        if (client_id is None) != (client_secret is None):
            missing = "SLACK_CLIENT_SECRET" if client_secret is None else "SLACK_CLIENT_ID"
            raise ConfigError(f"{missing} is not set (install mode needs both the app's client id and secret)")
        install_mode = client_id is not None

        bot_token = get("SLACK_BOT_TOKEN")
        if install_mode:
            if bot_token is not None:
                raise ConfigError("SLACK_BOT_TOKEN must be empty in install mode (SLACK_CLIENT_ID is set): "
                                  "each workspace's token comes from its installation")
        elif bot_token is None:
            raise ConfigError("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...; "
                              "or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for install mode)")
        elif not bot_token.startswith("xoxb-"):
            raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-")

        app_token = get("SLACK_APP_TOKEN")
        if app_token is not None and not app_token.startswith("xapp-"):
            raise ConfigError("SLACK_APP_TOKEN must be an app-level token starting with xapp-")
        if app_token is not None and install_mode:
            raise ConfigError("SLACK_APP_TOKEN must be empty in install mode: "
                              "\"Add to Slack\" needs HTTP mode and a public URL")

        signing_secret = get("SLACK_SIGNING_SECRET")
        if app_token is None and signing_secret is None:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set (needed in HTTP mode; "
                "set SLACK_APP_TOKEN for Socket Mode instead)"
            )

        redirect_uri = get("SLACK_REDIRECT_URI")
        if redirect_uri is not None and not re.match(r"^https?://\S+$", redirect_uri):
            raise ConfigError("SLACK_REDIRECT_URI must be an http(s) URL ending in /slack/oauth_redirect")

        database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
        if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
            raise ConfigError(
                "DATABASE_URL must start with sqlite:/// or postgresql+psycopg://"
            )
        if database_url.startswith(("postgresql://", "postgres://")):
            # SQLAlchemy's plain scheme means psycopg2; this project ships psycopg 3.
            database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]

        slack_api_url = get("SLACK_API_URL") or DEFAULT_SLACK_API_URL
        if not re.match(r"^https?://\S+$", slack_api_url):
            raise ConfigError("SLACK_API_URL must be an http(s) URL")
        if not slack_api_url.endswith("/"):
            slack_api_url += "/"

        port_text = get("PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ConfigError(f"PORT must be a port number, not {port_text!r}")

        intake = _id_list(get("INTAKE_CHANNELS"), "INTAKE_CHANNELS", CHANNEL_ID, "channel ids like C0123ABCD")
        leads = _id_list(get("LEAD_USER_IDS"), "LEAD_USER_IDS", _USER_ID, "user ids like U0123ABCD")
        if install_mode:
            for name, value in (("INTAKE_CHANNELS", intake), ("LEAD_USER_IDS", leads)):
                if value:
                    raise ConfigError(f"{name} must be empty in install mode: each workspace sets its "
                                      "own at install or with python -m bot.workspaces")
        elif not intake:
            raise ConfigError("INTAKE_CHANNELS is not set (comma-separated channel ids, e.g. C0123ABCD)")

        language = (get("LANGUAGE") or "nl").lower()
        if language not in LANGUAGES:
            raise ConfigError(f"LANGUAGE must be one of {', '.join(LANGUAGES)}, not {language!r}")

        policy_file = get("POLICY_FILE")
        if policy_file is not None and not os.path.isfile(policy_file):
            raise ConfigError(f"POLICY_FILE {policy_file!r} does not exist")

        return cls(
            bot_token=bot_token,
            signing_secret=signing_secret,
            app_token=app_token,
            database_url=database_url,
            slack_api_url=slack_api_url,
            port=int(port_text),
            intake_channels=intake,
            lead_user_ids=leads,
            policy_file=policy_file,
            language=language,
            client_id=client_id,
            client_secret=client_secret,
            redirect_uri=redirect_uri,
        )


def _id_list(value: str | None, name: str, pattern: re.Pattern[str], what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    items = tuple(item.strip() for item in value.split(",") if item.strip())
    for item in items:
        if not pattern.match(item):
            raise ConfigError(f"{name} must be comma-separated {what}; {item!r} is not one")
    return items
