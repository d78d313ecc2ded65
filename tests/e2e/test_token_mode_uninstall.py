"""Token mode (one workspace, SLACK_BOT_TOKEN) end to end: an uninstall is lifted by the next request
served and at start-up, and the leads are told in Slack (the use case itself:
tests/usecases/test_token_mode_uninstall.py)."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from tests.support.bot_process import LEAD_USER_ID, BotProcess
from tests.support.slack_requests import TEAM_ID


def uninstall(bot, slack) -> None:
    status, _, _ = bot.sender.event({"type": "app_uninstalled", "event_ts": f"{time.time():.6f}"})
    assert status == 200
    wait_for_row(bot, "uninstalled_at IS NOT NULL AND erase_after IS NOT NULL")


def wait_for_row(bot, condition: str, timeout: float = 10.0) -> None:
    engine = sa.create_engine(bot.database_url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                found = connection.execute(sa.text(
                    f"SELECT COUNT(*) FROM workspace WHERE team_id = :t AND {condition}"),
                    {"t": TEAM_ID}).scalar_one()
            if found:
                return
            assert time.monotonic() < deadline, f"no workspace row with {condition}"
            time.sleep(0.05)
    finally:
        engine.dispose()


@pytest.mark.e2e
def test_token_mode_lifts_an_uninstall_on_the_next_request_and_at_start_up(slack, tmp_path, bot_database):
    slack.clear_calls()
    with BotProcess({"DATABASE_URL": bot_database, "SCHEDULER": "off"}, slack, tmp_path) as bot:
        uninstall(bot, slack)
        slack.clear_calls()
        bot.sender.command("/strikes", "", LEAD_USER_ID, "C0INTAKE01")  # the next request
        (told,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == LEAD_USER_ID)
        assert "werkt weer" in told.params["text"] and "geannuleerd" in told.params["text"]
        wait_for_row(bot, "uninstalled_at IS NULL AND erase_after IS NULL")
        slack.wait_for("response_url")  # and the request itself is served

        uninstall(bot, slack)
        bot.stop()
        slack.clear_calls()
        bot.start()  # a start with the valid token
        slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == LEAD_USER_ID)
        wait_for_row(bot, "uninstalled_at IS NULL AND erase_after IS NULL")
        assert "uninstall lifted" in bot.logs()
