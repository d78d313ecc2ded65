"""End to end: when Slack stays down after the client's retries, the case message is kept in the
outbox and delivered later by the scheduler, drawn as the case is then."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.bootstrap import build_deps
from bot.core.clock import utcnow
from bot.directory import directory
from bot.core.config import Settings
from bot.delivery.jobs import run_due_jobs
from tests.support.bot_process import INTAKE_CHANNEL, BotProcess
from tests.support.journeys import ANNA, BERT, new_ts
from tests.support.slack_requests import message_event

pytestmark = pytest.mark.e2e


def test_a_case_message_slack_refused_is_delivered_later(own_slack, tmp_path):
    with BotProcess({"SCHEDULER": "off"}, own_slack, tmp_path) as bot:
        own_slack.fail_next("chat.postMessage", status=503, times=10)
        ts = new_ts()
        status, _, _ = bot.sender.event(message_event(INTAKE_CHANNEL, ANNA, "Wanneer opent de markt?", ts))
        assert status == 200
        own_slack.wait_for("chat.postMessage", count=3, timeout=15)  # the first try and the client's retries
        deadline = time.monotonic() + 10
        engine = sa.create_engine(bot.database_url)
        try:
            while time.monotonic() < deadline:
                with engine.connect() as connection:
                    kept = connection.execute(sa.text(
                        "SELECT COUNT(*) FROM job WHERE kind = 'deliver_thread' AND done_at IS NULL")).scalar_one()
                if kept:
                    break
                time.sleep(0.1)
            assert kept == 1
        finally:
            engine.dispose()

        own_slack.reset()
        own_slack.set_members(INTAKE_CHANNEL, [ANNA, BERT])
        deps = build_deps(Settings.from_env({**bot.env, "SLACK_API_URL": own_slack.url}), run_migrations=False)
        try:
            later = utcnow() + timedelta(hours=2)
            run_due_jobs(directory(deps), now=later)
            (posted,) = own_slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)
            assert "Waar staat de reactie?" in json.dumps(posted.params["blocks"], ensure_ascii=False)
            assert run_due_jobs(directory(deps), now=later) == 0  # delivered once
        finally:
            deps.engine.dispose()
