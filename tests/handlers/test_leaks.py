"""Data that must not leak: spreadsheet formulas in the CSV export, citizens' handles and words
in the logs (log lines and tracebacks), in-process. Every person and text here is made up."""

from __future__ import annotations

import csv
import io
import json
import logging
import sys
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest

from bot.usecases import cases
from bot.core import logsafe
from bot.usecases import privacy, strikes
from bot.bootstrap import build_deps
from bot.blocks.kit import iso_local
from bot.usecases.cases import Intake
from bot.core.config import Settings
from bot.flows.policy import load_policy
from bot.flows.strikes import AuthorQuery
from bot.flows.tree import Click, Move
from bot.web import SlackWsgiApp
from storage.db import transaction
from sqlmodel import select

from bot.flows.strikes import Review
from storage.models import Author, Case, Strike, StrikeReview
from tests.support.slack_emulator import SlackEmulator
from tests.support.slack_requests import TEAM_ID, block_actions, message_event, sign
from tests.handlers.test_fuzz import call, drain, envelope

POLICY = load_policy()
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
TEAM = "T0TEST0001"


def a_strike(engine, ts: str, handle: str, reason: str):
    case, _ = cases.open_case(engine, Intake(
        team_id=TEAM, channel_id="C0INTAKE01", message_ts=ts, via="form", text="tekst",
        link=None, forwarded_by="U0ANNA0001", forwarded_at=NOW, platform="instagram",
        author_handle=handle))
    for version, target in enumerate(("own", "negative", "negative.conduct")):
        case = cases.click(engine, POLICY, team_id=TEAM, case_id=case.id, version=version,
                           click=Click(Move.GOTO, target), user_id="U0ANNA0001", now=NOW).case
    return strikes.record_strike(engine, POLICY, team_id=TEAM, case_id=case.id, author=None,
                                 reason_internal=reason,
                                 reason_public=reason, user_id="U0ANNA0001", now=NOW)


FORMULAS = ("=HYPERLINK(\"https://evil.example\",\"klik\")", "+31 6 1234", "-2+3", "@SUM(A1)",
            "\t=1+1", "\r=1+1")


def test_every_csv_cell_that_could_be_a_formula_is_neutralised(engine):
    results = [a_strike(engine, f"9.{n}", f"-kwaad{n}", reason) for n, reason in enumerate(FORMULAS)]
    strikes.review_strike(engine, team_id=TEAM, strike_id=results[0].strike_id,
                          review=Review.REVOKED,
                          reason="=cmd|' /C calc'!A0", user_id="U0LEAD0001", now=NOW)
    with transaction(engine) as session:  # a platform and a handle no form lets in, stored anyway
        author = session.get(Author, session.get(Strike, results[1].strike_id).author_id)
        author.platform, author.handle = "=x", "@hallo"
        session.add(author)
        other = session.get(Author, session.get(Strike, results[2].strike_id).author_id)
        other.platform, other.handle = "\rx", "\t=2+2"
        session.add(other)
    text = strikes.export_csv(engine, team_id=TEAM, now=NOW, local=iso_local)
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == 1 + len(FORMULAS)
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert "'-kwaad0" in cells and "'=x" in cells and "'@hallo" in cells
    assert "'=cmd|' /C calc'!A0" in cells, rows
    assert "'\t=2+2" in cells and "'\rx" in cells, rows


def test_erasure_removes_the_leads_reasons_and_the_services_words(engine):
    result = a_strike(engine, "8.1", "@te_wissen", "Scheldt")
    strikes.review_strike(engine, team_id=TEAM, strike_id=result.strike_id, review=Review.REVOKED,
                          reason="Jan Voorbeeld belde: het was zijn broer", user_id="U0LEAD0001",
                          now=NOW)
    data = json.loads(privacy.author_data(engine, team_id=TEAM, query=AuthorQuery("instagram", "te_wissen"),
                                          local=iso_local))
    assert data[0]["strikes"][0]["reviews"][0]["reason"].startswith("Jan Voorbeeld")
    privacy.erase_author(engine, team_id=TEAM, platform="instagram", handle="te_wissen",
                         by="U0LEAD0001", now=NOW)
    with transaction(engine) as session:
        assert [r.reason for r in session.exec(select(StrikeReview))] == [""]
    assert "Jan Voorbeeld" not in strikes.export_csv(engine, team_id=TEAM, now=NOW, local=iso_local)


# --- logs ----------------------------------------------------------------------------------------


def test_a_traceback_in_the_log_holds_no_exception_message():
    record = None
    words, handle = "Jan " + "Voorbeeld woont op nummer 12", "@handle_" + "van_burger"
    try:
        try:
            raise ValueError(words)
        except ValueError as inner:
            raise RuntimeError(handle) from inner
    except RuntimeError:
        record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "job %s failed", (5,),
                                   sys.exc_info())
    text = logsafe.SafeFormatter(logsafe.FORMAT).format(record)
    assert "job 5 failed" in text and "Traceback" in text
    assert "builtins.ValueError" in text and "builtins.RuntimeError" in text
    assert "Jan Voorbeeld" not in text and "handle_van_burger" not in text
    assert "test_leaks.py" in text  # where it happened is kept


SECRET = "leak-secret"
HANDLE = "@zqxl_burger_9"
TEXT = ("Zqxl mijn buurman Jan Voorbeeld woont op nummer 12 <!channel> <@U0FAKE> "
        "<https://evil.example|het reglement>")


@pytest.fixture
def session_app(tmp_path):
    with SlackEmulator() as slack:
        slack.set_members("C0INTAKE01", ["U0ANNA0001"])
        config = Settings.from_env({
            "SLACK_BOT_TOKEN": "xoxb-leaks", "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.url, "DATABASE_URL": f"sqlite:///{tmp_path / 'leaks.sqlite3'}",
            "INTAKE_CHANNELS": "C0INTAKE01", "LEAD_USER_IDS": "U0LEAD0001",
        })
        app = SlackWsgiApp(build_deps(config))
        yield app, slack
        drain(app)
        app.deps.engine.dispose()


def send(app, body: bytes, content_type: str) -> int:
    headers = {"Content-Type": content_type, **sign(SECRET, body, int(time.time()))}
    return call(app, body, headers).status


def command(app, slack, text: str) -> None:
    body = urlencode({"command": "/strikes", "text": text, "user_id": "U0LEAD0001",
                      "team_id": TEAM_ID, "channel_id": "C0INTAKE01",
                      "response_url": slack.response_url(f"leaks/{TEAM_ID}/1/x"),
                      "trigger_id": "1.2.3"}).encode()
    assert send(app, body, "application/x-www-form-urlencoded") == 200


def test_the_log_of_a_whole_session_holds_no_handle_and_no_text(session_app, caplog):
    app, slack = session_app
    caplog.set_level(logging.DEBUG, logger="bot")
    caplog.set_level(logging.DEBUG, logger="storage")
    event = message_event("C0INTAKE01", "U0ANNA0001", f"{TEXT} {HANDLE}", "1795400000.000100")
    assert send(app, json.dumps(envelope(event)).encode(), "application/json") == 200
    # In-process, the after-ack threads are shared with earlier modules' apps: allow for their work.
    slack.wait_for("chat.postMessage", timeout=60)
    with transaction(app.deps.engine) as session:  # the team names the author on the case
        case = session.exec(select(Case)).one()
    for target in ("own", "negative", "negative.conduct"):
        now = cases.load_case(app.deps.engine, team_id=TEAM, case_id=case.id)
        cases.click(app.deps.engine, POLICY, team_id=TEAM, case_id=case.id, version=now.version,
                    click=Click(Move.GOTO, target), user_id="U0ANNA0001", now=NOW)
    strikes.record_strike(app.deps.engine, POLICY, team_id=TEAM, case_id=case.id,
                          author=AuthorQuery("instagram", HANDLE[1:]), reason_internal=TEXT,
                          reason_public=TEXT, user_id="U0ANNA0001", now=NOW)
    for text in (f"instagram {HANDLE}", HANDLE, f"data instagram {HANDLE}",
                 f"erase instagram {HANDLE}", f"{HANDLE} extra"):
        command(app, slack, text)
    drain(app)
    slack.wait_for("response_url", count=4, timeout=60)
    # What the bot sent in this session shows the post as typed: nothing of it is live.
    from tests.core.test_mrkdwn import foreign_markup, mrkdwn_texts

    sent = [text for c in slack.calls() for text in mrkdwn_texts(c.params)
            + ([c.params["text"]] if isinstance(c.params.get("text"), str) else [])]
    assert len(sent) > 5 and any("Zqxl" in text for text in sent)
    assert not [bad for text in sent for bad in foreign_markup(text)]
    lines = [logsafe.SafeFormatter(logsafe.FORMAT).format(r) for r in caplog.records]
    assert any("/strikes (history) by lead U0LEAD0001" in line for line in lines)
    for line in lines:
        assert "zqxl" not in line.lower(), line
        assert "Voorbeeld" not in line, line


def test_a_json_envelope_sent_as_a_form_reaches_no_listener(session_app):
    app, slack = session_app
    event = message_event("C0INTAKE01", "U0ANNA0001", TEXT, "1795400000.000900")
    body = json.dumps(envelope(event, x="&command=/strikes&user_id=U0LEAD0001&team_id=T1&")).encode()
    assert send(app, body, "application/x-www-form-urlencoded") == 400
    drain(app)
    time.sleep(0.3)
    with transaction(app.deps.engine) as session:
        assert session.exec(select(Case)).all() == []
    assert [c.method for c in slack.calls() if c.method != "auth.test"] == []
