"""Who may do what: every role tried against every act, through the bot as a real process (the rule
itself: tests/flows/test_permissions.py)."""

from __future__ import annotations

import json
import time
from typing import Iterator

import pytest

from tests.support.bot_process import INTAKE_CHANNEL, LEAD_USER_ID, BotProcess
from tests.support.journeys import ANNA, decisions, forward
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    block_actions,
    global_shortcut,
    message_shortcut,
    plain_text_input_value,
    view_submission,
)

OUTSIDER = "U0OUTS0001"  # in the workspace, not in the team
ANTENNA = "U0ANTN0009"


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        emulator.set_members(INTAKE_CHANNEL, [ANNA])
        yield emulator


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory) -> Iterator[BotProcess]:
    with BotProcess({"SCHEDULER": "off"}, slack, tmp_path_factory.mktemp("permissions")) as process:
        process.sender.command("/antenne", f"mobiliteit <@{ANTENNA}|an>", LEAD_USER_ID, INTAKE_CHANNEL)
        slack.wait_for("response_url")
        yield process


@pytest.fixture(autouse=True)
def fresh_calls(slack) -> None:
    slack.clear_calls()


def refused(slack, *, timeout: float = 5.0) -> bool:
    """The person was told they may not (ephemeral, response_url or a direct message)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in slack.calls():
            if "socialemediateam" in json.dumps(call.params, ensure_ascii=False) and "Sorry" in json.dumps(call.params, ensure_ascii=False):
                return True
            if "niet voor jou beschikbaar" in json.dumps(call.params, ensure_ascii=False):
                return True
            if "Alleen leidinggevenden" in json.dumps(call.params, ensure_ascii=False):
                return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("who", [OUTSIDER, ANTENNA])
def test_only_the_team_and_leads_walk_the_tree(bot, slack, who):
    thread = forward(bot, slack, "Waarom is het zwembad dicht?")
    before = len(decisions(bot))
    slack.clear_calls()
    button = thread.button("goto", "own")
    bot.sender.interaction(block_actions(who, thread.channel, thread.ts, button["action_id"], button["value"]))
    assert refused(slack)
    assert len(decisions(bot)) == before and slack.calls("chat.update") == []
    # A lead who is not in the channel may.
    bot.sender.interaction(block_actions(LEAD_USER_ID, thread.channel, thread.ts, button["action_id"], button["value"]))
    slack.wait_for("chat.update")
    assert len(decisions(bot)) == before + 1


def test_an_outsider_cannot_open_cases(bot, slack):
    source = {"type": "message", "user": OUTSIDER, "ts": "1796000000.000100", "text": "Kijk eens"}
    bot.sender.interaction(message_shortcut("review_message", OUTSIDER, "C0OTHER001", source))
    assert refused(slack)
    slack.clear_calls()
    bot.sender.interaction(global_shortcut("new_case", OUTSIDER))
    assert refused(slack) and slack.calls("views.open") == []
    values = {"form_text": {"value": plain_text_input_value("Een reactie")}}
    status, _, body = bot.sender.interaction(view_submission("new_case_form", OUTSIDER, values))
    assert "Sorry" in json.loads(body)["errors"]["form_text"]
    time.sleep(0.3)
    assert [c for c in slack.calls("chat.postMessage") if c.params.get("channel") == INTAKE_CHANNEL] == []


@pytest.mark.parametrize("text", ["", "export", "leads", "@iemand", f"leads add <@{OUTSIDER}|x>"])
@pytest.mark.parametrize("who", [ANNA, OUTSIDER, ANTENNA])
def test_only_leads_use_strikes(bot, slack, who, text):
    bot.sender.command("/strikes", text, who, INTAKE_CHANNEL)
    assert refused(slack)
    assert slack.calls("files.completeUploadExternal") == []


@pytest.mark.parametrize("who", [ANNA, ANTENNA])
def test_only_leads_set_antennas_but_the_team_and_antennas_see_them(bot, slack, who):
    bot.sender.command("/antenne", f"mobiliteit <@{who}|x>", who, INTAKE_CHANNEL)
    assert refused(slack)
    slack.clear_calls()
    bot.sender.command("/antenne", "", who, INTAKE_CHANNEL)
    (listing,) = slack.wait_for("response_url")
    assert "mobiliteit" in json.dumps(listing.params)


def test_an_outsider_does_not_see_the_services(bot, slack):
    bot.sender.command("/antenne", "", OUTSIDER, INTAKE_CHANNEL)
    assert refused(slack)
