"""Forms that must take effect once: a submission key is claimed before anything is done, in
its own transaction, so the same form sent twice (a double click, a replay) does it once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from storage import sent as store
from storage.db import run_in_transaction


def claim(engine: sa.Engine, *, team_id: str, key: str, user_id: str, now: datetime) -> bool:
    """True when this submission is the first with ``key``; False when it came before."""

    def work(session: Session) -> bool:
        if store.submission(session, team_id=team_id, key=key) is not None:
            return False
        store.add_submission(session, team_id=team_id, key=key, user_id=user_id, at=now)
        return True

    try:
        return run_in_transaction(engine, work)
    except sa.exc.IntegrityError:
        return False  # its twin claimed it at the same moment


def settle(engine: sa.Engine, *, team_id: str, key: str, ref_id: int) -> None:
    """Note what the submission made (the case, the question)."""

    def work(session: Session) -> None:
        row = store.submission(session, team_id=team_id, key=key)
        if row is not None:
            row.ref_id = ref_id
            session.add(row)

    run_in_transaction(engine, work)

