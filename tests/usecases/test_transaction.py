"""@use_case on real SQLite and PostgreSQL: one transaction per call, rolled back on an error,
and a unique-key race between two threads resolved by running the use case once more."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot.core.problem import Problem
from bot.usecases.transaction import use_case
from storage import sent as store
from storage.db import transaction
from storage.models import Submission

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
TEAM = "T0TEST0001"


def rows(engine) -> list[tuple[str, str]]:
    with transaction(engine) as session:
        return [(r.key, r.user_id) for r in session.exec(select(Submission)).all()]


def test_the_engine_comes_first_and_the_result_is_committed(engine):
    @use_case
    def claim(session: Session, key: str, *, user_id: str) -> int:
        return store.add_submission(session, team_id=TEAM, key=key, user_id=user_id, at=NOW).id

    assert claim.__name__ == "claim"
    assert isinstance(claim(engine, "k1", user_id="U0ANNA0001"), int)
    assert rows(engine) == [("k1", "U0ANNA0001")]


def test_an_error_rolls_back_everything_the_use_case_wrote(engine):
    @use_case
    def claim_then_refuse(session: Session) -> None:
        store.add_submission(session, team_id=TEAM, key="k1", user_id="U0ANNA0001", at=NOW)
        raise Problem("refusal.not_here")

    with pytest.raises(Problem) as refused:
        claim_then_refuse(engine)
    assert refused.value.key == "refusal.not_here"
    assert rows(engine) == []


def test_a_conflict_is_raised_when_the_use_case_does_not_expect_one(engine):
    calls = []

    @use_case
    def claim(session: Session) -> None:
        calls.append(1)
        store.add_submission(session, team_id=TEAM, key="k1", user_id="U0ANNA0001", at=NOW)

    claim(engine)
    with pytest.raises(sa.exc.IntegrityError):
        claim(engine)
    assert len(calls) == 2 and rows(engine) == [("k1", "U0ANNA0001")]


def test_the_retry_on_a_conflict_happens_once(engine):
    """A use case that conflicts again on its second run is not run a third time."""
    calls = []

    @use_case(retry_on_conflict=True)
    def claim_blindly(session: Session, user_id: str) -> None:
        calls.append(user_id)
        store.add_submission(session, team_id=TEAM, key="k1", user_id=user_id, at=NOW)

    claim_blindly(engine, "U0ANNA0001")
    with pytest.raises(sa.exc.IntegrityError):
        claim_blindly(engine, "U0BERT0001")
    assert calls == ["U0ANNA0001", "U0BERT0001", "U0BERT0001"]
    assert rows(engine) == [("k1", "U0ANNA0001")]


def test_on_conflict_returns_its_value_after_the_rollback(engine):
    @use_case(on_conflict=False)
    def claim(session: Session, user_id: str) -> bool:
        store.add_submission(session, team_id=TEAM, key="k1", user_id=user_id, at=NOW)
        store.add_submission(session, team_id=TEAM, key=f"own:{user_id}", user_id=user_id, at=NOW)
        return True

    assert claim(engine, "U0ANNA0001") is True
    assert claim(engine, "U0BERT0001") is False
    # The second call's rows are all gone, not only the one that conflicted.
    assert sorted(rows(engine)) == [("k1", "U0ANNA0001"), ("own:U0ANNA0001", "U0ANNA0001")]


def test_both_options_at_once_are_refused():
    with pytest.raises(TypeError):
        use_case(retry_on_conflict=True, on_conflict=False)


def test_two_threads_racing_for_one_key_write_it_once(engine, database_url):
    """Both threads read "no row" before either writes (PostgreSQL, READ COMMITTED): the loser's
    insert fails on the unique key, and its second run finds the winner's row. SQLite's BEGIN
    IMMEDIATE lets only one writer in at a time, so there the second simply finds the row."""
    runs: list[str] = []
    both_read = threading.Barrier(2)

    @use_case(retry_on_conflict=True)
    def claim(session: Session, user_id: str) -> str:
        runs.append(user_id)
        if store.submission(session, team_id=TEAM, key="k1") is not None:
            return "found"
        try:  # on SQLite the other thread is still waiting for the write lock: go on alone
            both_read.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        store.add_submission(session, team_id=TEAM, key="k1", user_id=user_id, at=NOW)
        return "wrote"

    outcomes: dict[str, str] = {}
    errors: list[BaseException] = []

    def run(user_id: str) -> None:
        try:
            outcomes[user_id] = claim(engine, user_id)
        except BaseException as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(user,)) for user in ("U0ANNA0001", "U0BERT0001")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(outcomes.values()) == ["found", "wrote"]
    (winner,) = [user for user, outcome in outcomes.items() if outcome == "wrote"]
    assert rows(engine) == [("k1", winner)]
    if database_url.startswith("postgresql"):
        assert len(runs) == 3  # the loser ran twice: once into the unique key, once to find it
    else:
        assert len(runs) == 2  # one writer at a time: no conflict, no retry
