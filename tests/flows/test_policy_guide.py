"""The bundled policy against the guide and the house rules of writing: u-vorm, placeholders the
renderer knows, links as settings, strike messages that follow the thresholds, holidays for any
year. Pure tests: no Slack, no database."""

from __future__ import annotations

import copy
import dataclasses
import logging
import re
import string
import tomllib
from datetime import date, datetime
from types import SimpleNamespace

import pytest
import pytz

from bot.blocks.cases import case_message
from bot.usecases.cases import CaseSnapshot
from bot.flows import tree
from bot.flows.policy import (
    BUNDLED_POLICY,
    LINKS,
    PLACEHOLDERS,
    Policy,
    PolicyError,
    load_policy,
    parse_policy,
)
from bot.flows.policy.model import _all_texts
from bot.flows.strikes import VIOLATION_NODES
from bot.flows.timing import add_business_minutes, is_business_time
from bot.core.i18n import Translator
from bot.policy_notice import announce_unfinished_policy
from bot.usecases.routing import RoutedQuestionSnapshot, ServiceView
from bot.blocks.routing import answered_in_thread

POLICY = load_policy()
JE = re.compile(r"\b(je|jij|jou|jouw|jezelf)\b", re.IGNORECASE)
U = re.compile(r"\b(u|uw|uzelf)\b", re.IGNORECASE)
BRUSSELS = pytz.timezone("Europe/Brussels")


@pytest.fixture
def raw() -> dict:
    return copy.deepcopy(tomllib.loads(BUNDLED_POLICY.read_text(encoding="utf-8")))


def citizen_texts(policy: Policy):
    """Every text meant for a citizen: suggested replies, private messages, inbox, routing."""
    for node in policy.nodes.values():
        for i, reply in enumerate(node.replies):
            yield f"nodes.{node.id}.replies[{i}]", reply.text
    for step, text in policy.strikes.messages.items():
        yield f"strikes.messages.{step}", text
    for rule, steps in policy.strikes.by_rule.items():
        for step, text in steps.items():
            yield f"strikes.messages.{rule}.{step}", text
    yield "routing.holding_reply", policy.routing.holding_reply
    yield "routing.answer_reply", policy.routing.answer_reply
    yield "inbox.auto_reply", policy.inbox.auto_reply
    yield "inbox.out_of_hours", policy.inbox.out_of_hours


# --- u-vorm -------------------------------------------------------------------------------------


def test_every_text_for_citizens_has_a_u_vorm_that_says_u_and_never_je():
    texts = list(citizen_texts(POLICY))
    assert len(texts) > 20
    for where, text in texts:
        assert text.nl_u, where
        # the team fills in its own first name ("[je voornaam]"): not a word to the citizen
        je_form = re.sub(r"\[[^\]]*\]", "", text.nl)
        u_form = re.sub(r"\[[^\]]*\]", "", text.nl_u)
        assert not JE.search(u_form), f"{where}: je-vorm in the u-vorm"
        assert not U.search(je_form), f"{where}: u-vorm in the je-vorm"
        if JE.search(je_form):
            assert U.search(u_form), f"{where}: the u-vorm does not address the citizen as u"


@pytest.mark.parametrize(
    "path",
    [
        ("nodes", "negative.conduct", "replies", 0, "text"),
        ("strikes", "messages", "block"),
        ("strikes", "messages", "negative.privacy", "first_warning"),
        ("routing", "holding_reply"),
        ("routing", "answer_reply"),
        ("inbox", "auto_reply"),
    ],
)
def test_the_validator_rejects_a_text_for_citizens_without_its_u_vorm(raw, path):
    target = raw
    for key in path:
        target = target[key]
    del target["nl_u"]
    with pytest.raises(PolicyError, match=r"lacks its u-vorm variant \(nl_u\)"):
        parse_policy(raw)


def test_a_u_vorm_is_refused_where_no_citizen_reads_it(raw):
    raw["nodes"]["negative"]["about"]["nl_u"] = "Kritiek of haat van u."
    with pytest.raises(PolicyError, match="unsupported language 'nl_u'"):
        parse_policy(raw)


def test_the_old_single_reply_key_is_refused_with_the_way_to_write_it(raw):
    raw["nodes"]["neutral.question"]["reply"] = {"nl": "Bedankt!", "en": "Thanks!"}
    with pytest.raises(PolicyError, match=r"replies.*nl_u"):
        parse_policy(raw)


def test_texts_carry_no_stray_indentation_from_the_toml():
    for where, text in _all_texts(POLICY):
        for variant in (text.nl, text.nl_u or "", text.en):
            assert variant == variant.strip() and "\n " not in variant and "  " not in variant, where


# --- placeholders -------------------------------------------------------------------------------


def test_every_placeholder_in_the_bundled_policy_is_one_the_renderer_fills():
    extra = {"reason": "er staan scheldwoorden in je reactie", "answer": "Ja.", "service": "mobiliteit"}
    for where, text in _all_texts(POLICY):
        for variant in (text.nl, text.nl_u, text.en):
            if variant is None:
                continue
            filled = POLICY.fill(variant, **extra)
            assert "{" not in filled and "}" not in filled, where
            names = {n for _, n, _, _ in string.Formatter().parse(variant) if n}
            assert names <= PLACEHOLDERS | set(extra), where


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("nodes", "neutral.report", "replies", 0, "text", "nl_u"), "Zie {meldpunt}.",
         "nodes.neutral.report.replies[0].text.nl_u uses unknown placeholder {meldpunt}"),
        (("strikes", "messages", "first_warning", "en"), "See {reasons}.",
         "strikes.messages.first_warning.en uses unknown placeholder {reasons}"),
        (("routing", "holding_reply", "nl"), "Even geduld: {answer}",
         "routing.holding_reply.nl uses unknown placeholder {answer}"),
        (("actions", "report_unia", "hint", "nl"), "Unia: {unia_url}",
         "actions.report_unia.hint.nl uses unknown placeholder {unia_url}"),
        (("tone", "checklist", "en"), "Write as {team_name}.",
         "tone.checklist.en uses unknown placeholder {team_name}"),
    ],
)
def test_an_unknown_placeholder_anywhere_is_refused(raw, path, value, message):
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(PolicyError, match=re.escape(message)):
        parse_policy(raw)


def test_months_is_refused_when_strikes_never_expire(raw):
    del raw["strikes"]["expire_after_months"]
    with pytest.raises(PolicyError, match=r"uses \{months\}, but strikes never expire"):
        parse_policy(raw)


# --- links as settings --------------------------------------------------------------------------


def test_no_text_holds_a_hand_filled_link():
    for where, text in _all_texts(POLICY):
        for variant in (text.nl, text.nl_u or "", text.en):
            assert not re.search(r"\[(link|url)\]", variant, re.IGNORECASE), where


def test_the_municipalitys_links_are_settings_and_used_where_the_guide_asks():
    assert set(POLICY.links) == set(LINKS)
    report = POLICY.node("neutral.report").reply.nl
    assert "{meldpunt_url}" in report and "referentienummer" in report
    assert "{complaints_url}" in POLICY.strikes.messages["block"].nl
    question = " ".join(r.text.nl for r in POLICY.node("neutral.question").replies)
    assert "{question_form_url}" in question
    assert "{hiernet_url}" in POLICY.node("negative.conduct").tip.nl


def test_the_bundled_policy_is_reported_unfinished_and_a_filled_one_is_not(raw):
    unfinished = dict(POLICY.unfinished())
    assert unfinished["policy.code_of_conduct_url"].startswith("https://www.example.be/")
    assert "policy.meldpunt_url" in unfinished and "support[0].contact" in unfinished
    assert "policy.criteria_url" not in unfinished  # Unia's page is the same for everyone
    text = BUNDLED_POLICY.read_text(encoding="utf-8").replace("example.be", "zonnedorp.be")
    assert parse_policy(tomllib.loads(text)).unfinished() == []
    raw["nodes"]["negative.misinformation"]["replies"][0]["text"]["en"] = "See [link]."
    raw["policy"]["meldpunt_url"] = "https://www.zonnedorp.be/meldpunt"
    found = dict(parse_policy(raw).unfinished())
    assert found["nodes.negative.misinformation.replies[0].text"] == "[link]"
    assert "policy.meldpunt_url" not in found


class RecordingClient:
    def __init__(self, team_id: str | None = None) -> None:
        self.calls: list[tuple[str, dict]] = []
        self.team_id = team_id

    def auth_test(self):
        self.calls.append(("auth.test", {}))
        return {"team_id": self.team_id}

    def conversations_open(self, **kwargs):
        self.calls.append(("conversations.open", kwargs))
        return {"channel": {"id": "D" + kwargs["users"]}}

    def chat_postMessage(self, **kwargs):  # noqa: N802 (slack_sdk's name)
        self.calls.append(("chat.postMessage", kwargs))
        return {"ok": True}


def _deps(policy: Policy, leads=("U0LEAD0001", "U0LEAD0002"), install_mode=False):
    return SimpleNamespace(policy=policy, tr=Translator("nl"), engine=None,
                           settings=SimpleNamespace(install_mode=install_mode),
                           workspace=SimpleNamespace(lead_user_ids=leads))


def test_an_unfinished_policy_warns_every_lead_in_slack_and_in_the_log(caplog):
    client = RecordingClient()
    with caplog.at_level(logging.WARNING, logger="bot.policy_notice"):
        problems = announce_unfinished_policy(_deps(POLICY), client)
    assert problems
    assert "policy.code_of_conduct_url = https://www.example.be/" in caplog.text
    posted = [kwargs for name, kwargs in client.calls if name == "chat.postMessage"]
    assert [p["channel"] for p in posted] == ["DU0LEAD0001", "DU0LEAD0002"]
    assert "nog niet klaar" in posted[0]["text"]
    assert "https://www.example.be/meldpunt" in posted[0]["text"]


def test_a_finished_policy_warns_nobody():
    text = BUNDLED_POLICY.read_text(encoding="utf-8").replace("example.be", "zonnedorp.be")
    client = RecordingClient()
    assert announce_unfinished_policy(_deps(parse_policy(tomllib.loads(text))), client) == []
    assert client.calls == []


# --- replies that keep the guide's tone ---------------------------------------------------------


def test_spam_and_off_topic_get_no_public_reply_but_an_optional_private_message():
    for node_id in ("negative.spam", "neutral.offtopic"):
        kinds = [r.kind for r in POLICY.node(node_id).replies]
        assert kinds == ["private"], node_id


def test_privacy_is_one_private_message_that_is_also_the_warning():
    replies = POLICY.node("negative.privacy").replies
    assert [r.kind for r in replies] == ["private"]
    assert "waarschuwing" in replies[0].text.nl and "verwijderd" in replies[0].text.nl
    first = POLICY.strikes.message("first_warning", "negative.privacy")
    assert first is not POLICY.strikes.messages["first_warning"]
    assert "verwijderd" in first.nl and "aanpassen" not in first.nl  # the comment is already gone
    assert POLICY.strikes.message("first_warning", "negative.conduct") is POLICY.strikes.messages["first_warning"]


def test_the_compliment_reply_is_hidden_when_the_policy_says_never_react():
    on = dataclasses.replace(POLICY, switches={**POLICY.switches, "react_to_compliments": True})
    off = dataclasses.replace(POLICY, switches={**POLICY.switches, "react_to_compliments": False})
    assert on.replies_on("positive.compliment")
    assert off.replies_on("positive.compliment") == []
    assert [a.id for a in off.actions_on("positive.compliment")] == ["leave"]
    shown = _render(off, "positive.compliment")
    assert "Wat fijn om te lezen" not in shown and "Laten staan" in shown


def test_sympathy_is_let_stand_first():
    offered = POLICY.actions_on("neutral.sympathy")
    assert offered[0].id == "leave" and offered[0].style == "primary"


def test_the_holding_reply_fits_more_than_a_question_and_the_answer_names_the_service():
    holding = POLICY.routing.holding_reply
    for variant in (holding.nl, holding.nl_u, holding.en):
        assert "vraag" not in variant.lower() and "question" not in variant.lower()
    answer = POLICY.routing.answer_reply
    assert all("{service}" in v and "{answer}" in v for v in (answer.nl, answer.nl_u, answer.en))


def _answer_reply(service_name: str, language: str) -> str:
    """The answer reply as the case thread shows it, for a question answered by ``service_name``."""
    service = ServiceView(1, service_name, "", ("U0ANTENNA1",), None, 0)
    asked = datetime(2026, 3, 2, 10, 0, tzinfo=pytz.utc)
    question = RoutedQuestionSnapshot(
        id=7, team_id="T0TEST0001", case_id=3, case_channel="C0INTAKE01", case_ts="1.2",
        case_text="Wanneer wordt het park gemaaid?", case_link=None, service=service, kind="ask",
        question="Wanneer wordt het park gemaaid?", context="", asked_by="U0ANNA0001",
        asked_at=asked, due_at=asked, status="answered", answered_by="U0ANTENNA1",
        answer="Volgende week.")
    blocks = answered_in_thread(question, POLICY, Translator(language))
    return blocks[-1]["text"]["text"].replace("&#39;", "'")


def test_the_answer_reply_names_every_bundled_service_with_its_article():
    assert len(POLICY.routing.services) >= 10
    for service in POLICY.routing.services:
        nl, en = _answer_reply(service.name, "nl"), _answer_reply(service.name, "en")
        display_nl, display_en = service.display.nl, service.display.en
        assert display_nl.startswith("de ") and display_en.startswith("the "), service.name
        # both the je-vorm and the u-vorm are shown, each naming the service in a sentence
        assert nl.count(f"bij onze collega's van {display_nl}: Volgende week.") == 2, nl
        assert f"colleagues at {display_en}: Volgende week." in en, en
        assert f"van {service.name}:" not in nl and f"at {service.name}:" not in en
    assert "bij onze collega's van de groendienst: " in _answer_reply("groendienst", "nl")
    assert "bij onze collega's van de dienst Burgerzaken: " in _answer_reply("burgerzaken", "nl")
    assert "our colleagues at the parks department: " in _answer_reply("groendienst", "en")


def test_a_service_added_with_antenne_keeps_its_typed_name_escaped():
    shown = _answer_reply("dienst <!here> & co", "nl")
    assert "collega's van dienst &lt;!here&gt; &amp; co: Volgende week." in shown
    assert POLICY.service_name("dienst x", "en") == "dienst x"
    assert POLICY.service_name("groendienst", "en") == "the parks department"


@pytest.mark.parametrize("drop", ["display", "nl", "en"])
def test_the_validator_requires_a_display_name_per_service_and_names_it(raw, drop):
    service = next(s for s in raw["routing"]["services"] if s["name"] == "mobiliteit")
    if drop == "display":
        del service["display"]
        expected = "routing.services.mobiliteit.display is missing"
    else:
        del service["display"][drop]
        expected = f"routing.services.mobiliteit.display lacks a translation for {drop!r}"
    with pytest.raises(PolicyError) as excinfo:
        parse_policy(raw)
    assert str(excinfo.value) == expected


def test_strike_messages_state_the_procedure_from_the_thresholds_and_are_signed():
    for where, text in citizen_texts(POLICY):
        if not where.startswith("strikes."):
            continue
        for variant in (text.nl, text.nl_u, text.en):
            assert "{block}" in variant and "{months}" in variant, where
            assert "{team}" in variant and variant.startswith(("Dag [naam]", "Hello [name]")), where
            assert not re.search(r"\b(drie|three|3)\b", variant), where
    for variant in (POLICY.strikes.messages["block"].nl, POLICY.strikes.messages["block"].en):
        assert "{complaints_url}" in variant
    stricter = dataclasses.replace(POLICY, strikes=dataclasses.replace(
        POLICY.strikes, first_warning=1, second_warning=3, block=5))
    filled = stricter.fill(stricter.strikes.messages["first_warning"].nl, reason="x")
    assert "na 3 overtredingen" in filled and "na 5 blokkeren" in filled


def test_strike_messages_per_category_only_for_categories_with_a_strike(raw):
    assert set(POLICY.strikes.by_rule) <= VIOLATION_NODES
    raw["strikes"]["messages"]["negative.venting"] = copy.deepcopy(
        raw["strikes"]["messages"]["negative.privacy"])
    with pytest.raises(PolicyError, match="strikes.messages.negative.venting"):
        parse_policy(raw)


# --- the guide's missing content ----------------------------------------------------------------


def test_the_guide_content_the_review_found_missing_is_there():
    def offered(node_id):
        return {a.id for a in POLICY.actions_on(node_id)}

    assert "90-9-1" in POLICY.node("negative").tip.nl
    for node_id in ("negative.punishable", "negative.conduct", "negative.venting",
                    "negative.criticism", "external.monitor"):
        assert "inform_service" in offered(node_id), node_id
    assert "inform_college" in offered("negative.criticism")
    assert POLICY.staff_check("external.privacy")
    assert "report_platform" in offered("external.misinformation")
    assert {"block", "report_platform"} <= offered("negative.spam")
    assert "GIPHY" in POLICY.node("positive.compliment").tip.nl
    titles = [r.title.nl for r in POLICY.node("neutral.question").replies]
    assert any("andere gebruiker" in t for t in titles) and any("persoonlijk" in t for t in titles)
    conduct = " ".join(r.text.nl for r in POLICY.node("negative.conduct").replies)
    assert "kwetst" in conduct  # the guide's "Het kwetst me…"
    assert POLICY.inbox.auto_reply.nl and "112" in POLICY.inbox.out_of_hours.nl


def test_the_political_switch_is_split_with_the_model_codes_default():
    assert POLICY.switches["remove_political"] is True  # party-political self-promotion
    assert POLICY.switches["remove_political_opinions"] is False
    for party, opinions, removable in [(False, False, False), (True, False, True),
                                       (False, True, True)]:
        variant = dataclasses.replace(POLICY, switches={
            **POLICY.switches, "remove_political": party, "remove_political_opinions": opinions})
        assert ("delete" in {a.id for a in variant.actions_on("neutral.political")}) is removable


def test_report_buttons_link_the_right_place_and_say_who_handles_what():
    actions = POLICY.actions
    assert actions["report_unia"].url.startswith("https://www.signalement.unia.be/")
    assert "vlaamsmensenrechteninstituut.be" in actions["report_vmri"].url
    assert "igvm-iefh.belgium.be" in actions["report_igvm"].url
    assert POLICY.fill(actions["report_police"].url) == POLICY.links["police_url"]
    assert "DSA" in actions["report_platform"].hint.nl
    assert "screenshot" in actions["report_unia"].hint.nl and "link" in actions["report_unia"].hint.nl
    shown = _render(POLICY, "negative.punishable")
    for action_id in ("report_platform", "report_police", "report_unia", "report_igvm", "report_vmri"):
        assert actions[action_id].hint.nl.split(":")[0] in shown, action_id


def test_every_action_has_a_noun_and_no_noun_is_its_label():
    for action in POLICY.actions.values():
        for language in ("nl", "en"):
            noun = action.noun.get(language)
            assert noun and noun != action.label.get(language), action.id
    assert POLICY.actions["evidence"].noun.nl == "screenshot"


def test_a_missing_noun_is_refused(raw):
    del raw["actions"]["hide"]["noun"]
    with pytest.raises(PolicyError, match="actions.hide.noun is missing"):
        parse_policy(raw)


def test_no_dutch_text_says_zaak_for_a_case():
    for where, text in _all_texts(POLICY):
        for variant in (text.nl, text.nl_u or ""):
            assert not re.search(r"\bzaak\b|\bzaken\b", variant.replace("stand van zaken", ""),
                                 re.IGNORECASE) or "je zaak" in variant or "uw zaak" in variant, where


# --- the case message offers the u-vorm and the checklist ----------------------------------------


def _render(policy: Policy, node_id: str, language: str = "nl") -> str:
    now = datetime(2026, 12, 3, 10, 0, tzinfo=pytz.utc)
    case = CaseSnapshot(
        id=7, team_id="T0FAKE", channel_id="C0INTAKE", message_ts="1700000000.000100",
        bot_message_ts="1700000000.000200", via="message", platform="facebook", link=None,
        author_platform=None, author_handle=None, text="Een reactie", forwarded_by="U0ANNA0001",
        forwarded_at=now, source_permalink=None, origin="own", status=tree.OPEN, node_id=node_id,
        pending_action=None, version=3, evidence_files=0, history=(),
    )
    return str(case_message(case, policy, Translator(language)))


def test_the_case_message_offers_the_u_vorm_and_the_tone_checklist():
    shown = _render(POLICY, "negative.conduct")
    assert "In de u-vorm" in shown
    assert "Wilt u uw reactie anders formuleren?" in shown
    assert "Begin positief" in shown
    english = _render(POLICY, "negative.conduct", "en")
    assert "u-form" not in english and "Could you rephrase your comment?" in english


# --- holidays -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (date(2031, 4, 14), True),  # Easter Monday 2031, computed, not listed
        (date(2031, 5, 22), True),  # Ascension 2031
        (date(2031, 6, 2), True),  # Whit Monday 2031
        (date(2031, 7, 11), True),  # the Flemish Community's day: the policy's closing day
        (date(2031, 11, 3), False),  # a Monday, 2 November is a Sunday that year
        (date(2031, 12, 26), True),  # the policy's closing day
        (date(2031, 4, 15), False),  # an ordinary Tuesday
        (date(2045, 11, 2), True),  # Allerzielen, far ahead
    ],
)
def test_holidays_never_run_out(day, closed):
    assert POLICY.business_hours.is_holiday(day) is closed
    noon = BRUSSELS.localize(datetime.combine(day, datetime.min.time().replace(hour=12)))
    if day.weekday() < 5:
        assert is_business_time(noon.astimezone(pytz.utc), POLICY.business_hours) is not closed


def test_a_deadline_skips_a_computed_holiday_in_2031():
    # Wednesday 21 May 2031, 16:00 + 2 business hours: Thursday is Ascension Day, so Friday 10:00
    start = BRUSSELS.localize(datetime(2031, 5, 21, 16, 0)).astimezone(pytz.utc)
    due = add_business_minutes(start, 120, POLICY.business_hours).astimezone(BRUSSELS)
    assert due.replace(tzinfo=None) == datetime(2031, 5, 23, 10, 0)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("closing_days", ["26-12"], "business_hours.closing_days: '26-12' is not a day"),
        ("closing_days", ["02-30"], "business_hours.closing_days: '02-30' is not a day"),
        ("public_holidays", "Belgium", "business_hours.public_holidays: unknown country 'Belgium'"),
    ],
)
def test_holiday_settings_are_validated(raw, key, value, message):
    raw["business_hours"][key] = value
    with pytest.raises(PolicyError, match=re.escape(message)):
        parse_policy(raw)


def test_public_holidays_can_be_switched_off(raw):
    raw["business_hours"]["public_holidays"] = False
    raw["business_hours"]["closing_days"] = []
    hours = parse_policy(raw).business_hours
    assert not hours.is_holiday(date(2031, 12, 25))


# --- strike guidance: the category's message, je and u ------------------------------------------


@pytest.mark.parametrize(("rule", "expected"), [
    ("negative.privacy", "we hebben je reactie op onze pagina verwijderd"),
    ("negative.conduct", "wil je ze dan aanpassen of verwijderen?"),
])
def test_strike_guidance_offers_the_categorys_message_in_je_and_u(rule, expected):
    from bot.flows.strikes import Step as StrikeStep
    from bot.blocks.strikes import guidance
    from bot.usecases.strikes import StrikeResult

    result = StrikeResult(strike_id=1, created=True, platform="facebook", handle="@een_burger",
                          counting=1, step=StrikeStep.FIRST_WARNING, case_id=7)
    blocks = guidance(result, POLICY, Translator("nl"), reason_public="er stond een adres in",
                      rule=rule)
    shown = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert expected in shown and "In de u-vorm" in shown
    assert "er stond een adres in" in shown and "{" not in shown  # every placeholder filled
    english = str(guidance(result, POLICY, Translator("en"), reason_public="x", rule=rule))
    assert "u-form" not in english and "Hello [name]" in english
