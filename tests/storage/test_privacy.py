"""The privacy queries on real SQLite and PostgreSQL: which rows retention and an author's rights
find, and what erasing blanks. Rows are made directly; the use cases are tested in usecases/test_privacy."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import select

from storage import privacy
from storage.db import transaction
from storage.models import (
    Author,
    AuthorMeasure,
    Case,
    Decision,
    Erasure,
    Evidence,
    RoutedQuestion,
    Service,
    Strike,
    StrikeReview,
)

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
TEAM, OTHER = "T0TEST0001", "T0OTHER001"
WORDS = "Mijn buurvrouw Lien Testpersoon rijdt altijd te snel"  # made up


def add(session, row):
    session.add(row)
    session.flush()
    return row


def author(session, handle="fien.test", *, team=TEAM, platform="instagram") -> Author:
    return add(session, Author(team_id=team, platform=platform, handle=handle))


def case(session, ts: str, *, author_id=None, team=TEAM, status="closed", closed_days=400,
         erased=False) -> Case:
    return add(session, Case(
        team_id=team, channel_id="C0INTAKE01", message_ts=ts, via="form", platform="instagram",
        link="https://www.instagram.com/p/Cxyz/", source_permalink="https://example.slack.com/p1",
        author_id=author_id, text=WORDS, comment="zie foto", forwarded_by="U0ANNA0001",
        node_id="negative.conduct", status=status,
        closed_at=NOW - timedelta(days=closed_days) if status == "closed" else None,
        erased_at=NOW - timedelta(days=1) if erased else None))


def strike(session, author_id: int, case_id: int, *, expires=None, team=TEAM) -> Strike:
    return add(session, Strike(team_id=team, author_id=author_id, case_id=case_id, rule="conduct",
                               decided_by="U0ANNA0001", decided_at=NOW - timedelta(days=400),
                               expires_at=expires, reason_internal="scheldt", reason_public="schelden"))


def question(session, case_id: int, service_id: int, *, answer=None, reroute=None) -> RoutedQuestion:
    return add(session, RoutedQuestion(team_id=TEAM, case_id=case_id, service_id=service_id,
                                       kind="question", question=WORDS, context="context",
                                       asked_by="U0ANNA0001", asked_at=NOW, answer=answer,
                                       reroute_reason=reroute))


def test_expired_cases_are_the_closed_unerased_ones_before_the_cutoff(engine):
    cutoff = NOW - timedelta(days=365)
    with transaction(engine) as session:
        old = case(session, "1.1").id
        old_elsewhere = case(session, "1.2", team=OTHER).id
        case(session, "1.3", closed_days=10)
        case(session, "1.4", status="open")
        case(session, "1.5", erased=True)
    with transaction(engine) as session:
        assert sorted(c.id for c in privacy.expired_cases(session, cutoff=cutoff, team_id=None,
                                                           limit=10)) == sorted([old, old_elsewhere])
        assert [c.id for c in privacy.expired_cases(session, cutoff=cutoff, team_id=TEAM, limit=10)] == [old]
        assert len(privacy.expired_cases(session, cutoff=cutoff, team_id=None, limit=1)) == 1


def test_erasing_a_case_blanks_its_words_files_and_questions(engine):
    with transaction(engine) as session:
        service = add(session, Service(team_id=TEAM, name="wegen"))
        target = case(session, "1.1")
        kept = case(session, "1.2")
        add(session, Evidence(case_id=target.id, file_id="F0SHOT0001", added_by="U0ANNA0001"))
        add(session, Evidence(case_id=kept.id, file_id="F0SHOT0002", added_by="U0ANNA0001"))
        add(session, Decision(case_id=target.id, node_id="origin", user_id="U0ANNA0001",
                              policy_version="1", note="file:F0SHOT0001"))
        add(session, Decision(case_id=target.id, node_id="origin", user_id="U0ANNA0001",
                              policy_version="1", note="done"))
        answered = question(session, target.id, service.id, answer="We kijken het na", reroute="fout")
        plain = question(session, target.id, service.id)
        privacy.erase_case(session, target, NOW)
    with transaction(engine) as session:
        erased = session.get(Case, target.id)
        assert (erased.text, erased.link, erased.source_permalink, erased.comment, erased.erased_at) == (
            "", None, None, None, NOW)
        assert session.get(Case, kept.id).text == WORDS
        assert [e.case_id for e in session.exec(select(Evidence))] == [kept.id]
        assert sorted(d.note for d in session.exec(select(Decision))) == sorted([privacy.ERASED_FILE, "done"])
        first, second = session.get(RoutedQuestion, answered.id), session.get(RoutedQuestion, plain.id)
        assert (first.question, first.context, first.reroute_reason, first.answer) == ("", "", "", "We kijken het na")
        assert (second.question, second.context, second.reroute_reason, second.answer) == ("", "", None, None)
        privacy.erase_case(session, session.get(Case, target.id), NOW, answers=True)
    with transaction(engine) as session:
        assert session.get(RoutedQuestion, answered.id).answer == ""
        assert session.get(RoutedQuestion, plain.id).answer is None


def test_an_author_s_cases_include_those_a_strike_was_recorded_on(engine):
    with transaction(engine) as session:
        fien, other = author(session), author(session, "iemand.anders")
        named = case(session, "1.1", author_id=fien.id)
        struck = case(session, "1.2")  # no author named on the case itself
        case(session, "1.3", author_id=other.id)
        strike(session, fien.id, struck.id)
    with transaction(engine) as session:
        assert [c.id for c in privacy.cases_of(session, author_id=fien.id)] == [named.id, struck.id]


def test_the_counts_that_keep_an_author_s_handle(engine):
    with transaction(engine) as session:
        fien = author(session)
        kept = case(session, "1.1", author_id=fien.id)
        erased = case(session, "1.2", author_id=fien.id, erased=True)
        strike(session, fien.id, kept.id, expires=NOW - timedelta(days=1))
        strike(session, fien.id, erased.id, expires=NOW + timedelta(days=1))
        strike(session, fien.id, case(session, "1.3", erased=True).id, expires=None)
    with transaction(engine) as session:
        assert privacy.unerased_case_count(session, author_id=fien.id) == 1
        assert privacy.unexpired_strike_count(session, author_id=fien.id, now=NOW) == 2
        assert privacy.unexpired_strike_count(session, author_id=fien.id, now=NOW + timedelta(days=2)) == 1


def test_pseudonymising_blanks_the_reasons_and_replaces_the_handle(engine):
    with transaction(engine) as session:
        fien, other = author(session), author(session, "iemand.anders")
        a_case = case(session, "1.1", author_id=fien.id)
        mine = [strike(session, fien.id, a_case.id), strike(session, fien.id, case(session, "1.2").id)]
        theirs = strike(session, other.id, a_case.id)
        add(session, StrikeReview(strike_id=mine[0].id, outcome="revoked", reviewed_by="U0LEAD0001",
                                  reviewed_at=NOW, reason="toch niet"))
        add(session, StrikeReview(strike_id=theirs.id, outcome="revoked", reviewed_by="U0LEAD0001",
                                  reviewed_at=NOW, reason="blijft"))
        assert not privacy.is_pseudonymised(fien)
        assert privacy.pseudonymise(session, fien) == 2
    with transaction(engine) as session:
        renamed = privacy.author(session, author_id=fien.id)
        assert renamed.handle == f"erased-{fien.id}" and privacy.is_pseudonymised(renamed)
        assert privacy.author(session, author_id=other.id).handle == "iemand.anders"
        reasons = {s.id: (s.reason_internal, s.reason_public) for s in session.exec(select(Strike))}
        assert reasons == {mine[0].id: ("", ""), mine[1].id: ("", ""), theirs.id: ("scheldt", "schelden")}
        assert sorted(r.reason for r in session.exec(select(StrikeReview))) == ["", "blijft"]
        assert privacy.author(session, author_id=10_000) is None


def test_finding_an_author_by_handle_stays_in_the_workspace(engine):
    with transaction(engine) as session:
        insta = author(session, "fien.test", platform="instagram")
        face = author(session, "fien.test", platform="facebook")
        author(session, "fien.test", team=OTHER)
    with transaction(engine) as session:
        assert sorted(a.id for a in privacy.authors_named(session, team_id=TEAM, handle="fien.test")) == sorted(
            [insta.id, face.id])
        assert [a.id for a in privacy.authors_named(session, team_id=TEAM, handle="fien.test",
                                                    platform="facebook")] == [face.id]
        assert privacy.authors_named(session, team_id=TEAM, handle="niemand") == []
        assert privacy.find_author(session, team_id=TEAM, platform="instagram", handle="fien.test").id == insta.id
        assert privacy.find_author(session, team_id=TEAM, platform="x", handle="fien.test") is None


def test_what_is_stored_about_an_author_is_found_in_order(engine):
    with transaction(engine) as session:
        service = add(session, Service(team_id=TEAM, name="wegen"))
        fien = author(session)
        first, second, elsewhere = case(session, "1.1"), case(session, "1.2"), case(session, "1.3")
        strikes = [strike(session, fien.id, first.id), strike(session, fien.id, second.id)]
        add(session, Strike(team_id=TEAM, author_id=author(session, "ander").id, case_id=elsewhere.id,
                            rule="conduct", decided_by="U0ANNA0001", decided_at=NOW))
        measures = [add(session, AuthorMeasure(author_id=fien.id, strike_id=s.id, kind="first_warning",
                                               confirmed_by="U0ANNA0001", confirmed_at=NOW)) for s in strikes]
        reviews = [add(session, StrikeReview(strike_id=s.id, outcome="revoked", reviewed_by="U0LEAD0001",
                                             reviewed_at=NOW, reason="r")) for s in reversed(strikes)]
        questions = [question(session, c.id, service.id) for c in (second, first, elsewhere)]
        files = [add(session, Evidence(case_id=c.id, file_id=f"F0SHOT000{i}", added_by="U0ANNA0001"))
                 for i, c in enumerate((second, first, elsewhere))]
    ids = [first.id, second.id]
    with transaction(engine) as session:
        assert [s.id for s in privacy.strikes_of(session, author_id=fien.id)] == [s.id for s in strikes]
        assert [m.id for m in privacy.measures_of(session, author_id=fien.id)] == [m.id for m in measures]
        assert [q.id for q in privacy.questions_about(session, case_ids=ids)] == [q.id for q in questions[:2]]
        assert [r.id for r in privacy.reviews_of(session, strike_ids=[s.id for s in strikes])] == [
            r.id for r in reviews]
        assert [e.id for e in privacy.evidence_of(session, case_ids=ids)] == [e.id for e in files[:2]]
        assert privacy.questions_about(session, case_ids=[]) == []
        assert privacy.reviews_of(session, strike_ids=[]) == []
        assert privacy.evidence_of(session, case_ids=[]) == []


def test_an_erasure_is_recorded(engine):
    with transaction(engine) as session:
        privacy.add_erasure(session, Erasure(team_id=TEAM, reason="request", author_id=3,
                                             requested_by="U0LEAD0001", erased_at=NOW, cases=2, strikes=1))
    with transaction(engine) as session:
        (row,) = session.exec(select(Erasure))
        assert (row.team_id, row.reason, row.author_id, row.cases, row.strikes) == (TEAM, "request", 3, 2, 1)
