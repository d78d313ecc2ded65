"""End to end: /gedragscode shows the house rules the bot enforces, exports them as HTML and
Markdown into the person's private conversation, warns the leads when the policy changed since
the approval until a lead records the new one, and the review reminder is sent once."""

from __future__ import annotations

import json
import time
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator

import pytest
import pytz

from bot.bootstrap import build_deps
from bot.core.config import Settings
from bot.directory import directory
from bot.scheduler import run_due_jobs
from tests.support.bot_process import INTAKE_CHANNEL, LEAD_USER_ID, BotProcess, finished_policy
from tests.support.journeys import ANNA

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("fresh_calls")]

LEAD = LEAD_USER_ID
OUTSIDER = "U0OUTS0001"  # in no intake channel, no lead
BRUSSELS = pytz.timezone("Europe/Brussels")
CODE_URL = "https://www.gemeente-zonnedorp.be/huisregels-sociale-media"
CHANGED = "veranderd sinds de goedkeuring"


def approved_policy(directory: Path, **switches: bool) -> Path:
    """The finished test policy, approved on 15 January 2026, with ``switches`` changed."""
    text = finished_policy(directory).read_text(encoding="utf-8")
    text = text.replace("# approved = 2027-01-15", "approved = 2026-01-15")
    for name, value in switches.items():
        text, found = _set(text, name, value)
        assert found, name
    path = directory / f"approved-{len(switches)}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _set(text: str, name: str, value: bool) -> tuple[str, bool]:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"{name} = "):
            lines[i] = f"{name} = {'true' if value else 'false'}"
            return "\n".join(lines) + "\n", True
    return text, False


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory, bot_database) -> Iterator[BotProcess]:
    where = tmp_path_factory.mktemp("house_rules")
    env = {"SCHEDULER": "off", "DATABASE_URL": bot_database,
           "POLICY_FILE": str(approved_policy(where))}
    with BotProcess(env, slack, where) as process:
        yield process


def command(bot, slack, text: str, user: str) -> str:
    slack.clear_calls()
    status, _, _ = bot.sender.command("/gedragscode", text, user, INTAKE_CHANNEL)
    assert status == 200
    (reply,) = slack.wait_for("response_url")
    return json.dumps(reply.params, ensure_ascii=False)


def test_the_team_sees_the_house_rules_the_bot_enforces(bot, slack):
    shown = command(bot, slack, "", ANNA)
    for expected in ("Huisregels voor de sociale media van de gemeente", "Wat mag niet?",
                     "Na 3 overtredingen blokkeren we je op onze pagina's.",
                     "Een overtreding telt 12 maanden mee.",
                     "Goedgekeurd door het college van burgemeester en schepenen en het "
                     "managementteam op 15 januari 2026.",
                     f"<{CODE_URL}|{CODE_URL}>",
                     "<https://www.gemeente-zonnedorp.be/klachten|klachtenformulier>",
                     "Volgende evaluatie: ten laatste op 15 januari 2027."):
        assert expected in shown, expected
    assert CHANGED not in shown
    reply = json.loads(shown)
    assert reply["response_type"] == "ephemeral"
    assert len(reply["blocks"]) <= 50
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in reply["blocks"])


def test_someone_outside_the_team_gets_a_polite_refusal(bot, slack):
    refused = command(bot, slack, "", OUTSIDER)
    assert "Huisregels" not in refused and "socialemediateam" in refused
    command(bot, slack, "exporteer", OUTSIDER)
    time.sleep(0.3)
    assert slack.calls("files.completeUploadExternal") == []


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_the_export_arrives_as_html_and_markdown_in_the_private_conversation(bot, slack):
    reply = command(bot, slack, "exporteer", ANNA)
    assert "privégesprek" in reply
    (opened,) = slack.wait_for("conversations.open")
    assert opened.params["users"] == ANNA
    (done,) = slack.wait_for("files.completeUploadExternal")
    assert done.params["channel_id"] == opened.response["channel"]["id"].strip()
    assert done.params["channel_id"].startswith("D")
    titles = [f["title"] for f in done.response["files"]]
    assert titles == ["Huisregels (HTML, voor de website)", "Huisregels (Markdown)"]
    uploads = slack.wait_for("file_upload", count=2)
    html = next(str(u.params) for u in uploads if "<!DOCTYPE html>" in str(u.params))
    markdown = next(str(u.params) for u in uploads if "# Huisregels" in str(u.params))
    page = _Page()
    page.feed(_body(html))
    assert ("html", {"lang": "nl"}) in page.tags
    assert "script" not in [tag for tag, _ in page.tags]
    assert "Na 3 overtredingen blokkeren we je op onze pagina" in markdown
    named = {call.params.get("filename") for call in slack.calls("files.getUploadURLExternal")}
    assert any(str(n).endswith(".html") for n in named) and any(str(n).endswith(".md") for n in named)


def _body(params: str) -> str:
    start = params.index("<!DOCTYPE html>")
    end = params.index("</html>") + len("</html>")
    return params[start:end].replace("\\n", "\n").replace("\\'", "'")


def test_a_changed_policy_warns_until_a_lead_records_the_new_approval(bot, slack, tmp_path):
    assert CHANGED not in command(bot, slack, "", LEAD)
    env = {**{k: bot.env[k] for k in ("DATABASE_URL",)}, "SCHEDULER": "off",
           "POLICY_FILE": str(approved_policy(tmp_path, allow_commercial=True))}
    with BotProcess(env, slack, tmp_path) as changed:
        warned = command(changed, slack, "", LEAD)
        assert f"{CHANGED} van 15 januari 2026" in warned
        assert "Je mag reclame maken" in warned  # the text follows the switch
        # The scheduler tells the leads too, once, in business hours.
        deps = in_process(changed, slack)
        try:
            monday = BRUSSELS.localize(datetime(2026, 12, 7, 10, 0)).astimezone(pytz.utc)
            slack.clear_calls()
            for _ in range(2):
                run_due_jobs(directory(deps), now=monday)
            (told,) = [c for c in slack.calls("chat.postMessage") if CHANGED in c.params["text"]]
            assert told.params["channel"] == LEAD and "15 januari 2026" in told.params["text"]
            assert not _reminders(slack)  # the review is not due yet
        finally:
            deps.engine.dispose()
        assert "Alleen een leidinggevende" in command(changed, slack, "goedgekeurd 2026-11-20", ANNA)
        assert CHANGED in command(changed, slack, "", ANNA)
        assert "in de toekomst" in command(changed, slack, "goedgekeurd 2099-01-01", LEAD)
        assert "JJJJ-MM-DD" in command(changed, slack, "goedgekeurd gisteren", LEAD)
        recorded = command(changed, slack, "goedgekeurd 2026-11-20", LEAD)
        assert "Goedkeuring vastgelegd" in recorded and "20 november 2026" in recorded
        shown = command(changed, slack, "", ANNA)
        assert CHANGED not in shown and "op 20 november 2026." in shown
        assert "approval of 2026-11-20 recorded by lead" in changed.logs()


def test_the_review_reminder_is_sent_to_the_leads_once_in_business_hours(bot, slack):
    command(bot, slack, "", LEAD)  # the first lead is known from the settings once seen
    deps = in_process(bot, slack)
    workspaces = directory(deps)
    try:
        night = BRUSSELS.localize(datetime(2031, 6, 10, 23, 0)).astimezone(pytz.utc)
        slack.clear_calls()
        run_due_jobs(workspaces, now=night)
        assert not _reminders(slack)  # due, but not at night
        morning = BRUSSELS.localize(datetime(2031, 6, 11, 10, 0)).astimezone(pytz.utc)
        run_due_jobs(workspaces, now=morning)
        (reminder,) = _reminders(slack)
        assert reminder.params["channel"] == LEAD
        run_due_jobs(workspaces, now=morning)
        run_due_jobs(workspaces, now=BRUSSELS.localize(datetime(2031, 6, 12, 10, 0)).astimezone(pytz.utc))
        assert len(_reminders(slack)) == 1  # once
    finally:
        deps.engine.dispose()


def in_process(bot: BotProcess, slack) -> object:
    settings = Settings.from_env({**bot.env, "SLACK_API_URL": slack.url})
    return build_deps(settings, run_migrations=False)


def _reminders(slack) -> list:
    return [c for c in slack.calls("chat.postMessage")
            if "Tijd om de gedragscode te evalueren" in (c.params.get("text") or "")]
