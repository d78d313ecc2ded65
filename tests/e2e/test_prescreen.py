"""End to end: the bot as a process against the Slack emulator. A forwarded post with a phone
number shows the masked signal with its block_id; the number reaches no log line and no column
but the post's own words; the team's later category is counted as agreement or not."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
import sqlalchemy as sa

from bot.usecases import prescreen
from tests.support.bot_process import INTAKE_CHANNEL, LEAD_USER_ID, BotProcess
from tests.support.journeys import forward

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("fresh_calls")]

TEAM = "T0TEST0001"
NUMBER = "0486 55 12 34"
POST = f"Bel die buurman maar eens op {NUMBER}, hij laat zijn hond altijd los lopen"


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory, bot_database) -> Iterator[BotProcess]:
    with BotProcess({"DATABASE_URL": bot_database}, slack, tmp_path_factory.mktemp("bot")) as process:
        yield process


def _columns_holding(database_url: str, needle: str) -> list[str]:
    """Every table.column where ``needle`` occurs, but the post's own words (case.text)."""
    engine = sa.create_engine(database_url)
    found = []
    try:
        with engine.connect() as connection:
            metadata = sa.MetaData()
            metadata.reflect(connection)
            for table in metadata.sorted_tables:
                for column in table.columns:
                    if table.name == "case" and column.name == "text":
                        continue
                    for (value,) in connection.execute(sa.select(column)):
                        if value is not None and needle in str(value):
                            found.append(f"{table.name}.{column.name}")
    finally:
        engine.dispose()
    return found


def _team_of(bot: BotProcess) -> str:
    engine = sa.create_engine(bot.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text('SELECT team_id FROM "case" ORDER BY id DESC')).scalars().first()
    finally:
        engine.dispose()


def test_a_phone_number_is_pointed_out_masked_and_kept_nowhere(bot, slack):
    thread = forward(bot, slack, POST)
    [block] = [b for b in thread.blocks if b.get("block_id", "").startswith("signals:")]
    assert block["block_id"] == "signals:privacy.phone"
    assert "04xx xx xx 34" in block["text"]["text"]
    assert "Persoonsgegevens van iemand anders" in block["text"]["text"]
    shown = json.dumps(thread.blocks, ensure_ascii=False)
    assert NUMBER not in shown and "55 12" not in shown

    logs = bot.logs()
    assert "pre-screen signals privacy.phone" in logs  # the code is logged, so the log was read
    assert NUMBER not in logs and "551234" not in logs.replace(" ", "")
    for needle in (NUMBER, "55 12 34", "32486551234"):
        assert _columns_holding(bot.database_url, needle) == [], needle


def test_the_teams_later_category_counts_as_agreement_or_not(bot, slack):
    agreeing = forward(bot, slack, f"Mijn buurvrouw haar gsm is {NUMBER}, bel haar maar")
    agreeing.press("goto", "own")
    agreeing.press("goto", "negative")
    agreeing.press("goto", "negative.privacy")
    other = forward(bot, slack, "Mail mij op an.peeters@telenet.be, waar blijft mijn paspoort?")
    other.press("goto", "own")
    other.press("goto", "neutral")
    other.press("goto", "neutral.question")
    assert "signals:privacy.email" in json.dumps(other.blocks)

    team = _team_of(bot)
    engine = sa.create_engine(bot.database_url)
    try:
        found = {a.code: a for a in prescreen.agreement(
            engine, team_id=team, now=datetime.now(timezone.utc) + timedelta(minutes=1))}
    finally:
        engine.dispose()
    assert found["privacy.phone"].agreed >= 1 and found["privacy.phone"].sorted >= 1
    assert found["privacy.email"].sorted >= 1 and found["privacy.email"].agreed == 0
    # Nothing was decided for the team: the only decisions are the clicks above.
    assert all(not s.startswith("signal") for s in _decision_actions(bot))

    # Leads see it under /strikes.
    status, _, _ = bot.sender.command("/strikes", "", LEAD_USER_ID, INTAKE_CHANNEL)
    assert status == 200
    (reply,) = slack.wait_for("response_url")
    overview = json.dumps(reply.params, ensure_ascii=False)
    assert "Wat de bot opviel, de voorbije 90 dagen" in overview
    assert "Telefoonnummer: 1 van de 1 ingedeelde dossiers (100 %)" in overview


def _decision_actions(bot: BotProcess) -> list[str]:
    engine = sa.create_engine(bot.database_url)
    try:
        with engine.connect() as connection:
            return [r or "" for r in connection.execute(sa.text("SELECT action_id FROM decision")).scalars()]
    finally:
        engine.dispose()
