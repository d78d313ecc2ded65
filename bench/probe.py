"""Slack Web API calls per full case: one case at a time, from the intake message to its decision,
with the emulator counting every call the bot makes while it runs (nothing else is running).

The case is driven the way ``tests.support.journeys.Thread`` drives it: every click is a button the bot
drew, read back from the emulator's copy of the message.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from bench.emulator import BenchEmulator
from tests.support.slack_requests import (
    SlackSender,
    block_actions,
    message_event,
    new_trigger_id,
    new_ts,
    plain_text_input_value,
    static_select_value,
    view_submission,
)

PROBES = {
    # The normal path: where, what tone, which category, a reply, closed.
    "question, answered and closed": (("goto", "own"), ("goto", "neutral"),
                                      ("goto", "neutral.question"), ("act", "reply_public"),
                                      ("close", None)),
    # A violation: to the category, a strike recorded through the modal, the warning confirmed.
    "conduct violation with a strike": (("goto", "own"), ("goto", "negative"),
                                        ("goto", "negative.conduct"), ("strike", None),
                                        ("submit", None), ("confirm", None)),
}


@dataclass
class ProbeResult:
    journey: str
    requests: int  # the intake message and every click or submission after it
    clicks: int  # requests after the intake
    calls: dict[str, int]  # Slack Web API calls by method, intake to decision
    intake_calls: int  # of which the intake message made

    @property
    def total(self) -> int:
        return sum(self.calls.values())


def _settle(emulator: BenchEmulator, quiet: float = 0.3, limit: float = 10.0) -> None:
    """Wait until the bot has made no Slack call for ``quiet`` seconds."""
    deadline = time.monotonic() + limit
    last, since = sum(emulator.count_snapshot().values()), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)
        now = sum(emulator.count_snapshot().values())
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return


def _button(emulator: BenchEmulator, channel: str, ts: str, move: str, target: str | None) -> dict:
    message = emulator.message(channel, ts) or {}
    for block in message.get("blocks") or []:
        if block.get("type") != "actions":
            continue
        for element in block.get("elements") or []:
            if element.get("type") != "button":
                continue
            value = json.loads(element.get("value") or "{}")
            if value.get("m") == move and value.get("t") == target:
                return element
    raise RuntimeError(f"the case message has no {move} {target} button")


def run_probe(emulator: BenchEmulator, sender: SlackSender, channel: str, user: str, journey: str,
              handle: str) -> ProbeResult:
    steps = PROBES[journey]
    _settle(emulator)
    emulator.clear_calls()
    before = emulator.count_snapshot()
    intake_ts = new_ts()
    status, _, _ = sender.event(message_event(channel, user, "Wanneer gaat het zwembad weer open?", intake_ts))
    if status != 200:
        raise RuntimeError(f"intake answered HTTP {status}")
    (post,) = emulator.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == intake_ts, timeout=10)
    tree_ts = post.response["ts"]
    _settle(emulator)
    at_intake = emulator.count_snapshot()
    updates = 0
    guidance = None
    metadata = ""
    for move, target in steps:
        if move == "submit":
            values = {
                "strike_handle": {"value": plain_text_input_value(handle)},
                "strike_platform": {"value": static_select_value("instagram")},
                "strike_reason_internal": {"value": plain_text_input_value("Scheldt het team uit")},
                "strike_reason_public": {"value": plain_text_input_value("je scheldt andere mensen uit")},
            }
            sender.interaction(view_submission("strike_form", user, values, metadata))
            (guidance,) = emulator.wait_for(
                "chat.postMessage",
                lambda c: c.params.get("thread_ts") == intake_ts and "rw_measure:" in json.dumps(c.params.get("blocks")),
                timeout=10)
            updates += 1  # the tree message is redrawn with the strike
            emulator.wait_for("chat.update", lambda c: c.params.get("ts") == tree_ts, count=updates, timeout=10)
            continue
        if move == "confirm":
            (button,) = [e for b in guidance.params["blocks"] if b.get("type") == "actions"
                         for e in b["elements"] if e["action_id"].startswith("rw_measure:")]
            guidance_ts = guidance.response["ts"]
            sender.interaction(block_actions(user, channel, guidance_ts, button["action_id"], button["value"],
                                             container_thread_ts=intake_ts))
            emulator.wait_for("chat.update", lambda c: c.params.get("ts") == guidance_ts, timeout=10)
            continue
        wanted = ("act", "strike") if move == "strike" else (move, target)
        button = _button(emulator, channel, tree_ts, *wanted)
        trigger_id = new_trigger_id()
        sender.interaction(block_actions(user, channel, tree_ts, button["action_id"], button["value"],
                                         trigger_id=trigger_id, container_thread_ts=intake_ts))
        if move == "strike":
            (opened,) = emulator.wait_for("views.open", lambda c: c.params.get("trigger_id") == trigger_id,
                                          timeout=10)
            metadata = opened.params["view"]["private_metadata"]
        else:
            updates += 1
            emulator.wait_for("chat.update", lambda c: c.params.get("ts") == tree_ts, count=updates, timeout=10)
    _settle(emulator)
    after = emulator.count_snapshot()
    return ProbeResult(journey, 1 + len(steps), len(steps), _diff(before, after),
                       intake_calls=sum(_diff(before, at_intake).values()))


def _diff(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {m: after.get(m, 0) - before.get(m, 0) for m in after if after.get(m, 0) != before.get(m, 0)}
