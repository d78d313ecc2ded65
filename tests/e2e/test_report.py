"""End to end: /rapport for a lead (message, chart and CSV uploaded through Slack's upload
endpoints), refused for a team member, a clear line for a bad period; nothing that /rapport sends
holds a citizen's words or username."""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Iterator

import threading
from datetime import datetime

import pytest
import pytz

from bot.bootstrap import build_deps
from bot.core.config import Settings
from bot.directory import directory
from bot.scheduler import run_due_jobs
from tests.flows.test_report_chart import decode
from tests.support.bot_process import INTAKE_CHANNEL, LEAD_USER_ID, BotProcess
from tests.support.journeys import ANNA, case_count, decisions, forward

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("fresh_calls")]

LEAD = LEAD_USER_ID
HANDLE = "Verzonnen_Burger_77"  # made-up citizens and their made-up words
POSTS = (
    f"@{HANDLE} schreef: het zwembad is al drie weken dicht, wat een schande",
    "Wanneer gaat de bibliotheek in Zonnedorp-Noord weer open?",
)


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory, bot_database) -> Iterator[BotProcess]:
    # No scheduler thread in the bot: the tests run the scheduler themselves, with a fixed clock.
    with BotProcess({"SCHEDULER": "off", "DATABASE_URL": bot_database}, slack,
                    tmp_path_factory.mktemp("report")) as process:
        yield process


@pytest.fixture(scope="module")
def cases(bot, slack) -> int:
    first = forward(bot, slack, POSTS[0])
    for target in ("own", "negative", "negative.conduct"):
        first.press("goto", target)
    second = forward(bot, slack, POSTS[1])
    for target in ("own", "neutral", "neutral.question"):
        second.press("goto", target)
    return case_count(bot)


def rapport(bot, slack, text: str, user: str = LEAD) -> str:
    slack.clear_calls()
    status, _, _ = bot.sender.command("/rapport", text, user, INTAKE_CHANNEL)
    assert status == 200
    (reply,) = slack.wait_for("response_url", timeout=30)
    return json.dumps(reply.params, ensure_ascii=False)


def assert_no_citizen_data(slack) -> None:
    """Every call the bot made since the command, files included, free of the fixtures' words."""
    seen = []
    for call in slack.calls():
        data = call.params.get("data") if isinstance(call.params, dict) else None
        seen.append(data.decode("utf-8", "replace") if isinstance(data, bytes) else "")
        seen.append(json.dumps(call.params, ensure_ascii=False, default=str))
    everything = "\n".join(seen).lower()
    for secret in (HANDLE, *POSTS, "zwembad", "bibliotheek"):
        assert secret.lower() not in everything, secret


def test_a_lead_gets_numbers_chart_and_csv(bot, slack, cases):
    reply = rapport(bot, slack, "")
    assert "privégesprek" in reply
    (opened,) = slack.wait_for("conversations.open")
    assert opened.params["users"] == LEAD
    dm = opened.response["channel"]["id"]
    assert dm.startswith("D")
    (message,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == dm)
    text = json.dumps(message.params["blocks"], ensure_ascii=False)
    assert f"*Dossiers:* {cases} geopend, 0 gesloten." in text
    assert "Tegen onze gedragscode, maar niet strafbaar: 1" in text and "Een vraag: 1" in text
    assert "Van intake tot eerste beslissing* (2 dossiers)" in text
    (done,) = slack.wait_for("files.completeUploadExternal")
    assert done.params["channel_id"] == dm
    uploads = slack.wait_for("file_upload", count=2)
    names = {c.params["filename"] for c in slack.calls("files.getUploadURLExternal")}
    assert any(n.endswith(".png") for n in names) and any(n.endswith(".csv") for n in names)
    png = next(c.params["data"] for c in uploads if c.params["data"].startswith(b"\x89PNG"))
    assert decode(png)[:2] == (1000, 500)
    content = next(c.params["data"] for c in uploads if not c.params["data"].startswith(b"\x89PNG"))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    assert rows[0] == ["case_id", "node", "action", "user_id", "decided_at", "policy_version"]
    assert len(rows) - 1 == len(decisions(bot))
    assert {r[3] for r in rows[1:]} == {ANNA}
    assert_no_citizen_data(slack)


def test_a_month_and_a_given_period(bot, slack, cases):
    assert "privégesprek" in rapport(bot, slack, "maand")
    (message,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel", "").startswith("D"))
    assert f"{cases} geopend" in json.dumps(message.params["blocks"], ensure_ascii=False)
    assert "privégesprek" in rapport(bot, slack, "2020-01-01 2020-01-31")
    (message,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel", "").startswith("D"))
    quiet = json.dumps(message.params["blocks"], ensure_ascii=False)
    assert "*Dossiers:* 0 geopend, 0 gesloten." in quiet and "01/01/2020 tot en met 31/01/2020" in quiet
    assert_no_citizen_data(slack)


def test_a_team_member_is_refused(bot, slack, cases):
    refused = rapport(bot, slack, "", user=ANNA)
    assert "niet voor jou beschikbaar" in refused
    time.sleep(0.3)
    assert slack.calls("conversations.open") == [] and slack.calls("files.completeUploadExternal") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-30 2026-11-01", "De einddatum valt vóór de begindatum"),
    ("volgende week", "Gebruik: `/rapport`"),
    ("2026-02-30 2026-03-02", "Die datum bestaat niet"),
    ("2020-01-01 2026-01-01", "hoogstens een jaar"),
    ("hulp", "Gebruik: `/rapport`"),
])
def test_a_bad_period_gets_a_clear_line(bot, slack, text, expected):
    assert expected in rapport(bot, slack, text)
    time.sleep(0.2)
    assert slack.calls("conversations.open") == []


def test_without_file_rights_the_lead_is_told(bot, slack, cases):
    slack.fail_next("files.getUploadURLExternal", error="missing_scope")
    reply = rapport(bot, slack, "")
    assert "files:write" in reply
    (message,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel", "").startswith("D"))
    assert "geopend" in json.dumps(message.params["blocks"], ensure_ascii=False)


BRUSSELS = pytz.timezone("Europe/Brussels")


def test_the_monday_digest_is_sent_once_with_two_schedulers(bot, slack, cases):
    assert "privégesprek" in rapport(bot, slack, "")  # the lead is known to the bot
    deps = build_deps(Settings.from_env({**bot.env, "SLACK_API_URL": slack.url}), run_migrations=False)
    workspaces = directory(deps)
    sunday = BRUSSELS.localize(datetime(2031, 6, 8, 12, 0)).astimezone(pytz.utc)
    monday = BRUSSELS.localize(datetime(2031, 6, 9, 9, 30)).astimezone(pytz.utc)
    slack.clear_calls()
    assert run_due_jobs(workspaces, now=sunday) == 0  # planned for Monday 9:00, not due yet
    results: list[int] = []
    schedulers = [threading.Thread(target=lambda i=i: results.append(
        run_due_jobs(workspaces, now=monday, worker=f"s{i}"))) for i in range(2)]
    for scheduler in schedulers:
        scheduler.start()
    for scheduler in schedulers:
        scheduler.join()
    digests = [c for c in slack.calls("chat.postMessage")
               if "weekoverzicht" in json.dumps(c.params.get("blocks"), ensure_ascii=False)]
    assert len(digests) == 1 and sum(results) == 1  # two schedulers, one digest
    text = json.dumps(digests[0].params["blocks"], ensure_ascii=False)
    assert "02/06/2031 tot en met 08/06/2031" in text  # the week before, Monday to Sunday
    assert "*Dossiers:* 0 geopend" in text
    (opened,) = slack.calls("conversations.open")
    assert opened.params["users"] == LEAD and digests[0].params["channel"] == opened.response["channel"]["id"]
    assert len(slack.calls("files.completeUploadExternal")) == 1
    assert run_due_jobs(workspaces, now=monday) == 0  # nothing is sent twice
    assert_no_citizen_data(slack)
    deps.engine.dispose()


EQUALITY_ANTENNA = "U0ANTGK001"  # made-up staff of the dienst Gelijke Kansen


def test_the_equal_opportunities_service_hears_monthly_without_personal_data(bot, slack, cases):
    assert "antenne" in rapport_antenne(bot, slack, f"gelijke kansen <@{EQUALITY_ANTENNA}|gk>")
    thread = forward(bot, slack, POSTS[0] + " (nog eens)")
    for target in ("own", "negative", "negative.punishable"):
        thread.press("goto", target)
    deps = build_deps(Settings.from_env({**bot.env, "SLACK_API_URL": slack.url}), run_migrations=False)
    workspaces = directory(deps)
    # The cases were opened today (December 2026): January's first business day reports on them.
    december = BRUSSELS.localize(datetime(2026, 12, 31, 12, 0)).astimezone(pytz.utc)
    january = BRUSSELS.localize(datetime(2027, 1, 4, 9, 30)).astimezone(pytz.utc)  # 1 Jan: holiday
    run_due_jobs(workspaces, now=december)
    slack.clear_calls()
    schedulers = [threading.Thread(target=lambda i=i: run_due_jobs(workspaces, now=january, worker=f"s{i}"))
                  for i in range(2)]
    for scheduler in schedulers:
        scheduler.start()
    for scheduler in schedulers:
        scheduler.join()
    opened = [c for c in slack.calls("conversations.open") if c.params["users"] == EQUALITY_ANTENNA]
    assert len(opened) == 1
    dm = opened[0].response["channel"]["id"]
    (overview,) = [c for c in slack.calls("chat.postMessage") if c.params.get("channel") == dm]
    text = json.dumps(overview.params["blocks"], ensure_ascii=False)
    assert "Overzicht voor De dienst Gelijke Kansen: 01/12/2026 tot en met 31/12/2026" in text
    assert "Strafbaar: aanzetten tot haat, geweld of discriminatie: minder dan 5" in text
    assert "Tegen onze gedragscode, maar niet strafbaar: minder dan 5" in text
    assert "te weinig om te vergelijken" in text, text
    assert "ander platform: minder dan 5" in text, text  # forwarded without a link
    assert_no_citizen_data(slack)
    assert ANNA not in text and LEAD not in text  # no colleague named either
    deps.engine.dispose()


def rapport_antenne(bot, slack, text: str) -> str:
    slack.clear_calls()
    bot.sender.command("/antenne", text, LEAD, INTAKE_CHANNEL)
    (reply,) = slack.wait_for("response_url")
    return json.dumps(reply.params, ensure_ascii=False)
