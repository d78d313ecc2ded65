"""Every message and view the bot builds is valid Block Kit, within Slack's limits.

The builders return plain dicts, so nothing checks them per request. Here each kind of message and
view is parsed with ``slack_sdk.models`` and turned back into JSON: ``to_dict()`` runs every
object's ``validate_json()`` (text lengths, button values, options, ``private_metadata``...), and
the round trip must give back exactly what was built, so a misspelt or misplaced key fails too.
Inputs include the longest texts a citizen, a team member or the policy can produce.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.blocks import cases as blocks
from bot.slack import ids
from bot.blocks import routing as routing_blocks, strikes as strike_blocks
from bot.usecases.cases import CaseSnapshot, HistoryLine
from bot.core.config import LANGUAGES
from bot.flows import tree
from bot.flows.intake import PLATFORMS
from bot.flows.policy import ROOT, SWITCHES, load_policy
from bot.flows.strikes import Review, Status, Step as StrikeStep
from bot.core.i18n import Translator
from bot.usecases.routing import QUESTION_LIMIT, RoutedQuestionSnapshot, ServiceView, Similar
from bot.usecases.strikes import AuthorHistory, OverviewLine, StrikeLine, StrikeResult

POLICY = load_policy()
POLICIES = {
    "default": POLICY,
    "all on": dataclasses.replace(POLICY, switches={s: True for s in SWITCHES}),
    "all off": dataclasses.replace(POLICY, switches={s: False for s in SWITCHES}),
}
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
LEAD = "U0FAKELEAD1"  # made-up Slack user ids
STAFF = "U0FAKESTAFF1"
LONG = "<!channel> & " + "Wij zijn ontevreden over de nieuwe parking aan het station. " * 700
MESSAGE_BLOCKS = 50  # Slack's most blocks in a message
VIEW_BLOCKS = 100  # and in a modal


def assert_message(built: list[dict]) -> None:
    assert isinstance(built, list) and 0 < len(built) <= MESSAGE_BLOCKS
    parsed = Block.parse_all(built)
    assert [block.to_dict() for block in parsed] == built  # to_dict() validates each object
    json.dumps(built)


def assert_view(built: dict) -> None:
    assert 0 < len(built["blocks"]) <= VIEW_BLOCKS
    assert View(**built).to_dict() == built
    json.dumps(built)


# --- case messages ----------------------------------------------------------------------------


def snapshot(state: tree.CaseState, history: tuple[HistoryLine, ...], *, evidence: int = 0,
             handle: str | None = "@een_burger", version: int = 3) -> CaseSnapshot:
    return CaseSnapshot(
        id=123456, team_id="T0FAKE", channel_id="C0INTAKE", message_ts="1700000000.000100",
        bot_message_ts="1700000000.000200", via="message", platform="facebook",
        link="https://example.org/post/1", author_platform="facebook" if handle else None,
        author_handle=handle, text="Een gewone vraag", forwarded_by=STAFF,
        forwarded_at=NOW, source_permalink=None, origin=None, status=state.status,
        node_id=state.node_id, pending_action=state.pending_action, version=version,
        evidence_files=evidence, history=history,
    )


def every_case(policy) -> list[CaseSnapshot]:
    """A case in every state the tree can reach (each node, guard and closed state), walked from
    the root with every click the message offers; each with the history that led there. Which
    other actions were done only adds a tick to a label, so states differing only in that are
    walked once."""

    def shape(state: tree.CaseState) -> tuple:
        pending = policy.actions[state.pending_action] if state.pending_action else None
        requirement_done = pending is not None and pending.requires in state.done_actions
        return state.node_id, state.status, state.pending_action, state.has_evidence_file, \
            requirement_done

    start = tree.CaseState(node_id=ROOT)
    seen = {shape(start)}
    queue: list[tuple[tree.CaseState, tuple[HistoryLine, ...]]] = [(start, ())]
    found: list[CaseSnapshot] = []
    while queue:
        state, history = queue.pop(0)
        found.append(snapshot(state, history, evidence=int(state.has_evidence_file)))
        for click in tree.offered_moves(policy, state):
            before = state
            if click.move is tree.Move.STAFF:
                click = tree.Click(tree.Move.STAFF, STAFF)
            elif click.move is tree.Move.ACTION and click.target == "evidence":
                before = dataclasses.replace(state, has_evidence_file=True)  # a screenshot came
            try:
                outcome = tree.decide(policy, before, click)
            except tree.Refused:
                continue
            steps = tuple(HistoryLine(r.node_id, r.action_id, LEAD, NOW, r.note) for r in outcome.records)
            if shape(outcome.state) not in seen:
                seen.add(shape(outcome.state))
                queue.append((outcome.state, history + steps))
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("switches", sorted(POLICIES))
def test_every_case_message_is_valid_block_kit(language, switches):
    policy, tr = POLICIES[switches], Translator(language)
    cases = every_case(policy)
    assert len(cases) > len(policy.nodes)  # every node, and guards and closed states besides
    for case in cases:
        assert_message(blocks.case_message(case, policy, tr))
        assert_message(blocks.support_message(policy, tr, case, STAFF))


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_case_with_a_long_history_and_a_long_handle_stays_within_limits(language):
    tr = Translator(language)
    steps = tuple(
        HistoryLine(node, "staff_support" if i % 3 else None, LEAD, NOW + timedelta(minutes=i), STAFF)
        for i, node in enumerate(list(POLICY.nodes) * 20)
    )
    for state in (tree.CaseState(node_id=ROOT),
                  tree.CaseState(node_id=ROOT, status=tree.CLOSED)):
        case = snapshot(state, steps, handle="@" + "x" * 299, version=10**9)
        assert_message(blocks.case_message(case, POLICY, tr))


@pytest.mark.parametrize("language", LANGUAGES)
def test_case_cards_are_valid_block_kit(language):
    tr = Translator(language)
    for platform in PLATFORMS:
        assert_message(blocks.case_card("kort", None, platform, None, STAFF, None, tr))
        assert_message(blocks.case_card(LONG, "https://example.org/" + "p" * 2000, platform,
                                        "@" + "x" * 299, STAFF,
                                        "https://fake.slack.com/archives/C0/p1700000000000100", tr))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_new_case_form_is_a_valid_view(language):
    tr = Translator(language)
    assert_view(blocks.new_case_form(tr, ("meldingen",)))
    assert_view(blocks.new_case_form(tr, ("meldingen", "reacties", "x" * 70)))


# --- strikes --------------------------------------------------------------------------------


def strike_line(number: int, status: Status, *, long: bool = False) -> StrikeLine:
    reason = LONG if long else "Schold een medewerker uit"
    reviews = (((Review.APPEAL_UPHELD.value, LEAD, NOW, reason),) if status is Status.ACTIVE
               else ((Review.REVOKED.value, LEAD, NOW, reason),) if status is Status.REVOKED else ())
    return StrikeLine(
        id=10**9 + number, case_id=10**9 + number, channel_id="C0INTAKE",
        message_ts="1700000000.000100", rule=next(iter(POLICY.nodes)) if number % 2 else "gone",
        decided_by=LEAD, decided_at=NOW, status=status,
        expires_at=None if status is Status.ACTIVE and number % 5 == 0 else NOW + timedelta(days=365),
        reviews=reviews,
        reason_internal=reason if number % 2 else "", reason_public=reason,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_strike_forms_and_guidance_are_valid(language):
    tr = Translator(language)
    for platform in PLATFORMS:
        assert_view(strike_blocks.strike_form(tr, case_id=10**9, version=10**9, platform=platform,
                                              author=None))
        assert_view(strike_blocks.strike_form(tr, case_id=1, version=1, platform=platform,
                                              author=(platform, "@" + "x" * 299)))
    for step in (None, *StrikeStep):
        result = StrikeResult(strike_id=10**9, created=True, platform="facebook",
                              handle="@" + "x" * 299, counting=7, step=step, case_id=10**9)
        for rule in (*POLICY.nodes, "gone"):
            for public in ("Schelden", LONG[:500]):
                assert_message(strike_blocks.guidance(result, POLICY, tr, reason_public=public,
                                                      rule=rule))
                if step is not None:
                    assert_message(strike_blocks.guidance(
                        result, POLICY, tr, reason_public=public, rule=rule,
                        confirmed=(step.value, LEAD, NOW)))
    for kind in ("revoke", "appeal"):
        assert_view(strike_blocks.review_form(tr, strike_id=10**9, kind=kind))


@pytest.mark.parametrize("language", LANGUAGES)
def test_strike_overview_and_history_are_valid(language):
    tr = Translator(language)
    lines = [OverviewLine(author_id=10**9 + i, platform=PLATFORMS[i % len(PLATFORMS)],
                          handle="@" + "x" * 299, strikes=i, last_at=NOW,
                          step=(None, *StrikeStep)[i % 4]) for i in range(strike_blocks.OVERVIEW_PAGE)]
    for offset in (0, 45):
        assert_message(strike_blocks.overview([], tr, offset=offset, more=False))
        assert_message(strike_blocks.overview(lines, tr, offset=offset, more=True))
        # A page made from one line more than fits: the builder says there is more, and shows a page.
        page = strike_blocks.overview_page(lines + lines[:1], tr, offset=offset)
        assert_message(page)
        assert page == strike_blocks.overview(lines, tr, offset=offset, more=True)
    assert_message(strike_blocks.history([], POLICY, tr, workspace_url=None, query=LONG))
    for long in (False, True):
        authors = [
            AuthorHistory(
                author_id=i, platform="instagram", handle="@" + "x" * 299,
                strikes=tuple(strike_line(n, list(Status)[n % 3], long=long) for n in range(count)),
                measures=tuple((s.value, LEAD, NOW) for s in StrikeStep), counting=count,
                step=StrikeStep.BLOCK,
            )
            for i, count in enumerate((1, 6, 40))
        ]
        for url in (None, "https://fake.slack.com/"):
            assert_message(strike_blocks.history(authors, POLICY, tr, workspace_url=url, query="x"))
            assert_message(strike_blocks.history(authors[:1], POLICY, tr, workspace_url=url,
                                                 query="x"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_lead_and_privacy_messages_are_valid(language):
    tr = Translator(language)
    assert_message(strike_blocks.leads_list([], tr))
    assert_message(strike_blocks.leads_list([f"U0FAKE{i:05d}" for i in range(40)], tr))
    assert_message(strike_blocks.erase_confirmation(PLATFORMS[0], "@" + "x" * 299, tr))


# --- routing -----------------------------------------------------------------------------------


def service(number: int, *, long: bool = False) -> ServiceView:
    return ServiceView(
        id=10**9 + number, name=("Dienst " + "x" * 200) if long else f"Dienst {number}",
        description=LONG[:1000] if long else "", antennas=tuple(f"U0FAKEANT{i}" for i in range(8)),
        backup="U0FAKEBACKUP" if number % 2 else None, open_questions=number,
        channel="C0SERVICE" if number % 2 else None,
        question_minutes=90 if number % 3 else None, report_minutes=2880 if number % 3 else None,
    )


def question(status: str, kind: str, *, long: bool = False) -> RoutedQuestionSnapshot:
    text = LONG if long else "Wanneer gaat het zwembad weer open?"
    return RoutedQuestionSnapshot(
        id=10**9, team_id="T0FAKE", case_id=10**9, case_channel="C0INTAKE",
        case_ts="1700000000.000100", case_text=text, case_link="https://example.org/" + "p" * 900,
        service=service(1, long=long), kind=kind, question=text[:QUESTION_LIMIT],
        context=text[:QUESTION_LIMIT], asked_by=STAFF, asked_at=NOW,
        due_at=NOW + timedelta(hours=8) if kind != "fyi" else None, status=status,
        answered_by=LEAD if status == "answered" else None,
        answer=text if status == "answered" else None,
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_routing_messages_and_views_are_valid(language):
    tr = Translator(language)
    few = [service(i) for i in range(3)]
    many = [service(i, long=True) for i in range(150)]
    similar = Similar(question=LONG, answer=LONG, service="Dienst " + "x" * 200, score=0.9)
    for services in (few, many):
        for fyi in (False, True):
            for hint in (None, similar):
                assert_view(routing_blocks.route_form(tr, case_id=10**9, version=10**9, fyi=fyi,
                                                      services=services, question=LONG, similar=hint,
                                                      policy=POLICY))
        assert_view(routing_blocks.reroute_form(tr, question_id=10**9, services=services))
        assert_message(routing_blocks.services_list(services, tr))
    assert_message(routing_blocks.services_list([], tr))
    assert_view(routing_blocks.answer_form(tr, question_id=10**9))
    for status in ("open", "acknowledged", "answered", "rerouted"):
        for kind in ("ask", "fyi"):
            for long in (False, True):
                q = question(status, kind, long=long)
                for zone in (None, "America/New_York", "Not/AZone"):
                    for reminder in (False, True):
                        assert_message(routing_blocks.antenna_message(q, POLICY, tr, zone=zone,
                                                                      reminder=reminder))
                for undelivered in ([], [f"U0FAKE{i:05d}" for i in range(30)]):
                    assert_message(routing_blocks.asked_in_thread(q, POLICY, tr,
                                                                  undelivered=undelivered))
                if status == "answered":
                    assert_message(routing_blocks.answered_in_thread(q, POLICY, tr))
                answers = [question("answered", "ask", long=long)] * 12
                for flagged in ([], ["U0FAKEANT1"]):
                    assert_message(routing_blocks.service_detail(service(3, long=long), answers, tr,
                                                                 flagged))
                    assert_message(routing_blocks.service_detail(service(2), [], tr, flagged))
    assert_message(routing_blocks.text_blocks(LONG))
