"""Refs that a request carries are checked against the request's workspace, and forms take
effect once, on real SQLite and real PostgreSQL.

Two workspaces hold the same kinds of rows; every use case that takes an id from a request is
called by one workspace with the other's ids. Each must refuse (``NotInWorkspace``) and write
nothing in either workspace.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import func, select

from bot.usecases import antennas, cases, routing, strikes, submissions
from bot.flows.strikes import Review, StrikeProblem
from bot.flows.tree import Click, Move
from storage.db import transaction
from storage.models import (
    AuthorMeasure,
    Case,
    Decision,
    Evidence,
    Job,
    RoutedQuestion,
    Service,
    Strike,
    StrikeReview,
    Submission,
)
from storage.scope import NotInWorkspace
from tests.support.factories import (
    ANNA,
    BERT,
    FIEN,
    LEAD,
    NOW,
    OTHER_TEAM,
    POLICY,
    TEAM,
    intake,
    strike,
    violation,
)

ANTENNA, OTHER_ANTENNA = "U0ANTN0001", "U0ANTN0002"
TABLES = (Case, Decision, Evidence, Strike, StrikeReview, AuthorMeasure, RoutedQuestion, Job,
          Submission)


def counts(engine) -> dict[str, int]:
    """Rows per table and the versions of all cases: anything written shows up here."""
    with transaction(engine) as session:
        found = {model.__tablename__: session.exec(select(func.count()).select_from(model)).one()
                 for model in TABLES}
        found["versions"] = sum(session.exec(select(Case.version)).all())
    found["antennas"] = sum(len(s.antennas) for s in antennas.list_services(engine, team_id=OTHER_TEAM))
    return found


def question_case(engine, ts: str, team_id: str) -> cases.CaseSnapshot:
    case, _ = cases.open_case(engine, intake(ts, team_id=team_id))
    for target in ("own", "neutral", "neutral.question"):
        case = cases.click(engine, POLICY, team_id=team_id, case_id=case.id, version=case.version,
                           click=Click(Move.GOTO, target), user_id=ANNA, now=NOW).case
    return case


def service_of(engine, team_id: str, name: str = "mobiliteit") -> routing.ServiceView:
    antennas.ensure_services(engine, POLICY, team_id=team_id, language="nl")
    return antennas.resolve_service(engine, team_id=team_id, name=name)


@pytest.fixture
def theirs(engine):
    """Workspace OTHER_TEAM's rows: a case with a strike, a routed question, a service."""
    struck = violation(engine, "90.1", team_id=OTHER_TEAM)
    result = strike(engine, struck, FIEN)
    service = service_of(engine, OTHER_TEAM)
    antennas.set_antenna(engine, team_id=OTHER_TEAM, service_id=service.id, user_id=OTHER_ANTENNA,
                        role="antenna", add=True, by=LEAD, now=NOW)
    asked = question_case(engine, "90.2", OTHER_TEAM)
    question = routing.route(engine, POLICY, team_id=OTHER_TEAM, case_id=asked.id,
                             service_id=service.id, question="Wanneer zijn de werken klaar?",
                             context="", fyi=False, user_id=BERT, now=NOW)
    return {"case": cases.load_case(engine, team_id=OTHER_TEAM, case_id=struck), "strike": result,
            "question": question, "service": service, "asked": asked}


def test_every_ref_of_another_workspace_is_refused_and_writes_nothing(engine, theirs):
    ours = question_case(engine, "91.1", TEAM)
    our_service = service_of(engine, TEAM)
    antennas.set_antenna(engine, team_id=TEAM, service_id=our_service.id, user_id=ANTENNA,
                        role="antenna", add=True, by=LEAD, now=NOW)
    case, strike_id = theirs["case"], theirs["strike"].strike_id
    question, service = theirs["question"], theirs["service"]
    before = counts(engine)
    forged = {
        "load a case": lambda: cases.load_case(engine, team_id=TEAM, case_id=case.id),
        "click a tree button": lambda: cases.click(
            engine, POLICY, team_id=TEAM, case_id=case.id, version=case.version,
            click=Click(Move.BACK), user_id=ANNA, now=NOW),
        "pick a colleague": lambda: cases.click(
            engine, POLICY, team_id=TEAM, case_id=case.id, version=case.version,
            click=Click(Move.STAFF, BERT), user_id=ANNA, now=NOW),
        "keep evidence": lambda: cases.add_evidence_from_thread(
            engine, POLICY, team_id=TEAM, case_id=case.id, file_ids=("F0FORGED01",),
            user_id=ANNA, now=NOW),
        "record a strike": lambda: strikes.record_strike(
            engine, POLICY, team_id=TEAM, case_id=case.id, author=FIEN, reason_internal="x",
            reason_public="y", user_id=ANNA, now=NOW),
        "confirm a warning": lambda: strikes.confirm_measure(
            engine, POLICY, team_id=TEAM, strike_id=strike_id, kind="first_warning",
            user_id=ANNA, now=NOW),
        "open a review": lambda: strikes.check_strike(engine, team_id=TEAM, strike_id=strike_id),
        "revoke a strike": lambda: strikes.review_strike(
            engine, team_id=TEAM, strike_id=strike_id, review=Review.REVOKED, reason="weg",
            user_id=LEAD, now=NOW),
        "redraw a guidance": lambda: strikes.guidance(
            engine, POLICY, team_id=TEAM, strike_id=strike_id, kind="first_warning"),
        "route their case": lambda: routing.route(
            engine, POLICY, team_id=TEAM, case_id=theirs["asked"].id, service_id=our_service.id,
            question="Vraag", context="", fyi=False, user_id=ANNA, now=NOW),
        "route to their service": lambda: routing.route(
            engine, POLICY, team_id=TEAM, case_id=ours.id, service_id=service.id,
            question="Vraag", context="", fyi=False, user_id=ANNA, now=NOW),
        "open their question": lambda: routing.load_question(
            engine, team_id=TEAM, question_id=question.id),
        "say 'busy'": lambda: routing.acknowledge(
            engine, team_id=TEAM, question_id=question.id, user_id=OTHER_ANTENNA),
        "answer": lambda: routing.answer(
            engine, POLICY, team_id=TEAM, question_id=question.id, user_id=OTHER_ANTENNA,
            text="Vrijdag", now=NOW),
        "pass it on": lambda: routing.reroute(
            engine, POLICY, team_id=TEAM, question_id=question.id, service_id=our_service.id,
            reason="Niet voor ons", user_id=OTHER_ANTENNA, now=NOW),
        "set their antenna": lambda: antennas.set_antenna(
            engine, team_id=TEAM, service_id=service.id, user_id=ANNA, role="antenna", add=False,
            by=LEAD, now=NOW),
        "set their service's target": lambda: antennas.configure_service(
            engine, team_id=TEAM, service_id=service.id, question_minutes=60, by=LEAD),
    }
    for name, call in forged.items():
        with pytest.raises(NotInWorkspace) as refused:
            call()
        assert refused.value.team_id == TEAM and refused.value.owner == OTHER_TEAM, name
        assert counts(engine) == before, name
    # And their own workspace still reaches them.
    assert cases.load_case(engine, team_id=OTHER_TEAM, case_id=case.id).id == case.id


def test_our_question_cannot_be_passed_to_their_service(engine, theirs):
    ours = question_case(engine, "92.1", TEAM)
    our_service = service_of(engine, TEAM)
    antennas.set_antenna(engine, team_id=TEAM, service_id=our_service.id, user_id=ANTENNA,
                        role="antenna", add=True, by=LEAD, now=NOW)
    asked = routing.route(engine, POLICY, team_id=TEAM, case_id=ours.id, service_id=our_service.id,
                          question="Vraag", context="", fyi=False, user_id=ANNA, now=NOW)
    before = counts(engine)
    with pytest.raises(NotInWorkspace):
        routing.reroute(engine, POLICY, team_id=TEAM, question_id=asked.id,
                        service_id=theirs["service"].id, reason="Niet voor ons", user_id=ANTENNA,
                        now=NOW)
    assert counts(engine) == before


def test_an_id_of_nothing_is_not_a_refusal_of_another_workspace(engine):
    """A ref to no row at all stays the "outdated" answer it was (nobody's data involved)."""
    with pytest.raises(cases.CaseNotFound):
        cases.load_case(engine, team_id=TEAM, case_id=10**9)
    with pytest.raises(StrikeProblem):
        strikes.check_strike(engine, team_id=TEAM, strike_id=10**9)
    with pytest.raises(routing.RoutingProblem):
        routing.load_question(engine, team_id=TEAM, question_id=10**9)


def test_the_same_route_form_twice_asks_once(engine):
    case = question_case(engine, "93.1", TEAM)
    service = service_of(engine, TEAM)
    key = f"route:{case.id}:{case.version}:ask"

    def send(user: str):
        return routing.route(engine, POLICY, team_id=TEAM, case_id=case.id, service_id=service.id,
                             question="Wanneer?", context="", fyi=False, user_id=user, now=NOW,
                             submission_key=key)

    first = send(ANNA)
    jobs = counts(engine)["job"]
    for user in (ANNA, BERT):  # a replay, and a colleague who opened the form at the same time
        with pytest.raises(routing.AlreadyRouted) as again:
            send(user)
        assert again.value.question.id == first.id and again.value.question.asked_by == ANNA
    with transaction(engine) as session:
        assert len(session.exec(select(RoutedQuestion)).all()) == 1
        routes = session.exec(select(Decision).where(Decision.action_id == "route")).all()
        assert len(routes) == 1
    assert counts(engine)["job"] == jobs == 2  # one reminder, one escalation
    # After the first question, the case's new version may route again (to another service).
    moved = cases.load_case(engine, team_id=TEAM, case_id=case.id)
    second = routing.route(engine, POLICY, team_id=TEAM, case_id=case.id, service_id=service.id,
                           question="En nog iets", context="", fyi=False, user_id=BERT, now=NOW,
                           submission_key=f"route:{case.id}:{moved.version}:ask")
    assert second.id != first.id


def test_two_route_forms_sent_at_once_ask_once(engine):
    import threading

    case = question_case(engine, "94.1", TEAM)
    service = service_of(engine, TEAM)
    key = f"route:{case.id}:{case.version}:ask"
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def send(user: str) -> None:
        start.wait()
        try:
            routing.route(engine, POLICY, team_id=TEAM, case_id=case.id, service_id=service.id,
                          question="Wanneer?", context="", fyi=False, user_id=user,
                          now=NOW + timedelta(seconds=1), submission_key=key)
            outcomes.append("asked")
        except routing.AlreadyRouted:
            outcomes.append("already")

    threads = [threading.Thread(target=send, args=(user,)) for user in (ANNA, BERT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already", "asked"]
    assert counts(engine)["routed_question"] == 1 and counts(engine)["job"] == 2


def test_a_submission_key_is_claimed_once_per_workspace(engine):
    assert submissions.claim(engine, team_id=TEAM, key="new_case:V0FORM0001", user_id=ANNA, now=NOW)
    assert not submissions.claim(engine, team_id=TEAM, key="new_case:V0FORM0001", user_id=ANNA,
                                 now=NOW)
    # The same view id in another workspace is another form.
    assert submissions.claim(engine, team_id=OTHER_TEAM, key="new_case:V0FORM0001", user_id=BERT,
                             now=NOW)


def test_a_warning_is_confirmed_only_as_the_step_the_guidance_asked_for(engine):
    result = strike(engine, violation(engine, "95.1"), FIEN)
    assert result.step.value == "first_warning"
    for kind in ("block", "second_warning"):
        with pytest.raises(StrikeProblem):
            strikes.confirm_measure(engine, POLICY, team_id=TEAM, strike_id=result.strike_id,
                                    kind=kind, user_id=ANNA, now=NOW)
    assert counts(engine)["author_measure"] == 0
    assert strikes.confirm_measure(engine, POLICY, team_id=TEAM, strike_id=result.strike_id,
                                   kind="first_warning", user_id=ANNA, now=NOW)
    shown = strikes.guidance(engine, POLICY, team_id=TEAM, strike_id=result.strike_id,
                             kind="first_warning")
    assert (shown.result.counting, shown.result.step, shown.confirmed) == (
        1, result.step, ("first_warning", ANNA, NOW))
    # A later strike does not change what the first one's guidance said.
    strike(engine, violation(engine, "95.2"), FIEN, at=NOW + timedelta(days=1))
    again = strikes.guidance(engine, POLICY, team_id=TEAM, strike_id=result.strike_id,
                             kind="first_warning")
    assert again.result.counting == 1


@pytest.mark.parametrize("value, expected", [("12", 12), ("12:D0ANTN0001:1700000000.000100", 12)])
def test_an_antennas_form_carries_only_its_question(value, expected):
    from bot.slack.refs import QuestionFormRef

    assert QuestionFormRef.decode(value).question_id == expected
    assert QuestionFormRef(expected).encode() == str(expected)  # no channel, no ts any more


@pytest.mark.parametrize("value", [None, 12, "", "x", "12:D0", "1" * 13, "-1", "12:a:b:c", " 12"])
def test_a_malformed_question_ref_is_refused(value):
    from bot.slack.refs import BadPayload, QuestionFormRef

    with pytest.raises(BadPayload):
        QuestionFormRef.decode(value)
