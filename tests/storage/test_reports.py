"""Report queries on real SQLite and real PostgreSQL: what they count, and that a workspace's
report never counts another workspace's rows. Every person and post is made up."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from bot.flows.report import period_of
from bot.usecases import report
from storage import reports as store
from storage.db import transaction
from storage.models import (
    Author, AuthorMeasure, Case, Decision, RoutedQuestion, Service, Strike, StrikeReview,
)
from tests.support.factories import OTHER_TEAM, POLICY, TEAM

ZONE = "Europe/Brussels"
PERIOD = period_of(date(2026, 11, 2), date(2026, 11, 8), ZONE)  # Monday to Sunday
START = PERIOD.start  # Monday 2 November 2026, 00:00 in Brussels (23:00 UTC the day before)
HANDLE = "verzonnen.burger_42"
POST = "Een verzonnen reactie over de markt die nergens staat"


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=timezone.utc)


def _case(session, team: str, ts: str, *, at: datetime, node: str = "negative.conduct",
          closed: datetime | None = None, origin: str | None = "own", platform: str = "facebook") -> Case:
    author = Author(team_id=team, platform=platform, handle=f"{HANDLE}.{ts}", created_at=at)
    session.add(author)
    session.flush()
    case = Case(team_id=team, channel_id="C0INTAKE01", message_ts=ts, via="message", platform=platform,
                author_id=author.id, text=POST, forwarded_by="U0ANNA0001", forwarded_at=at,
                origin=origin, status="closed" if closed else "open", node_id=node, closed_at=closed)
    session.add(case)
    session.flush()
    return case


def _decide(session, case: Case, at: datetime, action: str | None = None, note: str | None = None,
            user: str = "U0ANNA0001") -> None:
    session.add(Decision(case_id=case.id, node_id=case.node_id, action_id=action, user_id=user,
                         decided_at=at, policy_version="2024.1+test", note=note))
    session.flush()


def _fill(engine, team: str) -> None:
    """One week's work: three cases in the period, one before it, one after it."""
    with transaction(engine) as session:
        # Monday 2 Nov is a closing day (Allerzielen): 10:00 local is 09:00 UTC.
        first = _case(session, team, "1.1", at=utc(2, 9), closed=utc(4, 9))
        _decide(session, first, utc(3, 9))  # first decision Tuesday 10:00 local
        _decide(session, first, utc(3, 10), "staff_support", note="U0STAFF001")
        _decide(session, first, utc(3, 11), "staff_support", note="U0STAFF001")  # same colleague
        second = _case(session, team, "1.2", at=utc(5, 9), node="neutral.question",
                       platform="instagram")
        _decide(session, second, utc(5, 10))
        third = _case(session, team, "1.3", at=utc(8, 22, 30), node="origin", origin=None)
        _decide(session, third, utc(8, 22, 45), "staff_support", note="U0STAFF002")
        _case(session, team, "0.9", at=START - timedelta(days=1), node="negative.conduct")
        _case(session, team, "0.8", at=START - timedelta(days=2), node="negative.conduct")
        _case(session, team, "2.0", at=PERIOD.end, node="negative.spam")  # the first moment after
        service = Service(team_id=team, name="mobiliteit")
        session.add(service)
        session.flush()
        for asked, due, answered, kind, status in [
            (utc(3, 9), utc(4, 9), utc(3, 12), "question", "answered"),
            (utc(3, 9), utc(4, 9), utc(5, 12), "report", "answered"),
            (utc(3, 9), utc(4, 9), None, "question", "open"),
            (utc(3, 9), None, None, "fyi", "fyi"),
            (utc(3, 9), utc(4, 9), None, "question", "rerouted"),
        ]:
            session.add(RoutedQuestion(team_id=team, case_id=second.id, service_id=service.id,
                                       kind=kind, question="Verzonnen vraag", asked_by="U0ANNA0001",
                                       asked_at=asked, due_at=due, answered_at=answered, status=status))
        strike = Strike(team_id=team, author_id=first.author_id, case_id=first.id, rule=first.node_id,
                        decided_by="U0BERT0001", decided_at=utc(3, 12))
        session.add(strike)
        session.flush()
        session.add(StrikeReview(strike_id=strike.id, outcome="revoked", reviewed_by="U0LEAD0001",
                                 reviewed_at=utc(6, 9), reason="Verzonnen reden"))
        session.add(AuthorMeasure(author_id=first.author_id, strike_id=strike.id, kind="block",
                                  confirmed_by="U0BERT0001", confirmed_at=utc(4, 9)))


def test_counts_of_one_week(engine):
    _fill(engine, TEAM)
    with transaction(engine) as session:
        window = dict(team_id=TEAM, start=PERIOD.start, end=PERIOD.end)
        opened = store.cases_opened(session, **window)
        assert [c.node_id for c in opened] == ["negative.conduct", "neutral.question", "origin"]
        assert opened[0].first_decision_at == utc(3, 9)
        assert opened[0].opened_at.tzinfo is not None
        assert store.cases_closed(session, **window) == 1
        assert store.staff_supported(session, **window) == 2
        counts = store.strike_counts(session, **window)
        assert (counts.recorded, counts.revoked, counts.blocks) == (1, 1, 1)
        questions = store.questions_asked(session, **window)
        assert len(questions) == 3 and {q.service for q in questions} == {"mobiliteit"}
        before = PERIOD.previous(ZONE)
        assert store.nodes_opened(session, team_id=TEAM, start=before.start, end=before.end) == {
            "negative.conduct": 2}


def test_the_report_snapshot(engine):
    _fill(engine, TEAM)
    snapshot = report.build_report(engine, POLICY, team_id=TEAM, period=PERIOD)
    assert (snapshot.opened, snapshot.closed) == (3, 1)
    assert dict(snapshot.by_sentiment) == {"negative": 1, "neutral": 1, "unclassified": 1}
    assert dict(snapshot.by_platform) == {"facebook": 2, "instagram": 1}
    assert dict(snapshot.by_origin) == {"own": 2, "unknown": 1}
    # Case 1: Monday 10:00 (a closing day) to Tuesday 10:00 local: 1 business hour, 24 clock hours.
    # Case 2: 1 hour. Case 3: Sunday night to Sunday night: 0 business hours, 0.25 clock hours.
    assert snapshot.to_first_decision.count == 3
    assert snapshot.to_first_decision.median_business == 1.0
    assert snapshot.to_first_decision.median_clock == 1.0
    assert snapshot.to_closing.median_business == 9.0  # Tuesday 9-17 and Wednesday 9-10
    assert snapshot.to_closing.median_clock == 48.0
    line = snapshot.services[0]
    assert (line.service, line.asked, line.within, line.late, line.unanswered) == ("mobiliteit", 3, 1, 1, 1)
    assert [(t.category, t.count, t.previous, t.direction) for t in snapshot.trends] == [
        ("negative.conduct", 1, 2, "down"), ("neutral.question", 1, 0, "up")]
    assert sum(sum(b.counts.values()) for b in snapshot.buckets) == 3
    assert len(snapshot.buckets) == 7


def test_an_empty_period(engine):
    snapshot = report.build_report(engine, POLICY, team_id=TEAM, period=PERIOD)
    assert (snapshot.opened, snapshot.closed, snapshot.staff_supported) == (0, 0, 0)
    assert snapshot.to_first_decision.median_business is None
    assert snapshot.services == () and snapshot.trends == ()
    assert report.decisions_csv(engine, team_id=TEAM, period=PERIOD, local=str).splitlines() == [
        ",".join(report.CSV_HEADER)]


def test_another_workspace_is_never_counted(engine):
    _fill(engine, OTHER_TEAM)
    snapshot = report.build_report(engine, POLICY, team_id=TEAM, period=PERIOD)
    assert (snapshot.opened, snapshot.closed, snapshot.staff_supported) == (0, 0, 0)
    assert snapshot.services == () and snapshot.trends == ()
    assert (snapshot.strikes.recorded, snapshot.strikes.revoked, snapshot.strikes.blocks) == (0, 0, 0)
    assert report.decisions_csv(engine, team_id=TEAM, period=PERIOD, local=str).count("\n") == 1
    _fill(engine, TEAM)
    mine = report.build_report(engine, POLICY, team_id=TEAM, period=PERIOD)
    assert (mine.opened, mine.closed, mine.staff_supported, mine.strikes.recorded) == (3, 1, 2, 1)


def test_the_decisions_csv_holds_no_citizen_data(engine):
    _fill(engine, TEAM)
    with transaction(engine) as session:
        case = session.get(Case, 1)
        _decide(session, case, utc(4, 9), "=cmd|' /C calc'!A0", user="U0BERT0001")
    content = report.decisions_csv(engine, team_id=TEAM, period=PERIOD, local=lambda d: d.isoformat())
    lines = content.splitlines()
    assert lines[0] == ",".join(report.CSV_HEADER)
    assert len(lines) == 1 + 6  # three on the first case, one added here, one each on the others
    assert HANDLE not in content and POST not in content
    assert "U0STAFF001" not in content  # the supported colleague is not named
    assert "'=cmd" in content  # a formula-looking cell is kept as text
    assert lines[1].startswith("1,negative.conduct,,U0ANNA0001,2026-11-03T09:00:00+00:00")


# --- the weekly digest's job ---------------------------------------------------------------------

import dataclasses  # noqa: E402
import threading  # noqa: E402

from bot.flows.policy.model import ReportSettings  # noqa: E402
from bot.usecases import digest  # noqa: E402
from storage.models import Job, Lead  # noqa: E402

SUNDAY_NOON = datetime(2026, 12, 6, 11, 0, tzinfo=timezone.utc)
MONDAY_OPENING = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)  # 09:00 in Brussels


def _lead(engine, team: str, user: str = "U0LEAD0001") -> None:
    with transaction(engine) as session:
        session.add(Lead(team_id=team, user_id=user, added_by="settings", added_at=SUNDAY_NOON))


def _digest_jobs(engine) -> list[Job]:
    with transaction(engine) as session:
        return list(session.exec(select(Job).where(Job.kind == digest.WEEKLY)))


def test_the_next_digest_is_planned_once(engine):
    assert digest.plan(engine, POLICY, team_id=TEAM, now=SUNDAY_NOON) == 1
    assert digest.plan(engine, POLICY, team_id=TEAM, now=SUNDAY_NOON) == 0
    (job,) = _digest_jobs(engine)
    assert (job.team_id, job.due_at) == (TEAM, MONDAY_OPENING)
    week = digest.week_of(job.ref_id, ZONE)
    assert (week.first_day, week.last_day) == (date(2026, 11, 30), date(2026, 12, 6))


def test_two_schedulers_plan_one_job(engine):
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(
        digest.plan(engine, POLICY, team_id=TEAM, now=SUNDAY_NOON))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 1 and len(_digest_jobs(engine)) == 1


def test_the_unique_index_refuses_a_second_digest_job(engine):
    import sqlalchemy as sa

    from storage import jobs as job_store

    digest.plan(engine, POLICY, team_id=TEAM, now=SUNDAY_NOON)
    (job,) = _digest_jobs(engine)
    with pytest.raises(sa.exc.IntegrityError):
        with transaction(engine) as session:
            job_store.add_job(session, team_id=TEAM, kind=digest.WEEKLY, ref_id=job.ref_id,
                              due_at=job.due_at, created_by="scheduler")
    with transaction(engine) as session:  # other kinds may repeat, as before
        for _ in range(2):
            job_store.add_job(session, team_id=TEAM, kind="remind", ref_id=1, due_at=job.due_at,
                              created_by="U0ANNA0001")


def test_token_mode_plans_for_each_workspace_with_a_lead(engine):
    _lead(engine, TEAM)
    _lead(engine, OTHER_TEAM)
    assert digest.plan(engine, POLICY, team_id=None, now=SUNDAY_NOON) == 2
    assert {j.team_id for j in _digest_jobs(engine)} == {TEAM, OTHER_TEAM}
    assert digest.recipients(engine, team_id=TEAM) == ["U0LEAD0001"]


def test_a_policy_without_digest_plans_nothing(engine):
    off = dataclasses.replace(POLICY, reports=ReportSettings(weekly_digest=None))
    assert digest.plan(engine, off, team_id=TEAM, now=SUNDAY_NOON) == 0
    assert _digest_jobs(engine) == []


# --- overviews for services -----------------------------------------------------------------------

from storage.models import Antenna  # noqa: E402

DECEMBER_OPENING = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)  # Tuesday 1 December, 09:00


def _signal_week(engine, team: str) -> int:
    """November's cases in a workspace with the dienst Gelijke Kansen; returns the service id."""
    with transaction(engine) as session:
        service = Service(team_id=team, name="gelijke kansen")
        session.add(service)
        session.flush()
        session.add(Antenna(service_id=service.id, user_id="U0ANTGK001", added_by="U0LEAD0001",
                            added_at=SUNDAY_NOON))
        punishable = _case(session, team, "3.1", at=utc(10, 9), node="negative.punishable")
        _decide(session, punishable, utc(10, 10), "report_unia")
        _decide(session, punishable, utc(10, 11), "delete", note="requested")
        _case(session, team, "3.2", at=utc(12, 9), node="negative.conduct", platform="instagram")
        venting = _case(session, team, "3.3", at=utc(13, 9), node="negative.venting")
        session.add(RoutedQuestion(team_id=team, case_id=venting.id, service_id=service.id, kind="fyi",
                                   question="Verzonnen signaal", asked_by="U0ANNA0001",
                                   asked_at=utc(13, 10), status="fyi"))
        _case(session, team, "3.4", at=utc(14, 9), node="neutral.question")  # not the service's
        return service.id


def test_a_service_overview_counts_its_categories_and_marked_cases(engine):
    service_id = _signal_week(engine, TEAM)
    _signal_week(engine, OTHER_TEAM)  # never counted
    assert digest.plan(engine, POLICY, team_id=TEAM, now=datetime(2026, 11, 20, 12, tzinfo=timezone.utc)) == 2
    (job,) = [j for j in _all_jobs(engine) if j.kind == digest.SERVICE and j.team_id == TEAM]
    assert (job.ref_id, job.due_at) == (service_id, DECEMBER_OPENING)
    overview = digest.service_overview(engine, POLICY, team_id=TEAM, job_id=job.id, service_id=service_id)
    assert overview.antennas == ("U0ANTGK001",) and overview.channel_id is None
    found = overview.signals
    assert (found.period.first_day, found.period.last_day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert found.total == 3
    assert {(l.key, l.count) for l in found.categories} == {
        ("negative.punishable", 1), ("negative.conduct", 1), ("negative.venting", 1)}
    assert [(l.key, l.count) for l in found.kinds] == [("report_unia", 1)]  # a requested delete is no report
    assert {(l.key, l.count) for l in found.platforms} == {("facebook", 2), ("instagram", 1)}
    other = digest.service_overview(engine, POLICY, team_id=OTHER_TEAM, job_id=job.id, service_id=service_id)
    assert other is None  # another workspace's service is not found


def _all_jobs(engine) -> list[Job]:
    with transaction(engine) as session:
        return list(session.exec(select(Job)))
