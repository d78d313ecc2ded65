"""End to end: a bot started on a policy that still holds example links warns the lead in Slack
and in its log on every start, and still serves; a finished policy warns nobody."""

from __future__ import annotations

import pytest

from tests.support.bot_process import LEAD_USER_ID, BotProcess

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("fresh_calls")]


def _warnings(slack) -> list:
    return [c for c in slack.calls("chat.postMessage")
            if "nog niet klaar" in str(c.params.get("text", ""))]


def test_the_bundled_policy_warns_the_lead_on_every_start(slack, tmp_path):
    with BotProcess({"POLICY_FILE": None}, slack, tmp_path) as bot:
        first = slack.wait_for("chat.postMessage",
                               lambda call: "nog niet klaar" in str(call.params.get("text", "")))
        assert "https://www.example.be/meldpunt" in first[0].params["text"]
        assert [c.params.get("users") for c in slack.calls("conversations.open")] == [LEAD_USER_ID]
        assert "the policy is not ready" in bot.stderr()
        bot.stop()
        bot.start()
        assert len(_warnings(slack)) == 2  # again on the next start


def test_a_finished_policy_warns_nobody(slack, tmp_path):
    with BotProcess({}, slack, tmp_path) as bot:
        assert "the policy is not ready" not in bot.stderr()
    assert _warnings(slack) == []
