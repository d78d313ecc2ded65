"""Two bot processes on one PostgreSQL database: one click, one decision; a case started on one
continues on the other (and reminders go out once: see e2e/test_routing and usecases/test_routing)."""

from __future__ import annotations

import json

import pytest

from tests.support.bot_process import BotProcess
from tests.support.journeys import ANNA, BERT, Thread, decisions, forward
from tests.support.slack_requests import block_actions

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


def test_two_processes_share_the_work(own_slack, tmp_path, fresh_postgres_url):
    env = {"DATABASE_URL": fresh_postgres_url, "SCHEDULER": "off", "WEB_CONCURRENCY": "2"}
    with BotProcess(env, own_slack, tmp_path / "one") as one, BotProcess(env, own_slack, tmp_path / "two") as two:
        thread = forward(one, own_slack, "Waarom is de bib zondag dicht?")
        button = thread.button("goto", "own")
        for bot, user in ((one, ANNA), (two, BERT)):  # Slack retried the click at the other one
            bot.sender.interaction(block_actions(user, thread.channel, thread.ts,
                                                 button["action_id"], button["value"]))
        own_slack.wait_for("chat.update")
        own_slack.wait_for("chat.postEphemeral")
        assert len(decisions(one)) == 1

        # The case continues on the other process.
        continued = Thread(two, own_slack, thread.channel, thread.ts)
        continued.press("goto", "neutral", user=BERT)
        assert [r["node_id"] for r in decisions(two)] == ["own", "neutral"]
        assert "Neutraal" in json.dumps(continued.blocks, ensure_ascii=False)
