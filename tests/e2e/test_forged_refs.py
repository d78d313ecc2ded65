"""End to end, install mode: a member of one workspace sends correctly signed requests that
carry the other workspace's ids (as a Slack Connect channel makes possible without any secret),
values no Slack client would send, and every form twice.

Every forged ref must be refused with a clear private message, write nothing in either
workspace and show nothing of the other workspace; every form must take effect once.
"""

from __future__ import annotations

import json
import time
from typing import Iterator

import pytest

from tests.support.bot_process import BotProcess
from tests.support.install_mode import Team, forward, install, install_mode_bot, press, rows
from tests.support.journeys import wait_until_guidance_noted
from tests.support.slack_emulator import BOT_USER_ID, SlackEmulator
from tests.support.slack_requests import (
    block_actions,
    plain_text_input_value,
    static_select_value,
    view_submission,
)

pytestmark = [pytest.mark.e2e]

GENT = Team("T0GENT0001", "Stad Gent", "C0GENT0001", "U0GELEAD01", "U0GEMEMB01", "U0GEANTN01",
            "code-gent")
HASSELT = Team("T0HASS0001", "Stad Hasselt", "C0HASS0001", "U0HALEAD01", "U0HAMEMB01",
               "U0HAANTN01", "code-hasselt")
SECRET = "Kempenstraat-7 buurtruzie"  # a made-up citizen's words that only Hasselt may see
HANDLE = "@Verzonnen_Burger_12"
REFUSED = "niet bij deze werkruimte"
TABLES = ("case", "decision", "evidence", "strike", "strike_review", "author_measure",
          "routed_question", "job", "antenna", "service", "author")


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory, bot_database) -> Iterator[BotProcess]:
    with install_mode_bot(slack, (GENT, HASSELT), bot_database, tmp_path_factory.mktemp("forged"),
                          members=[BOT_USER_ID]) as process:
        for team in (GENT, HASSELT):
            status, page = install(process, team)
            assert status == 200, page
            team.command(slack, "/antenne", f"mobiliteit <@{team.antenna}|an>")
        yield process


def counts(bot: BotProcess, team: Team) -> dict[str, object]:
    """Everything a workspace holds, by table, and its cases' versions."""
    found: dict[str, object] = {}
    for table in TABLES:
        if table in ("decision", "evidence"):
            query = (f'SELECT COUNT(*) FROM "{table}" WHERE case_id IN '
                     '(SELECT id FROM "case" WHERE team_id = :t)')
        elif table == "strike_review":
            query = ('SELECT COUNT(*) FROM strike_review WHERE strike_id IN '
                     '(SELECT id FROM strike WHERE team_id = :t)')
        elif table == "author_measure":
            query = ('SELECT COUNT(*) FROM author_measure WHERE author_id IN '
                     '(SELECT id FROM author WHERE team_id = :t)')
        elif table == "antenna":
            query = ('SELECT COUNT(*) FROM antenna WHERE service_id IN '
                     '(SELECT id FROM service WHERE team_id = :t)')
        else:
            query = f'SELECT COUNT(*) FROM "{table}" WHERE team_id = :t'
        found[table] = rows(bot, query, t=team.team_id)[0][0]
    found["versions"] = rows(bot, 'SELECT id, version, node_id, status FROM "case" WHERE team_id = :t '
                                  "ORDER BY id", t=team.team_id)
    found["questions"] = rows(bot, "SELECT id, status, service_id FROM routed_question "
                                   "WHERE team_id = :t ORDER BY id", t=team.team_id)
    return found


def to_node(bot: BotProcess, slack: SlackEmulator, team: Team, text: str,
            *targets: str) -> tuple[str, int]:
    """A new case walked to a node; returns its thread message ts and its id."""
    ts, call = forward(slack, team, text)
    message = call.response["ts"]
    for target in targets:
        press(slack, team, message, "goto", target)
    (case_id,) = rows(bot, 'SELECT id FROM "case" WHERE team_id = :t AND message_ts = :m',
                      t=team.team_id, m=ts)[0]
    return message, case_id


def open_form(slack: SlackEmulator, team: Team, message: str, target: str) -> dict:
    press(slack, team, message, "act", target)
    (opened,) = slack.wait_for("views.open")
    return opened.params["view"]


def strike_values(reason: str = "Scheldt het team uit") -> dict:
    return {"strike_reason_internal": {"value": plain_text_input_value(reason)},
            "strike_reason_public": {"value": plain_text_input_value("je scheldt andere mensen uit")},
            "strike_handle": {"value": plain_text_input_value(HANDLE)},
            "strike_platform": {"value": static_select_value("instagram")}}


def route_values(view: dict, question: str = "Wanneer zijn de werken klaar?") -> dict:
    select = next(b for b in view["blocks"] if b.get("block_id") == "route_service")
    service = next(o["value"] for o in select["element"]["options"] if o["text"]["text"] == "mobiliteit")
    return {"route_service": {"value": static_select_value(service)},
            "route_question": {"value": plain_text_input_value(question)}}


@pytest.fixture(scope="module")
def hasselt(bot, slack) -> dict:
    """Hasselt's rows that Gent's member will point at: a case with a strike and its guidance,
    a question routed to its antenna, its service."""
    message, struck = to_node(bot, slack, HASSELT, f"{SECRET}: jullie zijn sukkels",
                              "own", "negative", "negative.conduct")
    view = open_form(slack, HASSELT, message, "strike")
    slack.clear_calls()
    status, _, body = HASSELT.interaction(view_submission("strike_form", HASSELT.member,
                                                          strike_values(), view["private_metadata"]))
    assert status == 200 and "errors" not in body, body
    (guidance,) = slack.wait_for("chat.postMessage", lambda c: "rw_measure" in json.dumps(c.params.get("blocks")))
    message_q, asked = to_node(bot, slack, HASSELT, f"{SECRET}: wanneer zijn de werken klaar?",
                               "own", "neutral", "neutral.question")
    view = open_form(slack, HASSELT, message_q, "route")
    slack.clear_calls()
    status, _, body = HASSELT.interaction(view_submission("route_form", HASSELT.member,
                                                          route_values(view), view["private_metadata"]))
    assert status == 200 and "errors" not in body, body
    (dm,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == HASSELT.antenna)
    (strike_id,) = rows(bot, "SELECT id FROM strike WHERE team_id = :t", t=HASSELT.team_id)[0]
    (question_id, service_id) = rows(bot, "SELECT id, service_id FROM routed_question WHERE team_id = :t",
                                     t=HASSELT.team_id)[0]
    (version,) = rows(bot, 'SELECT version FROM "case" WHERE id = :c', c=struck)[0]
    return {"case": struck, "version": version, "strike": strike_id, "question": question_id,
            "service": service_id, "guidance": guidance, "dm": dm, "asked": asked}


def refusal_seen(slack: SlackEmulator, user: str) -> None:
    """The person who sent the forged request is told, privately, in their language."""

    def told(call) -> bool:
        text = json.dumps(call.params, ensure_ascii=False)
        private = call.method in ("response_url", "chat.postEphemeral") or (
            call.method == "chat.postMessage" and call.params.get("channel") == user)
        return private and REFUSED in text

    slack.wait_for(None, told, timeout=10)


def test_every_kind_of_forged_ref_is_refused_and_writes_nothing(bot, slack, hasselt):
    message, ours = to_node(bot, slack, GENT, "Wanneer wordt het grofvuil opgehaald?",
                            "own", "neutral", "neutral.question")
    our_view = open_form(slack, GENT, message, "route")
    theirs = {"c": hasselt["case"], "v": hasselt["version"]}
    strike_ref = json.dumps({"s": hasselt["strike"], "k": "first_warning"})
    dm_channel = "D0GEANTN01"
    clicks = {
        "a tree button": (GENT.member, GENT.channel, "rw:goto:x", json.dumps({**theirs, "m": "back"}), {}),
        "a button that opens the strike form": (
            GENT.member, GENT.channel, "rw:act:strike", json.dumps({**theirs, "m": "act", "t": "strike"}), {}),
        "the staff picker": (GENT.member, GENT.channel, "rw_staff", None, {
            "action_type": "users_select", "selected_user": GENT.lead,
            "block_id": f"rw_staff:{hasselt['case']}:{hasselt['version']}"}),
        "a 'warning sent' button": (GENT.member, GENT.channel, "rw_measure:first_warning", strike_ref, {}),
        "a revoke button": (GENT.lead, GENT.channel, "rw_review:revoked",
                            json.dumps({"s": hasselt["strike"], "k": "revoked"}), {}),
        "an appeal button": (GENT.lead, GENT.channel, "rw_review:appeal",
                             json.dumps({"s": hasselt["strike"], "k": "appeal"}), {}),
        "an answer button": (GENT.antenna, dm_channel, "rw_q_answer", str(hasselt["question"]), {}),
        "a 'not for us' button": (GENT.antenna, dm_channel, "rw_q_reroute", str(hasselt["question"]), {}),
        "a 'busy' button": (GENT.antenna, dm_channel, "rw_q_ack", str(hasselt["question"]), {}),
    }
    forms = {
        "the strike form": ("strike_form", GENT.member, strike_values(),
                            f"{hasselt['case']}:{hasselt['version']}"),
        "the route form of their case": ("route_form", GENT.member, route_values(our_view),
                                         json.dumps({**theirs, "m": "ask"})),
        "the route form with their service": (
            "route_form", GENT.member,
            {"route_service": {"value": static_select_value(str(hasselt["service"]))},
             "route_question": {"value": plain_text_input_value("Wanneer?")}},
            our_view["private_metadata"]),
        "the revoke form": ("strike_review_form", GENT.lead,
                            {"review_reason": {"value": plain_text_input_value("Vergissing")}},
                            json.dumps({"s": hasselt["strike"], "k": "revoked"})),
        "the answer form": ("answer_form", GENT.antenna,
                            {"answer_text": {"value": plain_text_input_value("Vrijdag")}},
                            str(hasselt["question"])),
        "the answer form as it was sent before": (
            "answer_form", GENT.antenna, {"answer_text": {"value": plain_text_input_value("Vrijdag")}},
            f"{hasselt['question']}:{hasselt['dm'].response['channel']}:{hasselt['dm'].response['ts']}"),
        "the reroute form": ("reroute_form", GENT.antenna,
                             {"route_service": {"value": static_select_value(str(hasselt["service"]))},
                              "reroute_reason": {"value": plain_text_input_value("Niet voor ons")}},
                             str(hasselt["question"])),
    }
    before = {team.team_id: counts(bot, team) for team in (GENT, HASSELT)}
    for name, (user, channel, action_id, value, extra) in clicks.items():
        slack.clear_calls()
        status, _, _ = GENT.interaction(block_actions(user, channel, "1700000000.000100", action_id,
                                                      value, **extra))
        assert status == 200, name
        refusal_seen(slack, user)
        time.sleep(0.1)
        assert not slack.calls("views.open"), name
        assert {team.team_id: counts(bot, team) for team in (GENT, HASSELT)} == before, name
        leaked(slack, name)
    for name, (callback, user, values, metadata) in forms.items():
        for blocks in (None, our_view["blocks"]):  # shown in the form when it has inputs
            slack.clear_calls()
            status, _, body = GENT.interaction(view_submission(callback, user, values, metadata,
                                                               blocks=blocks))
            assert status == 200, name
            if blocks and callback == "route_form":  # refused before the form is closed
                assert REFUSED in json.loads(body)["errors"]["route_service"], (name, body)
            elif not (body and REFUSED in body):
                refusal_seen(slack, user)
        time.sleep(0.1)
        assert {team.team_id: counts(bot, team) for team in (GENT, HASSELT)} == before, name
        leaked(slack, name)
    # Hasselt's own people still reach their rows.
    assert "Scheldt het team uit" in HASSELT.command(slack, "/strikes", HANDLE)


def leaked(slack: SlackEmulator, name: str) -> None:
    """Nothing sent in Gent carries Hasselt's citizen's words; nothing was sent with Hasselt's token."""
    for call in slack.calls():
        assert SECRET not in json.dumps(call.params, ensure_ascii=False), (name, call)
        assert call.token != slack.token_of(HASSELT.team_id), (name, call)


def test_names_and_handles_are_looked_up_in_the_requests_workspace_only(bot, slack, hasselt):
    before = counts(bot, HASSELT)
    # Erasing "the same" author from Gent erases nothing in Hasselt.
    slack.clear_calls()
    GENT.interaction(block_actions(GENT.lead, GENT.channel, "1700000000.000200", "rw_erase",
                                   json.dumps({"p": "instagram", "h": "verzonnen_burger_12"})))
    (reply,) = slack.wait_for("response_url")
    assert "niets" in json.dumps(reply.params, ensure_ascii=False).lower()
    assert counts(bot, HASSELT) == before
    # /antenne mobiliteit in Gent shows Gent's service, never Hasselt's antenna.
    shown = GENT.command(slack, "/antenne", "mobiliteit")
    assert GENT.antenna in shown and HASSELT.antenna not in shown
    leaked(slack, "names")


# --- values no Slack client sends ---------------------------------------------------------------


def test_the_staff_picker_takes_only_a_real_colleague(bot, slack):
    message, case_id = to_node(bot, slack, GENT, "Jij bent een schande, Anna", "own", "negative")
    blocks = slack.message(GENT.channel, message)["blocks"]
    (picker,) = [e for b in blocks if b["type"] == "actions" for e in b["elements"]
                 if e["type"] == "users_select"] or [None]
    block_id = next(b["block_id"] for b in blocks if b.get("block_id", "").startswith("rw_staff:"))
    slack.remove_user("U0GONE0001")
    slack.set_user("U0DEAC0001", deleted=True)
    before = counts(bot, GENT)
    for forged in (f"{GENT.channel}> <!channel> <https://evil.example|het reglement>",
                   "C0GENT0001", "<!here>", "u0lower001", BOT_USER_ID, "USLACKBOT",
                   "U0GONE0001", "U0DEAC0001", "U" + "A" * 40 + "!"):
        slack.clear_calls()
        GENT.interaction(block_actions(GENT.member, GENT.channel, message, "rw_staff", None,
                                       action_type="users_select", selected_user=forged,
                                       block_id=block_id))
        slack.wait_for(None, lambda c: "collega uit deze werkruimte" in json.dumps(c.params, ensure_ascii=False))
        time.sleep(0.1)
        assert counts(bot, GENT) == before, forged
        assert not [c for c in slack.calls() if c.method in ("chat.postMessage", "chat.update")], forged
    # A real colleague is taken, and gets the support message.
    slack.clear_calls()
    GENT.interaction(block_actions(GENT.member, GENT.channel, message, "rw_staff", None,
                                   action_type="users_select", selected_user=GENT.lead,
                                   block_id=block_id))
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == GENT.lead)
    assert counts(bot, GENT)["decision"] > before["decision"]
    assert picker is None or picker["type"] == "users_select"


def test_warning_sent_redraws_the_guidance_from_the_database(bot, slack):
    message, _ = to_node(bot, slack, GENT, "Stelletje nietsnutten", "own", "negative", "negative.conduct")
    view = open_form(slack, GENT, message, "strike")
    slack.clear_calls()
    GENT.interaction(view_submission("strike_form", GENT.member, strike_values(), view["private_metadata"]))
    (guidance,) = slack.wait_for("chat.postMessage", lambda c: "rw_measure" in json.dumps(c.params.get("blocks")))
    wait_until_guidance_noted(bot.database_url, guidance.response["channel"], guidance.response["ts"])
    button = next(e for b in guidance.params["blocks"] if b["type"] == "actions" for e in b["elements"])
    forged_blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "<!channel> FORGED"}}]
    slack.clear_calls()
    # The click claims another message (the case's own) and carries blocks of its own.
    GENT.interaction(block_actions(GENT.member, GENT.channel, message, button["action_id"],
                                   button["value"], container_thread_ts=guidance.params["thread_ts"],
                                   message={"blocks": forged_blocks, "text": "<!channel> FORGED"}))
    (update,) = slack.wait_for("chat.update", lambda c: c.params["ts"] == guidance.response["ts"])
    assert update.params["channel"] == GENT.channel
    drawn = json.dumps(update.params, ensure_ascii=False)
    assert "Scheldt" not in drawn and "bevestigd" in drawn.lower()
    assert "rw_measure" not in drawn  # confirmed: the button is gone
    time.sleep(0.2)
    for call in slack.calls("chat.update"):  # nothing the click carried is written anywhere
        drawn = json.dumps(call.params, ensure_ascii=False)
        assert "FORGED" not in drawn and "<!channel>" not in drawn
    # A forged kind (block instead of a first warning) is refused and records nothing.
    measures = counts(bot, GENT)["author_measure"]
    value = json.loads(button["value"])
    slack.clear_calls()
    GENT.interaction(block_actions(GENT.member, GENT.channel, guidance.response["ts"], "rw_measure:block",
                                   json.dumps({**value, "k": "block"})))
    slack.wait_for("chat.postEphemeral")
    assert counts(bot, GENT)["author_measure"] == measures and not slack.calls("chat.update")


# --- every form twice ----------------------------------------------------------------------------


def twice(team: Team, payload: dict) -> list[tuple[int, dict, str]]:
    return [team.interaction(payload) for _ in range(2)]


def test_the_new_case_form_sent_twice_opens_one_case(bot, slack):
    before = counts(bot, GENT)["case"]
    values = {"form_text": {"value": plain_text_input_value("Waarom staat de fontein droog?")},
              "form_channel": {"value": static_select_value(GENT.channel)}}
    slack.clear_calls()
    for status, _, body in twice(GENT, view_submission("new_case_form", GENT.member, values,
                                                       view_id="V0GENTFORM1")):
        assert status == 200 and "errors" not in body
    slack.wait_for("chat.postEphemeral", lambda c: "al verstuurd" in c.params.get("text", ""))
    time.sleep(0.3)
    assert counts(bot, GENT)["case"] == before + 1
    assert len([c for c in slack.calls("chat.postMessage") if c.params.get("thread_ts") is None]) == 1


def test_the_route_form_sent_twice_or_by_two_people_asks_once(bot, slack):
    message, case_id = to_node(bot, slack, GENT, "Wanneer is het zwembad weer open?", "own", "neutral",
                               "neutral.question")
    view = open_form(slack, GENT, message, "route")
    before = counts(bot, GENT)
    slack.clear_calls()
    payload = view_submission("route_form", GENT.member, route_values(view), view["private_metadata"])
    for status, _, body in twice(GENT, payload):
        assert status == 200 and "errors" not in body, body
    # A colleague who had the same form open sends it too.
    status, _, body = GENT.interaction(view_submission("route_form", GENT.lead, route_values(view),
                                                       view["private_metadata"]))
    assert status == 200 and "errors" not in body
    told = slack.wait_for("chat.postEphemeral", lambda c: "al doorgestuurd" in c.params.get("text", ""),
                          count=2)
    assert {c.params["user"] for c in told} == {GENT.member, GENT.lead}
    time.sleep(0.3)
    after = counts(bot, GENT)
    assert after["routed_question"] == before["routed_question"] + 1
    assert after["job"] == before["job"] + 2  # one reminder, one escalation
    assert len([c for c in slack.calls("chat.postMessage") if c.params.get("channel") == GENT.antenna]) == 1


def test_the_antennas_forms_and_the_strike_forms_sent_twice_act_once(bot, slack):
    message, _ = to_node(bot, slack, GENT, "Wanneer wordt de Veldstraat heraangelegd?", "own", "neutral",
                         "neutral.question")
    view = open_form(slack, GENT, message, "route")
    slack.clear_calls()
    GENT.interaction(view_submission("route_form", GENT.member, route_values(view), view["private_metadata"]))
    (dm,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == GENT.antenna)
    slack.wait_for("chat.update")  # the route is done: the case message is redrawn last
    (question_id,) = rows(bot, "SELECT MAX(id) FROM routed_question WHERE team_id = :t", t=GENT.team_id)[0]
    # The answer form, twice: one answer, one post in the thread.
    slack.clear_calls()
    payload = view_submission("answer_form", GENT.antenna,
                              {"answer_text": {"value": plain_text_input_value("In het voorjaar.")}},
                              str(question_id))
    first, second = twice(GENT, payload)
    assert first[0] == 200 and "errors" not in first[2]
    assert "al afgehandeld" in second[2]
    slack.wait_for("chat.update", lambda c: c.params["ts"] == dm.response["ts"])
    time.sleep(0.3)
    assert len([c for c in slack.calls("chat.postMessage") if c.params.get("thread_ts")]) == 1
    assert rows(bot, "SELECT status FROM routed_question WHERE id = :q", q=question_id) == [("answered",)]

    # The strike form, twice: one strike.
    message, _ = to_node(bot, slack, GENT, "Jullie zijn een bende oplichters", "own", "negative",
                         "negative.conduct")
    strikes_before = counts(bot, GENT)["strike"]
    view = open_form(slack, GENT, message, "strike")
    slack.clear_calls()
    twice(GENT, view_submission("strike_form", GENT.member, strike_values(), view["private_metadata"]))
    slack.wait_for("chat.postEphemeral", lambda c: "al een strike" in c.params.get("text", ""))
    assert counts(bot, GENT)["strike"] == strikes_before + 1
    (strike_id,) = rows(bot, "SELECT MAX(id) FROM strike WHERE team_id = :t", t=GENT.team_id)[0]
    # The revoke form, twice: one revocation.
    slack.clear_calls()
    first, second = twice(GENT, view_submission(
        "strike_review_form", GENT.lead, {"review_reason": {"value": plain_text_input_value("Vergissing")}},
        json.dumps({"s": strike_id, "k": "revoked"})))
    assert "errors" not in first[2] and "errors" in second[2]
    assert rows(bot, "SELECT COUNT(*) FROM strike_review WHERE strike_id = :s", s=strike_id) == [(1,)]


def test_the_reroute_form_sent_twice_passes_the_question_on_once(bot, slack):
    GENT.command(slack, "/antenne", f"groendienst <@{GENT.lead}|ld>")
    message, _ = to_node(bot, slack, GENT, "Wie snoeit de bomen in het park?", "own", "neutral",
                         "neutral.question")
    view = open_form(slack, GENT, message, "route")
    slack.clear_calls()
    GENT.interaction(view_submission("route_form", GENT.member, route_values(view), view["private_metadata"]))
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == GENT.antenna)
    (question_id,) = rows(bot, "SELECT MAX(id) FROM routed_question WHERE team_id = :t", t=GENT.team_id)[0]
    (green,) = rows(bot, "SELECT id FROM service WHERE team_id = :t AND name = 'groendienst'",
                    t=GENT.team_id)[0]
    before = counts(bot, GENT)["routed_question"]
    slack.clear_calls()
    first, second = twice(GENT, view_submission(
        "reroute_form", GENT.antenna,
        {"route_service": {"value": static_select_value(str(green))},
         "reroute_reason": {"value": plain_text_input_value("Dat doet de groendienst")}},
        str(question_id)))
    assert "errors" not in first[2] and "al afgehandeld" in second[2]
    time.sleep(0.3)
    assert counts(bot, GENT)["routed_question"] == before + 1
    assert len([c for c in slack.calls("chat.postMessage") if c.params.get("channel") == GENT.lead]) == 1


def test_a_bot_or_an_unknown_id_cannot_be_made_a_lead(bot, slack):
    leads = rows(bot, "SELECT COUNT(*) FROM lead WHERE team_id = :t", t=GENT.team_id)
    slack.remove_user("U0NOBODY01")
    for forged in (BOT_USER_ID, "U0NOBODY01"):
        reply = GENT.command(slack, "/strikes", f"leads add <@{forged}|x>")
        assert "collega uit deze werkruimte" in reply, reply
    assert rows(bot, "SELECT COUNT(*) FROM lead WHERE team_id = :t", t=GENT.team_id) == leads
    assert "leidinggevende" in GENT.command(slack, "/strikes", f"leads add <@{GENT.member}|m>")
