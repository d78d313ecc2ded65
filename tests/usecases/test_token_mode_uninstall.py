"""Token mode (one workspace, SLACK_BOT_TOKEN): an uninstall does not doom the register. A valid
token for the workspace, at start-up or on the next request served, lifts the uninstall, cancels
the erasure and tells the leads in Slack; a token that does not work lifts nothing. (With the bot as a process:
tests/e2e/test_token_mode_uninstall.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlmodel import select

from bot.deps import Deps, from_settings
from bot.directory import Directory
from bot.core.config import Settings
from bot.core.i18n import Translator
from bot.usecases import workspaces
from storage.db import transaction
from storage.models import Workspace
from tests.support.factories import NOW, POLICY

TEAM = "T0TOKEN001"
SETTINGS = Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-made-up", "SLACK_SIGNING_SECRET": "made-up",
                              "INTAKE_CHANNELS": "C0INTAKE01", "LEAD_USER_IDS": "U0LEAD0001"})


class FakeClient:
    def __init__(self, team: str | None) -> None:
        self.team, self.sent, self.auth_tests = team, [], 0

    def auth_test(self):
        self.auth_tests += 1
        if self.team is None:
            raise SlackApiError("revoked", SlackResponse(
                client=None, http_verb="POST", api_url="auth.test", req_args={},
                data={"ok": False, "error": "token_revoked"}, headers={}, status_code=200))
        return {"ok": True, "team_id": self.team}

    def chat_postMessage(self, **params):  # noqa: N802
        self.sent.append(params)
        return {"ok": True}


def directory(engine, client: FakeClient) -> Directory:
    deps = Deps(settings=SETTINGS, engine=engine, workspace=from_settings(SETTINGS),
                policy=POLICY, tr=Translator("nl"), clock=lambda: NOW + timedelta(days=3))
    return Directory(deps, client=lambda token: client)


def state(engine) -> Workspace:
    with transaction(engine) as session:
        return session.exec(select(Workspace).where(Workspace.team_id == TEAM)).one()


def test_a_valid_token_lifts_the_uninstall_and_tells_the_leads(engine):
    workspaces.uninstalled(engine, team_id=TEAM, retention_months=12, now=NOW)
    client = FakeClient(TEAM)
    found = directory(engine, client)
    assert found.lift_token_mode_uninstall("T0SOMEONE1") is None  # another workspace's request
    assert client.auth_tests == 0
    assert found.lift_token_mode_uninstall(TEAM) == workspaces.ERASURE_CANCELLED
    row = state(engine)
    assert row.uninstalled_at is None and row.erase_after is None
    assert [m["channel"] for m in client.sent] == ["U0LEAD0001"]
    assert "werkt weer" in client.sent[0]["text"]
    # Once lifted, nothing more happens, and no more Slack calls are made for it.
    assert found.lift_token_mode_uninstall(TEAM) is None
    assert found.lift_token_mode_uninstall() is None
    assert client.auth_tests == 1 and len(client.sent) == 1
    # The scheduler's sweep finds nothing to erase, however late.
    assert workspaces.erase_departed(engine, now=NOW + timedelta(days=3650)) == 0


@pytest.mark.parametrize("team", [None, "T0SOMEONE1"])
def test_a_token_that_does_not_work_or_serves_another_workspace_lifts_nothing(engine, team):
    workspaces.uninstalled(engine, team_id=TEAM, retention_months=12, now=NOW)
    client = FakeClient(team)
    assert directory(engine, client).lift_token_mode_uninstall() is None
    assert state(engine).uninstalled_at is not None and client.sent == []


def test_two_processes_starting_at_once_tell_the_leads_once(engine):
    workspaces.uninstalled(engine, team_id=TEAM, retention_months=12, now=NOW)
    assert workspaces.reinstated(engine, team_id=TEAM, now=NOW) == workspaces.ERASURE_CANCELLED
    assert workspaces.reinstated(engine, team_id=TEAM, now=NOW) is None


def test_after_the_erasure_the_workspace_starts_afresh_and_can_be_erased_again(engine):
    workspaces.uninstalled(engine, team_id=TEAM, retention_months=12, now=NOW)
    assert workspaces.erase_departed(engine, now=NOW + timedelta(days=400)) == 1
    client = FakeClient(TEAM)
    assert directory(engine, client).lift_token_mode_uninstall() == workspaces.STARTS_AFRESH
    assert client.sent == []  # nothing was saved: no message that says it was
    workspaces.uninstalled(engine, team_id=TEAM, retention_months=12, now=NOW + timedelta(days=500))
    assert workspaces.erase_departed(engine, now=NOW + timedelta(days=900)) == 1
