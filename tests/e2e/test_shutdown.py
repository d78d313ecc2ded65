"""End to end in HTTP mode: a stop (SIGTERM, as a deploy or a platform sends it) loses nothing
Slack was told was received. gunicorn's worker finishes its requests, then the work queued after
their acks; what cannot finish within SHUTDOWN_TIMEOUT is left in the outbox, and the next start
delivers it at once. (Socket Mode's stop is tested in tests/e2e/test_socket_mode.py.)"""

from __future__ import annotations

import re
import signal
import time

import pytest
import sqlalchemy as sa

from tests.support.bot_process import BotProcess
from tests.support.journeys import burst, cases_and_thread_messages

pytestmark = pytest.mark.e2e


def test_sigterm_right_after_the_acks_loses_no_post(own_slack, tmp_path):
    bot = BotProcess({"SCHEDULER": "off"}, own_slack, tmp_path).start()
    try:
        own_slack.delay_next("chat.postMessage", 0.5, times=10)  # a slow Slack: work still queued
        acked = burst(bot, 10)
        assert len(acked) == 10
        began = time.monotonic()
        bot.proc.send_signal(signal.SIGTERM)
        assert bot.proc.wait(timeout=35) == 0, bot.logs()
        assert time.monotonic() - began < 25
    finally:
        bot.stop()
    opened, posted = cases_and_thread_messages(bot.database_url)
    assert opened == sorted(acked)
    assert posted == sorted(acked)
    assert "Traceback" not in bot.logs()


def test_what_a_stopping_worker_cannot_finish_is_delivered_at_once_by_the_next_start(own_slack, tmp_path):
    # Slack takes six seconds per message; the stop gives the work two: most posts still wait in
    # the after-ack queue when the worker is told to stop.
    bot = BotProcess({"SHUTDOWN_TIMEOUT": "2", "SCHEDULER": "off"}, own_slack, tmp_path).start()
    try:
        own_slack.delay_next("chat.postMessage", 6, times=12)
        acked = burst(bot, 12)
        bot.proc.send_signal(signal.SIGTERM)
        assert bot.proc.wait(timeout=35) == 0, bot.logs()
    finally:
        bot.stop()
    opened, _ = cases_and_thread_messages(bot.database_url)
    assert opened == sorted(acked)
    assert re.search(r"\d+ case message\(s\) left for the next start", bot.logs()), bot.logs()
    # The posts still queued behind the held-up threads were started at once, so they became cases.
    assert re.search(r"stopping: [1-9]\d* queued task\(s\) started at once", bot.logs()), bot.logs()
    engine = sa.create_engine(bot.database_url)
    try:
        with engine.connect() as connection:
            waiting = connection.execute(sa.text(
                "SELECT COUNT(*) FROM job WHERE kind = 'deliver_thread' AND done_at IS NULL")).scalar_one()
    finally:
        engine.dispose()
    assert waiting >= 8
    own_slack.clear_calls()
    bot.start()  # no scheduler in this process: the outbox must not wait for one
    try:
        deadline = time.monotonic() + 10
        while True:
            with sa.create_engine(bot.database_url).connect() as connection:
                left = connection.execute(sa.text(
                    "SELECT COUNT(*) FROM job WHERE kind = 'deliver_thread' AND done_at IS NULL")).scalar_one()
            if left == 0:
                break
            assert time.monotonic() < deadline, f"{left} deliveries still waiting after the restart"
            time.sleep(0.1)
        _, posted = cases_and_thread_messages(bot.database_url)
        assert posted == sorted(acked)
    finally:
        bot.stop()
