"""The strike register and its leads on real SQLite and real PostgreSQL.

Cases are opened and walked to a violation as the team would; every person is made up.
"""

from __future__ import annotations

import csv
import io
import threading
from datetime import datetime, timedelta, timezone

import pytest

from bot.usecases import cases, leads, strikes
from bot.flows.strikes import AuthorQuery, Review, Status, Step, StrikeProblem
from bot.flows.tree import Click, Move
from storage import leads as lead_store
from storage.db import transaction
from storage.scope import NotInWorkspace
from storage.models import AuthorMeasure, Decision, Lead, Strike, StrikeReview
from tests.support.factories import (
    ANNA,
    BERT,
    FIEN,
    LEAD,
    NOW,
    OTHER_TEAM,
    POLICY,
    TEAM,
    intake,
    rows,
    strike,
    violation,
    walk,
)

FAR_FUTURE = NOW + timedelta(days=365 * 30)
JORIS = AuthorQuery("instagram", "joris.verzonnen")
LOTTE = AuthorQuery("instagram", "lotte_fictief")


def problem_key(call) -> str:
    with pytest.raises(StrikeProblem) as problem:
        call()
    return problem.value.key


# ---------------------------------------------------------------------------------------------
# record_strike
# ---------------------------------------------------------------------------------------------


def test_three_strikes_lead_to_a_block(engine):
    results = [strike(engine, violation(engine, f"2.{i}"), at=NOW + timedelta(hours=i))
               for i in range(1, 4)]
    assert [r.created for r in results] == [True, True, True]
    assert [r.counting for r in results] == [1, 2, 3]
    assert [r.step for r in results] == [Step.FIRST_WARNING, Step.SECOND_WARNING, Step.BLOCK]
    assert {(r.platform, r.handle) for r in results} == {("instagram", "fien.test")}
    assert len({r.strike_id for r in results}) == 3


def test_a_strike_is_logged_on_its_case_with_who_when_and_why(engine):
    case_id = violation(engine, "3.1")
    before = cases.load_case(engine, team_id="T0TEST0001", case_id=case_id)
    result = strike(engine, case_id, at=NOW + timedelta(minutes=5))
    assert result.case_id == case_id
    (row,) = rows(engine, Strike)
    assert (row.team_id, row.case_id, row.rule, row.decided_by) == (
        TEAM, case_id, "negative.conduct", BERT)
    assert row.decided_at == NOW + timedelta(minutes=5)
    # 01:35 in Brussels (winter time) a year later, when it is already summer time
    assert row.expires_at == datetime(2027, 3, 28, 23, 35, tzinfo=timezone.utc)
    assert row.reason_internal == "Scheldwoorden tegen een medewerker"
    assert row.reason_public == "Beledigende taal"
    (decision,) = rows(engine, Decision, Decision.action_id == "strike")
    assert (decision.case_id, decision.node_id, decision.user_id, decision.note) == (
        case_id, "negative.conduct", BERT, f"strike:{result.strike_id}")
    assert decision.decided_at == NOW + timedelta(minutes=5)
    assert decision.policy_version == POLICY.version
    after = cases.load_case(engine, team_id="T0TEST0001", case_id=case_id)
    assert after.version == before.version + 1
    assert after.author_platform == "instagram" and after.author_handle == "fien.test"


def test_the_same_case_gives_one_strike_however_often_it_is_submitted(engine):
    case_id = violation(engine, "4.1")
    first = strike(engine, case_id)
    again = strike(engine, case_id, at=NOW + timedelta(minutes=1))
    assert first.created and not again.created
    assert again.strike_id == first.strike_id
    assert (first.counting, again.counting) == (1, 1)
    assert again.step is Step.FIRST_WARNING
    assert len(rows(engine, Strike)) == 1
    assert len(rows(engine, Decision, Decision.action_id == "strike")) == 1


def test_the_cases_own_author_is_used_and_every_violation_takes_a_strike(engine):
    case_id = violation(engine, "5.1", author_handle="https://www.instagram.com/Joris.Verzonnen/",
                        platform="instagram")
    result = strike(engine, case_id, author=None)
    assert (result.platform, result.handle, result.counting) == ("instagram", "joris.verzonnen", 1)
    for i, node in enumerate(["negative.privacy", "negative.spam", "negative.punishable"]):
        result = strike(engine, violation(engine, f"6.{i}", node=node), JORIS)
        assert result.created and result.counting == i + 2
    assert [row.rule for row in rows(engine, Strike)] == [
        "negative.conduct", "negative.privacy", "negative.spam", "negative.punishable"]


def test_a_strike_is_refused_where_it_does_not_belong(engine):
    # Not a violation: a question, criticism, a step that is still a question, the root.
    paths = [("own", "neutral", "neutral.question"), ("own", "negative", "negative.criticism"),
             ("own", "negative"), ()]
    for i, path in enumerate(paths):
        case, _ = cases.open_case(engine, intake(f"7.{i}"))
        walk(engine, case.id, *path)
        assert problem_key(lambda: strike(engine, case.id)) == "strikes.error_not_here", path
    # A closed case.
    closed_id = violation(engine, "8.1")
    version = cases.load_case(engine, team_id="T0TEST0001", case_id=closed_id).version
    cases.click(engine, POLICY, team_id="T0TEST0001", case_id=closed_id, version=version, click=Click(Move.CLOSE),
                user_id=ANNA, now=NOW)
    assert problem_key(lambda: strike(engine, closed_id)) == "strikes.error_case_closed"
    # No author on the case and none given.
    case_id = violation(engine, "9.1")
    assert problem_key(lambda: strike(engine, case_id, author=None)) == "strikes.error_no_author"
    assert cases.load_case(engine, team_id="T0TEST0001", case_id=case_id).author_handle is None
    # No such case.
    assert problem_key(lambda: strike(engine, case_id + 1000)) == "strikes.error_no_case"
    assert rows(engine, Strike) == []
    assert rows(engine, Decision, Decision.action_id == "strike") == []


# ---------------------------------------------------------------------------------------------
# overview
# ---------------------------------------------------------------------------------------------


def overview(engine, *, now=NOW + timedelta(days=1), offset=0, limit=50, team_id=TEAM):
    return strikes.overview(engine, POLICY, team_id=team_id, now=now, offset=offset, limit=limit)


def test_the_overview_shows_most_strikes_first_then_the_most_recent_in_pages(engine):
    for i in range(1, 3):
        strike(engine, violation(engine, f"10.{i}"), FIEN, at=NOW + timedelta(minutes=i))
    strike(engine, violation(engine, "11.1"), JORIS, at=NOW + timedelta(minutes=10))
    strike(engine, violation(engine, "12.1"), LOTTE, at=NOW + timedelta(minutes=20))
    # Another workspace's register never shows, even for the same handle.
    strike(engine, violation(engine, "16.1", team_id=OTHER_TEAM), JORIS)
    strike(engine, violation(engine, "16.2", team_id=OTHER_TEAM), JORIS)
    strike(engine, violation(engine, "16.3", team_id=OTHER_TEAM), JORIS)
    lines = overview(engine)
    assert [(line.handle, line.strikes) for line in lines] == [
        ("fien.test", 2), ("lotte_fictief", 1), ("joris.verzonnen", 1)]
    assert [line.step for line in lines] == [Step.SECOND_WARNING, Step.FIRST_WARNING,
                                            Step.FIRST_WARNING]
    assert lines[0].last_at == NOW + timedelta(minutes=2)
    assert lines[0].last_at.tzinfo is not None
    assert {line.platform for line in lines} == {"instagram"}
    pages = [[line.handle for line in overview(engine, offset=offset, limit=2)]
             for offset in (0, 2, 4)]
    assert pages == [["fien.test", "lotte_fictief"], ["joris.verzonnen"], []]
    assert [line.handle for line in overview(engine, offset=1, limit=1)] == ["lotte_fictief"]
    theirs = overview(engine, team_id=OTHER_TEAM)
    assert [(line.handle, line.strikes, line.step) for line in theirs] == [
        ("joris.verzonnen", 3, Step.BLOCK)]
    assert theirs[0].author_id != lines[2].author_id
    assert overview(engine, team_id="T0NOBODY01") == []


def test_revoked_and_expired_strikes_do_not_count_in_the_overview(engine):
    kept = strike(engine, violation(engine, "13.1"), FIEN)
    revoked = strike(engine, violation(engine, "13.2"), FIEN, at=NOW + timedelta(minutes=1))
    appealed = strike(engine, violation(engine, "13.3"), JORIS)
    strikes.review_strike(engine, team_id=TEAM, strike_id=revoked.strike_id, review=Review.REVOKED,
                          reason="Verkeerde auteur aangeduid", user_id=LEAD, now=NOW)
    strikes.review_strike(engine, team_id=TEAM, strike_id=appealed.strike_id,
                          review=Review.APPEAL_REVOKED, reason="Bezwaar gegrond", user_id=LEAD,
                          now=NOW)
    lines = overview(engine)
    assert [(line.handle, line.strikes) for line in lines] == [("fien.test", 1)]
    assert lines[0].last_at == NOW  # the revoked, later strike does not count
    assert overview(engine, now=FAR_FUTURE) == []
    # The boundary: counting one microsecond before the expiry moment, not at it.
    (row,) = rows(engine, Strike, Strike.id == kept.strike_id)
    just_before = row.expires_at - timedelta(microseconds=1)
    assert [line.strikes for line in overview(engine, now=just_before)] == [1]
    assert overview(engine, now=row.expires_at) == []
    # A strike after the earlier one expired counts as the first again.
    later = strike(engine, violation(engine, "14.2"), FIEN, at=row.expires_at)
    assert (later.counting, later.step) == (1, Step.FIRST_WARNING)


# ---------------------------------------------------------------------------------------------
# history and measures
# ---------------------------------------------------------------------------------------------


def history(engine, query=FIEN, *, now=NOW + timedelta(days=1), team_id=TEAM):
    return strikes.history(engine, POLICY, team_id=team_id, query=query, now=now)


def test_the_history_shows_every_strike_with_its_status(engine):
    old = strike(engine, violation(engine, "17.1"), FIEN, at=NOW - timedelta(days=400))
    revoked = strike(engine, violation(engine, "17.2"), FIEN, at=NOW - timedelta(days=10))
    active = strike(engine, violation(engine, "17.3"), FIEN, at=NOW)
    strikes.review_strike(engine, team_id=TEAM, strike_id=revoked.strike_id, review=Review.REVOKED,
                          reason="Het bericht was van iemand anders", user_id=LEAD,
                          now=NOW + timedelta(hours=1))
    (author,) = history(engine)
    assert (author.platform, author.handle) == ("instagram", "fien.test")
    assert [line.id for line in author.strikes] == [old.strike_id, revoked.strike_id,
                                                    active.strike_id]
    assert [line.status for line in author.strikes] == [Status.EXPIRED, Status.REVOKED,
                                                        Status.ACTIVE]
    assert author.strikes[1].reviews == (
        ("revoked", LEAD, NOW + timedelta(hours=1), "Het bericht was van iemand anders"),)
    assert author.strikes[0].reviews == author.strikes[2].reviews == ()
    assert (author.counting, author.step) == (1, Step.FIRST_WARNING)
    line = author.strikes[2]
    assert (line.rule, line.decided_by, line.decided_at, line.channel_id) == (
        "negative.conduct", BERT, NOW, "C0INTAKE01")
    assert line.message_ts == "17.3"
    assert line.reason_internal == "Scheldwoorden tegen een medewerker"
    assert line.expires_at == datetime(2027, 3, 28, 23, 30, tzinfo=timezone.utc)  # 01:30 local


def test_the_history_finds_a_handle_on_every_platform(engine):
    strike(engine, violation(engine, "18.1"), FIEN)
    strike(engine, violation(engine, "18.2", link="https://x.com/fien.test/status/1",
                             platform="x"), AuthorQuery(None, "fien.test"))
    found = history(engine, AuthorQuery(None, "fien.test"))
    assert [(a.platform, a.handle, len(a.strikes)) for a in found] == [
        ("instagram", "fien.test", 1), ("x", "fien.test", 1)]
    assert [a.platform for a in history(engine, AuthorQuery("x", "fien.test"))] == ["x"]
    assert history(engine, AuthorQuery("tiktok", "fien.test")) == []
    assert history(engine, AuthorQuery(None, "fien.test"), team_id=OTHER_TEAM) == []


def test_a_measure_is_confirmed_once_and_logged_on_the_case(engine):
    case_id = violation(engine, "19.1")
    result = strike(engine, case_id, FIEN)
    first = strikes.confirm_measure(engine, POLICY, team_id=TEAM, strike_id=result.strike_id,
                                    kind="first_warning", user_id=ANNA, now=NOW)
    again = strikes.confirm_measure(engine, POLICY, team_id=TEAM, strike_id=result.strike_id,
                                    kind="first_warning", user_id=BERT,
                                    now=NOW + timedelta(minutes=1))
    assert (first, again) == (True, False)
    (warn,) = rows(engine, Decision, Decision.action_id == "warn")
    assert (warn.case_id, warn.user_id, warn.note) == (case_id, ANNA, f"strike:{result.strike_id}")
    assert len(rows(engine, AuthorMeasure)) == 1
    (author,) = history(engine)
    assert author.measures == (("first_warning", ANNA, NOW),)
    # An unknown kind, or a strike of another workspace, is refused and writes nothing.
    assert problem_key(lambda: strikes.confirm_measure(
        engine, POLICY, team_id=TEAM, strike_id=result.strike_id, kind="ban", user_id=ANNA,
        now=NOW)) == "strikes.error_not_here"
    with pytest.raises(NotInWorkspace):
        strikes.confirm_measure(engine, POLICY, team_id=OTHER_TEAM, strike_id=result.strike_id,
                                kind="second_warning", user_id=ANNA, now=NOW)
    assert len(rows(engine, AuthorMeasure)) == 1
    assert len(rows(engine, Decision, Decision.action_id == "warn")) == 1


def test_a_block_is_logged_as_block(engine):
    results = [strike(engine, violation(engine, f"20.{i}"), FIEN) for i in range(3)]
    assert results[-1].step is Step.BLOCK
    assert strikes.confirm_measure(engine, POLICY, team_id=TEAM, strike_id=results[-1].strike_id,
                                   kind="block", user_id=BERT, now=NOW)
    assert not strikes.confirm_measure(engine, POLICY, team_id=TEAM,
                                       strike_id=results[-1].strike_id, kind="block",
                                       user_id=BERT, now=NOW)
    (block,) = rows(engine, Decision, Decision.action_id == "block")
    assert block.case_id == results[-1].case_id
    assert rows(engine, Decision, Decision.action_id == "warn") == []
    (author,) = history(engine)
    assert author.measures == (("block", BERT, NOW),)


# ---------------------------------------------------------------------------------------------
# review_strike
# ---------------------------------------------------------------------------------------------


def strike_row(engine, strike_id: int) -> dict:
    with transaction(engine) as session:
        return session.get(Strike, strike_id).model_dump()


def test_a_revocation_is_a_new_row_and_revoking_again_writes_nothing(engine):
    result = strike(engine, violation(engine, "22.1"), FIEN)
    before = strike_row(engine, result.strike_id)
    # No reason, or a strike of another workspace: refused, nothing written.
    assert problem_key(lambda: strikes.review_strike(
        engine, team_id=TEAM, strike_id=result.strike_id, review=Review.REVOKED, reason="  ",
        user_id=LEAD, now=NOW)) == "strikes.error_reason_required"
    with pytest.raises(NotInWorkspace):
        strikes.review_strike(engine, team_id=OTHER_TEAM, strike_id=result.strike_id,
                              review=Review.REVOKED, reason="Verkeerde persoon", user_id=LEAD, now=NOW)
    assert rows(engine, StrikeReview) == []

    line = strikes.review_strike(engine, team_id=TEAM, strike_id=result.strike_id,
                                 review=Review.REVOKED, reason="  Verkeerde persoon  ",
                                 user_id=LEAD, now=NOW + timedelta(hours=2))
    assert line.status is Status.REVOKED
    assert line.reviews == (("revoked", LEAD, NOW + timedelta(hours=2), "Verkeerde persoon"),)
    assert strike_row(engine, result.strike_id) == before
    (review,) = rows(engine, StrikeReview)
    assert (review.strike_id, review.outcome, review.reviewed_by, review.reason) == (
        result.strike_id, "revoked", LEAD, "Verkeerde persoon")

    for again in (Review.REVOKED, Review.APPEAL_REVOKED, Review.APPEAL_UPHELD):
        assert problem_key(lambda: strikes.review_strike(
            engine, team_id=TEAM, strike_id=result.strike_id, review=again,
            reason="Nog eens", user_id=LEAD, now=NOW + timedelta(hours=3))
        ) == "strikes.error_already_revoked"
    assert len(rows(engine, StrikeReview)) == 1
    assert strike_row(engine, result.strike_id) == before


def test_an_upheld_appeal_keeps_counting_and_cannot_be_upheld_twice(engine):
    result = strike(engine, violation(engine, "25.1"), FIEN)
    line = strikes.review_strike(engine, team_id=TEAM, strike_id=result.strike_id,
                                 review=Review.APPEAL_UPHELD, reason="Bezwaar ongegrond",
                                 user_id=LEAD, now=NOW)
    assert line.status is Status.ACTIVE
    assert problem_key(lambda: strikes.review_strike(
        engine, team_id=TEAM, strike_id=result.strike_id, review=Review.APPEAL_UPHELD,
        reason="Nogmaals", user_id=LEAD, now=NOW)) == "strikes.error_already_upheld"
    assert [line.strikes for line in overview(engine)] == [1]


# ---------------------------------------------------------------------------------------------
# export_csv
# ---------------------------------------------------------------------------------------------


def test_the_export_has_a_header_and_one_row_per_strike(engine):
    empty = strikes.export_csv(engine, team_id=TEAM, now=NOW, local=lambda m: m.isoformat())
    assert len(list(csv.reader(io.StringIO(empty)))) == 1
    first = strike(engine, violation(engine, "26.1"), FIEN,
                   reason_internal="=HYPERLINK(\"https://example.be\")", reason_public="+31")
    second = strike(engine, violation(engine, "26.2"), JORIS, at=NOW + timedelta(minutes=1),
                    reason_internal="@iedereen kijk", reason_public="-gewoon tekst")
    strikes.review_strike(engine, team_id=TEAM, strike_id=second.strike_id, review=Review.REVOKED,
                          reason="=1+1", user_id=LEAD, now=NOW)
    strike(engine, violation(engine, "26.3", team_id=OTHER_TEAM), LOTTE)
    text = strikes.export_csv(engine, team_id=TEAM, now=NOW + timedelta(days=1),
                              local=lambda moment: moment.isoformat())
    header, *lines = list(csv.reader(io.StringIO(text)))
    assert header == ["platform", "handle", "strike_id", "case_id", "rule", "decided_by",
                      "decided_at", "status", "expires_at", "review", "review_reason",
                      "reason_internal", "reason_public"]
    assert len(lines) == 2
    by_id = {int(line[2]): dict(zip(header, line)) for line in lines}
    fien, joris = by_id[first.strike_id], by_id[second.strike_id]
    assert (fien["platform"], fien["handle"]) == ("instagram", "fien.test")
    assert fien["status"] == "active"
    assert fien["case_id"] == str(first.case_id) and fien["rule"] == "negative.conduct"
    assert fien["decided_at"] == NOW.isoformat()
    assert fien["expires_at"] == datetime(2027, 3, 28, 23, 30, tzinfo=timezone.utc).isoformat()
    assert fien["reason_internal"] == "'=HYPERLINK(\"https://example.be\")"
    assert fien["reason_public"] == "'+31"
    assert (fien["review"], fien["review_reason"]) == ("", "")
    assert (joris["status"], joris["review"], joris["review_reason"]) == ("revoked", "revoked",
                                                                         "'=1+1")
    assert joris["reason_internal"] == "'@iedereen kijk"
    assert joris["reason_public"] == "'-gewoon tekst"
    assert "lotte_fictief" not in text
    for line in lines:  # no cell at all can be read as a formula
        assert all(cell[:1] not in ("=", "+", "-", "@") for cell in line), line


# ---------------------------------------------------------------------------------------------
# leads
# ---------------------------------------------------------------------------------------------

SEEDS = ("U0LEAD0001", "U0LEAD0002")


def is_lead(engine, user_id: str, *, team_id: str = TEAM, seeds=SEEDS) -> bool:
    """As the access check asks: a seed lead is noted when first seen, then the table is read."""
    leads.note_seed_seen(engine, team_id=team_id, user_id=user_id, seeds=seeds, now=NOW)
    return leads.is_lead(engine, team_id=team_id, user_id=user_id)


def set_lead(engine, user_id: str, lead: bool, *, by: str = "U0LEAD0001") -> bool:
    return leads.set_lead(engine, team_id=TEAM, user_id=user_id, lead=lead, by=by, now=NOW)


def test_leads_are_seeded_from_the_settings_the_first_time(engine):
    assert leads.leads(engine, team_id=TEAM) == []
    assert is_lead(engine, "U0LEAD0001")
    assert is_lead(engine, "U0LEAD0001")
    assert not is_lead(engine, ANNA)
    assert leads.leads(engine, team_id=TEAM) == ["U0LEAD0001"]
    (row,) = rows(engine, Lead)
    assert (row.team_id, row.user_id, row.added_by, row.removed_at) == (
        TEAM, "U0LEAD0001", leads.SETTINGS_SEED, None)
    assert not is_lead(engine, "U0LEAD0001", team_id=OTHER_TEAM, seeds=())
    assert rows(engine, Lead, Lead.user_id == ANNA) == []
    # A lead removed in Slack stays removed while still listed in the settings.
    assert is_lead(engine, "U0LEAD0002")
    assert set_lead(engine, "U0LEAD0002", False, by="U0LEAD0001")
    assert not is_lead(engine, "U0LEAD0002")
    assert not is_lead(engine, "U0LEAD0002")
    (row,) = rows(engine, Lead, Lead.user_id == "U0LEAD0002")
    assert (row.removed_by, row.removed_at) == ("U0LEAD0001", NOW)
    assert leads.leads(engine, team_id=TEAM) == ["U0LEAD0001"]


def test_adding_and_removing_a_lead_reports_whether_anything_changed(engine):
    assert is_lead(engine, "U0LEAD0001")
    assert set_lead(engine, ANNA, True)
    assert not set_lead(engine, ANNA, True)
    assert is_lead(engine, ANNA)
    assert sorted(leads.leads(engine, team_id=TEAM)) == sorted(["U0LEAD0001", ANNA])
    assert set_lead(engine, ANNA, False)
    assert not set_lead(engine, ANNA, False)
    assert not set_lead(engine, BERT, False)
    assert not is_lead(engine, ANNA)
    assert set_lead(engine, ANNA, True)
    assert is_lead(engine, ANNA)
    assert len(rows(engine, Lead, Lead.user_id == ANNA)) == 1


def test_the_last_lead_cannot_be_removed(engine):
    assert is_lead(engine, "U0LEAD0001")
    assert problem_key(lambda: set_lead(engine, "U0LEAD0001", False)) == "leads.error_last_lead"
    assert is_lead(engine, "U0LEAD0001")
    assert set_lead(engine, ANNA, True)
    assert set_lead(engine, "U0LEAD0001", False, by=ANNA)
    assert problem_key(lambda: set_lead(engine, ANNA, False, by=ANNA)) == "leads.error_last_lead"
    assert leads.leads(engine, team_id=TEAM) == [ANNA]


def test_two_leads_removing_each_other_at_once_leave_one_lead(engine, monkeypatch):
    """Both removals read "two leads" before either writes; only one may go through."""
    assert is_lead(engine, "U0LEAD0001") and is_lead(engine, "U0LEAD0002")
    barrier = threading.Barrier(2, timeout=3)
    waited: set[int] = set()
    read_leads = lead_store.current_leads

    def current_leads_then_wait(session, *, team_id, **options):
        found = read_leads(session, team_id=team_id, **options)
        if threading.get_ident() not in waited:  # only the first attempt of each thread waits
            waited.add(threading.get_ident())
            try:
                barrier.wait()
            except threading.BrokenBarrierError:  # the other one is held by a lock: fine
                pass
        return found

    monkeypatch.setattr(lead_store, "current_leads", current_leads_then_wait)
    outcomes: list[object] = []

    def remove(user_id: str, by: str) -> None:
        try:
            outcomes.append(set_lead(engine, user_id, False, by=by))
        except StrikeProblem as problem:
            outcomes.append(problem.key)

    threads = [threading.Thread(target=remove, args=("U0LEAD0001", "U0LEAD0002")),
               threading.Thread(target=remove, args=("U0LEAD0002", "U0LEAD0001"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.undo()
    assert sorted(map(str, outcomes)) == ["True", "leads.error_last_lead"]
    assert len(leads.leads(engine, team_id=TEAM)) == 1
