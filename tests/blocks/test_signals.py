"""A service's overview is valid Block Kit and hides every count under 5."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks import signals as views
from bot.core.config import LANGUAGES
from bot.core.i18n import Translator
from bot.flows.policy import load_policy
from bot.flows.report import period_of
from bot.flows.signals import CaseSignal, signals
from bot.usecases.digest import ServiceOverview

POLICY = load_policy()
ZONE = "Europe/Brussels"
PERIOD = period_of(date(2026, 11, 1), date(2026, 11, 30), ZONE)


def overview(now: int, before: int) -> ServiceOverview:
    current = [CaseSignal(i, "negative.punishable", "facebook") for i in range(now)]
    earlier = [CaseSignal(1000 + i, "negative.punishable", "facebook") for i in range(before)]
    found = signals(PERIOD, PERIOD.previous(ZONE), ("negative.punishable", "negative.conduct"),
                    current, earlier, Counter({"report_unia": min(now, 3)}), Counter())
    return ServiceOverview("gelijke kansen", "monthly", None, ("U0ANTGK001",), found)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("now", "before"), [(0, 0), (3, 1), (12, 4), (7, 30)])
def test_the_overview_is_valid_block_kit(language, now, before):
    built = views.overview_blocks(overview(now, before), POLICY, Translator(language))
    assert [b.to_dict() for b in Block.parse_all(built)] == built


def test_small_counts_read_fewer_than_five_and_trends_need_enough_cases():
    tr = Translator("nl")
    small = json.dumps(views.overview_blocks(overview(3, 1), POLICY, tr), ensure_ascii=False)
    assert "*Dossiers:* minder dan 5 (vorige periode: minder dan 5; te weinig om te vergelijken)" in small
    assert "3" not in small.replace("30/11", "").replace("31/10", "").replace("2026", "")
    big = json.dumps(views.overview_blocks(overview(12, 4), POLICY, tr), ensure_ascii=False)
    assert "*Dossiers:* 12 (vorige periode: minder dan 5; gestegen)" in big
    assert "Gemeld bij Unia: minder dan 5" in big
    assert "Tegen onze gedragscode, maar niet strafbaar: 0 (vorige periode: 0; te weinig om te vergelijken)" in big
    fell = json.dumps(views.overview_blocks(overview(7, 30), POLICY, Translator("en")), ensure_ascii=False)
    assert "*Cases:* 7 (previous period: 30; down)" in fell
