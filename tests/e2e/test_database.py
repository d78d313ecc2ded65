"""End to end on PostgreSQL: the database goes away and comes back while the bot runs."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa

from tests.support.bot_process import INTAKE_CHANNEL, BotProcess
from tests.support.journeys import ANNA, BERT, forward, new_ts
from tests.support.slack_requests import block_actions, message_event
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def wait_health(bot: BotProcess, expected: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _, _ = bot.sender.get("/healthz")
        if status == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"/healthz never answered {expected}")


def test_the_bot_survives_the_database_going_away(own_slack, tmp_path, fresh_postgres_url):
    url = sa.make_url(fresh_postgres_url)
    proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432)
    through_proxy = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    try:
        with BotProcess({"DATABASE_URL": through_proxy, "SCHEDULER": "off"}, own_slack, tmp_path) as bot:
            thread = forward(bot, own_slack, "Is het recyclagepark open op feestdagen?")
            button = thread.button("goto", "own")
            time.sleep(0.5)  # let the bot note its thread message before the database goes

            proxy.cut()
            wait_health(bot, 503)
            own_slack.clear_calls()
            started = time.monotonic()
            status, _, _ = bot.sender.interaction(
                block_actions(ANNA, thread.channel, thread.ts, button["action_id"], button["value"]))
            assert status == 200 and time.monotonic() - started < 3  # Slack still gets its ack
            # Told in place (through the button's response_url), in the user's language.
            own_slack.wait_for(None, lambda c: "databank" in c.params.get("text", ""), timeout=15)
            status, _, _ = bot.sender.event(message_event(INTAKE_CHANNEL, BERT, "Nog een vraag", new_ts()))
            assert status == 200
            own_slack.wait_for("chat.postEphemeral", lambda c: c.params["user"] == BERT, timeout=15)

            proxy.restore()
            wait_health(bot, 200)
            own_slack.clear_calls()
            thread.press("goto", "own")  # the same button works once the database is back
            assert "Negatief" in json.dumps(thread.blocks, ensure_ascii=False)
            assert "Traceback" not in bot.logs()
    finally:
        proxy.close()
