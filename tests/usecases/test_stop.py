"""What a stopping process leaves in the outbox, and what a start makes due at once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlmodel import Session

from bot.usecases import outbox
from storage.models import Case, Job

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=timezone.utc)


def add_case(session: Session, ts: str, *, posted: bool = False, status: str = "open") -> int:
    case = Case(team_id="T0TEST0001", channel_id="C0INTAKE01", message_ts=ts, via="message",
                platform="facebook", forwarded_by="U0ANNA0001", status=status, node_id="origin",
                bot_message_ts="1795000000.999999" if posted else None)
    session.add(case)
    session.flush()
    return case.id


def waiting_jobs(engine) -> list[tuple[int, datetime, int]]:
    with Session(engine) as session:
        rows = session.exec(sa.select(Job.ref_id, Job.due_at, Job.attempt).where(
            Job.kind == outbox.POST_THREAD, Job.done_at.is_(None)).order_by(Job.ref_id)).all()
    return [(r[0], r[1].replace(tzinfo=timezone.utc) if r[1].tzinfo is None else r[1], r[2]) for r in rows]


def test_a_stop_hands_over_each_unposted_open_case_once(engine):
    with Session(engine) as session:
        unposted = add_case(session, "1795000001.000100")
        add_case(session, "1795000002.000100", posted=True)
        add_case(session, "1795000003.000100", status="closed")
        already = add_case(session, "1795000004.000100")
        session.add(Job(team_id="T0TEST0001", kind=outbox.POST_THREAD, ref_id=already,
                        due_at=NOW + timedelta(seconds=30), created_by="outbox"))
        session.commit()
    assert outbox.hand_over(engine, now=NOW) == 1
    assert outbox.hand_over(engine, now=NOW) == 0  # a second stop adds nothing
    assert [(ref, due) for ref, due, _ in waiting_jobs(engine)] == [
        (unposted, NOW), (already, NOW + timedelta(seconds=30))]


def test_a_start_makes_first_postponements_due_and_leaves_back_off_alone(engine):
    with Session(engine) as session:
        first, backing_off = add_case(session, "1795000011.000100"), add_case(session, "1795000012.000100")
        session.add(Job(team_id="T0TEST0001", kind=outbox.POST_THREAD, ref_id=first,
                        due_at=NOW + timedelta(seconds=30), created_by="outbox", attempt=1))
        session.add(Job(team_id="T0TEST0001", kind=outbox.POST_THREAD, ref_id=backing_off,
                        due_at=NOW + timedelta(minutes=8), created_by="outbox", attempt=5))
        session.commit()
    assert outbox.resume(engine, now=NOW) == 1
    assert waiting_jobs(engine) == [(first, NOW, 1), (backing_off, NOW + timedelta(minutes=8), 5)]
