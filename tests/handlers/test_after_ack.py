"""The work after an ack: acknowledged in Bolt's thread, done in the after-ack threads."""

from __future__ import annotations

import logging
import threading

from slack_bolt import BoltContext

from bot.handlers.after_ack import after_ack


def run_queued(wrapped, **kwargs) -> list[str]:
    """Call a wrapped listener as Bolt would; returns who acknowledged, from which thread."""
    acks: list[str] = []
    wrapped(ack=lambda *a, **k: acks.append(threading.current_thread().name), **kwargs)
    return acks


def test_the_ack_comes_first_and_the_work_runs_in_an_after_ack_thread():
    done = threading.Event()
    seen: dict[str, object] = {}

    def listener(ack, body, context):
        ack()  # the listener's own ack is already answered: calling it again does nothing
        seen["thread"] = threading.current_thread().name
        seen["body"] = body
        done.set()

    acks = run_queued(after_ack(listener), body={"type": "block_actions"}, context=BoltContext())
    assert acks == [threading.current_thread().name]  # acknowledged at once, exactly once
    assert done.wait(5)
    assert str(seen["thread"]).startswith("after-ack")
    assert seen["body"] == {"type": "block_actions"}


def test_an_event_without_an_ack_is_queued_too():
    done = threading.Event()
    after_ack(lambda event, context: done.set())(event={"type": "message"}, context=BoltContext())
    assert done.wait(5)


def test_what_must_not_wait_runs_in_bolts_thread():
    seen = []

    def listener(ack, action, context):
        ack()
        seen.append(threading.current_thread().name)

    wrapped = after_ack(listener, inline=lambda action, **_: action.get("opens") == "modal")
    acks = run_queued(wrapped, action={"opens": "modal"}, context=BoltContext())
    assert seen == [threading.current_thread().name] and acks == seen


def test_an_error_after_the_ack_is_reported_by_the_error_handler(caplog):
    done = threading.Event()

    class Boom(Exception):
        pass

    def listener(ack, body, context, client):
        ack()
        done.set()
        raise Boom

    context = BoltContext(team_id="T0FAKE", user_id="U0FAKE")
    with caplog.at_level(logging.ERROR, logger="bot.handlers.errors"):
        run_queued(after_ack(listener), body={"type": "block_actions"}, context=context,
                   client=None)
        assert done.wait(5)
        for _ in range(100):
            if any("Boom" in r.getMessage() for r in caplog.records):
                break
            threading.Event().wait(0.02)
    assert any("Boom while handling block_actions" in r.getMessage() for r in caplog.records)
