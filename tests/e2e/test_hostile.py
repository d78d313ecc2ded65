"""End to end: one hostile string typed into every free-text field, by citizens, team members,
antennas and leads, and every message and view the bot sends checked for live markup it did not
build; then the author erased, and no trace left in the exports, the database or the logs.

Slack parses ``<!channel>``, ``<@U…>`` and ``<https://…|label>`` in mrkdwn texts and in a
message's top-level ``text`` (Slack's "Formatting text for app surfaces"); ``plain_text`` objects
and input values are shown as typed. So every mrkdwn text and every top-level text the emulator
recorded must hold only the markup the bot builds: mentions of real people of this test,
channel links, and links to hosts that are not the hostile one. Every person here is made up.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, Iterator

import pytest
import sqlalchemy as sa

from tests.support.bot_process import INTAKE_CHANNEL, LEAD_USER_ID, BotProcess
from tests.support.journeys import ANNA, BERT, Thread, decisions, forward, new_ts, service_id
from tests.support.slack_requests import (
    block_actions,
    file_object,
    global_shortcut,
    message_event,
    message_shortcut,
    plain_text_input_value,
    static_select_value,
    view_submission,
)

pytestmark = [pytest.mark.e2e]

LEAD = LEAD_USER_ID
ANTENNA = "U0ANTH0001"
OTHER_ANTENNA = "U0ANTH0002"
PEOPLE = {ANNA, BERT, LEAD, ANTENNA, OTHER_ANTENNA}
MARK = "Zqxh"  # in every hostile text, to find any of them in the logs and the database
HOSTILE = (f"{MARK} <!channel> <!here> <@U0FAKE> <https://evil.example|het reglement> "
           "&amp; *x* `y` <#C0FAKE>")
HANDLE = "@zqxh_burger_1"  # a made-up citizen's handle
LIVE = re.compile(r"<([^<>]*)>")


@pytest.fixture(scope="module")
def bot(slack, tmp_path_factory, bot_database) -> Iterator[BotProcess]:
    with BotProcess({"DATABASE_URL": bot_database, "SCHEDULER": "off"}, slack,
                    tmp_path_factory.mktemp("hostile")) as process:
        for text in (f"mobiliteit <@{ANTENNA}|an>", f"groendienst <@{OTHER_ANTENNA}|ot>"):
            process.sender.command("/antenne", text, LEAD, INTAKE_CHANNEL)
            slack.wait_for("response_url", lambda c: True)
            slack.clear_calls()
        yield process


# --- what counts as live ---------------------------------------------------------------------


def mrkdwn_texts(value: Any, top: bool = True) -> Iterator[str]:
    """Every text Slack parses as mrkdwn: mrkdwn text objects, and a message's top-level text."""
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            yield value["text"]
        if top and isinstance(value.get("text"), str):
            yield value["text"]
        for key, item in value.items():
            if key in ("private_metadata", "value", "initial_value", "action_id", "block_id"):
                continue  # never shown, or shown as typed
            yield from mrkdwn_texts(item, top=False)
    elif isinstance(value, list):
        for item in value:
            yield from mrkdwn_texts(item, top=False)


def foreign_markup(text: str) -> list[str]:
    """The live markup in ``text`` that the bot did not build."""
    found = []
    for inner in LIVE.findall(text):
        if re.fullmatch(r"@([UW][A-Z0-9]+)", inner) and inner[1:] in PEOPLE:
            continue
        if re.fullmatch(r"#C[A-Z0-9]+", inner) and inner != "#C0FAKE":
            continue
        if re.match(r"https?://", inner) and "evil.example" not in inner:
            continue
        found.append(inner)
    return found


def check_every_call(slack) -> int:
    """Fail on any foreign live markup in anything the bot sent; returns the texts checked."""
    checked = 0
    for call in slack.calls():
        if call.method in ("files.upload", "files.uploadV2", "files.completeUploadExternal",
                           "files.getUploadURLExternal", "upload"):
            continue  # file contents are not parsed by Slack
        for text in mrkdwn_texts(call.params):
            checked += 1
            bad = foreign_markup(text)
            assert not bad, f"{call.method} sent live markup it did not build: {bad} in {text[:300]!r}"
            assert "<!" not in text, (call.method, text[:300])
    return checked


def rows(bot: BotProcess, sql: str, **params) -> list[dict]:
    engine = sa.create_engine(bot.database_url)
    try:
        with engine.connect() as connection:
            return [dict(r._mapping) for r in connection.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def all_text_in_database(bot: BotProcess) -> str:
    """Every row of every table of the bot, as text."""
    engine = sa.create_engine(bot.database_url)
    try:
        names = sa.inspect(engine).get_table_names()
        out = []
        with engine.connect() as connection:
            for name in names:
                for row in connection.execute(sa.text(f'SELECT * FROM "{name}"')):
                    out.append(f"{name}: {tuple(row)!r}")
        return "\n".join(out)
    finally:
        engine.dispose()


def submit(bot, slack, callback_id: str, user: str, values: dict, metadata: str) -> str:
    status, _, body = bot.sender.interaction(view_submission(callback_id, user, values, metadata))
    assert status == 200, body
    assert "errors" not in (body or ""), body
    return body


def open_view(bot, slack, user: str, channel: str, ts: str, button: dict) -> dict:
    before = len(slack.calls("views.open"))
    bot.sender.interaction(block_actions(user, channel, ts, button["action_id"], button["value"]))
    found = slack.wait_for("views.open", count=before + 1)
    return found[-1].params["view"]


def button_in(blocks: list[dict], action_id: str) -> dict:
    return next(e for b in blocks if b.get("type") == "actions" for e in b["elements"]
                if e["action_id"].startswith(action_id))


# --- the session -----------------------------------------------------------------------------


def test_one_hostile_string_through_every_free_text_field(bot, slack):
    slack.clear_calls()
    # A citizen's post, forwarded into the intake channel, with a screenshot.
    thread = forward(bot, slack, HOSTILE, files=[file_object("F0HOSTILE1")])
    (post,) = rows(bot, 'SELECT message_ts FROM "case" WHERE bot_message_ts = :ts', ts=thread.ts)
    bot.sender.event(message_event(INTAKE_CHANNEL, BERT, "bewijs", new_ts(),
                                   thread_ts=post["message_ts"], files=[file_object("F0HOSTILE2")]))
    slack.wait_for("chat.update", lambda c: c.params.get("ts") == thread.ts)
    # The form: author, link and text typed by a team member.
    bot.sender.interaction(global_shortcut("new_case", ANNA))
    slack.wait_for("views.open")
    submit(bot, slack, "new_case_form", ANNA, {
        "form_platform": {"value": static_select_value("instagram")},
        "form_author": {"value": plain_text_input_value(HANDLE)},
        "form_text": {"value": plain_text_input_value(HOSTILE)},
    }, "")
    slack.wait_for("chat.postMessage", count=3)  # the first case's thread, the card, its thread

    # A message elsewhere in Slack, opened as a case with the message shortcut.
    # (another citizen's words: they are not erased with this author's)
    other = HOSTILE.replace(MARK, "Qqsc")
    source = {"type": "message", "user": BERT, "ts": new_ts(), "text": other}
    bot.sender.interaction(message_shortcut("review_message", ANNA, "C0OTHER001", source))
    slack.wait_for("chat.postMessage", lambda c: "Qqsc" in json.dumps(c.params.get("blocks")))

    # A strike: the handle and both reasons typed by a team member.
    for target in ("own", "negative", "negative.conduct"):
        thread.press("goto", target)
    view = open_view(bot, slack, ANNA, thread.channel, thread.ts, thread.button("act", "strike"))
    submit(bot, slack, "strike_form", ANNA, {
        "strike_platform": {"value": static_select_value("instagram")},
        "strike_handle": {"value": plain_text_input_value(HANDLE)},
        "strike_reason_internal": {"value": plain_text_input_value(HOSTILE)},
        "strike_reason_public": {"value": plain_text_input_value(HOSTILE)},
    }, view["private_metadata"])
    slack.wait_for("chat.postMessage", lambda c: "Strike" in json.dumps(c.params.get("blocks")))

    # A question to a service, passed on with a reason, answered by the other antenna.
    thread.press("back")
    thread.press("back")
    thread.press("goto", "neutral")
    thread.press("goto", "neutral.question")
    view = open_view(bot, slack, ANNA, thread.channel, thread.ts, thread.button("act", "route"))
    submit(bot, slack, "route_form", ANNA, {
        "route_service": {"value": static_select_value(service_id(view, "mobiliteit"))},
        "route_question": {"value": plain_text_input_value(HOSTILE)},
        "route_context": {"value": plain_text_input_value(HOSTILE)},
    }, view["private_metadata"])
    (dm,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == ANTENNA)
    view = open_view(bot, slack, ANTENNA, dm.response["channel"], dm.response["ts"],
                     button_in(dm.params["blocks"], "rw_q_reroute"))
    submit(bot, slack, "reroute_form", ANTENNA, {
        "route_service": {"value": static_select_value(service_id(view, "groendienst"))},
        "reroute_reason": {"value": plain_text_input_value(HOSTILE)},
    }, view["private_metadata"])
    (dm2,) = slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == OTHER_ANTENNA)
    view = open_view(bot, slack, OTHER_ANTENNA, dm2.response["channel"], dm2.response["ts"],
                     button_in(dm2.params["blocks"], "rw_q_answer"))
    submit(bot, slack, "answer_form", OTHER_ANTENNA,
           {"answer_text": {"value": plain_text_input_value(HOSTILE)}}, view["private_metadata"])
    slack.wait_for("chat.postMessage", lambda c: c.params.get("channel") == INTAKE_CHANNEL
                   and MARK in json.dumps(c.params.get("blocks"))
                   and f"<@{OTHER_ANTENNA}>" in json.dumps(c.params.get("blocks")))  # the answer

    # A lead: /strikes with hostile text, the history, a revocation with a hostile reason.
    for text in (HOSTILE, f"x {HOSTILE}", f"instagram {HANDLE}"):
        bot.sender.command("/strikes", text, LEAD, INTAKE_CHANNEL)
    (history,) = slack.wait_for("response_url", lambda c: HANDLE[1:] in json.dumps(c.params)
                                and "rw_review:" in json.dumps(c.params))
    # An appeal's outcome, then a revocation, each with a hostile reason.
    view = open_view(bot, slack, LEAD, INTAKE_CHANNEL, new_ts(),
                     button_in(history.params["blocks"], "rw_review:appeal"))
    submit(bot, slack, "strike_review_form", LEAD,
           {"review_outcome": {"value": static_select_value("appeal_upheld")},
            "review_reason": {"value": plain_text_input_value(HOSTILE)}}, view["private_metadata"])
    slack.wait_for("chat.postMessage", lambda c: MARK in c.params.get("text", "")
                   and c.params.get("thread_ts"))
    view = open_view(bot, slack, LEAD, INTAKE_CHANNEL, new_ts(),
                     button_in(history.params["blocks"], "rw_review:revoke"))
    submit(bot, slack, "strike_review_form", LEAD,
           {"review_reason": {"value": plain_text_input_value(HOSTILE)}}, view["private_metadata"])
    slack.wait_for("chat.postMessage", lambda c: MARK in c.params.get("text", "")
                   and c.params.get("thread_ts"), count=2)
    bot.sender.command("/antenne", HOSTILE, LEAD, INTAKE_CHANNEL)
    bot.sender.command("/antenne", f"mobiliteit {HOSTILE}", LEAD, INTAKE_CHANNEL)
    time.sleep(1.0)  # the last answers are on their way

    assert check_every_call(slack) > 30
    shown = json.dumps([c.params for c in slack.calls()], ensure_ascii=False)
    assert "&lt;!channel&gt;" in shown  # shown as typed, not dropped
    assert "&lt;https://evil.example|het reglement&gt;" in shown


def test_erasure_leaves_no_trace_in_the_exports_the_database_or_the_logs(bot, slack):
    # Before: the right of access holds what the lead, the team and the services wrote.
    slack.clear_calls()
    bot.sender.command("/strikes", f"data instagram {HANDLE}", LEAD, INTAKE_CHANNEL)
    (upload,) = slack.wait_for("file_upload")
    (done,) = slack.wait_for("files.completeUploadExternal")
    assert HANDLE[1:] not in json.dumps(done.params)  # the file's name holds no handle
    access = json.loads(upload.params["data"])
    (author,) = access
    struck = [s for s in author["strikes"] if s["reviews"]]
    assert struck and struck[0]["reviews"][0]["reason"] == HOSTILE
    assert {q["answer"] for q in author["questions_to_services"]} >= {HOSTILE}
    assert {q["passed_on_because"] for q in author["questions_to_services"]} >= {HOSTILE}
    assert len(author["cases"]) == 2  # the one it was named on, and the one it was struck on

    slack.clear_calls()
    bot.sender.command("/strikes", f"erase instagram {HANDLE}", LEAD, INTAKE_CHANNEL)
    (confirm,) = slack.wait_for("response_url", lambda c: "rw_erase" in json.dumps(c.params))
    assert "Niet te wissen door de bot" in json.dumps(confirm.params, ensure_ascii=False)
    button = button_in(confirm.params["blocks"], "rw_erase")
    bot.sender.interaction(block_actions(LEAD, INTAKE_CHANNEL, new_ts(), button["action_id"],
                                         button["value"]))
    (done,) = slack.wait_for("response_url", lambda c: "Gewist" in json.dumps(c.params, ensure_ascii=False))
    assert "Niet te wissen door de bot" in done.params["text"]

    # Every export after the erasure: the register as CSV, and the author's data.
    slack.clear_calls()
    bot.sender.command("/strikes", "export", LEAD, INTAKE_CHANNEL)
    (csv_file,) = slack.wait_for("file_upload")
    slack.wait_for("response_url", lambda c: "privégesprek" in c.params["text"])
    register = csv_file.params["data"].decode("utf-8")
    assert "erased-" in register  # the strike is still counted, under a pseudonym
    assert MARK.lower() not in register.lower() and HANDLE[1:] not in register
    slack.clear_calls()
    bot.sender.command("/strikes", f"data instagram {HANDLE}", LEAD, INTAKE_CHANNEL)
    time.sleep(0.5)
    # The handle is gone (the export's own answer may come in between).
    slack.wait_for("response_url", lambda c: c.params["text"].startswith("Niets gevonden"))
    assert slack.calls("file_upload") == []
    # The erased case still exists, without the author's words.
    database = all_text_in_database(bot)
    assert MARK.lower() not in database.lower(), [
        line for line in database.splitlines() if MARK.lower() in line.lower()][:5]
    assert HANDLE[1:] not in database
    # the screenshots' file ids: not in evidence, not in the log
    assert "F0HOSTILE1" not in database and "F0HOSTILE2" not in database


def test_the_logs_of_the_whole_session_carry_no_handle_and_no_text(bot, slack):
    logs = bot.logs()
    assert "case" in logs  # the bot did log the session
    assert MARK.lower() not in logs.lower()
    assert HANDLE[1:] not in logs.lower()
    assert "evil.example" not in logs


def test_a_post_with_many_files_keeps_ten_and_says_how_many_more(bot, slack):
    slack.clear_calls()
    files = [file_object(f"F0MANY{n:05d}") for n in range(25)]
    thread = forward(bot, slack, "Kijk naar deze schermafbeeldingen", files=files)
    case = rows(bot, 'SELECT id FROM "case" WHERE bot_message_ts = :ts', ts=thread.ts)[0]["id"]
    kept = rows(bot, "SELECT file_id FROM evidence WHERE case_id = :c ORDER BY id", c=case)
    assert [r["file_id"] for r in kept] == [f"F0MANY{n:05d}" for n in range(10)]
    assert "nog 15 bestanden bij het bericht, niet bewaard" in thread.text()
    logged = [r for r in decisions(bot) if r["case_id"] == case and r["action_id"] == "files_not_kept"]
    assert [r["note"] for r in logged] == ["files:15"]
