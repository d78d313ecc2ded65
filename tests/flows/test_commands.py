"""Reading /antenne's text, and which act a tree button is: pure."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.flows.commands import AntenneCommand, lead_word, parse_antenne, strikes_word
from bot.flows.permissions import Act, act_of_tree_action


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", AntenneCommand("list")),
        ("   ", AntenneCommand("list")),
        ("mobiliteit", AntenneCommand("show", service="mobiliteit")),
        ("afval  en milieu", AntenneCommand("show", service="afval en milieu")),
        ("mobiliteit <@U0ANTN0001|an>", AntenneCommand("people", service="mobiliteit", people=("U0ANTN0001",))),
        ("afval en milieu <@U0ANTN0001|an> <@U0ANTN0002> backup",
         AntenneCommand("people", service="afval en milieu", people=("U0ANTN0001", "U0ANTN0002"), verb="backup")),
        ("mobiliteit <@U0ANTN0001|an> verwijder",
         AntenneCommand("people", service="mobiliteit", people=("U0ANTN0001",), verb="remove")),
        ("mobiliteit remove", AntenneCommand("usage")),
        ("<@U0ANTN0001|an>", AntenneCommand("usage")),
        ("mobiliteit termijn 8 4", AntenneCommand("settings", service="mobiliteit", question_minutes=480, report_minutes=240)),
        ("gelijke kansen target 2", AntenneCommand("settings", service="gelijke kansen", question_minutes=120)),
        ("mobiliteit termijn 0", AntenneCommand("usage")),
        ("jeugd kanaal <#C0JEUGD001|jeugd>", AntenneCommand("settings", service="jeugd", channel="C0JEUGD001")),
        ("x" * 600, AntenneCommand("usage")),
    ],
)
def test_antenne_text(text, expected):
    assert parse_antenne(text) == expected


def test_at_most_ten_people_at_once():
    text = "mobiliteit " + " ".join(f"<@U0PERS{i:04d}>" for i in range(15))
    assert len(parse_antenne(text).people) == 10


@given(st.text(max_size=700))
def test_any_text_reads_as_some_command(text):
    command = parse_antenne(text)
    assert command.kind in ("list", "show", "people", "settings", "usage")
    if command.kind in ("show", "people", "settings"):
        assert command.service.strip()


@pytest.mark.parametrize(
    ("action", "act"),
    [("strike", Act.RECORD_STRIKE), ("route", Act.ROUTE), ("inform_service", Act.ROUTE),
     ("delete", Act.WALK_TREE), (None, Act.WALK_TREE)],
)
def test_the_act_of_a_tree_button(action, act):
    assert act_of_tree_action(action) is act


# --- Dutch command words (the Dutch interface shows them; the English ones stay aliases) -------


@pytest.mark.parametrize(("typed", "meant"), [
    ("exporteer", "export"), ("EXPORT", "export"), ("gegevens", "data"), ("data", "data"),
    ("wis", "erase"), ("erase", "erase"), ("leidinggevenden", "leads"), ("leden", "leads"),
    ("leads", "leads"), ("hulp", "help"), ("help", "help"),
])
def test_strikes_words_in_dutch_and_english(typed, meant):
    assert strikes_word(typed) == meant


def test_an_unknown_strikes_word_is_left_alone_for_the_author_lookup():
    assert strikes_word("instagram") == "instagram"


@pytest.mark.parametrize(("typed", "meant"), [
    ("toevoegen", "add"), ("add", "add"), ("verwijderen", "remove"), ("verwijder", "remove"),
    ("remove", "remove"), ("weg", None),
])
def test_lead_words_in_dutch_and_english(typed, meant):
    assert lead_word(typed) == meant


@pytest.mark.parametrize("word", ["back-up", "backup", "BACK-UP"])
def test_antenne_backup_in_dutch_and_english(word):
    assert parse_antenne(f"mobiliteit <@U0ANTN0001|an> {word}").verb == "backup"
