"""A person's journey through the bot as a process: made-up team members, forwarding a post, and a
case's thread whose buttons are clicked exactly as the bot drew them."""

from __future__ import annotations

import itertools
import json
import time

import sqlalchemy as sa

from tests.support.bot_process import INTAKE_CHANNEL, BotProcess
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import block_actions, message_event

ANNA = "U0ANNA0001"  # team members (made up)
BERT = "U0BERT0001"
STAFF = "U0STAF0001"  # a colleague targeted by a comment
OTHER_CHANNEL = "C0OTHER001"
POST = "Jullie zijn allemaal nutteloos, <!channel> kijk hoe slecht <@U0ANNA0001> dit aanpakt!"

_ts = itertools.count(1)


def new_ts() -> str:
    return f"{1795000000 + next(_ts)}.000100"


def decisions(bot: BotProcess) -> list[dict]:
    engine = sa.create_engine(bot.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT * FROM decision ORDER BY id"))
            return [dict(row._mapping) for row in rows]
    finally:
        engine.dispose()


def case_count(bot: BotProcess) -> int:
    engine = sa.create_engine(bot.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text('SELECT COUNT(*) FROM "case"')).scalar_one()
    finally:
        engine.dispose()


class Thread:
    """A case's thread as the team sees it: the bot's message there, and its buttons."""

    def __init__(self, bot: BotProcess, slack: SlackEmulator, channel: str, ts: str) -> None:
        self.bot, self.slack, self.channel, self.ts = bot, slack, channel, ts

    @property
    def blocks(self) -> list[dict]:
        return self.slack.message(self.channel, self.ts)["blocks"]

    def text(self) -> str:
        return json.dumps(self.blocks, ensure_ascii=False)

    def buttons(self) -> list[dict]:
        return [
            element
            for block in self.blocks if block["type"] == "actions"
            for element in block["elements"] if element["type"] == "button"
        ]

    def button(self, move: str, target: str | None = None) -> dict:
        for element in self.buttons():
            value = json.loads(element["value"])
            if value["m"] == move and value.get("t") == target:
                return element
        labels = [(json.loads(e["value"])["m"], json.loads(e["value"]).get("t")) for e in self.buttons()]
        raise AssertionError(f"no {move} {target} button; the message offers {labels}")

    def version(self) -> int:
        values = [json.loads(b["value"]) for b in self.buttons()]
        return max((v["v"] for v in values if "v" in v), default=-1)

    def press(self, move: str, target: str | None = None, *, user: str = ANNA,
              expect_update: bool = True) -> None:
        button = self.button(move, target)
        before = json.loads(button["value"])["v"]
        status, _, _ = self.bot.sender.interaction(
            block_actions(user, self.channel, self.ts, button["action_id"], button["value"])
        )
        assert status == 200
        if expect_update:
            # The message is redrawn at a newer version (it may be redrawn more than once).
            deadline = time.monotonic() + 5
            while self.version() <= before:
                assert time.monotonic() < deadline, f"no redraw after {move} {target}"
                time.sleep(0.02)


def forward(bot: BotProcess, slack: SlackEmulator, text: str = POST, *, files=None) -> Thread:
    ts = new_ts()
    status, _, _ = bot.sender.event(message_event(INTAKE_CHANNEL, ANNA, text, ts, files=files))
    assert status == 200
    (call,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("thread_ts") == ts)
    wait_until_noted(bot, ts)
    return Thread(bot, slack, INTAKE_CHANNEL, call.response["ts"])


def wait_until_noted(bot: BotProcess, message_ts: str, timeout: float = 5.0) -> None:
    """Until the bot has noted its thread message: no person clicks within milliseconds."""
    wait_until_written(bot.database_url, 'SELECT 1 FROM "case" WHERE message_ts = :ts '
                       "AND bot_message_ts IS NOT NULL", "its thread message", ts=message_ts,
                       timeout=timeout)


def wait_until_guidance_noted(database_url: str, channel: str, ts: str) -> None:
    """Until the bot has noted the guidance it posted after a strike: its confirm button redraws
    that message, and no person clicks it within milliseconds."""
    wait_until_written(database_url, "SELECT 1 FROM sent_message WHERE kind = 'guidance' "
                       "AND channel_id = :c AND ts = :ts", "its guidance", c=channel, ts=ts)


def wait_until_written(database_url: str, query: str, what: str, *, timeout: float = 5.0,
                       **params) -> None:
    """Until ``query`` finds a row: the bot has written down ``what`` it just sent to Slack.

    The emulator records a call before the bot has its answer, so a test that acts on a message
    at once can overtake the bot's own next step (noting the message); no person is that quick.
    """
    engine = sa.create_engine(database_url)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            with engine.connect() as connection:
                if connection.execute(sa.text(query), params).first() is not None:
                    return
            time.sleep(0.02)
    finally:
        engine.dispose()
    raise AssertionError(f"the bot never noted {what}")


def cases_and_thread_messages(database_url: str) -> tuple[list[str], list[str]]:
    """The posts that became cases, and those whose thread message was posted (each sorted)."""
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text('SELECT message_ts, bot_message_ts FROM "case"')).all()
    finally:
        engine.dispose()
    return sorted(r[0] for r in rows), sorted(r[0] for r in rows if r[1])


def burst(bot: BotProcess, count: int) -> list[str]:
    """Send ``count`` posts without waiting for their work; the ts of each acknowledged one."""
    acked = []
    for n in range(count):
        ts = new_ts()
        status, _, _ = bot.sender.event(message_event(INTAKE_CHANNEL, ANNA, f"Vraag {n} over het zwembad", ts))
        if status == 200:
            acked.append(ts)
    return acked


def service_id(view: dict, name: str) -> str:
    """The value of service ``name`` in a routing form's service menu."""
    select = next(b for b in view["blocks"] if b.get("block_id") == "route_service")
    return next(o["value"] for o in select["element"]["options"] if o["text"]["text"] == name)
