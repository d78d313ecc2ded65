"""Every payload in ``tests/support/payloads`` (written by Slack, not by this project: Slack's documentation,
the test fixtures of Slack's SDKs and events logged from real workspaces; see its README) gets the
answer Slack needs and does what it should, with no traceback in the bot's log.

The same samples run twice: in-process through the WSGI app (one test per sample), and end to end
against ``python -m bot`` with requests signed as Slack signs them. Only the placeholders of
``_adjust`` are filled in, and, at send time, what Slack would make fresh for every delivery: the
message's ``ts``, the ``trigger_id`` and the ``response_url``.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qsl, urlencode
from wsgiref.util import setup_testing_defaults

import pytest
import sqlalchemy as sa

from bot.slack import ids
from bot.bootstrap import build_deps
from bot.blocks.cases import new_case_form
from bot.core.config import Settings
from bot.handlers import after_ack as after_ack_threads
from bot.core.i18n import Translator
from bot.web import SlackWsgiApp
from tests.support.bot_process import BOT_TOKEN, INTAKE_CHANNEL, LEAD_USER_ID, SIGNING_SECRET, BotProcess
from tests.support.slack_emulator import APP_ID, BOT_ID, BOT_USER_ID, TEAM_ID, SlackEmulator
from tests.support.slack_requests import message_event, new_trigger_id, new_ts, sign

PAYLOADS = Path(__file__).resolve().parent.parent / "support" / "payloads"
SAMPLES = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(PAYLOADS.glob("*.json"))]

INTAKE, INTAKE2, INTAKEP, OTHER = INTAKE_CHANNEL, "C0INTAKE02", "G0INTAKEP1", "C0OTHER001"
MEMBER, MEMBER2, LEAD = "U0ANNA0001", "U0BERT0001", LEAD_USER_ID  # made-up people
PLACES = {
    "$TEAM": TEAM_ID, "$INTAKE": INTAKE, "$INTAKE2": INTAKE2, "$INTAKEP": INTAKEP, "$OTHER": OTHER,
    "$MEMBER": MEMBER, "$MEMBER2": MEMBER2, "$LEAD": LEAD, "$BOT_USER": BOT_USER_ID, "$BOT_ID": BOT_ID,
    "$APP_ID": APP_ID, "$CB_GLOBAL": ids.NEW_CASE_SHORTCUT, "$CB_MESSAGE": ids.REVIEW_MESSAGE_SHORTCUT,
    "$CMD1": ids.STRIKES_COMMAND, "$CMD2": "/antenne",
}
KINDS = {"event", "url_verification", "app_rate_limited", "interactive", "command", "form"}
EXPECTATIONS = {"case", "case_shortcut", "ignored", "ack", "ack200", "challenge", "not_sent", "update",
                "views_open", "form_errors", "form_submit", "answer", "uninstalled", "not_uninstalled"}
SLACK_ACK_SECONDS = 3.0
FORM = "application/x-www-form-urlencoded"
ENV = {"INTAKE_CHANNELS": f"{INTAKE},{INTAKE2},{INTAKEP}", "LEAD_USER_IDS": LEAD}


def sample_id(sample: dict) -> str:
    return sample["_id"]


# ---------------------------------------------------------------------------------------------
# the corpus itself
# ---------------------------------------------------------------------------------------------
def test_the_corpus_is_real_and_complete_enough() -> None:
    assert len(SAMPLES) >= 60
    seen = set()
    for sample in SAMPLES:
        assert sample["_id"] not in seen
        seen.add(sample["_id"])
        assert sample["_source"].strip() and sample["_origin"].strip(), sample["_id"]
        assert sample["_kind"] in KINDS and sample["_expect"] in EXPECTATIONS, sample["_id"]
        assert ("form" in sample) != ("payload" in sample), sample["_id"]
        data = json.dumps(sample.get("payload") or sample.get("form"))
        for original, placeholder in sample["_adjust"].items():
            assert placeholder in PLACES, (sample["_id"], original, placeholder)
        if sample["_adjust"]:
            assert any(original in data for original in sample["_adjust"]), sample["_id"]
    kinds = {(s["_kind"], s["_expect"]) for s in SAMPLES}
    for needed in (("event", "case"), ("event", "ignored"), ("event", "uninstalled"),
                   ("interactive", "update"), ("interactive", "form_submit"), ("command", "answer"),
                   ("form", "ack200"), ("app_rate_limited", "ack200")):
        assert needed in kinds, needed
    subtypes = {(s.get("payload") or {}).get("event", {}).get("subtype") for s in SAMPLES if s["_kind"] == "event"}
    assert {"message_changed", "message_deleted", "bot_message", "channel_join", "file_share",
            "thread_broadcast", "me_message", "message_replied", "channel_leave", "channel_topic",
            "ekm_access_denied", "channel_name", "group_name", "channel_archive"} <= subtypes
    shares = [s for s in SAMPLES if s["_expect"] == "case" and "_expect_text" in s]
    assert len(shares) >= 3, "forwarded and shared messages, with and without a comment"


# ---------------------------------------------------------------------------------------------
# filling in and sending
# ---------------------------------------------------------------------------------------------
def fill(value: Any, adjust: dict[str, str]) -> Any:
    """The sample's ``_adjust``: exact string values (never keys, never parts of strings) become
    the placeholder's id here."""
    if isinstance(value, dict):
        return {k: fill(v, adjust) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, adjust) for v in value]
    if isinstance(value, str) and value in adjust:
        return PLACES[adjust[value]]
    return value


@dataclass
class Sent:
    sample: dict
    status: int
    body: str
    seconds: float
    at: float  # wall clock, as the emulator records calls
    channel: str | None = None
    ts: str | None = None
    trigger_id: str | None = None
    marker: str | None = None
    bot_ts: str | None = None


class Target:
    """Where the samples go: the WSGI app in this process, or the bot as a process."""

    slack: SlackEmulator
    database_url: str

    def post(self, body: bytes, content_type: str) -> tuple[int, str]:
        raise NotImplementedError

    def settle(self) -> None:
        raise NotImplementedError

    def tracebacks(self) -> list[str]:
        raise NotImplementedError

    def log_text(self) -> str:
        raise NotImplementedError

    def query(self, sql: str, **params: Any) -> list[dict]:
        engine = sa.create_engine(self.database_url)
        try:
            with engine.begin() as connection:
                result = connection.execute(sa.text(sql), params)
                return [dict(r._mapping) for r in result] if result.returns_rows else []
        finally:
            engine.dispose()

    _case: tuple[str, str] | None = None

    def tree_case(self) -> tuple[str, str]:
        """A case opened the ordinary way: the channel and ts of the bot's tree message."""
        if self._case is None:
            ts = new_ts()
            status, _ = self.post(json.dumps(_envelope(message_event(
                INTAKE, MEMBER, "Wanneer gaat het zwembad weer open?", ts))).encode(), "application/json")
            assert status == 200
            (posted,) = self.slack.wait_for("chat.postMessage",
                                            lambda c: c.params.get("thread_ts") == ts, timeout=15)
            self._case = (INTAKE, posted.response["ts"])
        return self._case


def _envelope(event: dict) -> dict:
    return {"token": "vErIfIcAtIoN", "team_id": TEAM_ID, "api_app_id": APP_ID, "event": event,
            "type": "event_callback", "event_id": "Ev0SENTINEL1", "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                                "is_bot": True, "is_enterprise_install": False}]}


def send(target: Target, sample: dict) -> Sent:
    """Fill in one sample, graft what it needs, send it signed, and time the answer."""
    kind, extra = sample["_kind"], {}
    if "form" in sample:
        fields = [(k, fill(v, sample["_adjust"])) for k, v in parse_qsl(sample["form"], keep_blank_values=True)]
        fields = [(k, target.slack.response_url(f"cmd/{new_trigger_id()}") if k == "response_url" else
                   new_trigger_id() if k == "trigger_id" else v) for k, v in fields]
        extra["trigger_id"] = dict(fields).get("trigger_id")
        body, content_type = urlencode(fields).encode(), FORM
    else:
        payload = fill(copy.deepcopy(sample["payload"]), sample["_adjust"])
        if kind == "event":
            event = payload["event"]
            if isinstance(event.get("ts"), str):  # a new message for every delivery
                event["ts"] = new_ts()
                if "event_ts" in event:
                    event["event_ts"] = event["ts"]
            extra.update(channel=event.get("channel"), ts=event.get("ts"))
        elif kind == "interactive":
            extra.update(_prepare_interaction(target, sample, payload))
        if kind == "interactive":
            body, content_type = urlencode({"payload": json.dumps(payload)}).encode(), FORM
        else:
            body, content_type = json.dumps(payload).encode(), "application/json"
    at = time.time()
    started = time.monotonic()
    status, text = target.post(body, content_type)
    return Sent(sample, status, text, time.monotonic() - started, at, **extra)


def _prepare_interaction(target: Target, sample: dict, payload: dict) -> dict:
    extra: dict[str, Any] = {}
    if "trigger_id" in payload:
        payload["trigger_id"] = extra["trigger_id"] = new_trigger_id()
    if "response_url" in payload:
        payload["response_url"] = target.slack.response_url(f"act/{new_trigger_id()}")
    for item in payload.get("response_urls") or []:
        item["response_url"] = target.slack.response_url(f"view/{new_trigger_id()}")
    if payload.get("type") == "message_action":
        ts = new_ts()
        payload["message_ts"] = payload["message"]["ts"] = ts
        extra.update(channel=payload["channel"]["id"], ts=ts)
    graft = sample.get("_graft")
    if graft == "tree_button":
        channel, bot_ts = target.tree_case()
        message = target.slack.message(channel, bot_ts)
        button = next(e for b in message["blocks"] if b.get("type") == "actions" for e in b["elements"]
                      if e.get("action_id", "").startswith(ids.TREE_PREFIX))
        block = next(b for b in message["blocks"] if button in b.get("elements", []))
        payload["actions"][0].update(action_id=button["action_id"], block_id=block.get("block_id"),
                                     value=button["value"], text=button["text"])
        payload["container"].update(message_ts=bot_ts, channel_id=channel)
        payload["message"] = {k: v for k, v in message.items() if k != "channel"}
        extra["bot_ts"] = bot_ts
    elif graft in ("view_callback", "view_form"):
        payload["view"]["callback_id"] = ids.NEW_CASE_VIEW
        if graft == "view_form":
            marker = f"Waarom staat de fontein op de Markt droog? ({new_trigger_id()[-8:]})"
            form = new_case_form(Translator("nl"), (INTAKE, INTAKE2, INTAKEP))
            payload["view"]["blocks"] = form["blocks"]
            payload["view"]["state"] = {"values": {ids.FORM_TEXT: {ids.FORM_INPUT: {
                "type": "plain_text_input", "value": marker}}}}
            extra["marker"] = marker
    return extra


# ---------------------------------------------------------------------------------------------
# what each must get
# ---------------------------------------------------------------------------------------------
def check_answer(sent: Sent) -> None:
    """What can be told from the HTTP answer alone: the status Slack needs, in time."""
    expect = sent.sample["_expect"]
    label = f"{sent.sample['_id']} ({sent.sample['_label']})"
    if expect == "not_sent":
        assert sent.status < 500, f"{label}: {sent.status} {sent.body[:200]}"
    else:
        assert sent.status == 200, f"{label}: {sent.status} {sent.body[:200]}"
    assert sent.seconds < SLACK_ACK_SECONDS, f"{label}: answered after {sent.seconds:.2f} s"
    if expect == "challenge":
        assert sent.sample["payload"]["challenge"] in sent.body, label
    if expect == "form_errors":
        assert json.loads(sent.body).get("response_action") == "errors", f"{label}: {sent.body[:200]}"
    if expect == "form_submit":
        assert "errors" not in sent.body, f"{label}: {sent.body[:200]}"


def check_effect(target: Target, sent: Sent) -> None:
    """What the bot did, once its work after the ack is done (``target.settle()``)."""
    sample, slack = sent.sample, target.slack
    expect = sample["_expect"]
    label = f"{sample['_id']} ({sample['_label']})"
    posts = [c for c in slack.calls("chat.postMessage") if c.at >= sent.at]
    if expect in ("case", "case_shortcut"):
        assert any(c.params.get("thread_ts") == sent.ts and c.params.get("channel") == sent.channel
                   for c in posts), f"{label}: no tree message in the post's thread"
        rows = target.query('SELECT * FROM "case" WHERE channel_id = :c AND message_ts = :t',
                            c=sent.channel, t=sent.ts)
        assert len(rows) == 1, label
        case = rows[0]
        if "_expect_text" in sample:
            assert sample["_expect_text"] in case["text"], f"{label}: the post is {case['text']!r}"
        if "_expect_comment" in sample:
            assert case["comment"] == sample["_expect_comment"], f"{label}: comment {case['comment']!r}"
        if "_expect_permalink" in sample:
            assert case["source_permalink"] == sample["_expect_permalink"], label
    elif expect in ("ignored", "not_sent"):
        if sent.ts is not None:
            assert not [c for c in posts if c.params.get("thread_ts") == sent.ts], f"{label}: it was answered"
            assert not target.query('SELECT id FROM "case" WHERE message_ts = :t', t=sent.ts), \
                f"{label}: it opened a case"
    elif expect == "update":
        assert any(c.params.get("ts") == sent.bot_ts for c in slack.calls("chat.update") if c.at >= sent.at), \
            f"{label}: the case message was not updated"
    elif expect == "views_open":
        assert any(c.params.get("trigger_id") == sent.trigger_id for c in slack.calls("views.open")), \
            f"{label}: no form opened"
    elif expect == "form_submit":
        assert any(sent.marker in json.dumps(c.params.get("blocks"), ensure_ascii=False) for c in posts), \
            f"{label}: no case card posted"
    elif expect == "answer":
        answers = [c for c in slack.calls() if c.at >= sent.at and (
            c.method in ("response_url", "chat.postEphemeral", "views.open")
            or c.method == "chat.postMessage" and c.params.get("channel") == LEAD)]
        assert answers or sent.body.strip(), f"{label}: the command was not answered"
    elif expect == "uninstalled":
        rows = target.query("SELECT uninstalled_at FROM workspace WHERE team_id = :t", t=TEAM_ID)
        assert rows and rows[0]["uninstalled_at"] is not None, f"{label}: the workspace was not marked uninstalled"
    if sample["_kind"] == "app_rate_limited":
        assert "rate-limits" in target.log_text(), f"{label}: no warning in the log"


def reinstall(target: Target) -> None:
    """Undo an uninstall sample's effect, so the next one is judged on its own."""
    target.query("UPDATE workspace SET uninstalled_at = NULL, erase_after = NULL WHERE team_id = :t", t=TEAM_ID)


def run_order(samples: list[dict]) -> list[dict]:
    """Uninstalling comes last: it cancels the workspace's pending work."""
    return sorted(samples, key=lambda s: (s["_expect"] == "uninstalled", s["_id"]))


# ---------------------------------------------------------------------------------------------
# in-process
# ---------------------------------------------------------------------------------------------
class _Tracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.guard = threading.Lock()
        self.found: list[str] = []
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        with self.guard:
            self.lines.append(text)
            if record.exc_info or "Traceback" in text:
                detail = "".join(traceback.format_exception(*record.exc_info)) if record.exc_info else text
                self.found.append(f"{record.name}: {detail[-1500:]}")


class InProcess(Target):
    def __init__(self, slack: SlackEmulator, database_url: str) -> None:
        self.slack, self.database_url = slack, database_url
        config = Settings.from_env({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                                    "SLACK_API_URL": slack.url, "DATABASE_URL": database_url, **ENV})
        self.app = SlackWsgiApp(build_deps(config))
        self.handler = _Tracebacks()

    def post(self, body: bytes, content_type: str) -> tuple[int, str]:
        headers = {"CONTENT_TYPE": content_type, **{
            "HTTP_" + k.upper().replace("-", "_"): v for k, v in sign(SIGNING_SECRET, body, int(time.time())).items()}}
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "wsgi.input": io.BytesIO(body),
                   "CONTENT_LENGTH": str(len(body)), **headers}
        return _call(self.app, environ)

    def settle(self) -> None:
        _drain(self.app.slack.app.listener_runner.listener_executor)
        _drain(after_ack_threads._pool())  # noqa: SLF001 (the work queued after the ack)

    def tracebacks(self) -> list[str]:
        with self.handler.guard:
            return list(self.handler.found)

    def log_text(self) -> str:
        with self.handler.guard:
            return "\n".join(self.handler.lines)


def _call(app: Callable, environ: dict) -> tuple[int, str]:
    setup_testing_defaults(environ)
    started: list[str] = []
    chunks = app(environ, lambda status, headers, exc_info=None: started.append(status))
    body = b"".join(chunks)
    return int(started[0].split(" ", 1)[0]), body.decode("utf-8", "replace")


def _drain(executor: Any, timeout: float = 30.0) -> None:
    workers = getattr(executor, "_max_workers", 8)
    barrier = threading.Barrier(workers + 1, timeout=timeout)
    for _ in range(workers):
        executor.submit(barrier.wait)
    barrier.wait()


@pytest.fixture(scope="module")
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        for channel in (INTAKE, INTAKE2, INTAKEP):
            emulator.set_members(channel, [MEMBER, MEMBER2])
        yield emulator


@pytest.fixture(scope="module")
def in_process(slack, tmp_path_factory) -> Iterator[InProcess]:
    target = InProcess(slack, f"sqlite:///{tmp_path_factory.mktemp('payloads') / 'bot.sqlite3'}")
    root = logging.getLogger()
    root.addHandler(target.handler)
    try:
        yield target
    finally:
        root.removeHandler(target.handler)
        target.settle()
        target.app.deps.engine.dispose()


@pytest.mark.parametrize("sample", run_order(SAMPLES), ids=sample_id)
def test_each_real_payload_in_process(in_process: InProcess, sample: dict) -> None:
    before = len(in_process.tracebacks())
    if sample["_expect"] == "uninstalled":
        in_process.settle()
        reinstall(in_process)
    sent = send(in_process, sample)
    check_answer(sent)
    in_process.settle()
    check_effect(in_process, sent)
    found = in_process.tracebacks()[before:]
    assert not found, f"{sample['_id']}: a traceback in the log: {found[0]}"


# ---------------------------------------------------------------------------------------------
# end to end: the bot as a process, every sample in one run
# ---------------------------------------------------------------------------------------------
class Process(Target):
    def __init__(self, bot: BotProcess, slack: SlackEmulator) -> None:
        self.bot, self.slack, self.database_url = bot, slack, bot.database_url

    def post(self, body: bytes, content_type: str) -> tuple[int, str]:
        status, _headers, text = self.bot.sender.post_signed(body, content_type)
        return status, text

    def settle(self, quiet: float = 1.0, timeout: float = 30.0) -> None:
        """Wait until the bot has made no Slack call for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        count, since = len(self.slack.calls()), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = len(self.slack.calls())
            if now != count:
                count, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return

    def tracebacks(self) -> list[str]:
        text = self.bot.logs()
        return [text[max(0, i - 200):i + 1500] for i in range(len(text)) if text.startswith("Traceback", i)]

    def log_text(self) -> str:
        return self.bot.logs()


@pytest.mark.e2e
def test_every_real_payload_against_the_bot_process(slack, tmp_path) -> None:
    with BotProcess(ENV, slack, tmp_path) as bot:
        target = Process(bot, slack)
        failures: list[str] = []
        sent_all: list[Sent] = []
        for sample in run_order(SAMPLES):
            if sample["_expect"] == "uninstalled":
                target.settle()
                reinstall(target)
            sent = send(target, sample)
            sent_all.append(sent)
            try:
                check_answer(sent)
                if sample["_expect"] == "uninstalled":  # judged before the next one undoes it
                    target.settle()
                    check_effect(target, sent)
            except AssertionError as failure:
                failures.append(str(failure))
        target.settle()
        for sent in sent_all:
            if sent.sample["_expect"] == "uninstalled":
                continue
            try:
                check_effect(target, sent)
            except AssertionError as failure:
                failures.append(str(failure))
        slowest = max(sent_all, key=lambda s: s.seconds)
        print(f"{len(sent_all)} samples; slowest answer {slowest.seconds:.3f} s ({slowest.sample['_id']})")
        assert not failures, "\n".join(failures)
        found = target.tracebacks()
        assert not found, f"{len(found)} tracebacks in the bot's log, e.g.\n{found[0]}"


# ---------------------------------------------------------------------------------------------
# the requests around the corpus: ssl_check's forms, an unsigned notice, a forward reviewed
# ---------------------------------------------------------------------------------------------
def _plain_call(target: InProcess, method: str, body: bytes = b"", query: str = "",
                content_type: str = FORM) -> tuple[int, str]:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/slack/events", "QUERY_STRING": query,
               "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": content_type}
    return _call(target.app, environ)


def test_ssl_check_gets_200_as_a_form_or_a_query_signed_or_not(in_process: InProcess) -> None:
    assert _plain_call(in_process, "POST", b"token=random&ssl_check=1") == (200, "")
    assert _plain_call(in_process, "POST", b"ssl_check=1") == (200, "")
    assert _plain_call(in_process, "GET", query="ssl_check=1&token=random") == (200, "")
    assert in_process.post(b"token=random&ssl_check=1", FORM)[0] == 200
    # Anything more is not Slack's certificate check: it needs a signature like every request.
    assert _plain_call(in_process, "POST", b"ssl_check=1&command=%2Fstrikes&user_id=U1&team_id=T1")[0] == 401
    assert _plain_call(in_process, "POST", b"ssl_check=0")[0] == 401
    assert _plain_call(in_process, "GET", query="ssl_check=0")[0] == 404
    assert _plain_call(in_process, "POST", b'{"ssl_check": "1"}', content_type="application/json")[0] == 401


def test_a_rate_limit_notice_must_be_signed_and_is_logged_with_ids_only(in_process: InProcess) -> None:
    notice = {"token": "x", "type": "app_rate_limited", "team_id": TEAM_ID, "minute_rate_limited": 1796284020,
              "api_app_id": APP_ID}
    body = json.dumps(notice).encode()
    assert _plain_call(in_process, "POST", body, content_type="application/json")[0] == 401
    before = len(in_process.log_text())
    assert in_process.post(body, "application/json") == (200, "")
    logged = in_process.log_text()[before:]
    assert f"workspace {TEAM_ID} (minute 1796284020)" in logged


def test_reviewing_a_forwarded_message_in_another_channel_keeps_both_texts(in_process: InProcess) -> None:
    from tests.support.slack_requests import message_shortcut

    share = next(s for s in SAMPLES if s["_id"] == "m02")
    forward = fill(copy.deepcopy(share["payload"]["event"]), share["_adjust"])
    forward.update(channel=OTHER, ts=new_ts(), text="Kan iemand hiernaar kijken?")
    # Its own original: the corpus's m02 already made a case of the sample's.
    forward["attachments"][0]["from_url"] = f"https://gemeente-test.slack.com/archives/C0SOCIAL01/p{new_ts().replace('.', '')}"
    shared_words = forward["attachments"][0]["text"]

    def review() -> tuple[int, str]:
        payload = message_shortcut(ids.REVIEW_MESSAGE_SHORTCUT, MEMBER, OTHER, forward,
                                   response_url=in_process.slack.response_url(f"rv/{new_trigger_id()}"))
        return in_process.post(urlencode({"payload": json.dumps(payload)}).encode(), FORM)

    started = time.time()
    assert review()[0] == 200
    in_process.settle()
    (card,) = [c for c in in_process.slack.calls("chat.postMessage")
               if c.at >= started and c.params.get("channel") == INTAKE and not c.params.get("thread_ts")]
    blocks = json.dumps(card.params["blocks"], ensure_ascii=False)
    assert shared_words in blocks and "Kan iemand hiernaar kijken?" in blocks
    (case,) = in_process.query('SELECT * FROM "case" WHERE message_ts = :t', t=card.response["ts"])
    assert (case["text"], case["comment"]) == (shared_words, "Kan iemand hiernaar kijken?")
    assert case["source_permalink"] == forward["attachments"][0]["from_url"]
    # A second review of the same forward finds the case instead of opening another.
    assert review()[0] == 200
    in_process.settle()
    assert len(in_process.query('SELECT id FROM "case" WHERE source_permalink = :p',
                                p=case["source_permalink"])) == 1


def test_a_pasted_message_link_takes_the_words_slack_unfurls_later(in_process: InProcess) -> None:
    """m04 then m05: Slack posts the pasted link at once and adds what it links to as an edit."""
    changed = next(s for s in SAMPLES if s["_id"] == "m05")
    edit = fill(copy.deepcopy(changed["payload"]), changed["_adjust"])
    ts = new_ts()
    edit["event"]["message"]["ts"] = edit["event"]["previous_message"]["ts"] = ts
    original = dict(edit["event"]["previous_message"], channel=INTAKE)
    unfurl = edit["event"]["message"]["attachments"][0]

    assert in_process.post(json.dumps(_envelope(original)).encode(), "application/json")[0] == 200
    in_process.settle()
    (case,) = in_process.query('SELECT * FROM "case" WHERE message_ts = :t', t=ts)
    assert case["text"] == original["text"] and case["comment"] is None
    posts = len(in_process.slack.calls("chat.postMessage"))

    assert in_process.post(json.dumps(edit).encode(), "application/json")[0] == 200
    in_process.settle()
    (case,) = in_process.query('SELECT * FROM "case" WHERE message_ts = :t', t=ts)
    assert case["text"] == unfurl["text"]
    assert case["comment"] is None  # the pasted link alone is no comment
    assert case["source_permalink"] == unfurl["from_url"] and case["link"] is None
    assert len(in_process.slack.calls("chat.postMessage")) == posts  # nothing posted again

    # Edited again later (the case's post is no longer the link alone): the case keeps its words.
    again = copy.deepcopy(edit)
    again["event"]["previous_message"]["text"] = "iets anders"
    again["event"]["message"]["attachments"][0]["text"] = "andere woorden"
    assert in_process.post(json.dumps(again).encode(), "application/json")[0] == 200
    in_process.settle()
    assert in_process.query('SELECT text FROM "case" WHERE message_ts = :t', t=ts) == [{"text": unfurl["text"]}]


def test_a_forwarded_screenshot_is_kept_as_evidence(in_process: InProcess) -> None:
    forwarded = next(s for s in SAMPLES if s["_id"] == "m01")
    envelope = fill(copy.deepcopy(forwarded["payload"]), forwarded["_adjust"])
    event = envelope["event"]
    event["ts"] = event["event_ts"] = new_ts()
    event["attachments"][0]["files"] = [{"id": "F0SHOT0042", "name": "schermafbeelding.png", "mimetype": "image/png"}]
    assert in_process.post(json.dumps(envelope).encode(), "application/json")[0] == 200
    in_process.settle()
    (case,) = in_process.query('SELECT id, text FROM "case" WHERE message_ts = :t', t=event["ts"])
    assert case["text"] == forwarded["_expect_text"]
    assert in_process.query("SELECT file_id FROM evidence WHERE case_id = :c", c=case["id"]) == [{"file_id": "F0SHOT0042"}]
