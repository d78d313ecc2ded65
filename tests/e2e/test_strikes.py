"""End to end: the three-strike register, from a case's strike button to /strikes for leads."""

from __future__ import annotations

import json
import time
from typing import Iterator

import pytest

from tests.support.bot_process import INTAKE_CHANNEL, LEAD_USER_ID, BotProcess
from tests.support.journeys import ANNA, BERT, Thread, decisions, forward, wait_until_guidance_noted
from tests.support.slack_requests import (
    block_actions,
    plain_text_input_value,
    static_select_value,
    view_submission,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("fresh_calls")]

LEAD = LEAD_USER_ID
HANDLE = "@Burger_Test_42"  # a made-up citizen


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory, bot_database) -> Iterator[BotProcess]:
    with BotProcess({"DATABASE_URL": bot_database}, slack, tmp_path_factory.mktemp("strikes")) as process:
        yield process


def to_conduct(bot, slack) -> Thread:
    thread = forward(bot, slack, "Jullie zijn een bende sukkels op het stadhuis")
    for target in ("own", "negative", "negative.conduct"):
        thread.press("goto", target)
    return thread


def strike_values(handle: str | None = HANDLE, platform: str | None = "instagram",
                  internal: str = "Scheldt het team uit", public: str = "je scheldt andere mensen uit"):
    values = {
        "strike_reason_internal": {"value": plain_text_input_value(internal)},
        "strike_reason_public": {"value": plain_text_input_value(public)},
    }
    if handle is not None:
        values["strike_handle"] = {"value": plain_text_input_value(handle)}
    if platform is not None:
        values["strike_platform"] = {"value": static_select_value(platform)}
    return values


def give_strike(bot, slack, thread: Thread, **values) -> dict:
    """Press the strike button, fill the modal as a person would, return the guidance message."""
    slack.clear_calls()
    button = thread.button("act", "strike")
    bot.sender.interaction(block_actions(ANNA, thread.channel, thread.ts, button["action_id"],
                                         button["value"]))
    (opened,) = slack.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "strike_form"
    status, _, body = bot.sender.interaction(view_submission(
        "strike_form", ANNA, strike_values(**values), view["private_metadata"]))
    assert status == 200 and body in ("", "null") or json.loads(body).get("response_action") != "errors", body
    (guidance,) = slack.wait_for(
        "chat.postMessage", lambda c: "Strike" in json.dumps(c.params.get("blocks")))
    wait_until_guidance_noted(bot.database_url, guidance.response["channel"], guidance.response["ts"])
    return guidance


def command(bot, slack, text: str, user: str = LEAD) -> str:
    slack.clear_calls()
    status, _, _ = bot.sender.command("/strikes", text, user, INTAKE_CHANNEL)
    assert status == 200
    (reply,) = slack.wait_for("response_url")
    return json.dumps(reply.params, ensure_ascii=False)


def test_three_strikes_across_three_cases_lead_to_the_block_step(bot, slack):
    steps = []
    for _ in range(3):
        thread = to_conduct(bot, slack)
        guidance = give_strike(bot, slack, thread)
        text = json.dumps(guidance.params["blocks"], ensure_ascii=False)
        steps.append(text)
        assert guidance.params["thread_ts"] != thread.ts  # in the case's thread, under the post
        assert "https://www.gemeente-zonnedorp.be/huisregels-sociale-media" in text  # copy-ready, with the code
        assert "je scheldt andere mensen uit" in text
    assert "1 actieve strike." in steps[0] and "eerste waarschuwing" in steps[0]
    assert "2 actieve strikes." in steps[1] and "tweede waarschuwing" in steps[1]
    assert "3 actieve strikes." in steps[2] and "blokkeren" in steps[2]
    # the block's warning comes with the guidance, before the team blocks on the platform
    assert "Blokkeer pas als" in steps[2] and "Blokkeer pas als" not in steps[1]
    assert [r["action_id"] for r in decisions(bot)].count("strike") == 3


def test_the_team_confirms_the_measure_once(bot, slack):
    thread = to_conduct(bot, slack)
    guidance = give_strike(bot, slack, thread, handle="@iemand_anders_7")
    (button,) = [e for b in guidance.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    for user in (ANNA, BERT):
        bot.sender.interaction(block_actions(user, INTAKE_CHANNEL, guidance.response["ts"],
                                             button["action_id"], button["value"]))
    (update,) = slack.wait_for("chat.update", lambda c: c.params["ts"] == guidance.response["ts"])
    assert "bevestigd door" in json.dumps(update.params["blocks"], ensure_ascii=False)
    # Both clicks race: whoever comes second hears it was already confirmed.
    slack.wait_for("chat.postEphemeral", lambda c: "al bevestigd" in c.params["text"])
    assert [r["action_id"] for r in decisions(bot)].count("warn") == 1


def test_a_strike_submitted_twice_counts_once(bot, slack):
    thread = to_conduct(bot, slack)
    button = thread.button("act", "strike")
    bot.sender.interaction(block_actions(ANNA, thread.channel, thread.ts, button["action_id"],
                                         button["value"]))
    (opened,) = slack.wait_for("views.open")
    metadata = opened.params["view"]["private_metadata"]
    for _ in range(2):
        bot.sender.interaction(view_submission("strike_form", ANNA,
                                               strike_values(handle="@dubbel_klik"), metadata))
    slack.wait_for("chat.postEphemeral", lambda c: "al een strike" in c.params["text"])
    # The two submissions run side by side: the refusal may come before the first one's guidance.
    slack.wait_for("chat.postMessage", lambda c: "Strike" in json.dumps(c.params.get("blocks")))
    time.sleep(0.3)
    assert len([c for c in slack.calls("chat.postMessage") if "Strike" in json.dumps(c.params.get("blocks"))]) == 1


@pytest.mark.parametrize(
    ("values", "block"),
    [
        ({"handle": ""}, "strike_handle"),
        ({"handle": "x" * 400}, "strike_handle"),
        ({"handle": "geen handle met spaties"}, "strike_handle"),
        ({"handle": "https://www.instagram.com/p/Cxyz/"}, "strike_handle"),
        ({"internal": ""}, "strike_reason_internal"),
    ],
    ids=["empty", "huge", "nonsense", "a post, not a profile", "no reason"],
)
def test_bad_input_in_the_strike_form_is_named_and_changes_nothing(bot, slack, values, block):
    thread = to_conduct(bot, slack)
    before = len(decisions(bot))
    button = thread.button("act", "strike")
    bot.sender.interaction(block_actions(ANNA, thread.channel, thread.ts, button["action_id"],
                                         button["value"]))
    (opened,) = slack.wait_for("views.open")
    status, _, body = bot.sender.interaction(view_submission(
        "strike_form", ANNA, strike_values(**values), opened.params["view"]["private_metadata"]))
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "errors" and block in answer["errors"]
    assert len(decisions(bot)) == before


def test_strikes_overview_history_and_refusal(bot, slack):
    overview = command(bot, slack, "")
    assert "burger_test_42" in overview and "*3 strikes*" in overview
    history = command(bot, slack, "instagram " + HANDLE)
    assert history.count("Actief tot") == 3
    # the measure now, and what another breach would bring (the policy's thresholds)
    assert "*3* actieve strikes" in history and "bij een nieuwe overtreding: blokkeren" in history
    assert "Scheldt het team uit" in history  # the internal reason, for leads
    refused = command(bot, slack, "", user=BERT)
    assert "niet voor jou beschikbaar" in refused and "burger_test" not in refused
    refused_history = command(bot, slack, HANDLE, user=BERT)
    assert "burger_test" not in refused_history


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("myspace @iemand", "Onbekend platform"),
        ("x" * 10_000, "te lang"),
        ("@@@", "geen gebruikersnaam"),
        ("@niemand_bekend", "Niets gevonden"),
    ],
)
def test_bad_lookups_get_a_clear_message(bot, slack, text, expected):
    assert expected in command(bot, slack, text)


def test_revoking_is_logged_and_a_second_revocation_changes_nothing(bot, slack):
    thread = to_conduct(bot, slack)
    give_strike(bot, slack, thread, handle="@te_herroepen")
    history = json.loads(command(bot, slack, "instagram @te_herroepen"))
    revoke = next(e for b in history["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"].startswith("rw_review:revoke"))
    slack.clear_calls()
    bot.sender.interaction(block_actions(LEAD, INTAKE_CHANNEL, "1795999999.000100",
                                         revoke["action_id"], revoke["value"]))
    (opened,) = slack.wait_for("views.open")
    metadata = opened.params["view"]["private_metadata"]
    reason = {"review_reason": {"value": plain_text_input_value("Verkeerde auteur aangeduid")}}
    status, _, body = bot.sender.interaction(view_submission("strike_review_form", LEAD, reason, metadata))
    assert status == 200 and "errors" not in body
    slack.wait_for("chat.postMessage", lambda c: "Ingetrokken" in c.params.get("text", ""))
    status, _, body = bot.sender.interaction(view_submission("strike_review_form", LEAD, reason, metadata))
    assert "al ingetrokken" in json.loads(body)["errors"]["review_reason"]
    assert "Ingetrokken door" in command(bot, slack, "instagram @te_herroepen")
    empty = {"review_reason": {"value": plain_text_input_value("")}}
    status, _, body = bot.sender.interaction(view_submission("strike_review_form", BERT, empty, metadata))
    assert "errors" in json.loads(body)  # a non-lead gets nowhere either


def test_the_export_reaches_only_the_lead(bot, slack):
    reply = command(bot, slack, "export")
    assert "privégesprek" in reply
    (opened,) = slack.wait_for("conversations.open")
    assert opened.params["users"] == LEAD
    (done,) = slack.wait_for("files.completeUploadExternal")
    assert done.params["channel_id"] == opened.response["channel"]["id"]
    assert done.params["channel_id"].startswith("D")
    (upload,) = slack.wait_for("file_upload")
    assert "burger_test_42" in str(upload.params)
    refused = command(bot, slack, "export", user=BERT)
    assert "niet voor jou beschikbaar" in refused
    time.sleep(0.3)
    assert slack.calls("files.completeUploadExternal") == []


def test_leads_are_managed_from_slack(bot, slack):
    assert "niet voor jou" in command(bot, slack, "", user=BERT)
    assert "is nu leidinggevende" in command(bot, slack, f"leads add <@{BERT}|bert>")
    assert "Strikeregister" in command(bot, slack, "", user=BERT)
    assert "geen leidinggevende meer" in command(bot, slack, f"leads remove <@{BERT}|bert>", user=LEAD)
    assert "niet voor jou" in command(bot, slack, "", user=BERT)
    assert "laatste leidinggevende" in command(bot, slack, f"leads remove <@{LEAD}|lead>")


def test_a_lead_exports_and_erases_an_author(bot, slack):
    thread = to_conduct(bot, slack)
    give_strike(bot, slack, thread, handle="@te_wissen_9")
    reply = command(bot, slack, "data instagram @te_wissen_9")
    assert "privégesprek" in reply
    (upload,) = slack.wait_for("file_upload")
    assert "te_wissen_9" in str(upload.params) and "Scheldt het team uit" in str(upload.params)

    confirm = json.loads(command(bot, slack, "wis instagram @te_wissen_9"))  # Dutch for erase
    button = next(e for b in confirm["blocks"] if b["type"] == "actions" for e in b["elements"])
    slack.clear_calls()
    bot.sender.interaction(block_actions(BERT, INTAKE_CHANNEL, "1795999998.000100",
                                         button["action_id"], button["value"]))
    (refused,) = slack.wait_for("response_url")
    assert "niet voor jou" in json.dumps(refused.params, ensure_ascii=False)
    slack.clear_calls()
    bot.sender.interaction(block_actions(LEAD, INTAKE_CHANNEL, "1795999998.000100",
                                         button["action_id"], button["value"]))
    (done,) = slack.wait_for("response_url")
    assert "Gewist: 1 dossier en de redenen bij 1 strike" in json.dumps(done.params, ensure_ascii=False)
    assert "Niets gevonden" in command(bot, slack, "instagram @te_wissen_9")
    assert "platform" in command(bot, slack, "erase @te_wissen_9")
