"""One message cannot flood the database with files: the first 10 are kept, the case's log counts
the rest (on a new case and in a case's thread), on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlmodel import select

from bot.usecases import cases
from bot.usecases.cases import MAX_FILES, Intake
from bot.flows.policy import load_policy
from storage.db import transaction
from storage.models import Decision, Evidence

POLICY = load_policy()
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


def files(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"F0{prefix}{n:05d}" for n in range(count))


def test_a_new_case_keeps_ten_files_and_counts_the_rest(engine):
    listed = files("NEW", 10_000) + files("NEW", 3)  # duplicates count once
    case, _ = cases.open_case(engine, Intake(
        team_id="T0TEST0001", channel_id="C0INTAKE01", message_ts="1.1", via="message",
        text="kijk", link=None, forwarded_by="U0ANNA0001", forwarded_at=NOW, file_ids=listed),
        policy_version=POLICY.version)
    assert case.evidence_files == MAX_FILES == 10
    assert [(s.action_id, s.note) for s in case.history] == [("files_not_kept", "files:9990")]
    with transaction(engine) as session:
        kept = [e.file_id for e in session.exec(select(Evidence).order_by(Evidence.id))]
        logged = list(session.exec(select(Decision)))
    assert kept == list(files("NEW", 10))
    assert len(logged) == 1 and logged[0].policy_version == POLICY.version
    assert cases.load_case(engine, team_id="T0TEST0001", case_id=case.id).history == case.history  # as read back


def test_a_thread_message_keeps_ten_files_and_counts_the_rest(engine):
    case, _ = cases.open_case(engine, Intake(
        team_id="T0TEST0001", channel_id="C0INTAKE01", message_ts="2.1", via="message",
        text="kijk", link=None, forwarded_by="U0ANNA0001", forwarded_at=NOW))
    updated = cases.add_evidence_from_thread(engine, POLICY, team_id="T0TEST0001", case_id=case.id,
                                             file_ids=files("THR", 25), user_id="U0BERT0001", now=NOW)
    assert updated.evidence_files == 10
    notes = [s.note for s in updated.history]
    assert notes.count("files:15") == 1 and sum(n.startswith("file:") for n in notes) == 10
    # Few files: nothing is counted as left out.
    again = cases.add_evidence_from_thread(engine, POLICY, team_id="T0TEST0001", case_id=case.id,
                                           file_ids=files("TWO", 2), user_id="U0BERT0001", now=NOW)
    assert again.evidence_files == 12 and [s.action_id for s in again.history].count("files_not_kept") == 1
