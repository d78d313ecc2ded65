"""The load generator. It runs in its own process (``serve``, started with multiprocessing's
``spawn``), so its threads never share an interpreter with the servers or the emulator.

Two modes, one request mix:

``live`` (against the bot) keeps ``concurrency`` requests in flight: each sender thread takes the
next piece of work that is ready and sends it as soon as its previous request was acknowledged.
Work is a case walking one of four realistic journeys through the tree (an intake message, then
one click per step, each click on a button the bot drew, read from the emulator's feed), or a
lead's ``/strikes`` (the overview, or one seeded author's history). A case is ready for its next
click only when the bot has shown the result of the previous one (a person cannot click a button
that is not drawn yet); up to three open cases per sender (at least eight) are kept going, so
there is nearly always a click ready, and a new case is started when there is not. Every request is kept,
unsigned, in the order it was sent: the script.

``replay`` (against the floor) sends a live round's script, in the same order, with the same
concurrency and no pauses; each request is signed anew when it is sent.

The time to acknowledge is measured per request from just before the connection is opened to the
last byte of the response (a new connection per request, as from Slack's side).
"""

from __future__ import annotations

import collections
import http.client
import itertools
import json
import random
import threading
import time
import traceback
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.support.slack_requests import (
    block_actions,
    message_event,
    new_trigger_id,
    new_ts,
    plain_text_input_value,
    sign,
    static_select_value,
    view_submission,
)
from tests.support.slack_emulator import APP_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
COMMAND_SHARE = 0.08  # of all requests: a lead's /strikes
STALL_SECONDS = 15.0  # a case whose next step never shows up is given up after this long

# Made-up posts: no real person or account is named.
POSTS = (
    "Wanneer wordt het grofvuil opgehaald in de Kerkstraat?",
    "Waarom is het zwembad deze week weer dicht?",
    "Jullie zijn een bende sukkels op het stadhuis",
    "De nieuwe fietsstraat is echt levensgevaarlijk, doe er iets aan",
    "Mooi gedaan met het nieuwe park!",
    "In de groep 'Ge zijt van hier' beweert iemand dat de markt verdwijnt",
)
# Journeys: (move, target) steps after the intake. "strike" opens the modal; "submit" fills it;
# "confirm" clicks "warning sent" under the bot's guidance.
JOURNEYS = (
    (0.30, (("goto", "own"), ("goto", "neutral"), ("goto", "neutral.question"),
            ("act", "reply_public"), ("close", None))),
    (0.25, (("goto", "own"), ("goto", "negative"), ("goto", "negative.criticism"),
            ("act", "reply_public"), ("close", None))),
    (0.20, (("goto", "external"), ("goto", "external.monitor"), ("act", "monitor"),
            ("close", None))),
    (0.25, (("goto", "own"), ("goto", "negative"), ("goto", "negative.conduct"),
            ("strike", None), ("submit", None), ("confirm", None))),
)


@dataclass
class RoundSpec:
    mode: str  # live | replay
    url: str  # the server's /slack/events
    secret: str
    concurrency: int
    requests: int
    emulator_root: str
    channel: str
    team: list[str]
    lead: str
    lookups: list[tuple[str, str]]  # seeded (platform, handle) for /strikes history
    feed_since: int = 0
    script: list[tuple[str, str, bytes]] = field(default_factory=list)
    seed: int = 1
    timeout: float = 10.0


@dataclass
class RoundResult:
    samples: list[tuple[str, float, int]]  # kind, seconds to acknowledge, HTTP status (0: none)
    wall: float
    script: list[tuple[str, str, bytes]]
    stalled: int = 0
    finished_cases: int = 0
    errors: list[str] = field(default_factory=list)
    client_cpu: float = 0.0  # CPU seconds this load generator used
    # Live rounds: seconds from sending a tree click until the bot's redraw with its result
    # arrived (the next click on that case is possible from then on).
    drawn: list[float] = field(default_factory=list)


def serve(connection) -> None:  # noqa: ANN001 (a multiprocessing Connection)
    """The load generator process: for each RoundSpec received, say "ready", wait for "go", run
    the round and send the RoundResult back (the parent takes its readings in between); ``None``
    ends the process."""
    try:
        while True:
            spec = connection.recv()
            if spec is None:
                return
            try:
                connection.send("ready")
                if connection.recv() != "go":
                    return
                cpu = time.process_time()
                result = (Live(spec) if spec.mode == "live" else Replay(spec)).run()
                result.client_cpu = time.process_time() - cpu
                connection.send(result)
            except Exception:  # noqa: BLE001 (the parent reports it)
                connection.send(RuntimeError(traceback.format_exc()))
    except (EOFError, OSError):
        return
    finally:
        connection.close()


class _Poster:
    def __init__(self, url: str, secret: str, timeout: float) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.secret, self.timeout = secret, timeout

    def post(self, content_type: str, body: bytes) -> tuple[int, float]:
        headers = {"Content-Type": content_type, "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        headers.update(sign(self.secret, body, int(time.time())))
        started = time.perf_counter()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request("POST", self.path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0
        finally:
            conn.close()
        return status, time.perf_counter() - started


def _form(payload: dict[str, Any]) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def _event(event: dict[str, Any]) -> bytes:
    return json.dumps({
        "token": "vErIfIcAtIoNtOkEnTeSt01", "team_id": TEAM_ID, "context_team_id": TEAM_ID,
        "api_app_id": APP_ID, "event": event, "type": "event_callback",
        "event_id": f"Ev0B{random.getrandbits(40):011X}", "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": TEAM_ID, "user_id": BOT_USER_ID,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }).encode()


class Replay:
    def __init__(self, spec: RoundSpec) -> None:
        self.spec = spec
        self.poster = _Poster(spec.url, spec.secret, spec.timeout)
        self.queue = collections.deque(spec.script[: spec.requests])
        self.lock = threading.Lock()
        self.samples: list[tuple[str, float, int]] = []

    def _sender(self) -> None:
        while True:
            with self.lock:
                if not self.queue:
                    return
                kind, content_type, body = self.queue.popleft()
            status, seconds = self.poster.post(content_type, body)
            with self.lock:
                self.samples.append((kind, seconds, status))

    def run(self) -> RoundResult:
        threads = [threading.Thread(target=self._sender, daemon=True) for _ in range(self.spec.concurrency)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return RoundResult(self.samples, time.perf_counter() - started, [])


@dataclass
class _Case:
    intake_ts: str
    user: str
    steps: list[tuple[str, str | None]]
    handle: str
    bot_ts: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    expect: str = "post"  # post | update | view | guidance | measure
    version: int = -1  # the case's version the buttons in hand were drawn for
    want_version: int = 0  # the version a click in flight leads to
    trigger_id: str = ""
    metadata: str = ""
    guidance_ts: str = ""
    measure_button: dict[str, str] | None = None
    waiting_since: float = 0.0


class Live:
    def __init__(self, spec: RoundSpec) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.poster = _Poster(spec.url, spec.secret, spec.timeout)
        self.cond = threading.Condition()
        self.ready: collections.deque[_Case] = collections.deque()
        self.by_intake: dict[str, _Case] = {}
        self.by_tree: dict[str, _Case] = {}
        self.by_trigger: dict[str, _Case] = {}
        self.by_guidance: dict[str, _Case] = {}
        self.waiting: set[int] = set()  # ids of cases waiting for the bot
        self.cases: dict[int, _Case] = {}
        self.open_cases = 0
        self.cap = max(8, 3 * spec.concurrency)
        self.claimed = 0
        self.samples: list[tuple[str, float, int]] = []
        self.script: list[tuple[str, str, bytes]] = []
        self.stalled = 0
        self.finished = 0
        self.drawn: list[float] = []
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.response_ids = itertools.count(1)
        self.handles = [f"@bench_inwoner_{n:03d}" for n in range(300)]
        emulator = urlsplit(spec.emulator_root)
        self.feed_host, self.feed_port = emulator.hostname, emulator.port

    # -- choosing work ----------------------------------------------------------------------------
    def _claim(self) -> tuple[str, str, bytes] | None:
        with self.cond:
            if self.claimed >= self.spec.requests:
                return None
            self.claimed += 1
            if self.rng.random() < COMMAND_SHARE:
                request = self._command()
            else:
                while True:
                    if self.ready:
                        request = self._next_click(self.ready.popleft())
                        if request is not None:
                            break
                        continue
                    if self.open_cases < self.cap:
                        request = self._intake()
                        break
                    if not self.cond.wait(timeout=1.0) and self.stop.is_set():
                        return None
            self.script.append(request)
            return request

    def _command(self) -> tuple[str, str, bytes]:
        if self.rng.random() < 0.5 or not self.spec.lookups:
            kind, text = "strikes_overview", ""
        else:
            platform, handle = self.rng.choice(self.spec.lookups)
            kind, text = "strikes_history", f"{platform} @{handle}"
        form = {
            "token": "vErIfIcAtIoNtOkEnTeSt01", "team_id": TEAM_ID, "team_domain": TEAM_DOMAIN,
            "channel_id": self.spec.channel, "channel_name": "intake", "user_id": self.spec.lead,
            "user_name": "lead", "command": "/strikes", "text": text, "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": f"{self.spec.emulator_root}/response/bench/{next(self.response_ids)}",
            "trigger_id": new_trigger_id(),
        }
        return kind, FORM, urlencode(form).encode()

    def _intake(self) -> tuple[str, str, bytes]:
        roll, steps = self.rng.random(), JOURNEYS[-1][1]
        for weight, journey in JOURNEYS:
            if roll < weight:
                steps = journey
                break
            roll -= weight
        case = _Case(intake_ts=new_ts(), user=self.rng.choice(self.spec.team), steps=list(steps),
                     handle=self.rng.choice(self.handles))
        self.cases[id(case)] = case
        self.by_intake[case.intake_ts] = case
        self.open_cases += 1
        self._wait(case, "post")
        event = message_event(self.spec.channel, case.user, self.rng.choice(POSTS), case.intake_ts)
        return "intake", JSON, _event(event)

    def _next_click(self, case: _Case) -> tuple[str, str, bytes] | None:
        if not case.steps:
            self._finish(case, done=True)
            return None
        move, target = case.steps.pop(0)
        response_url = f"{self.spec.emulator_root}/response/bench/{next(self.response_ids)}"
        if move == "submit":
            values = {
                "strike_handle": {"value": plain_text_input_value(case.handle)},
                "strike_platform": {"value": static_select_value("instagram")},
                "strike_reason_internal": {"value": plain_text_input_value("Scheldt het team uit")},
                "strike_reason_public": {"value": plain_text_input_value("je scheldt andere mensen uit")},
            }
            self._wait(case, "guidance")
            return "strike_submit", FORM, _form(view_submission("strike_form", case.user, values, case.metadata))
        if move == "confirm":
            button = case.measure_button
            if button is None:
                self._finish(case, done=False, why="no measure button under the guidance")
                return None
            self.by_guidance[case.guidance_ts] = case
            self._wait(case, "measure")
            return "confirm", FORM, _form(block_actions(
                case.user, self.spec.channel, case.guidance_ts, button["action_id"], button["value"],
                container_thread_ts=case.intake_ts, response_url=response_url))
        wanted = ("act", "strike") if move == "strike" else (move, target)
        button = _find(case.buttons, wanted)
        if button is None:
            self._finish(case, done=False, why=f"no {wanted} button on the case message")
            return None
        trigger_id = new_trigger_id()
        if move == "strike":
            case.trigger_id = trigger_id
            self.by_trigger[trigger_id] = case
            self._wait(case, "view")
            kind = "strike_open"
        else:
            # The next step shows in a redraw of the version this click makes. The bot may also
            # redraw the version before it (when a click overtakes the intake's bookkeeping it
            # draws the message once more); that one does not count.
            case.want_version = _version([button]) + 1
            self._wait(case, "update")
            kind = "click"
        return kind, FORM, _form(block_actions(
            case.user, self.spec.channel, case.bot_ts, button["action_id"], button["value"],
            trigger_id=trigger_id, container_thread_ts=case.intake_ts, response_url=response_url))

    def _wait(self, case: _Case, what: str) -> None:
        case.expect = what
        case.waiting_since = time.monotonic()
        self.waiting.add(id(case))

    def _ready(self, case: _Case) -> None:
        if id(case) not in self.cases:  # given up on already
            return
        self.waiting.discard(id(case))
        case.expect = "ready"
        self.ready.append(case)
        self.cond.notify()

    def _finish(self, case: _Case, *, done: bool, why: str = "") -> None:
        if self.cases.pop(id(case), None) is None:
            return
        self.waiting.discard(id(case))
        self.open_cases -= 1
        if done:
            self.finished += 1
        else:
            self.stalled += 1
            if why and len(self.errors) < 20:
                self.errors.append(why)
        self.cond.notify_all()

    # -- what the bot did (the emulator's feed) -----------------------------------------------------
    def _on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("kind")
        if kind == "post":
            case = self.by_intake.get(event.get("thread_ts") or "")
            if case is None:
                return
            if case.expect == "post" and case.bot_ts is None:
                case.bot_ts, case.buttons = event["ts"], event["buttons"]
                case.version = _version(case.buttons)
                self.by_tree[case.bot_ts] = case
                self._ready(case)
            elif case.expect == "guidance":
                measure = next((b for b in event["buttons"] if b["action_id"].startswith("rw_measure:")), None)
                if measure is not None:
                    case.guidance_ts, case.measure_button = event["ts"], measure
                    self._ready(case)
        elif kind == "update":
            ts = event.get("ts") or ""
            case = self.by_tree.get(ts)
            if case is not None:
                version = _version(event["buttons"])
                if version > case.version:  # an older redraw never replaces newer buttons
                    case.version, case.buttons = version, event["buttons"]
                if case.expect == "update" and case.version >= case.want_version:
                    self.drawn.append(time.monotonic() - case.waiting_since)
                    self._ready(case)
                return
            case = self.by_guidance.get(ts)
            if case is not None and case.expect == "measure":
                self._finish(case, done=True)
        elif kind == "view":
            case = self.by_trigger.pop(event.get("trigger_id") or "", None)
            if case is not None and case.expect == "view":
                case.metadata = event.get("private_metadata") or ""
                self._ready(case)

    def _feed(self) -> None:
        since = self.spec.feed_since
        conn: http.client.HTTPConnection | None = None
        while not self.stop.is_set():
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(self.feed_host, self.feed_port, timeout=10)
                conn.request("GET", f"/bench/feed?since={since}&timeout=0.25")
                response = conn.getresponse()
                data = json.loads(response.read())
            except (OSError, ValueError, http.client.HTTPException):
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.05)
                continue
            since = data["next"]
            with self.cond:
                for event in data["events"]:
                    self._on_event(event)
                self._reap()
        if conn is not None:
            conn.close()

    def _reap(self) -> None:
        now = time.monotonic()
        for key in list(self.waiting):
            case = self.cases.get(key)
            if case is not None and now - case.waiting_since > STALL_SECONDS:
                self._finish(case, done=False, why=f"the bot never showed the step after {case.expect!r}")

    # -- sending --------------------------------------------------------------------------------
    def _sender(self) -> None:
        while True:
            request = self._claim()
            if request is None:
                return
            kind, content_type, body = request
            status, seconds = self.poster.post(content_type, body)
            with self.cond:
                self.samples.append((kind, seconds, status))
                if status != 200 and len(self.errors) < 20:
                    self.errors.append(f"{kind}: HTTP {status}")

    def run(self) -> RoundResult:
        feed = threading.Thread(target=self._feed, daemon=True)
        feed.start()
        senders = [threading.Thread(target=self._sender, daemon=True) for _ in range(self.spec.concurrency)]
        started = time.perf_counter()
        for thread in senders:
            thread.start()
        for thread in senders:
            thread.join()
        wall = time.perf_counter() - started
        self.stop.set()
        with self.cond:
            self.cond.notify_all()
        feed.join(timeout=5)
        return RoundResult(self.samples, wall, self.script, self.stalled, self.finished, self.errors,
                           drawn=self.drawn)


def _version(buttons: list[dict[str, str]]) -> int:
    """The case version the tree's buttons carry (-1 when none does)."""
    found = -1
    for button in buttons:
        try:
            value = json.loads(button.get("value") or "")
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("v"), int):
            found = max(found, value["v"])
    return found


def _find(buttons: list[dict[str, str]], wanted: tuple[str, str | None]) -> dict[str, str] | None:
    for button in buttons:
        try:
            value = json.loads(button.get("value") or "")
        except ValueError:
            continue
        if isinstance(value, dict) and (value.get("m"), value.get("t")) == wanted:
            return button
    return None
