"""Who may do what, as the rule says it: every act belongs to someone, and the README shows the
table the code holds. (Every role tried against every act through the bot as a real process:
tests/e2e/test_permissions.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.flows.permissions import ALLOWED, Act, Role, allowed, markdown_table

README = Path(__file__).resolve().parent.parent.parent / "README.md"


def test_the_readme_shows_the_table_in_the_code():
    assert markdown_table() in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("act", list(Act))
def test_every_act_belongs_to_someone_and_no_one_else(act):
    assert ALLOWED[act]
    for role in Role:
        assert allowed(act, {role}) == (role in ALLOWED[act])
    assert not allowed(act, set())
