"""One user-facing refusal, told in one place: a Problem raised anywhere under a listener is told
to the person in their language (in the form they sent, in the thread it names, or beside what
they clicked); anything else, a KeyError or a ValueError included, is a bug and gets the generic
error, never "this button is outdated".

The listeners run under the real ``guarded`` wrapper, with a real Slack client that talks to the
Slack emulator, the real catalogs and the bundled policy; the bodies are Slack's documented
payloads (tests/support/payloads)."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.core.i18n import Translator
from bot.core.problem import Problem, on_field, told_as
from bot.flows.policy import load_policy
from bot.flows.strikes import StrikeProblem, parse_author
from bot.handlers.errors import guarded
from bot.slack.refs import BadPayload, ButtonRef
from bot.usecases.cases import CaseNotFound
from bot.usecases.routing import RoutingProblem

PAYLOADS = Path(__file__).resolve().parent.parent / "support" / "payloads"
TEAM, USER, CHANNEL = "T0TEST0001", "U0ANNA0001", "C0INTAKE01"
TR = Translator("nl")
POLICY = load_policy()


def payload(name: str) -> dict:
    (path,) = PAYLOADS.glob(f"{name}-*.json")
    return copy.deepcopy(json.loads(path.read_text(encoding="utf-8"))["payload"])


@pytest.fixture
def client(slack, fresh_calls) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.url, timeout=5)


def context_for(client: WebClient, *, channel: str | None = CHANNEL,
                response_url: str | None = None) -> BoltContext:
    context = BoltContext({"team_id": TEAM, "user_id": USER, "client": client,
                           "deps": SimpleNamespace(tr=TR, policy=POLICY)})
    if channel:
        context["channel_id"] = channel
    if response_url:
        context["response_url"] = response_url
    return context


def click(listener, client: WebClient, **context_options) -> list:
    """A click on a button (Slack's block_actions sample), acknowledged first as ours are."""
    body = payload("b14")
    body["channel"]["id"] = CHANNEL
    acks: list = []

    def run(ack, body, action, context, client):
        ack()
        listener(action)

    guarded(run)(ack=lambda *a, **k: acks.append((a, k)), body=body, action=body["actions"][0],
                 context=context_for(client, **context_options), client=client)
    return acks


def submit(listener, client: WebClient) -> list:
    """A form sent (Slack's view_submission sample, with two inputs), not yet acknowledged."""
    body = payload("b17")
    view = body["view"]
    view["blocks"] = [{"type": "input", "block_id": "first"}, {"type": "input", "block_id": "second"}]
    acks: list = []

    def run(ack, view, context, client):
        listener()
        ack()

    guarded(run)(ack=lambda *a, **k: acks.append(k), view=view,
                 context=context_for(client, channel=None), client=client)
    return acks


def ephemeral(slack) -> dict:
    (call,) = slack.wait_for("chat.postEphemeral")
    return call.params


# --- the Problem type -------------------------------------------------------------------------


@pytest.mark.parametrize("problem", [
    Problem("refusal.not_here"), StrikeProblem("strikes.error_no_author"),
    RoutingProblem("route.error_done", status="answered"), CaseNotFound(7), BadPayload("garbled"),
])
def test_every_refusal_is_a_problem_with_a_key_and_never_a_value_error(problem):
    assert isinstance(problem, Problem) and not isinstance(problem, (ValueError, LookupError))
    assert TR(problem.key, **problem.values)  # a text exists for it in the catalog


def test_a_payload_that_this_bot_did_not_write_is_an_outdated_button():
    with pytest.raises(BadPayload) as refused:
        ButtonRef.decode('{"c": true, "v": 1, "m": "goto"}')
    assert refused.value.key == "refusal.outdated"


def test_the_field_a_problem_names_wins_over_the_one_around_it():
    with pytest.raises(Problem) as refused:
        with on_field("outer"):
            with on_field(lambda problem: "inner:" + problem.key):
                raise Problem("route.error_empty")
    assert refused.value.block == "inner:route.error_empty"


def test_told_as_replaces_the_text_and_its_values():
    with pytest.raises(Problem) as refused:
        with told_as("refusal.outdated"):
            raise RoutingProblem("route.error_done", status="answered")
    assert (refused.value.key, refused.value.values) == ("refusal.outdated", {})


# --- told in one place --------------------------------------------------------------------------


def test_a_problem_after_a_click_is_told_beside_the_clicked_message(slack, client):
    def listener(action):
        ButtonRef.decode(action["value"])  # Slack's sample value is not one of ours

    click(listener, client)
    told = ephemeral(slack)
    assert (told["channel"], told["user"], told["text"]) == (CHANNEL, USER, TR("refusal.outdated"))


def test_a_problem_naming_a_thread_is_told_there_with_its_values(slack, client):
    def listener(action):
        raise RoutingProblem("route.error_not_your_service", service="burgerzaken").in_thread(
            CHANNEL, "1732440000.000100")

    click(listener, client)
    told = ephemeral(slack)
    assert told["thread_ts"] == "1732440000.000100"
    # The service is named as a sentence names it, from the policy.
    assert told["text"] == TR("route.error_not_your_service", service="de dienst Burgerzaken")


def test_a_problem_in_a_form_is_shown_on_the_field_it_names(slack, client):
    def listener():
        with on_field("second"):
            parse_author("")

    acks = submit(listener, client)
    assert acks == [{"response_action": "errors",
                     "errors": {"second": TR.plain("strikes.error_no_author")}}]
    assert slack.calls("chat.postEphemeral") == [] and slack.calls("chat.postMessage") == []


@pytest.mark.parametrize("bug", [KeyError("trigger_id"), ValueError("invalid literal for int()")])
def test_a_bug_after_a_click_gets_the_generic_error_not_outdated(slack, client, caplog, bug):
    def listener(action):
        raise bug

    with caplog.at_level(logging.ERROR, logger="bot.handlers.errors"):
        click(listener, client)
    told = ephemeral(slack)
    assert told["text"] == TR("error.generic") != TR("refusal.outdated")
    assert any(r.exc_info and r.exc_info[1] is bug for r in caplog.records)  # with its traceback


def test_a_bug_in_a_form_gets_the_generic_error_not_outdated(client):
    def listener():
        {}["private_metadata"]

    acks = submit(listener, client)
    assert acks == [{"response_action": "errors", "errors": {"first": TR("error.generic")}}]


def test_a_refusal_is_logged_with_ids_only(slack, client, caplog):
    def listener(action):
        raise StrikeProblem("strikes.error_bad_handle")

    with caplog.at_level(logging.INFO, logger="bot.handlers.errors"):
        click(listener, client)
    ephemeral(slack)
    (line,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused")]
    assert "strikes.error_bad_handle" in line and TEAM in line and USER in line
    assert not any(r.exc_info for r in caplog.records)  # a refusal is no bug: no traceback
