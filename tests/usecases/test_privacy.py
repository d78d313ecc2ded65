"""Privacy on real SQLite and PostgreSQL: retention erases citizens' words, an author can be
exported and erased, and the logs keep that it happened, never what was erased."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlmodel import select

from bot.usecases import cases, privacy, strikes
from bot.blocks.kit import iso_local
from bot.usecases.cases import Intake
from bot.flows.policy import load_policy
from bot.flows.strikes import AuthorQuery
from bot.flows.tree import Click, Move
from storage.db import transaction
from storage.models import Author, Decision, Erasure, Evidence, Strike

POLICY = load_policy()
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
SECRET = "Mijn buurman Jan Voorbeeld woont op nummer 12"  # made up: a post with personal data


def a_case(engine, ts: str, *, at: datetime, handle: str = "@fien.test"):
    case, _ = cases.open_case(engine, Intake(
        team_id="T0TEST0001", channel_id="C0INTAKE01", message_ts=ts, via="form", text=SECRET,
        link="https://www.instagram.com/p/Cxyz/", forwarded_by="U0ANNA0001", forwarded_at=at,
        platform="instagram", author_handle=handle, file_ids=("F0SHOT0001",)))
    version = 0
    for target in ("own", "negative", "negative.conduct"):
        case = cases.click(engine, POLICY, team_id="T0TEST0001", case_id=case.id, version=version,
                           click=Click(Move.GOTO, target), user_id="U0ANNA0001", now=at).case
        version += 1
    return case


def close(engine, case, at):
    return cases.click(engine, POLICY, team_id="T0TEST0001", case_id=case.id, version=case.version,
                       click=Click(Move.CLOSE), user_id="U0ANNA0001", now=at).case


def test_retention_erases_what_is_old_and_keeps_the_decisions(engine):
    old = a_case(engine, "1.1", at=NOW - timedelta(days=500))
    strikes.record_strike(engine, POLICY, team_id="T0TEST0001", case_id=old.id, author=None, reason_internal="Beledigend",
                          reason_public="je scheldt", user_id="U0ANNA0001", now=NOW - timedelta(days=500))
    close(engine, cases.load_case(engine, team_id="T0TEST0001", case_id=old.id), NOW - timedelta(days=499))
    recent = a_case(engine, "1.2", at=NOW - timedelta(days=10), handle="@iemand.anders")
    close(engine, recent, NOW - timedelta(days=9))
    decisions_before = _count(engine, Decision)

    assert privacy.erase_expired(engine, retention_months=12, now=NOW) == 1
    erased = cases.load_case(engine, team_id="T0TEST0001", case_id=old.id)
    assert erased.text == "" and erased.link is None and erased.evidence_files == 0
    assert cases.load_case(engine, team_id="T0TEST0001", case_id=recent.id).text == SECRET
    assert _count(engine, Decision) == decisions_before  # statistics survive
    with transaction(engine) as session:
        handles = {a.handle for a in session.exec(select(Author))}
        assert "fien.test" not in handles and "iemand.anders" in handles
        assert all(s.reason_internal == "" for s in session.exec(select(Strike)))
        (log,) = session.exec(select(Erasure)).all()
        assert (log.reason, log.cases) == ("retention", 1)
    assert privacy.erase_expired(engine, retention_months=12, now=NOW) == 0  # once


def test_an_author_is_exported_then_erased_on_request(engine):
    case = a_case(engine, "2.1", at=NOW)
    strikes.record_strike(engine, POLICY, team_id="T0TEST0001", case_id=case.id, author=None, reason_internal="Scheldt",
                          reason_public="je scheldt", user_id="U0ANNA0001", now=NOW)
    data = json.loads(privacy.author_data(engine, team_id="T0TEST0001",
                                          query=AuthorQuery("instagram", "fien.test"), local=iso_local))
    assert data[0]["handle"] == "fien.test" and data[0]["cases"][0]["text"] == SECRET
    assert data[0]["strikes"][0]["internal_reason"] == "Scheldt"

    result = privacy.erase_author(engine, team_id="T0TEST0001", platform="instagram",
                                  handle="fien.test", by="U0LEAD0001", now=NOW)
    assert (result.authors, result.cases, result.strikes) == (1, 1, 1)
    assert cases.load_case(engine, team_id="T0TEST0001", case_id=case.id).text == ""
    assert privacy.author_data(engine, team_id="T0TEST0001",
                               query=AuthorQuery("instagram", "fien.test"), local=iso_local) is None
    with transaction(engine) as session:
        assert _count_in(session, Evidence) == 0
        (log,) = session.exec(select(Erasure)).all()
        assert (log.reason, log.requested_by, log.cases, log.strikes) == ("request", "U0LEAD0001", 1, 1)
        assert "fien" not in json.dumps(log.model_dump(mode="json"))
    again = privacy.erase_author(engine, team_id="T0TEST0001", platform="instagram",
                                 handle="fien.test", by="U0LEAD0001", now=NOW)
    assert again.authors == 0


def _count(engine, model) -> int:
    with transaction(engine) as session:
        return _count_in(session, model)


def _count_in(session, model) -> int:
    return len(session.exec(select(model)).all())
