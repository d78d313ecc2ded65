"""The three-strike rule: what comes next, when a strike stops counting, who the author is.

Pure tests: no Slack, no database, a fixed clock. People and handles are made up.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.flows.intake import PLATFORMS
from bot.flows.policy import StrikeRule, load_policy
from bot.core.problem import Problem
from bot.flows.strikes import (
    BRUSSELS,
    AuthorQuery,
    Review,
    Status,
    Step,
    StrikeFacts,
    StrikeProblem,
    add_months,
    check_review,
    expires_at,
    next_step,
    parse_author,
    status,
)

UTC = timezone.utc
BUNDLED = load_policy().strikes
CUSTOM = StrikeRule(first_warning=2, second_warning=4, block=6, expire_after_months=12, messages={})
YEAR = StrikeRule(first_warning=1, second_warning=2, block=3, expire_after_months=12, messages={})
MONTH = StrikeRule(first_warning=1, second_warning=2, block=3, expire_after_months=1, messages={})
FOREVER = StrikeRule(first_warning=1, second_warning=2, block=3, expire_after_months=None,
                     messages={})
T = datetime(2026, 5, 12, 9, 15, tzinfo=UTC)
MICRO = timedelta(microseconds=1)

# Every key parse_author may raise, each with a text in the translation layer.
AUTHOR_ERRORS = {
    "strikes.error_no_author",
    "strikes.error_author_too_long",
    "strikes.error_unknown_platform",
    "strikes.error_not_a_profile",
    "strikes.error_bad_handle",
}
HANDLE = re.compile(r"[a-z0-9._-]{1,100}")


def brussels(*parts: int) -> datetime:
    """A wall-clock time in Brussels that exists exactly once."""
    return BRUSSELS.localize(datetime(*parts), is_dst=None)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def facts(*reviews: Review, rule: StrikeRule = YEAR, decided_at: datetime = T) -> StrikeFacts:
    return StrikeFacts(decided_at, expires_at(decided_at, rule), tuple(reviews))


# ---------------------------------------------------------------------------------------------
# next_step
# ---------------------------------------------------------------------------------------------


def test_the_bundled_policy_follows_the_guide() -> None:
    assert (BUNDLED.first_warning, BUNDLED.second_warning, BUNDLED.block) == (1, 2, 3)


@pytest.mark.parametrize(
    ("strikes", "step"),
    [
        (0, None),
        (1, Step.FIRST_WARNING),
        (2, Step.SECOND_WARNING),
        (3, Step.BLOCK),
        (4, Step.BLOCK),
        (5, Step.BLOCK),
    ],
)
def test_next_step_with_the_bundled_thresholds(strikes: int, step: Step | None) -> None:
    assert next_step(strikes, BUNDLED) is step


@pytest.mark.parametrize(
    ("strikes", "step"),
    [
        (0, None),
        (1, None),
        (2, Step.FIRST_WARNING),
        (3, Step.FIRST_WARNING),
        (4, Step.SECOND_WARNING),
        (5, Step.SECOND_WARNING),
        (6, Step.BLOCK),
        (7, Step.BLOCK),
    ],
)
def test_next_step_with_custom_thresholds(strikes: int, step: Step | None) -> None:
    assert next_step(strikes, CUSTOM) is step


# ---------------------------------------------------------------------------------------------
# Expiry: the boundary, and the calendar of Brussels
# ---------------------------------------------------------------------------------------------


def test_a_strike_expires_at_exactly_its_expiry_moment() -> None:
    strike = facts()
    end = expires_at(T, YEAR)
    assert strike.expires_at == end == utc(2027, 5, 12, 9, 15)
    assert status(strike, T) is Status.ACTIVE
    assert status(strike, end - MICRO) is Status.ACTIVE
    assert status(strike, end) is Status.EXPIRED
    assert status(strike, end + MICRO) is Status.EXPIRED
    assert status(strike, end + timedelta(days=3650)) is Status.EXPIRED


def test_without_expire_after_months_a_strike_never_expires() -> None:
    assert expires_at(T, FOREVER) is None
    strike = facts(rule=FOREVER)
    assert strike.expires_at is None
    assert status(strike, T + timedelta(days=365 * 80)) is Status.ACTIVE


@pytest.mark.parametrize(
    ("given", "rule", "expected"),
    [
        # before the spring change (UTC+1) to a day after the 2027 change (UTC+2): 14:00 local
        pytest.param(brussels(2026, 3, 28, 14, 0), YEAR, utc(2027, 3, 28, 12, 0), id="spring"),
        # summer to summer
        pytest.param(brussels(2026, 7, 1, 10, 0), YEAR, utc(2027, 7, 1, 8, 0), id="summer"),
        # the day before the autumn change (UTC+2) to a month later (UTC+1): same wall time
        pytest.param(brussels(2026, 10, 24, 15, 0), MONTH, utc(2026, 11, 24, 14, 0), id="autumn"),
        # 31 January plus a month: the last day of February
        pytest.param(brussels(2026, 1, 31, 9, 0), MONTH, utc(2026, 2, 28, 8, 0), id="short-month"),
        # 29 February of a leap year plus a year: 28 February
        pytest.param(brussels(2028, 2, 29, 12, 0), YEAR, utc(2029, 2, 28, 11, 0), id="leap-day"),
        # 02:30 lands in the hour skipped on 29 March 2026: the next valid moment, 03:30 CEST
        pytest.param(brussels(2025, 3, 29, 2, 30), YEAR, utc(2026, 3, 29, 1, 30),
                     id="skipped-hour"),
        # 02:30 lands in the hour lived twice on 25 October 2026: the first one, still CEST
        pytest.param(brussels(2025, 10, 25, 2, 30), YEAR, utc(2026, 10, 25, 0, 30),
                     id="repeated-hour-year"),
        pytest.param(brussels(2026, 9, 25, 2, 30), MONTH, utc(2026, 10, 25, 0, 30),
                     id="repeated-hour-month"),
    ],
)
def test_expiry_follows_the_wall_clock_in_brussels(
    given: datetime, rule: StrikeRule, expected: datetime
) -> None:
    result = expires_at(given, rule)
    assert result == expected
    assert result.utcoffset() == timedelta(0)
    # The same moment given in UTC gives the same answer.
    assert expires_at(given.astimezone(UTC), rule) == expected


def test_expiry_keeps_the_local_time_across_a_change_of_offset() -> None:
    given = brussels(2026, 10, 24, 15, 0)
    end = expires_at(given, MONTH).astimezone(BRUSSELS)
    assert (end.year, end.month, end.day, end.hour, end.minute) == (2026, 11, 24, 15, 0)
    assert given.utcoffset() == timedelta(hours=2) and end.utcoffset() == timedelta(hours=1)


def test_the_skipped_hour_becomes_the_next_valid_local_moment() -> None:
    end = add_months(brussels(2025, 3, 29, 2, 30), 12).astimezone(BRUSSELS)
    assert (end.month, end.day, end.hour, end.minute) == (3, 29, 3, 30)
    assert end.utcoffset() == timedelta(hours=2)


def test_the_boundary_holds_on_the_night_of_the_spring_change() -> None:
    given = brussels(2025, 3, 29, 2, 30)
    strike = StrikeFacts(given, expires_at(given, YEAR))
    assert status(strike, utc(2026, 3, 29, 1, 30) - MICRO) is Status.ACTIVE
    assert status(strike, utc(2026, 3, 29, 1, 30)) is Status.EXPIRED


def test_add_months_of_zero_is_the_same_moment() -> None:
    assert add_months(T, 0) == T


# ---------------------------------------------------------------------------------------------
# status
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("review", [Review.REVOKED, Review.APPEAL_REVOKED])
def test_a_revocation_wins_over_active_and_expired(review: Review) -> None:
    strike = facts(review)
    assert status(strike, T) is Status.REVOKED
    assert status(strike, strike.expires_at + timedelta(days=1)) is Status.REVOKED


def test_an_upheld_appeal_keeps_the_strike_counting() -> None:
    strike = facts(Review.APPEAL_UPHELD)
    assert status(strike, T + timedelta(days=1)) is Status.ACTIVE
    assert status(strike, strike.expires_at) is Status.EXPIRED


def test_an_upheld_appeal_does_not_undo_a_later_revocation() -> None:
    assert status(facts(Review.APPEAL_UPHELD, Review.APPEAL_REVOKED), T) is Status.REVOKED


def test_a_strike_without_reviews_is_active() -> None:
    assert status(facts(), T) is Status.ACTIVE


# ---------------------------------------------------------------------------------------------
# check_review
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", " ", "\t\n  "])
@pytest.mark.parametrize("review", list(Review))
def test_a_review_needs_a_reason(review: Review, reason: str) -> None:
    with pytest.raises(StrikeProblem) as problem:
        check_review(facts(), review, reason)
    assert problem.value.key == "strikes.error_reason_required"


@pytest.mark.parametrize("earlier", [Review.REVOKED, Review.APPEAL_REVOKED])
@pytest.mark.parametrize("review", list(Review))
def test_a_revoked_strike_cannot_be_reviewed_again(earlier: Review, review: Review) -> None:
    with pytest.raises(StrikeProblem) as problem:
        check_review(facts(earlier), review, "Tweede keer bekeken")
    assert problem.value.key == "strikes.error_already_revoked"


def test_an_appeal_cannot_be_upheld_twice() -> None:
    with pytest.raises(StrikeProblem) as problem:
        check_review(facts(Review.APPEAL_UPHELD), Review.APPEAL_UPHELD, "Nogmaals bevestigd")
    assert problem.value.key == "strikes.error_already_upheld"


@pytest.mark.parametrize("review", [Review.REVOKED, Review.APPEAL_REVOKED])
def test_an_upheld_strike_can_still_be_revoked(review: Review) -> None:
    check_review(facts(Review.APPEAL_UPHELD), review, "Nieuwe informatie van de auteur")


@pytest.mark.parametrize("review", list(Review))
def test_a_first_review_with_a_reason_is_accepted(review: Review) -> None:
    check_review(facts(), review, "Bericht was satire, niet beledigend")


def test_a_strike_problem_is_a_problem_with_its_key_and_never_a_value_error() -> None:
    # A refusal is told to the person; a ValueError is a bug and must not be mistaken for one.
    problem = StrikeProblem("strikes.error_no_author")
    assert isinstance(problem, Problem) and not isinstance(problem, ValueError)
    assert problem.key == "strikes.error_no_author" and str(problem) == "strikes.error_no_author"


# ---------------------------------------------------------------------------------------------
# parse_author
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("@Naam", AuthorQuery(None, "naam")),
        ("naam", AuthorQuery(None, "naam")),
        ("  @Fien.Test  ", AuthorQuery(None, "fien.test")),
        ("instagram @Naam", AuthorQuery("instagram", "naam")),
        ("Instagram naam", AuthorQuery("instagram", "naam")),
        ("x naam", AuthorQuery("x", "naam")),
        ("X @Naam", AuthorQuery("x", "naam")),
        ("facebook @jan_verzonnen", AuthorQuery("facebook", "jan_verzonnen")),
        ("tiktok @jan_verzonnen", AuthorQuery("tiktok", "jan_verzonnen")),
        ("linkedin jan-verzonnen", AuthorQuery("linkedin", "jan-verzonnen")),
        ("youtube @jan_verzonnen", AuthorQuery("youtube", "jan_verzonnen")),
    ],
)
def test_parse_author_from_a_handle(text: str, query: AuthorQuery) -> None:
    assert parse_author(text) == query


@pytest.mark.parametrize(
    ("link", "query"),
    [
        ("instagram.com/fien.test", AuthorQuery("instagram", "fien.test")),
        ("www.instagram.com/Fien.Test/", AuthorQuery("instagram", "fien.test")),
        ("facebook.com/fien.test", AuthorQuery("facebook", "fien.test")),
        ("m.facebook.com/profile.php?id=100012345", AuthorQuery("facebook", "100012345")),
        ("x.com/Fien_Test", AuthorQuery("x", "fien_test")),
        ("twitter.com/fien_test", AuthorQuery("x", "fien_test")),
        ("tiktok.com/@fien.test", AuthorQuery("tiktok", "fien.test")),
        ("www.youtube.com/@FienTest", AuthorQuery("youtube", "fientest")),
        ("linkedin.com/in/fien-test", AuthorQuery("linkedin", "fien-test")),
    ],
)
@pytest.mark.parametrize("scheme", ["", "https://", "http://"])
def test_parse_author_from_a_profile_link(scheme: str, link: str, query: AuthorQuery) -> None:
    assert parse_author(scheme + link) == query


@pytest.mark.parametrize(
    "link",
    [
        "https://www.instagram.com/p/AbC123/",
        "instagram.com/p/AbC123",
        "https://www.instagram.com/reel/AbC123/",
        "https://www.facebook.com/groups/123/",
        "https://www.tiktok.com/video/123",
        "https://youtu.be/AbC123",
        "https://www.youtube.com/watch?v=AbC123",
        "https://t.co/AbC123",
        "https://www.linkedin.com/company/iets",
        "https://www.example.be/fien.test",
        "example.be/fien.test",
        "fien/test",
    ],
)
def test_a_link_that_is_not_a_profile_is_refused(link: str) -> None:
    with pytest.raises(StrikeProblem) as problem:
        parse_author(link)
    assert problem.value.key == "strikes.error_not_a_profile"


@pytest.mark.parametrize(
    ("text", "platform", "key"),
    [
        ("", None, "strikes.error_no_author"),
        ("   \n\t", None, "strikes.error_no_author"),
        ("a" * 400, None, "strikes.error_author_too_long"),
        ("myspace @x", None, "strikes.error_unknown_platform"),
        ("naam", "myspace", "strikes.error_unknown_platform"),
        ("@naam", "Instagram", "strikes.error_unknown_platform"),
    ],
)
def test_parse_author_refuses_with_a_named_reason(
    text: str, platform: str | None, key: str
) -> None:
    with pytest.raises(StrikeProblem) as problem:
        parse_author(text, platform)
    assert problem.value.key == key


def test_parse_author_refuses_none() -> None:
    with pytest.raises(StrikeProblem) as problem:
        parse_author(None)  # type: ignore[arg-type]
    assert problem.value.key == "strikes.error_no_author"


@pytest.mark.parametrize(
    "text",
    ["@@@", "@", "hallo daar wereld", "naam!", "fien test en co", "é", "a" * 101, "<@U0ANNA0001>"],
)
def test_nonsense_is_refused_with_a_known_key(text: str) -> None:
    with pytest.raises(StrikeProblem) as problem:
        parse_author(text)
    assert problem.value.key in AUTHOR_ERRORS


def test_a_platform_given_apart_is_used() -> None:
    assert parse_author("@Fien.Test", "instagram") == AuthorQuery("instagram", "fien.test")
    assert parse_author("fien.test", "tiktok") == AuthorQuery("tiktok", "fien.test")


@pytest.mark.parametrize(
    "spelling",
    [
        "instagram @Fien.Test",
        "instagram fien.test",
        "INSTAGRAM @FIEN.TEST",
        "  instagram   @fien.test  ",
        "https://www.instagram.com/Fien.Test/",
        "https://instagram.com/fien.test?igsh=abc123",
        "instagram.com/fien.test",
        "www.instagram.com/fien.test/",
    ],
)
def test_the_same_person_written_differently_is_one_query(spelling: str) -> None:
    assert parse_author(spelling) == AuthorQuery("instagram", "fien.test")
    assert parse_author("@Fien.Test", "instagram") == parse_author(spelling)


@settings(max_examples=400, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=350),
        st.text(alphabet="@ /.:?=_-aAzZ09éK\u212a", max_size=60),
        st.builds(
            lambda host, path: f"https://{host}/{path}",
            st.sampled_from(["instagram.com", "www.facebook.com", "x.com", "tiktok.com",
                             "youtube.com", "linkedin.com", "example.be", "t.co"]),
            st.text(max_size=40),
        ),
        st.builds(lambda p, h: f"{p} {h}", st.sampled_from(PLATFORMS + ("myspace",)),
                  st.text(max_size=30)),
    ),
    platform=st.one_of(st.none(), st.sampled_from(PLATFORMS), st.text(max_size=8)),
)
def test_parse_author_returns_a_clean_handle_or_a_strike_problem(
    text: str, platform: str | None
) -> None:
    try:
        query = parse_author(text, platform)
    except StrikeProblem as problem:
        assert problem.key in AUTHOR_ERRORS
        return
    assert isinstance(query, AuthorQuery)
    assert HANDLE.fullmatch(query.handle), query
    assert query.platform is None or query.platform in PLATFORMS
