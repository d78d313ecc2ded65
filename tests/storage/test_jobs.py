"""The job queries on real SQLite and PostgreSQL: adding, claiming, finishing and cancelling timed
jobs, and the outbox's hand-over and resume. Each query runs in its own transaction here, as a use
case would run it."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlmodel import select

from storage import jobs
from storage.db import run_in_transaction, transaction
from storage.models import Case, Job

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
TEAM, OTHER = "T0TEST0001", "T0OTHER001"


def add(engine, *, kind="remind", ref_id=1, due=NOW, team=TEAM, attempt=1, by="U0ANNA0001") -> int:
    with transaction(engine) as session:
        return jobs.add_job(session, team_id=team, kind=kind, ref_id=ref_id, due_at=due,
                            created_by=by, attempt=attempt).id


def row(engine, job_id: int) -> Job:
    with transaction(engine) as session:
        return session.get(Job, job_id)


def due(engine, **options) -> list[int]:
    with transaction(engine) as session:
        return jobs.due_job_ids(session, now=NOW, limit=options.pop("limit", 10), **options)


def test_an_added_job_is_stored_as_given_and_pending(engine):
    job_id = add(engine, kind="deliver_thread", ref_id=7, due=NOW + timedelta(minutes=5), attempt=3,
                 by="outbox")
    stored = row(engine, job_id)
    assert (stored.team_id, stored.kind, stored.ref_id, stored.due_at, stored.created_by,
            stored.attempt) == (TEAM, "deliver_thread", 7, NOW + timedelta(minutes=5), "outbox", 3)
    assert (stored.claimed_at, stored.claimed_by, stored.done_at, stored.outcome) == (None,) * 4


def test_only_due_unclaimed_pending_jobs_are_found_oldest_first(engine):
    later = add(engine, ref_id=1, due=NOW - timedelta(minutes=1))
    earlier = add(engine, ref_id=2, due=NOW - timedelta(hours=1))
    add(engine, ref_id=3, due=NOW + timedelta(seconds=1))  # not due yet
    claimed = add(engine, ref_id=4, due=NOW - timedelta(hours=2))
    finished = add(engine, ref_id=5, due=NOW - timedelta(hours=2))
    with transaction(engine) as session:
        assert jobs.claim_job(session, job_id=claimed, worker="w1", now=NOW)
        jobs.finish_job(session, job_id=finished, now=NOW, outcome="sent")
    assert due(engine) == [earlier, later]
    assert due(engine, limit=1) == [earlier]


def test_due_jobs_can_be_narrowed_to_kinds_and_a_workspace(engine):
    remind = add(engine, kind="remind")
    deliver = add(engine, kind="deliver_thread")
    elsewhere = add(engine, kind="remind", team=OTHER)
    assert due(engine, kinds=("deliver_thread",)) == [deliver]
    assert due(engine, team_id=OTHER) == [elsewhere]
    assert due(engine, kinds=("remind",), team_id=TEAM) == [remind]


def test_a_job_is_claimed_once(engine):
    job_id = add(engine)
    with transaction(engine) as session:
        assert jobs.claim_job(session, job_id=job_id, worker="w1", now=NOW)
        assert not jobs.claim_job(session, job_id=job_id, worker="w2", now=NOW)
    stored = row(engine, job_id)
    assert (stored.claimed_by, stored.claimed_at) == ("w1", NOW)


def test_two_workers_claiming_at_once_take_each_job_once(engine):
    ids = {add(engine, ref_id=i) for i in range(12)}
    taken: dict[str, list[int]] = {"w1": [], "w2": []}
    start = threading.Barrier(2, timeout=5)

    def claim(worker: str) -> None:
        start.wait()

        def work(session):
            return [i for i in jobs.due_job_ids(session, now=NOW, limit=20)
                    if jobs.claim_job(session, job_id=i, worker=worker, now=NOW)]

        taken[worker] = run_in_transaction(engine, work)

    threads = [threading.Thread(target=claim, args=(w,)) for w in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken["w1"] + taken["w2"]) == sorted(ids)


def test_a_finished_job_keeps_its_outcome_cut_to_the_column(engine):
    job_id = add(engine)
    with transaction(engine) as session:
        jobs.finish_job(session, job_id=job_id, now=NOW, outcome="slack_error:" + "x" * 100)
        assert not jobs.claim_job(session, job_id=job_id, worker="w1", now=NOW)
    stored = row(engine, job_id)
    assert stored.done_at == NOW and stored.outcome == ("slack_error:" + "x" * 100)[:64]
    assert len(stored.outcome) == 64


def test_cancelling_finishes_only_the_workspace_s_pending_jobs(engine):
    pending = [add(engine, ref_id=1), add(engine, ref_id=2, due=NOW + timedelta(days=3))]
    done = add(engine, ref_id=3)
    elsewhere = add(engine, ref_id=4, team=OTHER)
    with transaction(engine) as session:
        jobs.finish_job(session, job_id=done, now=NOW - timedelta(hours=1), outcome="sent")
        assert jobs.cancel_jobs(session, team_id=TEAM, now=NOW, outcome="uninstalled") == 2
    for job_id in pending:
        assert (row(engine, job_id).done_at, row(engine, job_id).outcome) == (NOW, "uninstalled")
    assert row(engine, done).outcome == "sent" and row(engine, done).done_at == NOW - timedelta(hours=1)
    assert row(engine, elsewhere).done_at is None
    with transaction(engine) as session:
        assert jobs.cancel_jobs(session, team_id=TEAM, now=NOW, outcome="uninstalled") == 0


def a_case(session, ts: str, *, status: str = "open", posted: bool = False, team: str = TEAM) -> int:
    case = Case(team_id=team, channel_id="C0INTAKE01", message_ts=ts, via="message",
                platform="facebook", forwarded_by="U0ANNA0001", node_id="origin", status=status,
                bot_message_ts="1.9" if posted else None)
    session.add(case)
    session.flush()
    return case.id


def test_open_cases_without_a_posted_message_or_a_waiting_delivery_are_found(engine):
    with transaction(engine) as session:
        orphan = a_case(session, "1.1")
        elsewhere = a_case(session, "1.2", team=OTHER)
        a_case(session, "1.3", posted=True)
        a_case(session, "1.4", status="closed")
        waiting = a_case(session, "1.5")
        delivered = a_case(session, "1.6")
    add(engine, kind="deliver_thread", ref_id=waiting)
    tried = add(engine, kind="deliver_thread", ref_id=delivered)
    add(engine, kind="remind", ref_id=orphan)  # another kind of job does not count
    with transaction(engine) as session:
        jobs.finish_job(session, job_id=tried, now=NOW, outcome="error")
        found = jobs.open_cases_without_delivery(session, kind="deliver_thread")
    assert sorted(found) == sorted([(orphan, TEAM), (elsewhere, OTHER), (delivered, TEAM)])


def test_bringing_forward_moves_only_waiting_first_tries_of_the_kinds(engine):
    first_try = add(engine, kind="deliver_thread", due=NOW + timedelta(seconds=30), attempt=1)
    backing_off = add(engine, kind="deliver_thread", due=NOW + timedelta(minutes=8), attempt=4)
    other_kind = add(engine, kind="remind", due=NOW + timedelta(hours=1))
    already_due = add(engine, kind="deliver_refresh", due=NOW - timedelta(minutes=1))
    claimed = add(engine, kind="deliver_refresh", due=NOW + timedelta(seconds=30))
    with transaction(engine) as session:
        assert jobs.claim_job(session, job_id=claimed, worker="w1", now=NOW)
        assert jobs.bring_forward(session, kinds=("deliver_thread", "deliver_refresh"), now=NOW,
                                  max_attempt=1) == 1
    assert row(engine, first_try).due_at == NOW
    assert row(engine, backing_off).due_at == NOW + timedelta(minutes=8)
    assert row(engine, other_kind).due_at == NOW + timedelta(hours=1)
    assert row(engine, already_due).due_at == NOW - timedelta(minutes=1)
    assert row(engine, claimed).due_at == NOW + timedelta(seconds=30)
    with transaction(engine) as session:
        assert len(list(session.exec(select(Job)))) == 5
