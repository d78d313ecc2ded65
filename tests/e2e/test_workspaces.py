"""Install mode end to end: two municipalities add the bot with "Add to Slack" to one deployment,
and nothing of one is ever visible or countable from the other. Then one uninstalls.

The emulator hands each workspace its own bot token and refuses a token used on another
workspace's channel, so a call made with the wrong workspace's token fails the test.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from bot.bootstrap import build_deps
from bot.core.clock import utcnow
from bot.directory import directory
from bot.core.config import Settings
from bot.delivery.jobs import run_due_jobs
from tests.support.bot_process import BotProcess
from tests.support.install_mode import (
    CLIENT_ID,
    Team,
    forward,
    install,
    install_mode_bot,
    no_redirect_get,
    press,
    rows,
)
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import (
    message_event,
    new_ts,
    plain_text_input_value,
    static_select_value,
    view_submission,
)

HANDLE = "@Burger_Test_77"  # a made-up citizen who comments in both municipalities

AALST = Team("T0AALST001", "Stad Aalst", "C0AALST001", "U0AALEAD01", "U0AAANNA01", "U0AAANTN01",
             "code-aalst")
BREE = Team("T0BREE0001", "Stad Bree", "C0BREE0001", "U0BRLEAD01", "U0BRBERT01", "U0BRANTN01",
            "code-bree")


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory, bot_database) -> Iterator[BotProcess]:
    with install_mode_bot(slack, (AALST, BREE), bot_database, tmp_path_factory.mktemp("workspaces")) as process:
        yield process


def test_add_to_slack_installs_each_workspace_with_its_channel_and_first_lead(bot, slack):
    status, headers, _ = no_redirect_get(f"{bot.base_url}/slack/install")
    query = parse_qs(urlsplit(headers["location"]).query)
    assert status == 302 and query["client_id"] == [CLIENT_ID]
    assert "incoming-webhook" in query["scope"][0].split(",")

    # A stale or forged state installs nothing.
    status, _, page = no_redirect_get(
        f"{bot.base_url}/slack/oauth_redirect?{urlencode({'code': AALST.code, 'state': 'forged'})}")
    assert status != 200 and "Opnieuw installeren" in page
    assert rows(bot, "SELECT team_id FROM workspace") == []

    for team in (AALST, BREE):
        status, page = install(bot, team)
        assert status == 200, page
        assert "#sociale-media" in page and "eerste leidinggevende" in page
    assert rows(bot, "SELECT team_id, intake_channels, installed_by FROM workspace ORDER BY team_id") == [
        (AALST.team_id, AALST.channel, AALST.lead), (BREE.team_id, BREE.channel, BREE.lead)]
    tokens = dict(rows(bot, "SELECT team_id, bot_token FROM slack_bots"))
    assert tokens == {AALST.team_id: slack.token_of(AALST.team_id),
                      BREE.team_id: slack.token_of(BREE.team_id)}


def test_each_workspace_is_served_with_its_own_token(bot, slack):
    for team in (AALST, BREE):
        _, call = forward(slack, team, "Wanneer wordt het grofvuil opgehaald?")
        assert call.token == slack.token_of(team.team_id)
        assert not call.failed and call.response["ok"], call


def test_a_click_costs_one_slack_call_in_install_mode_too(bot, slack):
    _, call = forward(slack, AALST, "Waar kan ik een parkeerkaart aanvragen?")
    press(slack, AALST, call.response["ts"], "goto", "own")  # team membership is read (and kept)
    press(slack, AALST, call.response["ts"], "goto", "neutral")
    time.sleep(0.2)
    # The workspace's token is looked up in the database; Slack's auth.test is asked once per
    # process and token, not on every request.
    assert [c.method for c in slack.calls()] == ["chat.update"]


def strike_in(slack: SlackEmulator, team: Team) -> None:
    ts, call = forward(slack, team, "Jullie zijn een bende sukkels op het stadhuis")
    message = call.response["ts"]
    for target in ("own", "negative", "negative.conduct"):
        press(slack, team, message, "goto", target)
    press(slack, team, message, "act", "strike")
    (opened,) = slack.wait_for("views.open")
    view = opened.params["view"]
    values = {
        "strike_reason_internal": {"value": plain_text_input_value("Scheldt het team uit")},
        "strike_reason_public": {"value": plain_text_input_value("je scheldt andere mensen uit")},
        "strike_handle": {"value": plain_text_input_value(HANDLE)},
        "strike_platform": {"value": static_select_value("instagram")},
    }
    slack.clear_calls()
    status, _, body = team.interaction(view_submission("strike_form", team.member, values,
                                                       view["private_metadata"]))
    assert status == 200 and "errors" not in body, body
    slack.wait_for("chat.postMessage", lambda c: "Strike" in json.dumps(c.params.get("blocks")))


def test_nothing_of_one_workspace_is_visible_or_countable_from_the_other(bot, slack):
    strike_in(slack, AALST)
    in_aalst = AALST.command(slack, "/strikes", HANDLE)
    assert in_aalst.count("Actief tot") == 1 and "Scheldt het team uit" in in_aalst
    assert "burger_test_77" in AALST.command(slack, "/strikes", "")
    # The same handle in Bree: never seen there.
    in_bree = BREE.command(slack, "/strikes", HANDLE)
    assert "Niets gevonden" in in_bree and "Scheldt het team uit" not in in_bree
    assert "burger_test_77" not in BREE.command(slack, "/strikes", "")

    # Aalst's lead is nobody in Bree.
    refused = BREE.command(slack, "/strikes", "", user=AALST.lead)
    assert "niet voor jou beschikbaar" in refused

    # The export of Bree's register holds nothing of Aalst.
    BREE.command(slack, "/strikes", "export")
    (upload,) = slack.wait_for("file_upload")
    assert "burger_test_77" not in str(upload.params).lower()

    # Services and antennas: each workspace its own.
    AALST.command(slack, "/antenne", f"mobiliteit <@{AALST.antenna}|an>")
    listing = BREE.command(slack, "/antenne", "")
    assert AALST.antenna not in listing
    assert AALST.antenna in AALST.command(slack, "/antenne", "")


def in_process(bot: BotProcess, slack: SlackEmulator):
    settings = Settings.from_env({**bot.env, "SLACK_API_URL": slack.url})
    return directory(build_deps(settings, run_migrations=False))


def route_question(slack: SlackEmulator, team: Team) -> None:
    _, call = forward(slack, team, "Wanneer worden de wegenwerken in de Stationsstraat afgerond?")
    message = call.response["ts"]
    for target in ("own", "neutral", "neutral.question"):
        press(slack, team, message, "goto", target)
    press(slack, team, message, "act", "route")
    (opened,) = slack.wait_for("views.open")
    view = opened.params["view"]
    select = next(b for b in view["blocks"] if b.get("block_id") == "route_service")
    service = next(o["value"] for o in select["element"]["options"] if o["text"]["text"] == "mobiliteit")
    values = {"route_service": {"value": static_select_value(service)},
              "route_question": {"value": plain_text_input_value("Wanneer zijn de werken klaar?")}}
    slack.clear_calls()
    status, _, body = team.interaction(view_submission("route_form", team.member, values,
                                                       view["private_metadata"]))
    assert status == 200 and "errors" not in body, body
    (dm,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == team.antenna)
    assert dm.token == slack.token_of(team.team_id)


def test_reminders_go_out_in_their_own_workspace(bot, slack):
    BREE.command(slack, "/antenne", f"mobiliteit <@{BREE.antenna}|an>")
    route_question(slack, AALST)
    route_question(slack, BREE)
    workspaces = in_process(bot, slack)
    try:
        slack.clear_calls()
        # A weekday at 10:00 in Brussels, well after both questions' reminders are due.
        later = utcnow() + timedelta(days=14)
        while later.weekday() >= 5:
            later += timedelta(days=1)
        later = later.replace(hour=9, minute=0)
        run_due_jobs(workspaces, now=later)
        reminders = [c for c in slack.calls("chat.postMessage")
                     if c.params.get("channel") in (AALST.antenna, BREE.antenna)]
        assert {(c.params["channel"], c.token) for c in reminders} == {
            (AALST.antenna, slack.token_of(AALST.team_id)), (BREE.antenna, slack.token_of(BREE.team_id))}
        assert not [c for c in slack.calls() if c.failed or not (c.response or {}).get("ok", True)]
    finally:
        workspaces.base.engine.dispose()


def test_uninstalling_stops_all_work_and_erases_the_data_after_the_retention_period(bot, slack):
    route_question(slack, BREE)  # a reminder is pending in Bree
    pending = rows(bot, "SELECT COUNT(*) FROM job WHERE team_id = :t AND done_at IS NULL", t=BREE.team_id)
    assert pending[0][0] >= 1
    slack.revoke(BREE.team_id)
    status, _, _ = BREE.sender.event({"type": "app_uninstalled", "event_ts": new_ts()})
    assert status == 200
    deadline = time.monotonic() + 5
    # The uninstall is recorded, then the stored token deleted: wait for both.
    while not rows(bot, "SELECT uninstalled_at FROM workspace WHERE team_id = :t AND uninstalled_at IS NOT NULL",
                   t=BREE.team_id) or rows(bot, "SELECT COUNT(*) FROM slack_bots WHERE team_id = :t",
                                           t=BREE.team_id) != [(0,)]:
        assert time.monotonic() < deadline, "the uninstall was not carried out"
        time.sleep(0.05)
    assert rows(bot, "SELECT COUNT(*) FROM job WHERE team_id = :t AND done_at IS NULL", t=BREE.team_id) == [(0,)]
    assert rows(bot, "SELECT COUNT(*) FROM slack_bots WHERE team_id = :t", t=BREE.team_id) == [(0,)]

    # Bree's people get no answer any more: the bot has no token there.
    slack.clear_calls()
    event = message_event(BREE.channel, BREE.member, "Nog een reactie", new_ts())
    event["team"] = BREE.team_id
    assert BREE.sender.event(event)[0] == 200
    time.sleep(0.5)
    assert slack.calls("chat.postMessage") == []

    (erase_after,) = rows(bot, "SELECT erase_after FROM workspace WHERE team_id = :t", t=BREE.team_id)[0]
    assert erase_after is not None
    bree_cases = rows(bot, 'SELECT COUNT(*) FROM "case" WHERE team_id = :t', t=BREE.team_id)[0][0]
    aalst_cases = rows(bot, 'SELECT COUNT(*) FROM "case" WHERE team_id = :t', t=AALST.team_id)[0][0]
    assert bree_cases > 0 and aalst_cases > 0

    workspaces = in_process(bot, slack)
    try:
        run_due_jobs(workspaces, now=utcnow() + timedelta(days=30))  # within the retention period
        assert rows(bot, 'SELECT COUNT(*) FROM "case" WHERE team_id = :t', t=BREE.team_id) == [(bree_cases,)]
        run_due_jobs(workspaces, now=utcnow() + timedelta(days=31 * 37))  # past any retention period
    finally:
        workspaces.base.engine.dispose()
    for table in ("case", "author", "strike", "service", "lead", "routed_question", "job"):
        assert rows(bot, f'SELECT COUNT(*) FROM "{table}" WHERE team_id = :t', t=BREE.team_id) == [(0,)], table
    assert rows(bot, 'SELECT COUNT(*) FROM "case" WHERE team_id = :t', t=AALST.team_id)[0][0] >= aalst_cases
    assert rows(bot, "SELECT reason FROM erasure WHERE team_id = :t", t=BREE.team_id) == [("workspace",)]
