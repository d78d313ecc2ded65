"""Messages the bot sent that a later click redraws, and submission keys. Add and flush only."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.models import SentMessage, Submission


def add_sent(session: Session, *, team_id: str, kind: str, ref_id: int, channel_id: str, ts: str,
             user_id: str | None = None, at: datetime) -> None:
    session.add(SentMessage(team_id=team_id, kind=kind, ref_id=ref_id, user_id=user_id,
                            channel_id=channel_id, ts=ts, sent_at=at))
    session.flush()


def sent(session: Session, *, team_id: str, kind: str, ref_id: int) -> list[SentMessage]:
    """The workspace's messages about one question or strike, oldest first."""
    statement = select(SentMessage).where(
        SentMessage.team_id == team_id, SentMessage.kind == kind, SentMessage.ref_id == ref_id)
    return list(session.exec(statement.order_by(SentMessage.id)))


def submission(session: Session, *, team_id: str, key: str) -> Submission | None:
    statement = select(Submission).where(Submission.team_id == team_id, Submission.key == key)
    return session.exec(statement).first()


def add_submission(session: Session, *, team_id: str, key: str, user_id: str, at: datetime,
                   ref_id: int | None = None) -> Submission:
    """Claim a submission key; the unique constraint makes a racing second claim fail."""
    row = Submission(team_id=team_id, key=key, user_id=user_id, made_at=at, ref_id=ref_id)
    session.add(row)
    session.flush()
    return row
