"""Forwarded and shared messages: the citizen's words are the post, the team member's own words
are a comment kept apart. Shapes as Slack sends them (see tests/support/payloads m01-m05); the people and
posts here are made up.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.usecases import cases, privacy
from bot.blocks.cases import case_card
from bot.usecases.cases import Intake
from bot.flows.intake import shared_posts
from bot.flows.policy import load_policy
from bot.core.i18n import Translator
from bot.usecases.routing import RoutedQuestionSnapshot, ServiceView
from bot.blocks.routing import antenna_message

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)
PERMALINK = "https://gemeente-test.slack.com/archives/C0SOCIAL01/p1796284000000100"
CITIZEN = "Wanneer wordt het fietspad in de Stationsstraat eindelijk hersteld? Al 3 weken kapot & gevaarlijk"


def share(**fields) -> dict:
    """An attachment as Slack adds it to a forwarded message (the keys of m01 and m02)."""
    attachment = {
        "ts": "1796284000.000100", "author_id": "U0SOCIAL01", "channel_id": "C0SOCIAL01",
        "channel_team": "T0TEST0001", "is_msg_unfurl": True, "is_share": True, "color": "D0D0D0",
        "from_url": PERMALINK, "fallback": f"[December 3rd, 2026 9:00 AM] fien: {CITIZEN}", "text": CITIZEN,
        "author_name": "fien", "author_subname": "Fien Voorbeeld", "mrkdwn_in": ["text"],
        "footer": "Slack Conversation",
        "message_blocks": [{"team": "T0TEST0001", "channel": "C0SOCIAL01", "ts": "1796284000.000100",
                            "message": {"blocks": [{"type": "rich_text", "block_id": "x1", "elements": [
                                {"type": "rich_text_section", "elements": [{"type": "text", "text": CITIZEN}]}]}]}}],
    }
    attachment.update(fields)
    return {k: v for k, v in attachment.items() if v is not None}


# --- what a shared message is ----------------------------------------------------------------

def test_the_words_author_and_permalink_of_a_forward() -> None:
    (post,) = shared_posts({"text": "", "attachments": [share()]})
    assert post.text == CITIZEN
    assert (post.author, post.permalink, post.file_ids) == ("fien", PERMALINK, ())


def test_rich_text_when_the_attachment_has_no_text() -> None:
    blocks = [{"type": "rich_text", "elements": [
        {"type": "rich_text_section", "elements": [
            {"type": "text", "text": "Kijk <hier> & "}, {"type": "user", "user_id": "U0ANNA0001"},
            {"type": "text", "text": " "}, {"type": "link", "url": "https://www.facebook.com/stad/posts/1",
                                             "text": "op Facebook"},
            {"type": "broadcast", "range": "channel"}, {"type": "emoji", "name": "angry"}]},
        {"type": "rich_text_list", "style": "ordered", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": "eerst"}]},
            {"type": "rich_text_section", "elements": [{"type": "text", "text": "dan"}]}]},
        {"type": "rich_text_quote", "elements": [{"type": "text", "text": "geciteerd"}]},
    ]}]
    attachment = share(text="", message_blocks=[{"message": {"blocks": blocks}}])
    (post,) = shared_posts({"attachments": [attachment]})
    # Written as Slack writes a message's text: &, < and > escaped, links and mentions in <...>.
    assert post.text == ("Kijk &lt;hier&gt; &amp; <@U0ANNA0001> <https://www.facebook.com/stad/posts/1|op Facebook>"
                         "<!channel>:angry:\n1. eerst\n2. dan\n&gt; geciteerd")


def test_the_fallback_without_its_date_and_name_as_the_last_resort() -> None:
    (post,) = shared_posts({"attachments": [share(text="", message_blocks=None)]})
    assert post.text == CITIZEN


def test_a_link_preview_is_not_a_shared_message() -> None:
    preview = {"from_url": "https://www.gent.be/nieuws", "original_url": "https://www.gent.be/nieuws",
               "title": "Nieuws", "text": "Het laatste nieuws", "service_name": "Stad Gent", "fallback": "Nieuws"}
    assert shared_posts({"text": "<https://www.gent.be/nieuws>", "attachments": [preview]}) == []


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "http://example.org/x", "https://example.org/a|b", "https://example.org/a>b",
    "https://example.org/a b", "https://" + "a" * 600, "", 12, None,
])
def test_a_permalink_that_could_break_a_link_is_dropped(url) -> None:
    (post,) = shared_posts({"attachments": [share(from_url=url, original_url=None)]})
    assert post.permalink is None and post.text == CITIZEN


def test_files_of_a_forwarded_message_are_kept_as_evidence() -> None:
    (post,) = shared_posts({"attachments": [share(files=[{"id": "F0SHOT0001"}, {"id": 5}, "F0X", None])]})
    assert post.file_ids == ("F0SHOT0001",)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["text", "fallback", "is_share", "is_msg_unfurl", "from_url", "message_blocks",
                         "message", "blocks", "elements", "type", "files", "id", "url", "user_id",
                         "style", "author_name", "rich_text", "rich_text_section", "link"]) | st.text(max_size=5),
        inner, max_size=6),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(attachments=st.lists(JSONISH, max_size=4), shared=st.booleans())
def test_any_shape_gives_text_or_nothing_never_an_error(attachments, shared) -> None:
    if shared:
        attachments = [dict(a, is_share=True) if isinstance(a, dict) else a for a in attachments]
    for post in shared_posts({"text": "", "attachments": attachments}):
        assert isinstance(post.text, str) and (post.text or post.file_ids)
        assert post.permalink is None or post.permalink.startswith("https://")


# --- shown apart, escaped, erased ------------------------------------------------------------

def test_the_card_quotes_the_post_and_shows_the_comment_apart_escaped() -> None:
    tr = Translator("nl")
    blocks = case_card("Jullie <!channel> zijn <@U0ANNA0001> nutteloos", None, "other", None, "U0BERT0001",
                       PERMALINK, tr, comment="Kan iemand dit <!here> bekijken? & snel")
    text = json.dumps(blocks, ensure_ascii=False)
    assert "<!channel>" not in text and "<!here>" not in text and "<@U0ANNA0001>" not in text
    assert "&lt;!channel&gt;" in text and "&amp; snel" in text
    post, comment = blocks[1], blocks[2]
    assert post["text"]["text"].startswith("> Jullie")
    assert comment["type"] == "context"
    assert comment["elements"][0]["text"].startswith(
        "Opmerking van <@U0BERT0001> bij het gedeelde bericht:")
    assert f"<{PERMALINK}|{tr('card.source')}>" in blocks[0]["text"]["text"]


def test_no_comment_no_comment_block() -> None:
    blocks = case_card(CITIZEN, None, "other", None, "U0BERT0001", None, Translator("en"), comment=None)
    assert len(blocks) == 2


def test_the_antenna_sees_the_post_and_the_teams_comment_apart() -> None:
    tr = Translator("nl")
    service = ServiceView(1, "Mobiliteit", "", ("U0ANTENNA1",), None, 1)
    question = RoutedQuestionSnapshot(
        id=7, team_id="T0TEST0001", case_id=3, case_channel="C0INTAKE01", case_ts="1.2", case_text=CITIZEN,
        case_link=None, service=service, kind="ask", question="Wanneer?", context="", asked_by="U0ANNA0001",
        asked_at=NOW, due_at=None, status="open", answered_by=None, answer=None,
        case_comment="Dit is al de derde <!channel> melding")
    text = json.dumps(antenna_message(question, load_policy(), tr, zone=None), ensure_ascii=False)
    assert tr("route.dm_comment") in text and "Dit is al de derde &lt;!channel&gt; melding" in text
    assert text.index("fietspad") < text.index("derde")


def test_a_case_keeps_the_comment_and_retention_erases_it(engine) -> None:
    case, created = cases.open_case(engine, Intake(
        team_id="T0TEST0001", channel_id="C0INTAKE01", message_ts="1796284100.000100", via="message",
        text=CITIZEN, link=None, forwarded_by="U0ANNA0001", forwarded_at=NOW - timedelta(days=500),
        source_permalink=PERMALINK, comment="De burger heet Jan Voorbeeld"))
    assert created and case.comment == "De burger heet Jan Voorbeeld" and case.text == CITIZEN
    assert cases.load_case(engine, team_id="T0TEST0001", case_id=case.id).comment == "De burger heet Jan Voorbeeld"
    from bot.flows.policy import load_policy
    from bot.flows.tree import Click, Move

    closed = cases.click(engine, load_policy(), team_id="T0TEST0001", case_id=case.id, version=case.version, click=Click(Move.CLOSE),
                         user_id="U0ANNA0001", now=NOW - timedelta(days=499)).case
    assert closed.status == "closed"
    assert privacy.erase_expired(engine, retention_months=12, now=NOW) == 1
    erased = cases.load_case(engine, team_id="T0TEST0001", case_id=case.id)
    assert erased.comment is None and erased.text == "" and erased.source_permalink is None
