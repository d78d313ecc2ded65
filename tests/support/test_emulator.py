"""Tests of the end-to-end test infrastructure: the Slack Web API emulator and
the signed-request helpers."""

from __future__ import annotations

import json
import string
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from tests.support import slack_requests as sr
from tests.support.slack_emulator import Call, SlackEmulator

BLOCKS = [
    {"type": "section", "block_id": "kaart", "text": {"type": "mrkdwn", "text": "*Nieuwe reactie* van @buurtbewoner_42"}},
    {
        "type": "actions",
        "block_id": "knoppen",
        "elements": [
            {"type": "button", "action_id": "goedkeuren", "value": "case-1",
             "text": {"type": "plain_text", "text": "Goedkeuren"}},
        ],
    },
]
VIEW = {
    "type": "modal",
    "callback_id": "antwoord_opstellen",
    "title": {"type": "plain_text", "text": "Antwoord"},
    "submit": {"type": "plain_text", "text": "Versturen"},
    "private_metadata": "case-1",
    "blocks": [
        {"type": "input", "block_id": "tekst", "label": {"type": "plain_text", "text": "Tekst"},
         "element": {"type": "plain_text_input", "action_id": "waarde", "multiline": True}},
    ],
}


def ts_key(ts: str) -> tuple[int, int]:
    seconds, micros = ts.split(".")
    assert len(micros) == 6
    return int(seconds), int(micros)


@pytest.fixture
def emulator():
    with SlackEmulator() as emu:
        yield emu


@pytest.fixture
def client(emulator):
    return WebClient(token="xoxb-test", base_url=emulator.url, timeout=5)


def test_url_has_the_shape_webclient_expects(emulator):
    assert emulator.url.startswith("http://127.0.0.1:")
    assert emulator.url.endswith("/api/")
    assert emulator.url == f"http://127.0.0.1:{emulator.port}/api/"


def test_webclient_calls_are_recorded_with_decoded_params(emulator, client):
    auth = client.auth_test()
    assert auth["ok"] is True
    assert auth["user_id"] == "U0BOT00001"
    assert auth["bot_id"] == "B0BOT00001"
    assert auth["team_id"] == "T0TEST0001"
    assert auth["url"] == "https://gemeente-test.slack.com/"

    posted = client.chat_postMessage(channel="C0INTAKE01", text="Nieuwe reactie", blocks=BLOCKS)
    assert posted["ok"] is True
    assert posted["channel"] == "C0INTAKE01"
    assert posted["message"]["blocks"] == BLOCKS
    assert posted["message"]["bot_id"] == "B0BOT00001"

    updated = client.chat_update(channel="C0INTAKE01", ts=posted["ts"], text="Behandeld", blocks=BLOCKS[:1])
    assert updated["ok"] is True and updated["ts"] == posted["ts"]
    assert emulator.message("C0INTAKE01", posted["ts"])["text"] == "Behandeld"

    opened = client.views_open(trigger_id="12345.98765.abcd2358fdea", view=VIEW)
    assert opened["view"]["id"].startswith("V")
    assert opened["view"]["callback_id"] == "antwoord_opstellen"
    assert opened["view"]["private_metadata"] == "case-1"

    dm = client.conversations_open(users="U0LEAD0001")
    assert dm["channel"]["id"].startswith("D")

    user = client.users_info(user="U0STAFF001")["user"]
    assert user["id"] == "U0STAFF001"
    assert user["tz"] == "Europe/Brussels"
    assert user["deleted"] is False

    calls = emulator.calls()
    assert [c.method for c in calls] == [
        "auth.test", "chat.postMessage", "chat.update", "views.open", "conversations.open", "users.info",
    ]
    assert all(c.token == "xoxb-test" and not c.failed and c.status == 200 for c in calls)
    post_call = emulator.calls("chat.postMessage")[0]
    assert post_call.params["channel"] == "C0INTAKE01"
    assert post_call.params["blocks"] == BLOCKS  # decoded to Python lists/dicts
    assert isinstance(post_call.params["blocks"], list)
    assert post_call.response["ts"] == posted["ts"]
    assert "token" not in post_call.params
    assert emulator.calls("chat.update")[0].params["ts"] == posted["ts"]
    view_call = emulator.calls("views.open")[0]
    assert view_call.params["view"] == VIEW
    assert emulator.calls("conversations.open")[0].params["users"] == "U0LEAD0001"
    assert emulator.calls("users.info")[0].params["user"] == "U0STAFF001"
    assert calls == sorted(calls, key=lambda c: c.at)


def test_message_ts_values_are_unique_and_increasing(client):
    stamps = [client.chat_postMessage(channel="C0INTAKE01", text=f"bericht {i}")["ts"] for i in range(25)]
    keys = [ts_key(ts) for ts in stamps]
    assert len(set(stamps)) == len(stamps)
    assert keys == sorted(keys)


def test_concurrent_posts_get_distinct_ts(emulator):
    stamps: list[str] = []
    lock = threading.Lock()

    def post(n: int) -> None:
        c = WebClient(token="xoxb-test", base_url=emulator.url, timeout=5)
        for i in range(5):
            ts = c.chat_postMessage(channel="C0INTAKE01", text=f"{n}-{i}")["ts"]
            with lock:
                stamps.append(ts)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stamps) == 30 and len(set(stamps)) == 30
    assert len(emulator.calls("chat.postMessage")) == 30


def test_posting_to_a_user_id_goes_to_the_dm_channel(emulator, client):
    posted = client.chat_postMessage(channel="U0LEAD0001", text="Er wacht een reactie op jou")
    opened = client.conversations_open(users="U0LEAD0001")
    assert posted["channel"].startswith("D")
    assert posted["channel"] == opened["channel"]["id"]
    assert emulator.calls("chat.postMessage")[0].params["channel"] == "U0LEAD0001"


def test_form_encoded_json_and_query_params_are_merged(emulator):
    # Form-encoded with the token as a form field, blocks as a JSON string.
    c = WebClient(base_url=emulator.url, timeout=5)
    c.api_call("chat.postMessage", params={"token": "xoxb-form", "channel": "C0INTAKE01",
                                           "blocks": json.dumps(BLOCKS), "text": "[let op] {geen json}"})
    call = emulator.calls("chat.postMessage")[0]
    assert call.token == "xoxb-form"
    assert call.params["blocks"] == BLOCKS
    assert call.params["text"] == "[let op] {geen json}"
    assert "token" not in call.params

    # Query string args plus a JSON body, token in the header.
    req = urllib.request.Request(
        emulator.url + "views.update?view_id=V0QUERY001",
        data=json.dumps({"view": VIEW}).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", "Authorization": "Bearer xoxb-json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        body = json.loads(resp.read())
    assert body["ok"] is True and body["view"]["id"] == "V0QUERY001"
    call = emulator.calls("views.update")[0]
    assert call.token == "xoxb-json"
    assert call.params == {"view_id": "V0QUERY001", "view": VIEW}


def test_get_requests_are_answered_too(emulator):
    with urllib.request.urlopen(emulator.url + "auth.test?token=xoxb-get", timeout=5) as resp:
        body = json.loads(resp.read())
    assert body["ok"] is True and body["user_id"] == "U0BOT00001"
    assert emulator.calls()[0].token == "xoxb-get"


def test_missing_token_and_unknown_method(emulator):
    with pytest.raises(SlackApiError) as err:
        WebClient(base_url=emulator.url, timeout=5).auth_test()
    assert err.value.response["error"] == "not_authed"
    with pytest.raises(SlackApiError) as err:
        WebClient(token="xoxb-test", base_url=emulator.url, timeout=5).api_call("chat.bestaatNiet")
    assert err.value.response["error"] == "unknown_method"
    assert [(c.method, c.token) for c in emulator.calls()] == [("auth.test", None), ("chat.bestaatNiet", "xoxb-test")]


def test_rate_limit_is_retried_by_the_retry_handler(emulator):
    emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    c = WebClient(token="xoxb-test", base_url=emulator.url, timeout=5,
                  retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    started = time.monotonic()
    posted = c.chat_postMessage(channel="C0INTAKE01", text="opnieuw proberen")
    assert posted["ok"] is True
    assert time.monotonic() - started >= 1.0  # honoured Retry-After
    calls = emulator.calls("chat.postMessage")
    assert len(calls) == 2
    assert calls[0].failed and calls[0].status == 429
    assert not calls[1].failed and calls[1].status == 200


def test_rate_limit_without_retry_handler_raises(emulator, client):
    emulator.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C0INTAKE01", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers.get("Retry-After") == "7"
    assert err.value.response["error"] == "ratelimited"
    # the fault was used up: the next call succeeds
    assert client.chat_postMessage(channel="C0INTAKE01", text="x")["ok"] is True
    assert [c.failed for c in emulator.calls()] == [True, False]


def test_fail_next_with_error_and_times(emulator, client):
    emulator.fail_next("users.info", error="user_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.users_info(user="U0GONE0001")
        assert err.value.response.status_code == 200
        assert err.value.response["error"] == "user_not_found"
    assert client.users_info(user="U0GONE0001")["ok"] is True
    assert [c.failed for c in emulator.calls("users.info")] == [True, True, False]
    # other methods are not affected
    emulator.fail_next("chat.update", status=500)
    assert client.auth_test()["ok"] is True


def test_server_error_status(emulator, client):
    emulator.fail_next("chat.update", status=503)
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C0INTAKE01", ts="1732440000.000100", text="x")
    assert err.value.response.status_code == 503


def test_members_users_and_permalinks_are_configurable(emulator, client):
    assert client.conversations_members(channel="C0INTAKE01")["members"] == []
    emulator.set_members("C0INTAKE01", ["U0LEAD0001", "U0STAFF001"])
    assert client.conversations_members(channel="C0INTAKE01")["members"] == ["U0LEAD0001", "U0STAFF001"]

    emulator.set_user("U0STAFF002", deleted=True, profile={"display_name": "Ruben"})
    user = client.users_info(user="U0STAFF002")["user"]
    assert user["deleted"] is True
    assert user["profile"]["display_name"] == "Ruben"
    assert user["tz"] == "Europe/Brussels"

    link = client.chat_getPermalink(channel="C0INTAKE01", message_ts="1732440000.000100")
    assert link["permalink"] == "https://gemeente-test.slack.com/archives/C0INTAKE01/p1732440000000100"

    eph = client.chat_postEphemeral(channel="C0INTAKE01", user="U0STAFF001", text="Alleen voor jou")
    assert ts_key(eph["message_ts"])
    with pytest.raises(SlackApiError) as err:
        client.chat_postEphemeral(channel="C0INTAKE01", user="U0NOTIN001", text="x")
    assert err.value.response["error"] == "user_not_in_channel"


def test_reactions_and_file_uploads(emulator, client):
    assert client.reactions_add(channel="C0INTAKE01", timestamp="1732440000.000100", name="eyes")["ok"]
    with pytest.raises(SlackApiError) as err:
        client.reactions_add(channel="C0INTAKE01", timestamp="1732440000.000100", name="eyes")
    assert err.value.response["error"] == "already_reacted"

    done = client.files_upload_v2(content="datum;status\n", filename="rapport.csv", channel="C0INTAKE01")
    assert done["ok"] and done["file"]["id"].startswith("F")
    methods = [c.method for c in emulator.calls()][2:]
    assert methods == ["files.getUploadURLExternal", "file_upload", "files.completeUploadExternal"]
    assert emulator.calls("file_upload")[0].params["data"] == b"datum;status\n"
    info = client.files_info(file=done["file"]["id"])
    assert info["file"]["id"] == done["file"]["id"]


def test_stub_overrides_a_method(emulator, client):
    emulator.stub("team.info", {"ok": True, "team": {"id": "T0TEST0001", "name": "Gemeente Test"}})
    assert client.team_info()["team"]["name"] == "Gemeente Test"
    emulator.stub("users.info", lambda params: {"ok": False, "error": "user_not_found"})
    with pytest.raises(SlackApiError):
        client.users_info(user="U0STAFF001")


def test_wait_for_returns_calls_made_from_another_thread(emulator):
    def later() -> None:
        time.sleep(0.2)
        c = WebClient(token="xoxb-test", base_url=emulator.url, timeout=5)
        c.chat_postMessage(channel="C0OTHER001", text="niet deze")
        c.chat_postMessage(channel="C0INTAKE01", text="deze")

    t = threading.Thread(target=later)
    t.start()
    found = emulator.wait_for("chat.postMessage", lambda c: c.params["channel"] == "C0INTAKE01", timeout=5)
    t.join()
    assert len(found) == 1 and found[0].params["text"] == "deze"
    assert isinstance(found[0], Call)


def test_wait_for_times_out_with_a_listing(emulator, client):
    client.auth_test()
    started = time.monotonic()
    with pytest.raises(AssertionError) as err:
        emulator.wait_for("chat.postMessage", timeout=0.3)
    assert 0.25 <= time.monotonic() - started < 2.0
    assert "chat.postMessage" in str(err.value)
    assert "auth.test" in str(err.value)  # lists what was seen
    with pytest.raises(AssertionError):
        emulator.wait_for("auth.test", count=2, timeout=0.2)


def test_reset_forgets_calls_and_configuration(emulator, client):
    emulator.set_members("C0INTAKE01", ["U0LEAD0001"])
    emulator.fail_next("auth.test", error="invalid_auth")
    client.chat_postMessage(channel="C0INTAKE01", text="x")
    emulator.reset()
    assert emulator.calls() == []
    assert client.auth_test()["ok"] is True
    assert client.conversations_members(channel="C0INTAKE01")["members"] == []


def test_response_url_posts_are_recorded(emulator):
    url = emulator.response_url("actions/T0TEST0001/1/abc")
    req = urllib.request.Request(url, data=json.dumps({"text": "Behandeld", "replace_original": True}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert resp.status == 200
    call = emulator.wait_for("response_url")[0]
    assert call.params == {"text": "Behandeld", "replace_original": True}
    assert call.path == "/response/actions/T0TEST0001/1/abc"


# ---------------------------------------------------------------------------
# signing
# ---------------------------------------------------------------------------
def test_sign_agrees_with_slack_sdk_verifier():
    body = json.dumps({"type": "event_callback", "event": {"text": "Dag meneer"}}).encode()
    now = int(time.time())
    headers = sr.sign("test-signing-secret", body, now)
    verifier = SignatureVerifier("test-signing-secret")
    assert set(headers) == {"X-Slack-Request-Timestamp", "X-Slack-Signature"}
    assert headers["X-Slack-Signature"].startswith("v0=")
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    # changed body, wrong secret, stale timestamp: not valid
    assert not verifier.is_valid(body + b" ", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not SignatureVerifier("ander-geheim").is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    stale = sr.sign("test-signing-secret", body, now - 10 * 60)
    assert not verifier.is_valid(body, stale["X-Slack-Request-Timestamp"], stale["X-Slack-Signature"])


@settings(max_examples=50, deadline=None)
@given(body=st.text(max_size=300).map(lambda s: s.encode("utf-8")), secret=st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=1, max_size=40), skew=st.integers(-200, 200))
def test_sign_matches_verifier_for_any_body(body, secret, skew):
    ts = int(time.time()) + skew
    headers = sr.sign(secret, body, ts)
    verifier = SignatureVerifier(secret)
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert headers["X-Slack-Signature"] == verifier.generate_signature(timestamp=str(ts), body=body)


# ---------------------------------------------------------------------------
# SlackSender, against a capturing HTTP server
# ---------------------------------------------------------------------------
class _Capture(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        status = 401 if self.headers.get("X-Slack-Signature", "").endswith("0" * 8) else 200
        out = b'{"received":true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def capture():
    received: list = []
    handler = type("Capture", (_Capture,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", received
    server.shutdown()
    server.server_close()


def test_sender_event_envelope_and_headers(capture, emulator):
    base, received = capture
    sender = sr.SlackSender(base, "test-signing-secret", emulator=emulator)
    event = sr.message_event("C0INTAKE01", "U0STAFF001", "Wanneer wordt het zwembad open? - @zwemfan_88",
                             "1732440000.000100")
    status, headers, text = sender.event(event, event_id="Ev0TEST00001", retry_num=2)
    assert status == 200 and json.loads(text) == {"received": True}
    assert headers["content-type"] == "application/json"
    path, h, body = received[0]
    assert path == "/slack/events"
    assert h["content-type"] == "application/json"
    assert h["x-slack-retry-num"] == "2" and h["x-slack-retry-reason"] == "http_timeout"
    assert SignatureVerifier("test-signing-secret").is_valid(body, h["x-slack-request-timestamp"], h["x-slack-signature"])
    envelope = json.loads(body)
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"] == "Ev0TEST00001"
    assert envelope["team_id"] == "T0TEST0001" and envelope["api_app_id"] == "A0TEST0001"
    assert envelope["event"] == event
    assert isinstance(envelope["event_time"], int)

    sender.event(event)
    assert json.loads(received[1][2])["event_id"].startswith("Ev")
    assert "x-slack-retry-num" not in received[1][1]
    assert sender.last_event_id == json.loads(received[1][2])["event_id"]


def test_sender_stale_and_badly_signed_requests(capture):
    base, received = capture
    sender = sr.SlackSender(base, "test-signing-secret")
    verifier = SignatureVerifier("test-signing-secret")
    sender.url_verification("uitdaging", timestamp=int(time.time()) - 3600)
    sender.url_verification("uitdaging", secret="fout-geheim")
    (_, stale_h, stale_body), (_, bad_h, bad_body) = received
    assert json.loads(stale_body) == {"token": sr.VERIFICATION_TOKEN, "challenge": "uitdaging",
                                      "type": "url_verification"}
    assert not verifier.is_valid(stale_body, stale_h["x-slack-request-timestamp"], stale_h["x-slack-signature"])
    assert not verifier.is_valid(bad_body, bad_h["x-slack-request-timestamp"], bad_h["x-slack-signature"])
    status, _, text = sender.raw(b"\x00\xff", {"Content-Type": "application/json",
                                               "X-Slack-Signature": "v0=" + "0" * 64})
    assert status == 401 and text == '{"received":true}'  # 4xx returned, not raised
    assert received[2][2] == b"\x00\xff"


def test_sender_interaction_and_command_forms(capture, emulator):
    base, received = capture
    sender = sr.SlackSender(base, "test-signing-secret", emulator=emulator)
    payload = sr.block_actions("U0LEAD0001", "C0INTAKE01", "1732440000.000100", "toewijzen", None,
                               action_type="users_select", selected_user="U0STAFF001",
                               container_thread_ts="1732440000.000100")
    sender.interaction(payload)
    sender.command("/reageerwijzer", "status", "U0STAFF001", "C0INTAKE01")
    (_, ih, ibody), (_, ch, cbody) = received
    assert ih["content-type"] == "application/x-www-form-urlencoded"
    sent = json.loads(parse_qs(ibody.decode())["payload"][0])
    assert sent["type"] == "block_actions"
    assert sent["actions"][0]["selected_user"] == "U0STAFF001"
    assert sent["actions"][0]["type"] == "users_select"
    assert sent["container"] == {"type": "message", "message_ts": "1732440000.000100", "channel_id": "C0INTAKE01",
                                 "is_ephemeral": False, "thread_ts": "1732440000.000100"}
    assert sent["message"]["ts"] == "1732440000.000100" and sent["message"]["thread_ts"] == "1732440000.000100"
    assert sent["user"]["id"] == "U0LEAD0001" and sent["user"]["team_id"] == "T0TEST0001"
    assert sent["response_url"].startswith(emulator.root_url + "/response/")
    form = {k: v[0] for k, v in parse_qs(cbody.decode(), keep_blank_values=True).items()}
    assert form["command"] == "/reageerwijzer" and form["text"] == "status"
    assert form["user_id"] == "U0STAFF001" and form["channel_id"] == "C0INTAKE01"
    assert form["response_url"].startswith(emulator.root_url + "/response/")
    assert form["trigger_id"] and form["api_app_id"] == "A0TEST0001"
    for h, body in ((ih, ibody), (ch, cbody)):
        assert SignatureVerifier("test-signing-secret").is_valid(
            body, h["x-slack-request-timestamp"], h["x-slack-signature"])


def test_payload_factories_have_slack_shapes():
    msg = sr.message_event("C0INTAKE01", "U0STAFF001", "hallo", "1732440000.000100", thread_ts="1732430000.000200")
    assert msg["type"] == "message" and msg["channel_type"] == "channel" and "subtype" not in msg
    assert msg["thread_ts"] == "1732430000.000200" and msg["event_ts"] == msg["ts"]
    shared = sr.message_event("C0INTAKE01", "U0STAFF001", "", "1732440000.000300", files=[sr.file_object("F0SCREEN01")])
    assert shared["subtype"] == "file_share" and shared["files"][0]["id"] == "F0SCREEN01"
    bot = sr.message_event("C0INTAKE01", None, "van een app", "1732440000.000400", subtype="bot_message",
                           bot_id="B0OTHER001")
    assert bot["bot_id"] == "B0OTHER001" and "user" not in bot and "client_msg_id" not in bot

    click = sr.block_actions("U0LEAD0001", "C0INTAKE01", "1732440000.000100", "goedkeuren", "case-1")
    assert click["actions"][0]["value"] == "case-1" and click["actions"][0]["type"] == "button"
    assert {"action_id", "block_id", "action_ts"} <= set(click["actions"][0])
    assert click["channel"]["id"] == "C0INTAKE01" and click["team"]["id"] == "T0TEST0001"
    assert click["trigger_id"] and click["response_url"].startswith("https://hooks.slack.com/")

    shortcut = sr.message_shortcut("melden", "U0STAFF001", "C0INTAKE01", msg)
    assert shortcut["type"] == "message_action" and shortcut["message_ts"] == msg["ts"]
    assert sr.global_shortcut("nieuw", "U0STAFF001")["type"] == "shortcut"
    values = {"tekst": {"waarde": sr.plain_text_input_value("Bedankt voor uw vraag")}}
    sub = sr.view_submission("antwoord_opstellen", "U0STAFF001", values, private_metadata="case-1")
    assert sub["type"] == "view_submission"
    assert sub["view"]["state"]["values"] == values
    assert sub["view"]["private_metadata"] == "case-1" and sub["view"]["callback_id"] == "antwoord_opstellen"
