"""End to end: /oefenen in the person's direct messages, against the bot as a process and the
Slack emulator; and the register never knows (no case, decision, strike or intake message)."""

from __future__ import annotations

import json
import time
from typing import Iterator

import pytest
import sqlalchemy as sa

from bot.flows.policy import load_bank, load_policy
from tests.support.bot_process import INTAKE_CHANNEL, LEAD_USER_ID, BotProcess
from tests.support.journeys import ANNA, BERT
from tests.support.slack_requests import block_actions

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("fresh_calls")]

POLICY = load_policy()
BANK = load_bank(POLICY)
STRANGER = "U0NOBODY01"  # not in the intake channel, not a lead
REGISTER = ("case", "decision", "strike", "author", "routed_question", "job", "sent_message")


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory, bot_database) -> Iterator[BotProcess]:
    with BotProcess({"DATABASE_URL": bot_database}, slack, tmp_path_factory.mktemp("practice")) as process:
        yield process


def rows(bot, table: str) -> int:
    engine = sa.create_engine(bot.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
    finally:
        engine.dispose()


def command(bot, slack, text: str, user: str = ANNA) -> str:
    slack.clear_calls()
    status, _, _ = bot.sender.command("/oefenen", text, user, INTAKE_CHANNEL)
    assert status == 200
    (reply,) = slack.wait_for("response_url")
    return json.dumps(reply.params, ensure_ascii=False)


class Practice:
    """The practice message in the person's direct messages, clicked as the bot drew it."""

    def __init__(self, bot, slack, channel: str, ts: str, user: str = ANNA) -> None:
        self.bot, self.slack, self.channel, self.ts, self.user = bot, slack, channel, ts, user

    @property
    def blocks(self) -> list[dict]:
        return self.slack.message(self.channel, self.ts)["blocks"]

    def text(self) -> str:
        return json.dumps(self.blocks, ensure_ascii=False)

    def item(self):
        quoted = self.blocks[1]["text"]["text"]
        return next(i for i in BANK.items if i.text.split("\n")[0][:40].replace("&", "&amp;")
                    .replace("<", "&lt;").replace(">", "&gt;") in quoted)

    def button(self, move: str, target: str | None = None) -> dict:
        for block in self.blocks:
            for element in block.get("elements", []) if block["type"] == "actions" else []:
                value = json.loads(element["value"])
                if value["m"] == move and value.get("t") == target:
                    return element
        raise AssertionError(f"no {move} {target} button")

    def click(self, move: str, target: str | None = None, *, user: str | None = None) -> None:
        button = self.button(move, target)
        status, _, _ = self.bot.sender.interaction(block_actions(
            user or self.user, self.channel, self.ts, button["action_id"], button["value"],
            message={"blocks": self.blocks}))
        assert status == 200

    def press(self, move: str, target: str | None = None) -> None:
        """A click that redraws this message."""
        before = self.text()
        self.click(move, target)
        deadline = time.monotonic() + 5
        while self.text() == before:
            assert time.monotonic() < deadline, f"no redraw after {move} {target}"
            time.sleep(0.02)

    def answer(self, category: str, steps=()) -> None:
        for node in POLICY.path_to(category)[1:]:
            self.press("goto", node)
        for step in steps:
            self.press("act", step)
        self.press("check")

    def onwards(self, move: str = "next") -> "Practice":
        """Volgende or Stoppen: the answered message loses its buttons, a new message follows."""
        self.slack.clear_calls()
        self.click(move)
        (posted,) = self.slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == self.channel)
        return Practice(self.bot, self.slack, posted.response["channel"], posted.response["ts"], self.user)


def start(bot, slack, size: str = "", user: str = ANNA) -> tuple[str, Practice]:
    reply = command(bot, slack, size, user)
    (posted,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == user)
    return reply, Practice(bot, slack, posted.response["channel"], posted.response["ts"], user)


def wrong(reference: str) -> str:
    return "neutral.sympathy" if not reference.startswith("neutral") else "negative.spam"


def test_a_round_in_the_direct_messages_and_the_register_never_knows(bot, slack):
    reply, first = start(bot, slack, "3")
    assert "privégesprek" in reply and first.channel.startswith("D")
    assert "reactie 1 van 3" in first.text() and "Verzonnen reactie" in first.text()
    assert {b["value"] and json.loads(b["value"])["t"] for b in
            (first.button("goto", "own"), first.button("goto", "external"))} == {"own", "external"}

    item = first.item()
    first.answer(item.reference, item.expected[:1])
    text = first.text()
    label = POLICY.node(item.reference).label.nl
    assert "Juist." in text and label.replace("&", "&amp;") in text
    assert "Waarom?" in text and item.why.nl[:30] in text

    second = first.onwards()
    assert not any(b["type"] == "actions" for b in first.blocks)  # the answered one keeps its feedback
    assert "Juist." in first.text()
    missed = second.item()
    second.answer(wrong(missed.reference))
    text = second.text()
    assert "Niet juist." in text and POLICY.node(missed.reference).label.nl.replace("&", "&amp;") in text

    third = second.onwards()
    assert "reactie 3 van 4" in third.text()  # the wrong one comes back in this round
    third.answer(third.item().reference)
    fourth = third.onwards()
    assert fourth.item().id == missed.id
    done = fourth.onwards("stop")
    assert "Ronde gestopt" in done.text() or "Ronde klaar" in done.text()

    for table in REGISTER:
        assert rows(bot, table) == 0, table
    assert rows(bot, "practice_answer") == 3
    assert not [c for c in slack.calls("chat.postMessage") if c.params.get("channel") == INTAKE_CHANNEL]

    # The next round starts with the comment answered wrongly.
    _, again = start(bot, slack, "2")
    assert again.item().id == missed.id


def test_advice_against_and_a_stale_or_foreign_click(bot, slack):
    _, practice = start(bot, slack, "1")
    practice.press("goto", "own")
    stale = practice.button("goto", "negative")
    practice.press("goto", "negative")
    practice.press("goto", "negative.conduct")
    practice.press("act", "delete")  # before a screenshot
    practice.press("check")
    assert "zonder eerst een screenshot" in practice.text()

    slack.clear_calls()
    bot.sender.interaction(block_actions(ANNA, practice.channel, practice.ts, stale["action_id"],
                                         stale["value"]))
    (told,) = slack.wait_for("chat.postEphemeral")
    assert "vorige stap" in told.params["text"]

    slack.clear_calls()
    practice.click("stop", user=BERT)  # Bert is in the team, but this round is Anna's
    (told,) = slack.wait_for("chat.postEphemeral")
    assert "niet van jou" in told.params["text"]


def test_someone_outside_the_team_gets_the_polite_refusal(bot, slack):
    reply = command(bot, slack, "", user=STRANGER)
    assert "Sorry, dat kan alleen het socialemediateam" in reply
    assert not slack.calls("chat.postMessage")


def test_results_are_for_the_person_and_totals_for_a_lead(bot, slack):
    _, practice = start(bot, slack, "1", user=BERT)
    practice.answer(practice.item().reference)
    mine = command(bot, slack, "resultaten", user=BERT)
    assert "Jouw oefenresultaten" in mine and "1 van 1 juist" in mine
    assert "Het team, per categorie" not in mine

    lead = command(bot, slack, "resultaten", user=LEAD_USER_ID)
    assert "Het team, per categorie" in lead and "Je hebt nog niet geoefend" in lead
    assert ANNA not in lead and BERT not in lead  # totals, never per person
    assert json.loads(lead)["response_type"] == "ephemeral"


def test_a_size_that_is_no_number_gets_the_usage(bot, slack):
    reply = command(bot, slack, "veel")
    assert "/oefenen 5" in reply
    assert not slack.calls("chat.postMessage")


def answers_of(bot, user: str) -> int:
    engine = sa.create_engine(bot.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT COUNT(*) FROM practice_answer WHERE user_id = :u"),
                                      {"u": user}).scalar_one()
    finally:
        engine.dispose()


def test_a_lead_erases_a_colleagues_answers_on_request_and_only_a_lead(bot, slack):
    _, practice = start(bot, slack, "1", user=BERT)
    practice.answer(practice.item().reference)
    assert answers_of(bot, BERT) > 0
    refused = command(bot, slack, f"wis <@{BERT}|bert>", user=ANNA)
    assert "Sorry, dat kan alleen" in refused and answers_of(bot, BERT) > 0
    done = command(bot, slack, f"wis <@{BERT}|bert>", user=LEAD_USER_ID)
    assert "zijn gewist" in done
    assert answers_of(bot, BERT) == 0 and answers_of(bot, ANNA) > 0


def test_a_deactivated_account_takes_its_practice_answers_with_it(bot, slack):
    assert answers_of(bot, ANNA) > 0
    status, _, _ = bot.sender.event({"type": "user_change", "event_ts": "1796300000.000100",
                                     "cache_ts": 1796300000,
                                     "user": {"id": ANNA, "team_id": "T0TEST0001", "deleted": True,
                                              "is_bot": False, "name": "anna"}})
    assert status == 200
    deadline = time.monotonic() + 5
    while answers_of(bot, ANNA) > 0:
        assert time.monotonic() < deadline, "the practice answers stayed"
        time.sleep(0.05)
    engine = sa.create_engine(bot.database_url)
    with engine.connect() as connection:
        rounds = connection.execute(sa.text("SELECT COUNT(*) FROM practice_round WHERE user_id = :u"),
                                    {"u": ANNA}).scalar_one()
    engine.dispose()
    assert rounds == 0
