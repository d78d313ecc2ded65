"""End to end: routing a question to a service's antenna, the answer back in the case thread,
"not for us", and reminders and escalations sent once with a fixed clock."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Iterator

import pytest
import pytz

from bot.bootstrap import build_deps
from bot.deps import Deps
from bot.directory import directory
from bot.core.config import Settings
from bot.delivery.jobs import run_due_jobs
from tests.support.bot_process import INTAKE_CHANNEL, LEAD_USER_ID, BotProcess
from tests.support.journeys import ANNA, Thread, decisions, forward, service_id
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import block_actions, plain_text_input_value, static_select_value, view_submission

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("fresh_calls")]

LEAD = LEAD_USER_ID
ANTENNA = "U0ANTN0001"  # made-up service staff
OTHER_ANTENNA = "U0ANTN0002"
BACKUP = "U0BACK0001"
LEFT = "U0LEFT0001"  # an antenna who left the organisation
QUESTION = "Wanneer worden de wegenwerken in de Stationsstraat afgerond?"
BRUSSELS = pytz.timezone("Europe/Brussels")


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory, bot_database) -> Iterator[BotProcess]:
    with BotProcess({"SCHEDULER": "off", "DATABASE_URL": bot_database}, slack,
                    tmp_path_factory.mktemp("routing")) as process:
        for text in (f"mobiliteit <@{ANTENNA}|an>", f"mobiliteit <@{BACKUP}|bk> backup",
                     f"groendienst <@{OTHER_ANTENNA}|ot>"):
            process.sender.command("/antenne", text, LEAD, "C0INTAKE01")
            slack.wait_for("response_url", lambda c, t=text: True)
            slack.clear_calls()
        yield process


def to_question(bot, slack, text: str = QUESTION) -> Thread:
    thread = forward(bot, slack, text)
    for target in ("own", "neutral", "neutral.question"):
        thread.press("goto", target)
    return thread


def open_route_form(bot, slack, thread: Thread) -> dict:
    slack.clear_calls()
    button = thread.button("act", "route")
    bot.sender.interaction(block_actions(ANNA, thread.channel, thread.ts, button["action_id"], button["value"]))
    (opened,) = slack.wait_for("views.open")
    return opened.params["view"]


def route_to(bot, slack, thread: Thread, name: str = "mobiliteit", question: str = QUESTION):
    view = open_route_form(bot, slack, thread)
    values = {"route_service": {"value": static_select_value(service_id(view, name))},
              "route_question": {"value": plain_text_input_value(question)},
              "route_context": {"value": plain_text_input_value("Burger vraagt het al voor de tweede keer")}}
    status, _, body = bot.sender.interaction(view_submission("route_form", ANNA, values, view["private_metadata"]))
    assert status == 200 and "errors" not in body, body
    return view


def dm_to(slack, user: str):
    (dm,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == user)
    return dm


def press_in_dm(bot, dm, user: str, action_id: str):
    button = next(e for b in dm.params["blocks"] if b["type"] == "actions" for e in b["elements"]
                  if e["action_id"] == action_id)
    bot.sender.interaction(block_actions(user, dm.response["channel"], dm.response["ts"],
                                         action_id, button["value"]))


def test_a_question_reaches_the_antenna_and_the_answer_comes_back(bot, slack):
    thread = to_question(bot, slack)
    route_to(bot, slack, thread)
    dm = dm_to(slack, ANTENNA)
    text = json.dumps(dm.params["blocks"], ensure_ascii=False)
    assert QUESTION in text and "Burger vraagt het al" in text  # all they need, without the channel
    assert "tegen" in text  # the deadline, in their time
    (asked,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") and "vroeg het aan *de dienst Mobiliteit*" in json.dumps(c.params.get("blocks")))
    assert "navraagt" in json.dumps(asked.params["blocks"], ensure_ascii=False)  # the holding reply

    slack.clear_calls()
    press_in_dm(bot, dm, ANTENNA, "rw_q_answer")
    (opened,) = slack.wait_for("views.open")
    answer = "De werken zijn klaar op vrijdag 12 december; de straat gaat dan weer open."
    status, _, body = bot.sender.interaction(view_submission(
        "answer_form", ANTENNA, {"answer_text": {"value": plain_text_input_value(answer)}},
        opened.params["view"]["private_metadata"]))
    assert status == 200 and "errors" not in body
    (posted,) = slack.wait_for("chat.postMessage", lambda c: "heeft geantwoord" in json.dumps(c.params.get("blocks"), ensure_ascii=False))
    shown = json.dumps(posted.params["blocks"], ensure_ascii=False)
    assert answer in shown and f"<@{ANNA}>" in shown and "Voorgestelde reactie" in shown
    # the reply for the citizen names the service as a sentence does, with its article
    assert "bij onze collega's van de dienst Mobiliteit: " + answer in shown.replace("&#39;", "'")
    slack.wait_for("chat.update", lambda c: c.params["ts"] == dm.response["ts"])
    assert [r["action_id"] for r in decisions(bot)][-2:] == ["route", "route_answered"]


def test_bad_answers_are_named_and_lose_nothing(bot, slack):
    thread = to_question(bot, slack, "Mag ik mijn auto parkeren op het marktplein tijdens de kermis?")
    route_to(bot, slack, thread, question="Mag je parkeren op het marktplein tijdens de kermis?")
    dm = dm_to(slack, ANTENNA)
    slack.clear_calls()
    press_in_dm(bot, dm, ANTENNA, "rw_q_answer")
    (opened,) = slack.wait_for("views.open")
    metadata = opened.params["view"]["private_metadata"]
    for bad in ("   ", "x" * 10_000):
        status, _, body = bot.sender.interaction(view_submission(
            "answer_form", ANTENNA, {"answer_text": {"value": plain_text_input_value(bad)}}, metadata))
        assert json.loads(body)["response_action"] == "errors"
    # Someone who is not the service's antenna cannot answer either.
    status, _, body = bot.sender.interaction(view_submission(
        "answer_form", OTHER_ANTENNA, {"answer_text": {"value": plain_text_input_value("Ja hoor")}}, metadata))
    assert "Alleen de antennes van de dienst Mobiliteit" in json.loads(body)["errors"]["answer_text"]
    assert "route_answered" not in [r["action_id"] for r in decisions(bot)][-1:]


def test_not_for_us_passes_the_question_on(bot, slack):
    thread = to_question(bot, slack, "Wie snoeit de bomen langs het fietspad aan de vaart?")
    route_to(bot, slack, thread, question="Wie snoeit de bomen langs het fietspad aan de vaart?")
    dm = dm_to(slack, ANTENNA)
    slack.clear_calls()
    press_in_dm(bot, dm, ANTENNA, "rw_q_reroute")
    (opened,) = slack.wait_for("views.open")
    view = opened.params["view"]
    values = {"route_service": {"value": static_select_value(service_id(view, "groendienst"))},
              "reroute_reason": {"value": plain_text_input_value("bomen zijn voor de groendienst")}}
    status, _, body = bot.sender.interaction(view_submission("reroute_form", ANTENNA, values, view["private_metadata"]))
    assert status == 200 and "errors" not in body
    dm_to(slack, OTHER_ANTENNA)
    slack.wait_for("chat.postMessage", lambda c: "Doorgestuurd naar de groendienst" in c.params.get("text", ""))


def test_a_service_that_no_longer_exists_is_refused(bot, slack):
    thread = to_question(bot, slack, "Waar kan ik een parkeerkaart aanvragen?")
    view = open_route_form(bot, slack, thread)
    values = {"route_service": {"value": static_select_value("99999")},
              "route_question": {"value": plain_text_input_value("Waar vraag je een parkeerkaart aan?")}}
    status, _, body = bot.sender.interaction(view_submission("route_form", ANNA, values, view["private_metadata"]))
    assert "bestaat niet" in json.loads(body)["errors"]["route_service"]


def test_an_antenna_who_left_is_reported_in_the_thread(bot, slack):
    slack.set_user(LEFT, deleted=True)
    bot.sender.command("/antenne", f"cultuur <@{LEFT}|weg>", LEAD, "C0INTAKE01")
    (reply,) = slack.wait_for("response_url")
    assert "Niet meer actief in Slack" in json.dumps(reply.params, ensure_ascii=False)
    thread = to_question(bot, slack, "Is de bibliotheek open op zaterdag?")
    route_to(bot, slack, thread, name="cultuur", question="Is de bibliotheek open op zaterdag?")
    slack.wait_for("chat.postMessage", lambda c: "geen Slackbericht sturen" in json.dumps(c.params.get("blocks"), ensure_ascii=False))


def test_an_earlier_answer_is_offered_for_a_similar_question(bot, slack):
    thread = to_question(bot, slack, "Tegen wanneer zijn de wegenwerken in de Stationsstraat klaar?")
    view = open_route_form(bot, slack, thread)
    assert "gelijkaardige vraag" in json.dumps(view["blocks"], ensure_ascii=False)


def test_antenne_lists_services_and_suggests_the_closest_name(bot, slack):
    bot.sender.command("/antenne", "", ANNA, "C0INTAKE01")
    (listing,) = slack.wait_for("response_url")
    text = json.dumps(listing.params, ensure_ascii=False)
    assert "mobiliteit" in text and f"<@{ANTENNA}>" in text
    slack.clear_calls()
    bot.sender.command("/antenne", "mobilitijt", ANNA, "C0INTAKE01")
    (suggestion,) = slack.wait_for("response_url")
    assert "Bedoel je *mobiliteit*" in json.dumps(suggestion.params, ensure_ascii=False)
    slack.clear_calls()
    bot.sender.command("/antenne", f"mobiliteit <@{ANNA}|anna>", ANNA, "C0INTAKE01")
    (refused,) = slack.wait_for("response_url")
    assert "Alleen leidinggevenden" in json.dumps(refused.params, ensure_ascii=False)


def in_process(bot: BotProcess, slack: SlackEmulator) -> Deps:
    settings = Settings.from_env({**bot.env, "SLACK_API_URL": slack.url})
    return build_deps(settings, run_migrations=False)


def test_a_reminder_and_an_escalation_fire_once_with_a_fixed_clock(bot, slack):
    thread = to_question(bot, slack, "Wanneer wordt de nieuwe parkeerzone ingevoerd?")
    route_to(bot, slack, thread, question="Wanneer wordt de nieuwe parkeerzone ingevoerd?")
    dm_to(slack, ANTENNA)
    deps = in_process(bot, slack)
    workspaces = directory(deps)
    # Far enough ahead that this question's reminder (1 business day) is due, on a weekday at 10:00.
    remind_at = BRUSSELS.localize(datetime(2031, 6, 10, 10, 0)).astimezone(pytz.utc)
    slack.clear_calls()
    results = []
    schedulers = [threading.Thread(target=lambda: results.append(
        run_due_jobs(workspaces, now=remind_at, worker=f"s{i}"))) for i in range(2)]
    for s in schedulers:
        s.start()
    for s in schedulers:
        s.join()
    def about_this(call) -> bool:
        return "nieuwe parkeerzone" in json.dumps(call.params.get("blocks"), ensure_ascii=False)

    reminders = [c for c in slack.calls("chat.postMessage")
                 if c.params.get("channel") == ANTENNA and about_this(c)
                 and "Herinnering" in json.dumps(c.params.get("blocks"), ensure_ascii=False)]
    assert len(reminders) == 1  # two schedulers, one reminder
    parent = slack.message(thread.channel, thread.ts)["thread_ts"]
    escalations = [c for c in slack.calls("chat.postMessage")
                   if c.params.get("thread_ts") == parent and "Nog geen antwoord" in c.params.get("text", "")]
    assert len(escalations) == 1  # twice the target has passed as well
    assert f"<@{BACKUP}>" in escalations[0].params["text"]
    assert any(c.params.get("channel") == BACKUP for c in slack.calls("chat.postMessage"))
    sent = len(slack.calls("chat.postMessage"))
    assert run_due_jobs(workspaces, now=remind_at) == 0  # nothing is sent twice
    assert len(slack.calls("chat.postMessage")) == sent
    night = BRUSSELS.localize(datetime(2031, 6, 10, 23, 0)).astimezone(pytz.utc)
    assert run_due_jobs(workspaces, now=night) == 0
    deps.engine.dispose()


def test_a_lead_sets_a_services_target_and_channel_and_fyis_reach_that_channel(bot, slack):
    bot.sender.command("/antenne", "groendienst termijn 2 1", LEAD, INTAKE_CHANNEL)
    (reply,) = slack.wait_for("response_url")
    assert "vragen 2 u, meldingen 1 u" in json.dumps(reply.params, ensure_ascii=False)
    slack.clear_calls()
    bot.sender.command("/antenne", "groendienst kanaal <#C0GROEN001|groen>", ANNA, INTAKE_CHANNEL)
    assert "Alleen leidinggevenden" in json.dumps(slack.wait_for("response_url")[0].params, ensure_ascii=False)
    slack.clear_calls()
    bot.sender.command("/antenne", "groendienst kanaal <#C0GROEN001|groen>", LEAD, INTAKE_CHANNEL)
    slack.wait_for("response_url")

    thread = forward(bot, slack, "Die bomenkappers in het park zijn allemaal criminelen, pak ze aan!")
    for target in ("own", "negative", "negative.punishable"):
        thread.press("goto", target)
    slack.clear_calls()
    button = thread.button("act", "inform_service")
    bot.sender.interaction(block_actions(ANNA, thread.channel, thread.ts, button["action_id"], button["value"]))
    (opened,) = slack.wait_for("views.open")
    view = opened.params["view"]
    values = {"route_service": {"value": static_select_value(service_id(view, "groendienst"))},
              "route_question": {"value": plain_text_input_value("Ter info: haatdragende reacties over de bomenkap")}}
    status, _, body = bot.sender.interaction(view_submission("route_form", ANNA, values, view["private_metadata"]))
    assert status == 200 and "errors" not in body
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == "C0GROEN001")
    dm_to(slack, OTHER_ANTENNA)
