"""Two bot processes on one PostgreSQL database: one click, one decision; a case started on one
continues on the other (and reminders go out once: see e2e/test_routing and usecases/test_routing)."""

from __future__ import annotations

import json
from typing import Iterator

import pytest

from tests.support.bot_process import INTAKE_CHANNEL, BotProcess
from tests.support.journeys import ANNA, BERT, Thread, decisions, forward
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import block_actions

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        emulator.set_members(INTAKE_CHANNEL, [ANNA, BERT])
        yield emulator


def test_two_processes_share_the_work(slack, tmp_path, fresh_postgres_url):
    env = {"DATABASE_URL": fresh_postgres_url, "SCHEDULER": "off", "WEB_CONCURRENCY": "2"}
    with BotProcess(env, slack, tmp_path / "one") as one, BotProcess(env, slack, tmp_path / "two") as two:
        thread = forward(one, slack, "Waarom is de bib zondag dicht?")
        button = thread.button("goto", "own")
        for bot, user in ((one, ANNA), (two, BERT)):  # Slack retried the click at the other one
            bot.sender.interaction(block_actions(user, thread.channel, thread.ts,
                                                 button["action_id"], button["value"]))
        slack.wait_for("chat.update")
        slack.wait_for("chat.postEphemeral")
        assert len(decisions(one)) == 1

        # The case continues on the other process.
        continued = Thread(two, slack, thread.channel, thread.ts)
        continued.press("goto", "neutral", user=BERT)
        assert [r["node_id"] for r in decisions(two)] == ["own", "neutral"]
        assert "Neutraal" in json.dumps(continued.blocks, ensure_ascii=False)
