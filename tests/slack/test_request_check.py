"""The request gate reads a body exactly as Bolt does, so what reaches Bolt is what was checked.

Bolt's rule is read from the installed package (``slack_bolt.request.internals.parse_body``): a
body is JSON when its content type is ``application/json`` or when it starts with ``{``; else a
form, read as a ``payload`` when the text ``payload`` occurs in it. Every body the gate lets
through must be one Bolt parses into the very dict the gate checked; a JSON envelope sent with a
form content type, and a form naming a field twice, never pass.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from slack_bolt.request.internals import extract_content_type, parse_body
from slack_sdk.signature import SignatureVerifier

from bot.slack import gate as request_check
from bot.slack.gate import Rejected, check
from tests.support.slack_requests import sign

SECRET = "gate-secret"
VERIFIER = SignatureVerifier(SECRET)
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

EVENT = {"type": "event_callback", "team_id": "T0TEST0001",
         "event": {"type": "message", "channel": "C0INTAKE01", "user": "U0ANNA0001",
                   "text": "hallo", "ts": "1.1"}}
ACTION = {"type": "block_actions", "user": {"id": "U0ANNA0001"}, "team": {"id": "T0TEST0001"},
          "actions": [{"action_id": "rw:goto:own:0", "value": "x"}]}
COMMAND = {"command": "/strikes", "text": "", "user_id": "U0LEAD0001", "team_id": "T0TEST0001"}


def headers(body: bytes, content_type: str | None) -> dict[str, str]:
    out = {k.lower(): v for k, v in sign(SECRET, body, int(time.time())).items()}
    if content_type is not None:
        out["content-type"] = content_type
    return out


def passes(body: bytes, content_type: str | None) -> bool:
    try:
        check(body, headers(body, content_type), VERIFIER)
    except Rejected as rejected:
        assert 400 <= rejected.status < 500
        return False
    return True


def bolt_reads(body: bytes, content_type: str | None):
    """What Bolt's request object would carry as ``body`` for these bytes and this header."""
    return parse_body(body.decode("utf-8"), extract_content_type({"content-type": [content_type]})
                      if content_type else None)


@pytest.mark.parametrize("body,content_type", [
    (json.dumps(EVENT).encode(), FORM),  # a JSON envelope sent as a form
    # ... that also reads as a command to a form parser: the gate passed it, Bolt read it as
    # JSON, and an event of any shape reached the listeners (or Bolt answered 500)
    (json.dumps({"type": "event_callback", "event": [],
                 "x": "&command=/strikes&user_id=U0LEAD0001&team_id=T0TEST0001&"}).encode(), FORM),
    (json.dumps({"type": "block_actions", "x": "&payload=" + json.dumps(ACTION) + "&"}).encode(),
     FORM),
    (json.dumps(EVENT).encode(), "text/plain"),
    (json.dumps(EVENT).encode(), None),
    (json.dumps(ACTION).encode(), FORM),  # an interaction's payload without its form around it
    (urlencode(COMMAND).encode(), JSON),  # a form sent as JSON
    (urlencode({"payload": json.dumps(ACTION)}).encode() + b"&payload=%7B%7D", FORM),  # twice
    (urlencode({**COMMAND, "text": "@payload_fan"}).encode(), FORM),  # Bolt reads {}: refused
    (b"", FORM),
])
def test_bodies_whose_format_and_content_type_disagree_are_refused(body, content_type):
    assert not passes(body, content_type)


@pytest.mark.parametrize("body,content_type", [
    (json.dumps(EVENT).encode(), JSON),
    (json.dumps(EVENT).encode(), "application/json; charset=utf-8"),
    (urlencode({"payload": json.dumps(ACTION)}).encode(), FORM),
    (urlencode(COMMAND).encode(), FORM),
    (urlencode(COMMAND).encode(), "application/x-www-form-urlencoded; charset=utf-8"),
])
def test_what_slack_sends_passes(body, content_type):
    assert passes(body, content_type)
    assert isinstance(bolt_reads(body, content_type), dict)


content_types = st.one_of(st.sampled_from((JSON, FORM, f"{JSON}; charset=utf-8", "Application/JSON",
                                           " application/json", "text/plain", None)),
                          st.text(max_size=30))
json_bodies = st.sampled_from((EVENT, ACTION, {"type": "url_verification", "challenge": "c"},
                               {"type": "app_rate_limited", "team_id": "T1"})).map(json.dumps)
form_bodies = st.one_of(
    st.just(urlencode(COMMAND)), st.just(urlencode({"payload": json.dumps(ACTION)})),
    st.just(urlencode({"payload": json.dumps(EVENT)})),
    st.lists(st.tuples(st.sampled_from(("payload", "command", "user_id", "team_id", "text", "x")),
                       st.one_of(st.text(max_size=20), json_bodies, st.just("/strikes"))),
             max_size=6).map(urlencode))
bodies = st.one_of(json_bodies, form_bodies, json_bodies.map(lambda b: " " + b),
                   st.text(max_size=200))


@settings(max_examples=1500, deadline=None)
@example(body=json.dumps(EVENT), content_type=FORM)
@example(body=urlencode({"payload": json.dumps(EVENT)}), content_type=FORM)
@given(body=bodies, content_type=content_types)
def test_a_body_that_passes_is_what_bolt_reads_and_the_gate_checked(body, content_type):
    raw = body.encode("utf-8")
    if not passes(raw, content_type):
        return
    as_json = request_check.read_as_json(body, content_type)
    read = bolt_reads(raw, content_type)  # an exception here is a 500 in Bolt
    assert isinstance(read, dict) and read
    if as_json:
        assert read == json.loads(body)
        assert read.get("type") in ("event_callback", "url_verification", "app_rate_limited")
    elif "payload" in body:
        assert isinstance(read.get("user"), dict) and isinstance(read.get("type"), str)
    else:
        assert read.get("command") and read.get("user_id") and read.get("team_id")


@given(body=st.text(max_size=100), content_type=content_types)
def test_the_gate_decides_json_by_bolts_own_rule(body, content_type):
    bolt_json = (extract_content_type({"content-type": [content_type]}) if content_type else None) \
        == JSON or body.startswith("{")
    assert request_check.read_as_json(body, content_type) == bolt_json
