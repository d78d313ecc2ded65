"""The pre-screen's block on a case message: masked, with the guide's advice, in both languages,
valid Block Kit (parsed and round-tripped with slack_sdk.models), and absent when nothing was found."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks import cases as kit
from bot.blocks.prescreen import signals_block
from bot.core.config import LANGUAGES
from bot.core.i18n import Translator
from bot.flows import prescreen
from bot.flows.policy import ROOT, load_policy
from bot.usecases.cases import CaseSnapshot

POLICY = load_policy()
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
POST = ("BEL DIE MAN DRINGEND OP 0470 12 34 56 OF MAIL JAN.PEETERS@TELENET.BE, HIJ WOONT IN DE "
        "KERKSTRAAT 12. ZIE OOK HTTPS://BIT.LY/ABC <!channel>")


def case(text: str = POST, signals: tuple[str, ...] | None = None) -> CaseSnapshot:
    found = tuple(s.code for s in prescreen.detect(text)) if signals is None else signals
    return CaseSnapshot(
        id=7, team_id="T0FAKE", channel_id="C0INTAKE", message_ts="1700000000.000100",
        bot_message_ts="1700000000.000200", via="message", platform="facebook",
        link="https://www.facebook.com/gemeente.voorbeeld/posts/1", author_platform=None,
        author_handle=None, text=text, forwarded_by="U0FAKESTAFF1", forwarded_at=NOW,
        source_permalink=None, origin=None, status="open", node_id=ROOT, pending_action=None,
        version=0, evidence_files=0, history=(), signals=found)


def _signals(blocks: list[dict]) -> list[dict]:
    return [b for b in blocks if b.get("block_id", "").startswith("signals:")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_case_message_shows_the_signals_masked_with_the_guides_advice(language):
    tr = Translator(language)
    built = kit.case_message(case(), POLICY, tr)
    Block.parse_all(built)
    assert [b.to_dict() for b in Block.parse_all(built)] == built
    json.dumps(built)
    [block] = _signals(built)
    assert block["block_id"] == "signals:privacy.phone,privacy.email,privacy.address,caps,link.shortener"
    text = block["text"]["text"]
    assert "04xx xx xx 56" in text and "J…@…BE" in text and "K…straat x2" in text
    assert "12 34" not in text and "PEETERS" not in text and "KERKSTRAAT 12" not in text
    assert text.count(tr("prescreen.advice.privacy")) == 1  # once for all personal data
    assert tr("prescreen.advice.caps") in text and tr("prescreen.advice.shortener") in text
    assert "<!channel>" not in text
    # Nothing is preselected: no button is marked as the choice.
    for block in built:
        for element in block.get("elements", []) + [block.get("accessory") or {}]:
            assert "initial_option" not in element and "initial_options" not in element


def test_the_dutch_advice_is_the_guides():
    tr = Translator("nl")
    assert tr("prescreen.advice.caps") == ("Op zich geen overtreding: sommige mensen schrijven in "
                                           "hoofdletters omdat ze slecht zien.")
    assert tr("prescreen.advice.privacy").startswith(
        "Persoonsgegevens van iemand anders: bij een privacyschending verwijder je meteen, na een screenshot.")


def test_no_signals_no_block():
    assert signals_block(case("Wanneer worden de kerstbomen opgehaald?"), POLICY, Translator("nl")) == []
    assert not _signals(kit.case_message(case("Wanneer worden de kerstbomen opgehaald?"), POLICY,
                                         Translator("nl")))


def test_a_repeat_is_shown_without_a_value_and_an_erased_post_keeps_its_codes():
    [block] = signals_block(case("Dit is een herhaalde reactie over de wegenwerken aan de school",
                                 signals=("spam.repeat",)), POLICY, Translator("nl"))
    assert block["block_id"] == "signals:spam.repeat"
    erased = dataclasses.replace(case(), text="")
    [block] = signals_block(erased, POLICY, Translator("en"))
    assert block["block_id"].startswith("signals:privacy.phone")
    assert "`" not in block["text"]["text"]  # nothing left to show


def test_the_longest_post_stays_within_slacks_limits():
    long = ("Bel 0470 12 34 56 of mail a.b@c.be in de Kerkstraat 12 " * 200)[:40000]
    built = kit.case_message(case(long), POLICY, Translator("nl"))
    assert [b.to_dict() for b in Block.parse_all(built)] == built


@pytest.mark.parametrize("language", LANGUAGES)
def test_leads_see_how_often_the_team_agreed(language):
    from bot.usecases.prescreen import Agreement
    from bot.blocks.prescreen import agreement_block

    tr = Translator(language)
    built = agreement_block((Agreement("privacy.phone", 10, 8, 6), Agreement("caps", 3, 0, 0)), tr)
    assert [b.to_dict() for b in Block.parse_all(built)] == built
    text = built[0]["text"]["text"]
    assert tr("prescreen.signal.privacy.phone") in text and "75" in text and "6" in text
    assert tr("prescreen.agreement_unsorted", signal=tr("prescreen.signal.caps"), signalled=3) in text
    assert agreement_block((), tr) == []
