"""Slack mrkdwn: one rule for every text, in-process. What a person typed is escaped wherever it
goes (through the translation layer or straight into a block), only the bot's own mentions,
channel links and links are live, and plain_text keeps what was typed."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.blocks import cases as blocks, kit
from bot.core import mrkdwn
from bot.blocks import routing as rviews, strikes as sviews
from bot.usecases.cases import FILES_NOT_KEPT, CaseSnapshot, HistoryLine
from bot.flows.policy import load_policy
from bot.flows.strikes import Status, Step as StrikeStep
from bot.core.i18n import Translator
from bot.usecases.routing import RoutedQuestionSnapshot, ServiceView, Similar
from bot.usecases.strikes import AuthorHistory, OverviewLine, StrikeLine, StrikeResult

HOSTILE = ("Zqxh <!channel> <!here> <@U0FAKE> <https://evil.example|het reglement> &amp; *x* `y` "
           "<#C0FAKE> <!subteam^S0FAKE>")
PEOPLE = {"U0ANNA0001", "U0BERT0001", "U0LEAD0001", "U0ANTN0001"}
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
POLICY = load_policy()


def foreign_markup(text: str) -> list[str]:
    found = []
    for inner in re.findall(r"<([^<>]*)>", text):
        if re.fullmatch(r"@[UW][A-Z0-9]+", inner) and inner[1:] in PEOPLE:
            continue
        if re.fullmatch(r"#C[A-Z0-9]+", inner) and inner != "#C0FAKE":
            continue
        if re.match(r"https://", inner) and "evil.example" not in inner:
            continue
        found.append(inner)
    return found


def mrkdwn_texts(value) -> list[str]:
    out = []
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn":
            # verbatim: typed URLs, channel names and mentions stay text (no automatic parsing)
            assert value.get("verbatim") is True, value
            out.append(value["text"])
        for key, item in value.items():
            if key not in ("private_metadata", "value", "initial_value"):
                out += mrkdwn_texts(item)
    elif isinstance(value, list):
        for item in value:
            out += mrkdwn_texts(item)
    return out


def assert_safe(surface) -> int:
    texts = mrkdwn_texts(surface)
    for text in texts:
        assert not foreign_markup(text), (foreign_markup(text), text[:300])
        assert "<!" not in text
        assert "&amp;amp;amp;" not in text  # never escaped twice
    return len(texts)


# --- the module ------------------------------------------------------------------------------


def test_escape_turns_every_control_character_into_its_entity_once():
    assert mrkdwn.escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    once = mrkdwn.escape("R&D")
    assert mrkdwn.escape(once) == "R&amp;D"  # already mrkdwn: not escaped again
    assert mrkdwn.escape("it's \"fine\"") == "it's \"fine\""  # nothing else is touched


@given(st.text())
def test_escaped_text_holds_no_control_character(text):
    escaped = mrkdwn.escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert escaped.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == text


@pytest.mark.parametrize("value", ["C0INTAKE> <!channel>", "U0FAKE|x", "<!here>", "", "u0lower1",
                                   "U0ANNA0001>", "W"])
def test_a_mention_is_only_live_for_a_well_formed_user_id(value):
    made = mrkdwn.mention(value)
    assert "<@" not in made and "<!" not in made


def test_mentions_and_channels_of_real_ids_are_live():
    assert mrkdwn.mention("U0ANNA0001") == "<@U0ANNA0001>"
    assert mrkdwn.mentions(["U0ANNA0001", "W0BERT0001"]) == "<@U0ANNA0001>, <@W0BERT0001>"
    assert mrkdwn.channel("C0INTAKE01") == "<#C0INTAKE01>"
    assert mrkdwn.channel("C0X> <!channel") == "C0X&gt; &lt;!channel"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://a.example|<!channel>",
                                 "https://a.example/>x", "ftp://a.example/", "https://", "https://a b",
                                 "slack://channel?id=C1", "https://a.example/\n<!here>"])
def test_a_link_is_only_live_for_a_plain_web_address(url):
    made = mrkdwn.link(url, "het <!channel> reglement")
    assert made == "het &lt;!channel&gt; reglement"


def test_only_a_link_to_a_social_platform_is_live():
    assert kit.post_link("https://www.facebook.com/gemeente/posts/9") == \
        "<https://www.facebook.com/gemeente/posts/9|https://www.facebook.com/gemeente/posts/9>"
    assert kit.post_link("https://evil.example/login") == "https://evil.example/login"
    assert kit.post_link("https://www.facebook.com/x|<!channel>") == \
        "https://www.facebook.com/x|&lt;!channel&gt;"


def test_a_link_escapes_its_label_and_its_ampersands():
    made = mrkdwn.link("https://example.be/a?b=1&c=2", "<@U0FAKE> & co")
    assert made == "<https://example.be/a?b=1&amp;c=2|&lt;@U0FAKE&gt; &amp; co>"


# --- the translation layer --------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_value_filled_in_is_escaped_unless_it_is_mrkdwn(language):
    tr = Translator(language)
    text = tr("route.thread_rerouted", user=mrkdwn.mention("U0ANNA0001"), old=HOSTILE, new="R&D",
              reason=HOSTILE)
    assert "<@U0ANNA0001>" in text and not foreign_markup(text)
    assert "R&amp;D" in text
    # plain_text: nothing is parsed there, so the value stays as typed
    assert "R&D" in tr.plain("guard.skip", noun="R&D")


@pytest.mark.parametrize("language,one,many", [("nl", "nog 1 bestand ", "nog 12 bestanden"),
                                               ("en", "1 more file ", "12 more files")])
def test_plural_forms_follow_the_catalog(language, one, many):
    tr = Translator(language)
    assert tr.plural("history.files_not_kept", 1).startswith(one)
    assert tr.plural("history.files_not_kept", 12).startswith(many)
    assert tr.plural("history.files_not_kept", 0).startswith(many.replace("12", "0"))


# --- every builder, every free-text field -------------------------------------------------------


def hostile_case(**changes) -> CaseSnapshot:
    history = (
        HistoryLine("own", None, "U0ANNA0001", NOW, None),
        HistoryLine("own", "staff_support", "U0ANNA0001", NOW, "U0FAKE> <!channel"),  # a forged pick
        HistoryLine("own", FILES_NOT_KEPT, "U0ANNA0001", NOW, "files:3"),
        HistoryLine("own", "no-such-action <!here>", "U0ANNA0001", NOW, None),
    )
    base = dict(id=7, team_id="T0TEST0001", channel_id="C0INTAKE01", message_ts="1.1",
                bot_message_ts="1.2", via="form", platform="instagram",
                link="https://evil.example/<!channel>", author_platform="instagram",
                author_handle=HOSTILE, text=HOSTILE, forwarded_by="U0ANNA0001", forwarded_at=NOW,
                source_permalink="https://evil.example|<!channel>", origin="own", status="open",
                node_id="negative.conduct", pending_action=None, version=3, evidence_files=0,
                history=history)
    base.update(changes)
    return CaseSnapshot(**base)


def hostile_question(status: str = "open") -> RoutedQuestionSnapshot:
    service = ServiceView(id=1, name=HOSTILE[:60], description=HOSTILE, antennas=("U0ANTN0001",),
                          backup="U0LEAD0001", channel="C0SERV0001", question_minutes=60,
                          report_minutes=None, open_questions=1)
    return RoutedQuestionSnapshot(id=3, team_id="T0TEST0001", case_id=7, kind="question", service=service,
                        question=HOSTILE, context=HOSTILE, asked_by="U0ANNA0001", asked_at=NOW,
                        due_at=NOW, status=status, answered_by="U0ANTN0001", answer=HOSTILE,
                        case_channel="C0INTAKE01", case_ts="1.1", case_text=HOSTILE,
                        case_link="https://evil.example/<!here>")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_builder_shows_a_hostile_string_as_typed(language):
    tr = Translator(language)
    case = hostile_case()
    checked = 0
    checked += assert_safe(blocks.case_message(case, POLICY, tr))
    checked += assert_safe(blocks.case_message(hostile_case(status="closed"), POLICY, tr))
    checked += assert_safe(blocks.case_card(HOSTILE, "https://evil.example/<!here>", "instagram",
                                            HOSTILE, "U0ANNA0001", "https://evil.example|x", tr))
    checked += assert_safe(blocks.support_message(POLICY, tr, case, "U0ANNA0001"))
    for status in ("open", "acknowledged", "answered", "rerouted"):
        checked += assert_safe(rviews.antenna_message(hostile_question(status), POLICY, tr, zone=None))
    q = hostile_question()
    checked += assert_safe(rviews.asked_in_thread(q, POLICY, tr, undelivered=["U0FAKE> <!here"]))
    checked += assert_safe(rviews.answered_in_thread(q, POLICY, tr))
    checked += assert_safe(rviews.services_list([q.service], tr))
    checked += assert_safe(rviews.service_detail(q.service, [q], tr, ["U0ANTN0001"]))
    checked += assert_safe(rviews.route_form(tr, case_id=7, version=3, fyi=False, services=[q.service],
                                             question=HOSTILE,
                                             similar=Similar(HOSTILE, HOSTILE, HOSTILE, 1.0), policy=POLICY))
    result = StrikeResult(strike_id=1, created=True, case_id=7, platform="instagram", handle=HOSTILE,
                          counting=2, step=StrikeStep.SECOND_WARNING)
    checked += assert_safe(sviews.guidance(result, POLICY, tr, reason_public=HOSTILE,
                                           rule="negative.conduct"))
    checked += assert_safe(sviews.guidance(result, POLICY, tr, reason_public=HOSTILE,
                                           rule="negative.conduct",
                                           confirmed=("second_warning", "U0ANNA0001", NOW)))
    line = StrikeLine(id=1, case_id=7, rule="negative.conduct", decided_by="U0ANNA0001",
                      decided_at=NOW, expires_at=NOW, status=Status.ACTIVE,
                      reviews=(("revoked", "U0LEAD0001", NOW, HOSTILE),), reason_internal=HOSTILE,
                      reason_public=HOSTILE, channel_id="C0INTAKE01", message_ts="1.1")
    author = AuthorHistory(author_id=1, platform="instagram", handle=HOSTILE, counting=1, step=None,
                           strikes=(line,), measures=(("first_warning", "U0ANNA0001", NOW),))
    checked += assert_safe(sviews.history([author], POLICY, tr, workspace_url="https://evil.example|x",
                                          query=HOSTILE))
    checked += assert_safe(sviews.history([], POLICY, tr, workspace_url=None, query=HOSTILE))
    checked += assert_safe(sviews.overview([OverviewLine(author_id=1, platform="instagram",
                                                         handle=HOSTILE, strikes=2, last_at=NOW,
                                                         step=None)], tr, offset=0, more=True))
    checked += assert_safe(sviews.erase_confirmation("instagram", HOSTILE, tr))
    checked += assert_safe(sviews.leads_list(["U0LEAD0001", "U0FAKE> <!channel"], tr))
    assert checked > 40
    shown = json.dumps(blocks.case_message(case, POLICY, tr), ensure_ascii=False)
    assert "&lt;!channel&gt;" in shown  # shown, not dropped
