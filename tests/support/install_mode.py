"""Install mode as two (or more) municipalities use it: each workspace's people, its "Add to Slack",
its requests signed for its own team, and the bot process that serves them all. Every id is made up."""

from __future__ import annotations

import http.client
import json
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import sqlalchemy as sa

from tests.support.bot_process import BotProcess
from tests.support.journeys import wait_until_written
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import SlackSender, block_actions, message_event, new_ts

CLIENT_ID = "1111111111.2222222222"  # made up
INSTALL_ENV = {
    "SLACK_BOT_TOKEN": None, "INTAKE_CHANNELS": None, "LEAD_USER_IDS": None,
    "SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": "made-up-client-secret",
    "SCHEDULER": "off",
}
class Team:
    """One municipality's workspace as its people use it."""

    def __init__(self, team_id: str, name: str, channel: str, lead: str, member: str, antenna: str,
                 code: str) -> None:
        self.team_id, self.name, self.channel = team_id, name, channel
        self.lead, self.member, self.antenna, self.code = lead, member, antenna, code
        self.sender: SlackSender | None = None
        self.database_url: str | None = None  # the database of the bot that serves it

    def interaction(self, payload: dict) -> tuple[int, dict, str]:
        payload = json.loads(json.dumps(payload))
        payload["team"]["id"] = self.team_id
        payload["user"]["team_id"] = self.team_id
        if isinstance(payload.get("message"), dict):
            payload["message"]["team"] = self.team_id
        if isinstance(payload.get("view"), dict):
            payload["view"]["team_id"] = payload["view"]["app_installed_team_id"] = self.team_id
        return self.sender.interaction(payload)

    def command(self, slack: SlackEmulator, command: str, text: str, user: str | None = None) -> str:
        slack.clear_calls()
        status, _, _ = self.sender.command(command, text, user or self.lead, self.channel)
        assert status == 200
        (reply,) = slack.wait_for("response_url")
        return json.dumps(reply.params, ensure_ascii=False)


def no_redirect_get(url: str, *, cookie: str | None = None) -> tuple[int, dict[str, str], str]:
    """A GET that does not follow redirects (the browser would go on to slack.com)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return (response.status, {k.lower(): v for k, v in response.getheaders()},
                response.read().decode("utf-8", "replace"))
    finally:
        connection.close()


def install(bot: BotProcess, team: Team) -> tuple[int, str]:
    status, headers, _ = no_redirect_get(f"{bot.base_url}/slack/install")
    assert status == 302, status
    location = urlsplit(headers["location"])
    query = parse_qs(location.query)
    state = query["state"][0]
    cookie = headers["set-cookie"].split(";")[0]
    status, _, page = no_redirect_get(
        f"{bot.base_url}/slack/oauth_redirect?{urlencode({'code': team.code, 'state': state})}",
        cookie=cookie)
    return status, page


def rows(bot: BotProcess, query: str, **params) -> list[tuple]:
    engine = sa.create_engine(bot.database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(query), params)]
    finally:
        engine.dispose()


@contextmanager
def install_mode_bot(slack: SlackEmulator, teams: Iterable[Team], database_url: str, tmp_path: Path,
                     *, members: Iterable[str] = ()) -> Iterator[BotProcess]:
    """The bot in install mode, each team's workspace known to the emulator (installed by whoever
    calls ``install``) with its lead, its member and ``members`` in its channel; each team's sender
    signs requests as coming from its workspace."""
    teams, members = list(teams), list(members)
    for team in teams:
        slack.add_workspace(team.team_id, team.name, code=team.code, installer=team.lead,
                            channel=team.channel)
        slack.set_members(team.channel, [team.lead, team.member, *members])
    with BotProcess({**INSTALL_ENV, "DATABASE_URL": database_url}, slack, tmp_path) as process:
        for team in teams:
            team.sender = SlackSender(process.base_url, process.sender.signing_secret,
                                      emulator=slack, team_id=team.team_id)
            team.database_url = database_url
        yield process


def forward(slack: SlackEmulator, team: Team, text: str) -> tuple[str, dict]:
    """A member forwards a post; returns the post's ts and the bot's thread message call, once
    the bot has noted that message (so no redraw of the new case is still on its way)."""
    ts = new_ts()
    slack.clear_calls()
    event = message_event(team.channel, team.member, text, ts)
    event["team"] = team.team_id
    status, _, _ = team.sender.event(event)
    assert status == 200
    (call,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)
    wait_until_written(team.database_url, 'SELECT 1 FROM "case" WHERE team_id = :t '
                       "AND message_ts = :m AND bot_message_ts IS NOT NULL", "its thread message",
                       t=team.team_id, m=ts)
    return ts, call


def press(slack: SlackEmulator, team: Team, message_ts: str, move: str, target: str | None = None,
          *, user: str | None = None) -> None:
    """Click a button of the case message, and wait for the redraw (or the form)."""
    blocks = slack.message(team.channel, message_ts)["blocks"]
    for element in (e for b in blocks if b["type"] == "actions" for e in b["elements"]):
        value = json.loads(element["value"])
        if value["m"] == move and value.get("t") == target:
            break
    else:
        raise AssertionError(f"no {move} {target} button")
    before = max((json.loads(e["value"]).get("v", -1) for b in blocks if b["type"] == "actions"
                  for e in b["elements"]), default=-1)
    slack.clear_calls()
    status, _, _ = team.interaction(block_actions(user or team.member, team.channel, message_ts,
                                                  element["action_id"], element["value"]))
    assert status == 200

    def redrawn(call) -> bool:  # a form, or this message drawn at a newer version (not a late
        if call.method == "views.open":  # redraw of an earlier click)
            return True
        now = slack.message(team.channel, message_ts)["blocks"]
        return call.method == "chat.update" and max(
            (json.loads(e["value"]).get("v", -1) for b in now if b["type"] == "actions"
             for e in b["elements"]), default=-1) > before

    slack.wait_for(None, redrawn)
