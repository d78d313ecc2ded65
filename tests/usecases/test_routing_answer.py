"""An antenna's answer moves the case on (its version goes up, so buttons drawn before are stale),
even when another change to the case is in flight at the same moment, on real PostgreSQL."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from sqlmodel import select

from bot.flows.tree import Click, Move
from bot.usecases import antennas, cases, routing
from storage.db import create_db_engine, migrate, transaction
from storage.models import Case, Decision
from tests.support.factories import ANNA, NOW, POLICY, TEAM, intake

ANTENNA = "U0ANTN0001"


@pytest.fixture
def postgres(fresh_postgres_url):
    engine = create_db_engine(fresh_postgres_url)
    migrate(engine)
    yield engine
    engine.dispose()


def asked_question(engine) -> routing.RoutedQuestionSnapshot:
    case, _ = cases.open_case(engine, intake("95.1"))
    for target in ("own", "neutral", "neutral.question"):
        case = cases.click(engine, POLICY, team_id=TEAM, case_id=case.id, version=case.version,
                           click=Click(Move.GOTO, target), user_id=ANNA, now=NOW).case
    antennas.ensure_services(engine, POLICY, team_id=TEAM, language="nl")
    service = antennas.resolve_service(engine, team_id=TEAM, name="mobiliteit")
    antennas.set_antenna(engine, team_id=TEAM, service_id=service.id, user_id=ANTENNA,
                         role="antenna", add=True, by=ANNA, now=NOW)
    return routing.route(engine, POLICY, team_id=TEAM, case_id=case.id, service_id=service.id,
                         question="Wanneer rijdt de bus weer?", context="", fyi=False,
                         user_id=ANNA, now=NOW)


def wait_until_blocked(engine, *, seconds: float = 10.0) -> None:
    """Until another connection waits for a row lock (the answer, behind the change in flight)."""
    deadline = time.monotonic() + seconds
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")).scalar()
            watcher.rollback()
            if waiting:
                return
            time.sleep(0.02)
    pytest.fail("the answer never waited for the case")


def test_an_answer_racing_another_change_still_moves_the_case_on(postgres):
    question = asked_question(postgres)
    before = cases.load_case(postgres, team_id=TEAM, case_id=question.case_id).version
    answered: list[object] = []

    def answer() -> None:
        try:
            answered.append(routing.answer(postgres, POLICY, team_id=TEAM, question_id=question.id,
                                           user_id=ANTENNA, text="Vanaf maandag.", now=NOW))
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            answered.append(error)

    # Another change to the case is in flight (a click in its own transaction) while the answer
    # comes in; it commits first.
    with postgres.connect() as other:
        other.execute(sa.update(Case.__table__).where(Case.__table__.c.id == question.case_id)
                      .values(version=Case.__table__.c.version + 1))
        thread = threading.Thread(target=answer)
        thread.start()
        wait_until_blocked(postgres)
        other.commit()
    thread.join(timeout=30)

    assert len(answered) == 1 and isinstance(answered[0], routing.RoutedQuestionSnapshot), answered
    after = cases.load_case(postgres, team_id=TEAM, case_id=question.case_id)
    assert after.version == before + 2  # the change in flight, then the answer: neither lost
    with transaction(postgres) as session:
        notes = session.exec(select(Decision.note).where(
            Decision.case_id == question.case_id, Decision.action_id == routing.ANSWERED)).all()
    assert notes == [f"q:{question.id}"]


def test_two_answers_to_the_same_question_record_one(postgres):
    question = asked_question(postgres)
    before = cases.load_case(postgres, team_id=TEAM, case_id=question.case_id).version
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def answer(text: str) -> None:
        barrier.wait()
        try:
            outcomes.append(routing.answer(postgres, POLICY, team_id=TEAM, question_id=question.id,
                                           user_id=ANTENNA, text=text, now=NOW))
        except routing.RoutingProblem as problem:
            outcomes.append(problem.key)

    threads = [threading.Thread(target=answer, args=(text,)) for text in ("Maandag.", "Dinsdag.")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(map(type, outcomes), key=str) == sorted([routing.RoutedQuestionSnapshot, str], key=str)
    assert "route.error_done" in outcomes
    assert cases.load_case(postgres, team_id=TEAM, case_id=question.case_id).version == before + 1
