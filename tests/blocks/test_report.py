"""The report message is valid Block Kit in both languages and carries every number in text."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks import report as views
from bot.core.config import LANGUAGES
from bot.core.i18n import Translator
from bot.flows import report as rules
from bot.flows.policy import load_policy
from bot.flows.report import Durations, QuestionFacts, period_of
from bot.usecases.report import ReportSnapshot
from storage.reports import StrikeCounts

POLICY = load_policy()
ZONE = "Europe/Brussels"
PERIOD = period_of(date(2026, 11, 1), date(2026, 11, 30), ZONE)
NO_TIME = Durations(0, None, None, None, None)


def snapshot(**changes) -> ReportSnapshot:
    start = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
    questions = [QuestionFacts(service, start, start + timedelta(hours=8), start + timedelta(hours=h))
                 for service, h in (("mobiliteit", 2), ("mobiliteit", 30), ("gelijke kansen", 1),
                                    ("een zelf toegevoegde dienst", 3))]
    values = dict(
        period=PERIOD, previous=PERIOD.previous(ZONE), opened=1234, closed=987,
        by_origin=(("own", 1200), ("external", 30), ("unknown", 4)),
        by_sentiment=tuple((s, 7) for s in rules.SENTIMENTS),
        by_category=tuple((node, 3) for node in POLICY.nodes if rules.category_of(node, POLICY)),
        by_platform=(("facebook", 800), ("instagram", 400), ("onbekend_platform", 34)),
        to_first_decision=Durations(1234, 2.25, 17.5, 3.0, 70.04),
        to_closing=Durations(1, 1.0, 1.0, 1.0, 1.0),
        services=rules.service_lines(questions, POLICY.business_hours),
        strikes=StrikeCounts(12, 2, 1, 3, 4), staff_supported=1,
        trends=rules.trends({"negative.conduct": 9, "neutral.question": 4, "negative.spam": 2},
                            {"negative.conduct": 3, "neutral.question": 4, "negative.spam": 5}),
        buckets=rules.buckets(PERIOD, [], ZONE),
    )
    values.update(changes)
    return ReportSnapshot(**values)


def text_of(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["full", "empty"])
def test_the_report_is_valid_block_kit(language, kind):
    tr = Translator(language)
    shown = snapshot() if kind == "full" else snapshot(
        opened=0, closed=0, by_origin=(), by_sentiment=(), by_category=(), by_platform=(),
        to_first_decision=NO_TIME, to_closing=NO_TIME, services=(), trends=(),
        strikes=StrikeCounts(0, 0, 0, 0, 0), staff_supported=0)
    built = views.report_blocks(shown, POLICY, tr, intro=tr("report.sent"))
    assert 0 < len(built) <= 50
    assert [b.to_dict() for b in Block.parse_all(built)] == built
    assert views.fallback(shown, tr)


def test_every_number_is_in_the_text_in_dutch():
    text = text_of(views.report_blocks(snapshot(), POLICY, Translator("nl")))
    assert "*Dossiers:* 1234 geopend, 987 gesloten." in text
    assert "01/11/2026 tot en met 30/11/2026" in text
    assert "mediaan 2,2 u, 90e percentiel 17,5 u binnen de werkuren" in text
    assert "mediaan 3,0 u, 90e percentiel 70,0 u op de klok" in text
    assert "(1 dossier)" in text and "(1234 dossiers)" in text
    assert "De dienst Mobiliteit: 2 vragen, 1 op tijd beantwoord, 1 te laat" in text
    assert "Een zelf toegevoegde dienst: 1 vraag" in text
    assert "*Strikes:* 12 geregistreerd, 2 ingetrokken." in text
    assert "*Bezwaren:* 4 behandeld" in text
    assert "4 auteurs geblokkeerd" in text
    assert "1 collega kreeg" in text
    assert "Tegen onze gedragscode, maar niet strafbaar: 9 (vorige periode 3: gestegen)" in text and "gestegen" in text and "gedaald" in text
    assert "gelijk gebleven" in text
    assert "van 30 dagen (02/10/2026 tot en met 31/10/2026)" in text
    assert "Op een eigen kanaal: 1200" in text and "Nog niet gekozen: 4" in text
    assert "Facebook: 800" in text and "onbekend_platform: 34" in text
    for sentiment in ("Negatief", "Neutraal", "Positief", "Externe groep", "Nog niet ingedeeld"):
        assert f"{sentiment}: 7" in text


def test_english_writes_a_decimal_point():
    text = text_of(views.report_blocks(snapshot(), POLICY, Translator("en")))
    assert "median 2.2 h, 90th percentile 17.5 h in business hours" in text
    assert "*Cases:* 1234 opened, 987 closed." in text


def test_chart_words_follow_the_period_length():
    tr = Translator("nl")
    assert views.chart_words(snapshot(), tr)["weekly"] is False
    year = period_of(date(2026, 1, 1), date(2026, 12, 31), ZONE)
    words = views.chart_words(snapshot(period=year), tr)
    assert words["weekly"] is True and "per week" in words["title"]
    assert set(words["labels"]) == set(rules.SENTIMENTS)
