"""Forms that must take effect once: a submission key is claimed before anything is done, in
its own transaction, so the same form sent twice (a double click, a replay) does it once."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.usecases.transaction import use_case
from storage import sent as store


@use_case(on_conflict=False)  # its twin claimed it at the same moment
def claim(session: Session, *, team_id: str, key: str, user_id: str, now: datetime) -> bool:
    """True when this submission is the first with ``key``; False when it came before."""
    if store.submission(session, team_id=team_id, key=key) is not None:
        return False
    store.add_submission(session, team_id=team_id, key=key, user_id=user_id, at=now)
    return True


@use_case
def settle(session: Session, *, team_id: str, key: str, ref_id: int) -> None:
    """Note what the submission made (the case, the question)."""
    row = store.submission(session, team_id=team_id, key=key)
    if row is not None:
        row.ref_id = ref_id
        session.add(row)

