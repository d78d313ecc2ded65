"""The case use cases on real SQLite and real PostgreSQL: cases, the append-only decision log (the
schema: tests/storage/test_schema.py)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import SQLModel, select

from bot.usecases import cases
from bot.usecases.cases import Intake
from bot.flows.policy import load_policy
from bot.flows.tree import Click, Move, Refusal
from storage.db import transaction
from storage.models import Author, Decision

POLICY = load_policy()
NOW = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)  # the night the clocks go forward


def intake(ts: str = "1732440000.000100", **changes) -> Intake:
    values = dict(
        team_id="T0TEST0001", channel_id="C0INTAKE01", message_ts=ts, via="message",
        text="Wanneer wordt het afval opgehaald in de Kerkstraat?",
        link="https://www.facebook.com/gemeente.voorbeeld/posts/1", forwarded_by="U0ANNA0001",
        forwarded_at=NOW,
    )
    values.update(changes)
    return Intake(**values)


def test_a_message_opens_one_case_however_often_it_arrives(engine):
    first, created = cases.open_case(engine, intake(file_ids=("F0SHOT0001",)))
    again, created_again = cases.open_case(engine, intake(file_ids=("F0SHOT0001",)))
    assert created and not created_again
    assert again.id == first.id
    assert first.platform == "facebook"
    assert first.node_id == "origin" and first.status == "open" and first.version == 0
    assert first.evidence_files == 1
    assert first.forwarded_at == NOW and first.forwarded_at.tzinfo is not None


def test_the_same_author_written_differently_is_one_author(engine):
    a, _ = cases.open_case(engine, intake("1.1", platform="instagram", author_handle="@Fien.Test"))
    b, _ = cases.open_case(
        engine, intake("1.2", platform="instagram", author_handle="https://instagram.com/fien.test/")
    )
    assert a.author_handle == b.author_handle == "fien.test"
    with transaction(engine) as session:
        assert len(session.exec(select(Author)).all()) == 1


def test_a_click_writes_one_decision_with_who_when_and_the_policy_version(engine):
    case, _ = cases.open_case(engine, intake())
    result = cases.click(engine, POLICY, team_id="T0TEST0001", case_id=case.id, version=0, click=Click(Move.GOTO, "own"),
                         user_id="U0BERT0001", now=NOW)
    assert not result.stale and result.refusal is None
    assert result.case.node_id == "own" and result.case.origin == "own" and result.case.version == 1
    (step,) = result.case.history
    assert (step.node_id, step.action_id, step.user_id, step.at) == ("own", None, "U0BERT0001", NOW)
    with transaction(engine) as session:
        (row,) = session.exec(select(Decision)).all()
        assert row.policy_version == POLICY.version


def test_a_stale_click_writes_nothing(engine):
    case, _ = cases.open_case(engine, intake())
    cases.click(engine, POLICY, team_id="T0TEST0001", case_id=case.id, version=0, click=Click(Move.GOTO, "own"),
                user_id="U0BERT0001", now=NOW)
    again = cases.click(engine, POLICY, team_id="T0TEST0001", case_id=case.id, version=0,
                        click=Click(Move.GOTO, "own"), user_id="U0ANNA0001", now=NOW)
    assert again.stale
    assert len(again.case.history) == 1 and again.case.history[0].user_id == "U0BERT0001"


def test_a_refused_click_writes_nothing(engine):
    case, _ = cases.open_case(engine, intake())
    result = cases.click(engine, POLICY, team_id="T0TEST0001", case_id=case.id, version=0, click=Click(Move.BACK),
                         user_id="U0BERT0001", now=NOW)
    assert result.refusal is Refusal.AT_ROOT
    assert cases.load_case(engine, team_id="T0TEST0001", case_id=case.id).history == ()


def test_two_people_clicking_at_once_make_one_decision(engine):
    case, _ = cases.open_case(engine, intake())
    barrier = threading.Barrier(4)
    results = []

    def click(user: str) -> None:
        barrier.wait()
        results.append(cases.click(engine, POLICY, team_id="T0TEST0001", case_id=case.id, version=0,
                                   click=Click(Move.GOTO, "external"), user_id=user, now=NOW))

    threads = [threading.Thread(target=click, args=(f"U0USER000{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(r.stale for r in results) == [False, True, True, True]
    final = cases.load_case(engine, team_id="T0TEST0001", case_id=case.id)
    assert len(final.history) == 1 and final.version == 1


def test_decisions_are_never_updated_in_place(engine):
    case, _ = cases.open_case(engine, intake())
    cases.click(engine, POLICY, team_id="T0TEST0001", case_id=case.id, version=0, click=Click(Move.CLOSE),
                user_id="U0BERT0001", now=NOW)
    with pytest.raises(RuntimeError, match="append-only"):
        with transaction(engine) as session:
            row = session.exec(select(Decision)).one()
            row.note = "changed afterwards"
            session.add(row)


def test_closing_and_reopening_are_logged(engine):
    case, _ = cases.open_case(engine, intake())
    closed = cases.click(engine, POLICY, team_id="T0TEST0001", case_id=case.id, version=0, click=Click(Move.CLOSE),
                         user_id="U0BERT0001", now=NOW).case
    assert closed.status == "closed"
    later = NOW + timedelta(hours=1)
    reopened = cases.click(engine, POLICY, team_id="T0TEST0001", case_id=case.id, version=1, click=Click(Move.REOPEN),
                           user_id="U0ANNA0001", now=later).case
    assert reopened.status == "open"
    assert [s.action_id for s in reopened.history] == ["close", "reopen"]


def test_evidence_from_the_thread_is_kept_once_and_logged(engine):
    case, _ = cases.open_case(engine, intake())
    updated = cases.add_evidence_from_thread(engine, POLICY, team_id="T0TEST0001", case_id=case.id,
                                             file_ids=("F0SHOT0002",), user_id="U0ANNA0001", now=NOW)
    assert updated.evidence_files == 1 and updated.version == 1
    assert [(s.action_id, s.note) for s in updated.history] == [("evidence", "file:F0SHOT0002")]
    assert cases.add_evidence_from_thread(engine, POLICY, team_id="T0TEST0001", case_id=case.id,
                                          file_ids=("F0SHOT0002",), user_id="U0ANNA0001",
                                          now=NOW) is None


def test_long_and_unusual_text_is_stored_whole(engine):
    text = "🙂 مرحبا " + "x" * 40_000 + " <!channel> \u0000".replace("\u0000", "")
    case, _ = cases.open_case(engine, intake(text=text))
    assert cases.load_case(engine, team_id="T0TEST0001", case_id=case.id).text == text


def test_the_case_a_use_case_returns_is_the_case_as_stored(engine):
    """A click returns the case as it is after the click without reading it back: it must be
    exactly what a later read finds, along a path with an author, a file, a guarded action, a
    close and a reopen, and with a clock that is not in UTC."""
    brussels = timezone(timedelta(hours=2))
    case, _ = cases.open_case(engine, intake(platform="instagram", author_handle="@Fien.Test",
                                             file_ids=("F0SHOT0003", "F0SHOT0003")))
    assert case == cases.load_case(engine, team_id="T0TEST0001", case_id=case.id)
    path = [Click(Move.GOTO, "own"), Click(Move.GOTO, "negative"),
            Click(Move.GOTO, "negative.conduct"), Click(Move.ACTION, "monitor"),
            Click(Move.ACTION, "delete"), Click(Move.CANCEL, "delete"), Click(Move.ACTION, "delete"),
            Click(Move.ACTION, "evidence"), Click(Move.CONFIRM, "delete"), Click(Move.CLOSE),
            Click(Move.REOPEN), Click(Move.BACK)]
    for number, step in enumerate(path):
        result = cases.click(engine, POLICY, team_id="T0TEST0001", case_id=case.id, version=case.version, click=step,
                             user_id="U0BERT0001",
                             now=(NOW + timedelta(minutes=number, microseconds=7)).astimezone(brussels))
        assert result.refusal is None and not result.stale, step
        case = result.case
        assert case == cases.load_case(engine, team_id="T0TEST0001", case_id=case.id), step
    assert case.version == len(path) and case.origin == "own"
    assert case.author_handle == "fien.test" and case.evidence_files == 1


def test_files_in_a_cases_thread_are_evidence_and_elsewhere_nothing(engine):
    case, _ = cases.open_case(engine, intake())
    updated = cases.add_evidence_in_thread(
        engine, POLICY, team_id="T0TEST0001", channel_id="C0INTAKE01", thread_ts=case.message_ts,
        file_ids=("F0SHOT0003",), user_id="U0ANNA0001", now=NOW)
    assert updated.id == case.id and updated.evidence_files == 1 and updated.version == 1
    for channel, thread, team in (("C0INTAKE01", "1.999", "T0TEST0001"),  # a thread of no case
                                  ("C0OTHER001", case.message_ts, "T0TEST0001"),  # another channel
                                  ("C0INTAKE01", case.message_ts, "T0OTHER001")):  # another workspace
        assert cases.add_evidence_in_thread(
            engine, POLICY, team_id=team, channel_id=channel, thread_ts=thread,
            file_ids=("F0SHOT0004",), user_id="U0ANNA0001", now=NOW) is None
    assert cases.load_case(engine, team_id="T0TEST0001", case_id=case.id).evidence_files == 1


def test_a_case_is_found_by_any_of_the_messages_it_holds(engine):
    shared = "https://voorbeeld.slack.com/archives/C0TEAM0001/p1732440000000200"
    case, _ = cases.open_case(engine, intake(source_permalink=shared))
    found = cases.find_case_for_sources(engine, team_id="T0TEST0001",
                                        permalinks=("https://voorbeeld.slack.com/archives/C0X/p1", None, shared))
    assert found is not None and found.id == case.id
    assert cases.find_case_for_sources(engine, team_id="T0TEST0001", permalinks=(None, "")) is None
    assert cases.find_case_for_sources(engine, team_id="T0OTHER001", permalinks=(shared,)) is None
