"""The outbox keeps a case message only when Slack's failure is one a later try can overcome, on
real SQLite and PostgreSQL, with errors as a real WebClient raises them against the emulator."""

from __future__ import annotations

import urllib.error
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import select

from bot.usecases import outbox
from storage.db import transaction
from storage.models import Job, JobKind
from tests.support.slack_emulator import SlackEmulator

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
TEAM = "T0TEST0001"


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        yield emulator


def failure(slack: SlackEmulator, **fault) -> Exception:
    """What chat.postMessage raises when Slack answers with ``fault`` (no retries of the client)."""
    slack.fail_next("chat.postMessage", **fault)
    client = WebClient(token="xoxb-made-up", base_url=slack.url)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0INTAKE01", text="Dossier 1")
    return raised.value


@pytest.mark.parametrize("fault", [
    {"status": 429, "retry_after": 1},
    {"status": 503},
    {"status": 500},
    {"error": "ratelimited"},
    {"error": "service_unavailable"},
    {"error": "internal_error"},
])
def test_what_a_later_try_can_overcome_is_transient(slack, fault):
    assert outbox.is_transient(failure(slack, **fault))


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "invalid_blocks",
                                   "msg_too_long", "account_inactive"])
def test_what_the_request_itself_got_wrong_is_not(slack, error):
    assert not outbox.is_transient(failure(slack, error=error))


def test_a_network_that_is_away_is_transient():
    assert outbox.is_transient(urllib.error.URLError("connection refused"))
    assert outbox.is_transient(TimeoutError())
    assert not outbox.is_transient(ValueError("a bug"))


def pending(engine) -> list[Job]:
    with transaction(engine) as session:
        rows = session.exec(select(Job).where(Job.done_at.is_(None)).order_by(Job.id)).all()
        session.expunge_all()
        return list(rows)


def test_a_transient_failure_is_kept_and_backs_off(engine, slack):
    error = failure(slack, status=503)
    for attempt in (1, 2, 3):
        assert outbox.defer_if_transient(engine, error, team_id=TEAM, kind=outbox.POST_THREAD,
                                         case_id=7, now=NOW, attempt=attempt)
    kept = pending(engine)
    assert [(j.kind, j.ref_id, j.attempt) for j in kept] == [(JobKind.DELIVER_THREAD, 7, n) for n in (1, 2, 3)]
    assert [j.due_at - NOW for j in kept] == [timedelta(seconds=s) for s in (30, 60, 120)]


def test_nothing_is_kept_for_a_failure_to_raise(engine, slack):
    assert not outbox.defer_if_transient(engine, failure(slack, error="channel_not_found"),
                                         team_id=TEAM, kind=outbox.REFRESH_THREAD, case_id=7, now=NOW)
    assert not outbox.defer_if_transient(engine, failure(slack, status=503), team_id=TEAM,
                                         kind=outbox.REFRESH_THREAD, case_id=7, now=NOW,
                                         attempt=outbox.MAX_ATTEMPTS + 1)  # a day's worth of tries
    assert pending(engine) == []
