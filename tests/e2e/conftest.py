"""Fixtures of the tests that start the bot as a process (the module-wide ``slack`` emulator and the
databases are in tests/conftest.py)."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.bot_process import INTAKE_CHANNEL
from tests.support.journeys import ANNA, BERT
from tests.support.slack_emulator import SlackEmulator


@pytest.fixture
def own_slack() -> Iterator[SlackEmulator]:
    """An emulator for one test alone, Anna and Bert in the intake channel: for a test that slows
    Slack down, makes it fail, or stops and starts the bot, so that no other test sees it."""
    with SlackEmulator() as emulator:
        emulator.set_members(INTAKE_CHANNEL, [ANNA, BERT])
        yield emulator
