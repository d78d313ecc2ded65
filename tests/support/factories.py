"""Cases, violations and strikes made as the team would make them, for use-case tests; every person
is made up."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlmodel import select

from bot.usecases import cases, strikes
from bot.usecases.cases import Intake
from bot.flows.policy import load_policy
from bot.flows.strikes import AuthorQuery
from bot.flows.tree import Click, Move
from storage.db import transaction
from storage.models import Case

POLICY = load_policy()
TEAM = "T0TEST0001"
OTHER_TEAM = "T0OTHER001"
NOW = datetime(2026, 3, 29, 0, 30, tzinfo=timezone.utc)  # the night the clocks go forward
FIEN = AuthorQuery("instagram", "fien.test")
ANNA, BERT, LEAD = "U0ANNA0001", "U0BERT0001", "U0LEAD0001"


def intake(ts: str, **changes) -> Intake:
    values = dict(
        team_id=TEAM, channel_id="C0INTAKE01", message_ts=ts, via="message",
        text="Jullie zijn allemaal nutteloos, schaam je!",
        link="https://www.instagram.com/p/AbC123/", forwarded_by=ANNA, forwarded_at=NOW,
    )
    values.update(changes)
    return Intake(**values)


def walk(engine, case_id: int, *targets: str, at: datetime = NOW):
    """Click through the tree from the case's current version; returns the last snapshot."""
    team = team_of(engine, case_id)
    snapshot = cases.load_case(engine, team_id=team, case_id=case_id)
    for target in targets:
        result = cases.click(engine, POLICY, team_id=team, case_id=case_id, version=snapshot.version,
                             click=Click(Move.GOTO, target), user_id=ANNA, now=at)
        assert not result.stale and result.refusal is None, (target, result)
        snapshot = result.case
    return snapshot


def violation(engine, ts: str, node: str = "negative.conduct", **changes) -> int:
    """A new case walked to a violation (own -> negative -> ``node``)."""
    case, created = cases.open_case(engine, intake(ts, **changes))
    assert created
    assert walk(engine, case.id, "own", "negative", node).node_id == node
    return case.id


def strike(engine, case_id: int, author: AuthorQuery | None = FIEN, *, at: datetime = NOW,
           reason_internal: str = "Scheldwoorden tegen een medewerker",
           reason_public: str = "Beledigende taal", user_id: str = BERT):
    return strikes.record_strike(
        engine, POLICY, team_id=team_of(engine, case_id), case_id=case_id, author=author, reason_internal=reason_internal,
        reason_public=reason_public, user_id=user_id, now=at,
    )


def team_of(engine, case_id: int) -> str:
    """The workspace of a case, which every use case is called with."""
    found = rows(engine, Case, Case.id == case_id)
    return found[0].team_id if found else TEAM


def rows(engine, model, *where):
    with transaction(engine) as session:
        return list(session.exec(select(model).where(*where).order_by(model.id)))
