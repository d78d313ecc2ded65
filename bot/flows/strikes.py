"""The three-strike rule: which strikes count, and what the rule says to do next.

Pure: strikes come in as plain values, the clock is passed in, and expiry is computed on the
calendar of Europe/Brussels (a strike given at 14:00 on 29 March expires at 14:00 local time a year
later, whatever daylight saving did in between).
"""

from __future__ import annotations

import calendar
import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytz

from bot.core.clock import BRUSSELS
from bot.core.problem import Problem
from bot.flows.intake import NOT_SOCIAL, PLATFORMS, guess_platform, normalise_handle
from bot.flows.policy import StrikeRule


# Where a strike may be recorded: the guide's violation categories.
VIOLATION_NODES = frozenset(
    {"negative.punishable", "negative.privacy", "negative.conduct", "negative.spam"}
)


class Status(str, enum.Enum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Step(str, enum.Enum):
    """What the rule says to do with an author now."""

    FIRST_WARNING = "first_warning"
    SECOND_WARNING = "second_warning"
    BLOCK = "block"


class Review(str, enum.Enum):
    """A lead's later word on a strike; each is a new row, never an edit."""

    REVOKED = "revoked"
    APPEAL_UPHELD = "appeal_upheld"
    APPEAL_REVOKED = "appeal_revoked"

    @property
    def revokes(self) -> bool:
        return self is not Review.APPEAL_UPHELD


@dataclass(frozen=True)
class StrikeFacts:
    decided_at: datetime
    expires_at: datetime | None  # fixed when the strike is given, under the policy of that day
    reviews: tuple[Review, ...] = ()


class StrikeProblem(Problem):
    """Bad input about a strike, or a strike that cannot change so; ``key`` names the text."""


def add_months(moment: datetime, months: int) -> datetime:
    """The same wall-clock time in Brussels ``months`` later (the last day when the month is short)."""
    local = moment.astimezone(BRUSSELS).replace(tzinfo=None)
    month_index = local.month - 1 + months
    year, month = local.year + month_index // 12, month_index % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    target = local.replace(year=year, month=month, day=day)
    try:
        aware = BRUSSELS.localize(target, is_dst=None)
    except pytz.NonExistentTimeError:  # inside the hour skipped in March: the next valid moment
        aware = BRUSSELS.localize(target + timedelta(hours=1), is_dst=True)
    except pytz.AmbiguousTimeError:  # the hour lived twice in October: the first one
        aware = BRUSSELS.localize(target, is_dst=True)
    return aware.astimezone(pytz.utc)


def expires_at(decided_at: datetime, rule: StrikeRule) -> datetime | None:
    if rule.expire_after_months is None:
        return None
    return add_months(decided_at, rule.expire_after_months)


def status(strike: StrikeFacts, now: datetime) -> Status:
    if any(review.revokes for review in strike.reviews):  # a revocation is final
        return Status.REVOKED
    if strike.expires_at is not None and now >= strike.expires_at:
        return Status.EXPIRED
    return Status.ACTIVE


def check_review(strike: StrikeFacts, review: Review, reason: str) -> None:
    """A revocation or appeal outcome must have a reason and must change something."""
    if not reason.strip():
        raise StrikeProblem("strikes.error_reason_required")
    if any(r.revokes for r in strike.reviews):
        raise StrikeProblem("strikes.error_already_revoked")
    if review is Review.APPEAL_UPHELD and Review.APPEAL_UPHELD in strike.reviews:
        raise StrikeProblem("strikes.error_already_upheld")


def next_step(active_strikes: int, rule: StrikeRule) -> Step | None:
    """The guide's rule: first warning, second warning, then a block (thresholds from the policy)."""
    if active_strikes >= rule.block:
        return Step.BLOCK
    if active_strikes >= rule.second_warning:
        return Step.SECOND_WARNING
    if active_strikes >= rule.first_warning:
        return Step.FIRST_WARNING
    return None


@dataclass(frozen=True)
class AuthorQuery:
    platform: str | None  # None: the handle on any platform
    handle: str


def parse_author(text: str, platform: str | None = None) -> AuthorQuery:
    """An author as a person types it: a profile link, ``@handle``, or ``platform handle``.

    Raises :class:`StrikeProblem` with a clear reason when nothing usable is left.
    """
    value = (text or "").strip()
    if not value:
        raise StrikeProblem("strikes.error_no_author")
    if len(value) > 300:
        raise StrikeProblem("strikes.error_author_too_long")
    if platform is not None and platform not in PLATFORMS:
        raise StrikeProblem("strikes.error_unknown_platform")
    words = value.split()
    if platform is None and len(words) == 2 and words[0].lower() in PLATFORMS:
        platform, value = words[0].lower(), words[1]
    elif platform is None and len(words) == 2 and words[0].lower() not in PLATFORMS \
            and "/" not in words[0]:
        raise StrikeProblem("strikes.error_unknown_platform")
    if "/" in value:
        linked = guess_platform(value if value.lower().startswith("http") else "https://" + value)
        if linked in NOT_SOCIAL:
            raise StrikeProblem("strikes.error_not_a_profile")
        platform = linked
    handle = normalise_handle(platform or "other", value)
    if handle is None:
        raise StrikeProblem("strikes.error_not_a_profile" if "/" in value else "strikes.error_bad_handle")
    return AuthorQuery(platform, handle)


@dataclass(frozen=True)
class StrikeForm:
    """The strike form, checked: ``errors`` maps a field (handle, internal, public) to the key of
    what is wrong with it."""

    author: AuthorQuery | None
    internal: str
    public: str
    errors: dict[str, str]


def check_strike_form(*, handle: str | None, platform: str | None, internal: str | None,
                      public: str | None) -> StrikeForm:
    """Both reasons are needed; an author only when the form asks for one (the case has none)."""
    errors: dict[str, str] = {}
    author = None
    if handle is not None or platform is not None:
        try:
            author = parse_author(handle or "", platform)
        except StrikeProblem as problem:
            errors["handle"] = problem.key
    for field, value in (("internal", internal), ("public", public)):
        if not value:
            errors[field] = "strikes.error_reason_required"
    return StrikeForm(author, internal or "", public or "", errors)
