"""End to end: the bot as a real process in HTTP mode, driven by requests signed as Slack signs
them, while the local Web API emulator records every call the bot makes.

Buttons are never made up here: each click sends exactly the action_id and value of a button the
bot drew in its last message, so the tests walk the tree the way a person would.
"""

from __future__ import annotations

import json
import re
import time
from typing import Iterator

import pytest

from tests.support.bot_process import INTAKE_CHANNEL, BotProcess, run_bot_expecting_failure
from tests.support.journeys import (
    ANNA,
    BERT,
    OTHER_CHANNEL,
    STAFF,
    Thread,
    case_count,
    decisions,
    forward,
    new_ts,
)
from tests.support.slack_requests import (
    block_actions,
    file_object,
    global_shortcut,
    message_event,
    message_shortcut,
    plain_text_input_value,
    static_select_value,
    view_submission,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("fresh_calls")]


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory, bot_database) -> Iterator[BotProcess]:
    with BotProcess({"DATABASE_URL": bot_database}, slack, tmp_path_factory.mktemp("bot")) as process:
        yield process


# --- intake -----------------------------------------------------------------------------------


def test_a_forwarded_post_gets_the_first_step_in_its_thread(bot, slack):
    thread = forward(bot, slack, "Wanneer wordt het grofvuil opgehaald? <https://www.facebook.com/gemeente/posts/9|post>")
    targets = {json.loads(b["value"]).get("t") for b in thread.buttons()}
    assert {"own", "external"} <= targets
    assert "Waar staat de reactie?" in thread.text()
    assert "Facebook" in thread.text()  # the platform was guessed from the link


@pytest.mark.parametrize(
    "event",
    [
        message_event(OTHER_CHANNEL, ANNA, "Niet in het intakekanaal", "1795100000.000100"),
        message_event(INTAKE_CHANNEL, None, "Van een integratie", "1795100001.000100",
                      subtype="bot_message", bot_id="B0OTHER001"),
        message_event(INTAKE_CHANNEL, ANNA, "Een antwoord in een draad", "1795100002.000200",
                      thread_ts="1795100002.000100"),
        message_event(INTAKE_CHANNEL, ANNA, "iemand kwam binnen", "1795100003.000100",
                      subtype="channel_join"),
    ],
    ids=["other channel", "bot message", "thread reply", "channel join"],
)
def test_what_is_not_a_forwarded_post_opens_no_case(bot, slack, event):
    before = case_count(bot)
    status, _, _ = bot.sender.event(event)
    assert status == 200
    time.sleep(0.5)
    assert slack.calls("chat.postMessage") == []
    assert case_count(bot) == before


def test_a_retried_event_opens_no_second_case(bot, slack):
    ts = new_ts()
    event = message_event(INTAKE_CHANNEL, ANNA, "Waarom staat de straatverlichting nog aan?", ts)
    bot.sender.event(event, event_id="Ev0RETRY0001")
    slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)
    before = case_count(bot)
    for attempt in (1, 2):
        status, _, _ = bot.sender.event(event, event_id="Ev0RETRY0001", retry_num=attempt)
        assert status == 200
    time.sleep(0.7)
    assert len(slack.calls("chat.postMessage")) == 1
    assert case_count(bot) == before


# --- walking the tree ---------------------------------------------------------------------------


def test_a_full_path_to_a_decision_is_logged_and_shown(bot, slack):
    thread = forward(bot, slack)
    thread.press("goto", "own")
    thread.press("goto", "negative", user=BERT)
    thread.press("goto", "negative.conduct")
    shown = thread.text()
    assert "Openbare reactie" in shown and "Privébericht aan de auteur" in shown  # the policy's titles
    assert "In de u-vorm" in shown  # each with its u-vorm, to mirror a citizen who writes u
    # the reply points at the code of conduct, with the policy's own link filled in
    assert "https://www.gemeente-zonnedorp.be/huisregels-sociale-media" in shown
    thread.press("act", "reply_public", user=BERT)

    rows = [r for r in decisions(bot) if r["user_id"] in (ANNA, BERT)][-4:]
    assert [(r["node_id"], r["action_id"], r["user_id"]) for r in rows] == [
        ("own", None, ANNA),
        ("negative", None, BERT),
        ("negative.conduct", None, ANNA),
        ("negative.conduct", "reply_public", BERT),
    ]
    assert all(r["policy_version"].startswith("2024.1+") for r in rows)
    history = thread.text()
    assert f"<@{BERT}>" in history and f"<@{ANNA}>" in history
    assert f"<@{BERT}> ✓ Openbaar gereageerd" in history  # the action's "done" text, by who
    assert len(slack.calls("chat.update")) == 4  # one Slack call per click


def test_back_and_close(bot, slack):
    thread = forward(bot, slack)
    thread.press("goto", "external")
    thread.press("back")
    assert {"own", "external"} <= {json.loads(b["value"]).get("t") for b in thread.buttons()}
    thread.press("close")
    assert "Dossier gesloten door" in thread.text()
    assert [json.loads(b["value"])["m"] for b in thread.buttons()] == ["reopen"]
    actions = [r["action_id"] for r in decisions(bot)[-3:]]
    assert actions == [None, "back", "close"]


def test_a_double_click_makes_one_decision_and_tells_the_second(bot, slack):
    thread = forward(bot, slack)
    button = thread.button("goto", "own")
    before = len(decisions(bot))
    for user in (ANNA, BERT):
        bot.sender.interaction(
            block_actions(user, thread.channel, thread.ts, button["action_id"], button["value"]))
    # Both clicks race; whoever comes second is told who was first.
    (ephemeral,) = slack.wait_for("chat.postEphemeral")
    assert "Dat is al gebeurd" in ephemeral.params["text"]
    time.sleep(0.3)
    assert len(slack.calls("chat.postEphemeral")) == 1
    assert len(slack.calls("chat.update")) == 1
    new_rows = decisions(bot)[before:]
    assert len(new_rows) == 1 and new_rows[0]["user_id"] != ephemeral.params["user"]


def test_delete_warns_and_asks_for_evidence_before_it_is_done(bot, slack):
    thread = forward(bot, slack)
    for target in ("own", "negative", "negative.privacy"):
        thread.press("goto", target)
    assert "Een actie met ⚠️ klik je *vooraf* aan" in thread.text()
    assert "klik wat je gedaan hebt" not in thread.text()
    before = len(decisions(bot))
    thread.press("act", "delete")  # the intent: nothing is deleted on the platform yet
    assert "Doe nog niets op het platform" in thread.text()
    assert "Verwijderen is definitief" in thread.text()
    assert "Er is nog geen screenshot bewaard" in thread.text()
    moves = {(json.loads(b["value"])["m"], json.loads(b["value"]).get("t")) for b in thread.buttons()}
    assert ("skip", "delete") in moves and ("confirm", "delete") not in moves
    assert "Toch verder zonder screenshot" in thread.text()
    thread.press("skip", "delete")  # deliberately without a screenshot: still not deleted
    assert "Gedaan op het platform" in thread.text()
    moves = {(json.loads(b["value"])["m"], json.loads(b["value"]).get("t")) for b in thread.buttons()}
    assert ("confirm", "delete") in moves and ("skip", "delete") not in moves
    thread.press("confirm", "delete")  # the confirmation: deleted on the platform
    rows = [(r["action_id"], r["note"]) for r in decisions(bot)[before:]]
    assert rows == [("delete", "requested"), ("delete", "waived_evidence"),
                    ("delete", "without_evidence")]
    assert "✓ Verwijderd (bewust zonder screenshot)" in thread.text()


def test_a_screenshot_in_the_thread_is_kept_as_evidence(bot, slack):
    parent_ts = new_ts()
    bot.sender.event(message_event(INTAKE_CHANNEL, ANNA, "Kijk wat hier staat", parent_ts))
    (call,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == parent_ts)
    thread = Thread(bot, slack, INTAKE_CHANNEL, call.response["ts"])
    shot = file_object("F0SHOT0001", name="screenshot.png", user=BERT)
    bot.sender.event(message_event(INTAKE_CHANNEL, BERT, "", new_ts(), thread_ts=parent_ts,
                                   files=[shot]))
    slack.wait_for("chat.update", lambda c: c.params.get("ts") == thread.ts)
    last = decisions(bot)[-1]
    assert (last["action_id"], last["note"], last["user_id"]) == ("evidence", "file:F0SHOT0001", BERT)


def test_a_targeted_colleague_gets_the_support_contacts(bot, slack):
    thread = forward(bot, slack)
    thread.press("goto", "own")
    thread.press("goto", "negative")
    picker = next(b for b in thread.blocks if b.get("accessory", {}).get("type") == "users_select")
    payload = block_actions(BERT, thread.channel, thread.ts, picker["accessory"]["action_id"], None,
                            action_type="users_select", selected_user=STAFF,
                            block_id=picker["block_id"])
    bot.sender.interaction(payload)
    (dm,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == STAFF)
    body = json.dumps(dm.params.get("blocks"), ensure_ascii=False)
    assert "vertrouwenspersoon@gemeente-zonnedorp.be" in body
    assert decisions(bot)[-1]["action_id"] == "staff_support"


def test_a_button_from_an_unknown_version_gets_a_clear_message(bot, slack):
    thread = forward(bot, slack)
    bot.sender.interaction(block_actions(ANNA, thread.channel, thread.ts, "rw:old:1", "v1|42|gone"))
    (ephemeral,) = slack.wait_for("chat.postEphemeral")
    assert "oudere versie" in ephemeral.params["text"]


# --- the other ways in ------------------------------------------------------------------------


def test_the_message_shortcut_opens_the_case_in_the_intake_channel(bot, slack):
    source = {"type": "message", "user": BERT, "ts": "1795200000.000100",
              "text": "Zag dit op Instagram: <https://www.instagram.com/p/Cxyz/|post>"}
    status, _, _ = bot.sender.interaction(
        message_shortcut("review_message", ANNA, OTHER_CHANNEL, source))
    assert status == 200
    slack.wait_for("chat.getPermalink")
    card, tree_message = slack.wait_for("chat.postMessage", count=2)
    assert card.params["channel"] == INTAKE_CHANNEL and "thread_ts" not in card.params
    assert "Instagram" in json.dumps(card.params["blocks"])
    assert tree_message.params["thread_ts"] == card.response["ts"]
    (reply,) = slack.wait_for("response_url")
    assert "C0INTAKE01" in json.dumps(reply.params)


def test_the_form_checks_its_input_and_opens_a_case(bot, slack):
    status, _, _ = bot.sender.interaction(global_shortcut("new_case", ANNA))
    assert status == 200
    (opened,) = slack.wait_for("views.open")
    assert opened.params["view"]["callback_id"] == "new_case_form"

    empty = view_submission("new_case_form", ANNA, {})
    status, _, body = bot.sender.interaction(empty)
    assert status == 200 and json.loads(body)["response_action"] == "errors"
    assert slack.calls("chat.postMessage") == []

    values = {
        "form_platform": {"value": static_select_value("x")},
        "form_author": {"value": plain_text_input_value("@Test_Burger")},
        "form_text": {"value": plain_text_input_value("Wanneer gaat het zwembad weer open?")},
    }
    status, _, _ = bot.sender.interaction(view_submission("new_case_form", ANNA, values))
    assert status == 200
    card, tree_message = slack.wait_for("chat.postMessage", count=2)
    assert "test_burger" in json.dumps(card.params["blocks"])
    assert tree_message.params["thread_ts"] == card.response["ts"]


# --- HTTP and signatures --------------------------------------------------------------------------


def test_url_verification_answers_the_challenge(bot):
    status, _, body = bot.sender.url_verification("made-up-challenge")
    assert status == 200 and "made-up-challenge" in body


def test_a_bad_signature_is_refused(bot, slack):
    status, _, _ = bot.sender.event(message_event(INTAKE_CHANNEL, ANNA, "x", new_ts()),
                                    secret="not-the-secret")
    assert status == 401
    time.sleep(0.3)
    assert slack.calls("chat.postMessage") == []


def test_a_stale_timestamp_is_refused(bot, slack):
    status, _, _ = bot.sender.event(message_event(INTAKE_CHANNEL, ANNA, "x", new_ts()),
                                    timestamp=int(time.time()) - 6 * 60)
    assert status == 401


def test_healthz(bot):
    status, _, body = bot.sender.get("/healthz")
    assert status == 200 and body.strip() == "ok"


def test_logs_never_carry_the_text_of_posts(bot, slack):
    forward(bot, slack, "Geheime zin die nooit in een log mag staan: Zebrapad-Kwartel-42")
    assert "Zebrapad-Kwartel-42" not in bot.logs()


# --- language and start-up ------------------------------------------------------------------------


def test_english(slack, tmp_path):
    with BotProcess({"LANGUAGE": "en"}, slack, tmp_path) as english:
        thread = forward(english, slack, "Great job on the new park!")
        assert "Where was it posted?" in thread.text()
        thread.press("goto", "own")
        assert "← Back" in thread.text()
        # Times read "3 Dec 14:05" in English, never "03/12 14:05" (12 March to many readers).
        assert re.search(r"forwarded by <@\w+> on \d{1,2} [A-Z][a-z]{2} \d\d:\d\d", thread.text())


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SLACK_BOT_TOKEN": None}, "SLACK_BOT_TOKEN"),
        ({"INTAKE_CHANNELS": "#intake"}, "INTAKE_CHANNELS"),
        ({"LANGUAGE": "fr"}, "LANGUAGE"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line(tmp_path, env, named):
    code, _, stderr = run_bot_expecting_failure(env, tmp_path)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "Traceback" not in stderr


def test_a_broken_policy_stops_start_up_with_one_line(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[policy]\nname = "kapot"\n', encoding="utf-8")
    code, _, stderr = run_bot_expecting_failure({"POLICY_FILE": str(policy)}, tmp_path)
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1 and "policy" in stderr


@pytest.mark.parametrize(
    "body",
    [b"{bad", b"\xff\xfe\x00", b"payload=%7Bnot-json", b""],
    ids=["broken json", "not utf-8", "broken form", "empty"],
)
def test_an_unreadable_request_is_refused_without_a_server_error(bot, body):
    for signed in (False, True):
        status, _, _ = bot.sender.raw(body, {"Content-Type": "application/json"}, signed=signed)
        assert 400 <= status < 500
    assert "Traceback" not in bot.logs()


def test_buttons_keep_working_across_a_restart(slack, tmp_path):
    with BotProcess({"SCHEDULER": "off"}, slack, tmp_path) as first:
        thread = forward(first, slack, "Waarom staat er een container op de stoep?")
        thread.press("goto", "own")
        first.stop()
        first.start()  # same database, same port: a deploy between two clicks
        thread.press("goto", "neutral")
        assert [r["node_id"] for r in decisions(first)] == ["own", "neutral"]
