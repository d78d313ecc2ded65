"""Settings: a missing or malformed one is named in one line; secrets stay out of reprs."""

from __future__ import annotations

import pytest

from bot.core.config import ConfigError, Settings

GOOD = {
    "SLACK_BOT_TOKEN": "xoxb-made-up",
    "SLACK_SIGNING_SECRET": "made-up-secret",
    "INTAKE_CHANNELS": "C0INTAKE01, C0INTAKE02",
    "LEAD_USER_IDS": "U0LEAD0001",
}


def test_good_settings():
    settings = Settings.from_env(GOOD)
    assert settings.intake_channels == ("C0INTAKE01", "C0INTAKE02")
    assert settings.language == "nl" and settings.port == 3000 and not settings.socket_mode
    assert settings.database_url.startswith("sqlite:///")


def test_socket_mode_needs_no_signing_secret():
    env = {**GOOD, "SLACK_APP_TOKEN": "xapp-1-made-up"}
    del env["SLACK_SIGNING_SECRET"]
    assert Settings.from_env(env).socket_mode


def test_plain_postgresql_urls_use_psycopg_3():
    env = {**GOOD, "DATABASE_URL": "postgresql://rw@db.example:5432/rw"}
    assert Settings.from_env(env).database_url.startswith("postgresql+psycopg://")


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SLACK_BOT_TOKEN": ""}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_SIGNING_SECRET": ""}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_APP_TOKEN": "not-an-app-token"}, "SLACK_APP_TOKEN"),
        ({"INTAKE_CHANNELS": ""}, "INTAKE_CHANNELS"),
        ({"INTAKE_CHANNELS": "#social-intake"}, "INTAKE_CHANNELS"),
        ({"LEAD_USER_IDS": "anna"}, "LEAD_USER_IDS"),
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"LANGUAGE": "fr"}, "LANGUAGE"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"SLACK_API_URL": "slack"}, "SLACK_API_URL"),
        ({"POLICY_FILE": "/no/such/policy.toml"}, "POLICY_FILE"),
    ],
)
def test_a_bad_setting_is_named_in_one_line(changes, named):
    with pytest.raises(ConfigError) as error:
        Settings.from_env({**GOOD, **changes})
    message = str(error.value)
    assert named in message and "\n" not in message


def test_secrets_stay_out_of_the_repr():
    env = {**GOOD, "DATABASE_URL": "postgresql+psycopg://rw:hunter2@db.example/rw"}
    text = repr(Settings.from_env(env))
    assert "xoxb-made-up" not in text and "made-up-secret" not in text and "hunter2" not in text


INSTALL = {
    "SLACK_CLIENT_ID": "1111111111.2222222222",
    "SLACK_CLIENT_SECRET": "made-up-client-secret",
    "SLACK_SIGNING_SECRET": "made-up-secret",
}


def test_install_mode_needs_no_bot_token_nor_channels():
    settings = Settings.from_env(INSTALL)
    assert settings.install_mode and settings.bot_token is None and settings.intake_channels == ()
    assert "made-up-client-secret" not in repr(settings)
    assert not Settings.from_env(GOOD).install_mode


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET"),
        ({"SLACK_CLIENT_ID": ""}, "SLACK_CLIENT_ID"),
        ({"SLACK_BOT_TOKEN": "xoxb-made-up"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xapp-1-made-up"}, "SLACK_APP_TOKEN"),
        ({"INTAKE_CHANNELS": "C0INTAKE01"}, "INTAKE_CHANNELS"),
        ({"LEAD_USER_IDS": "U0LEAD0001"}, "LEAD_USER_IDS"),
        ({"SLACK_REDIRECT_URI": "slack/oauth_redirect"}, "SLACK_REDIRECT_URI"),
    ],
)
def test_a_bad_install_mode_setting_is_named_in_one_line(changes, named):
    with pytest.raises(ConfigError) as error:
        Settings.from_env({**INSTALL, **changes})
    assert named in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("raw", ["abc", "-1", "601", "nan", "1e9"])
def test_a_number_of_seconds_out_of_range_or_not_a_number_names_its_setting(raw):
    from bot.core.config import ConfigError, seconds_from_env
    with pytest.raises(ConfigError, match="^SHUTDOWN_TIMEOUT must be a number of seconds from 0 to 600$"):
        seconds_from_env("SHUTDOWN_TIMEOUT", 20, 0, 600, env={"SHUTDOWN_TIMEOUT": raw})


def test_seconds_default_when_unset_and_read_when_set():
    from bot.core.config import seconds_from_env
    assert seconds_from_env("SCHEDULER_INTERVAL", 30, 0.5, 3600, env={}) == 30
    assert seconds_from_env("SCHEDULER_INTERVAL", 30, 0.5, 3600, env={"SCHEDULER_INTERVAL": " 0.5 "}) == 0.5
