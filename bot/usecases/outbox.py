"""The outbox: case messages Slack could not take, delivered later by the scheduler.

The client already retries rate limits, server errors and dropped connections; what still fails is
kept as an intent in the ``job`` table (post this case's thread message, redraw it), not as the
message itself, so a later attempt draws the case as it is then. Attempts back off from thirty
seconds to an hour, and stop after a day's worth of tries.
"""

from __future__ import annotations

import logging
import urllib.error
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.usecases.transaction import use_case
from storage import jobs as store
from storage.models import JobKind

logger = logging.getLogger(__name__)

POST_THREAD = JobKind.DELIVER_THREAD
REFRESH_THREAD = JobKind.DELIVER_REFRESH
KINDS = (POST_THREAD, REFRESH_THREAD)
MAX_ATTEMPTS = 30
_TRANSIENT = {"ratelimited", "internal_error", "fatal_error", "request_timeout", "service_unavailable"}


def is_transient(error: Exception) -> bool:
    """A failure a later attempt can overcome (Slack or the network, not the request itself)."""
    if isinstance(error, SlackApiError):
        status = getattr(error.response, "status_code", 200)
        return status >= 500 or status == 429 or error.response.get("error") in _TRANSIENT
    return isinstance(error, (urllib.error.URLError, ConnectionError, TimeoutError, OSError))


def backoff(attempt: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempt - 1, 0), 3600))


@use_case
def defer_if_transient(session: Session, error: Exception, *, team_id: str, kind: str,
                       case_id: int, now: datetime, attempt: int = 1) -> bool:
    """Keep a failed delivery for later; False when the failure is not one to retry."""
    if not is_transient(error) or attempt > MAX_ATTEMPTS:
        if attempt > MAX_ATTEMPTS:
            logger.error("case %s: giving up on %s after %s attempts", case_id, kind, attempt - 1)
        return False
    store.add_job(session, team_id=team_id, kind=kind, ref_id=case_id,
                  due_at=now + backoff(attempt), created_by="outbox", attempt=attempt)
    logger.warning("case %s: %s failed (%s); attempt %s later", case_id, kind, type(error).__name__,
                   attempt + 1)
    return True


@use_case
def hand_over(session: Session, *, now: datetime) -> int:
    """A stopping process whose work in hand did not finish in time: every open case whose thread
    message was never posted, and that has no delivery waiting, gets one due at once, so the next
    start (or the scheduler) posts it. Returns how many were handed over."""
    orphans = store.open_cases_without_delivery(session, kind=POST_THREAD)
    for case_id, team_id in orphans:
        store.add_job(session, team_id=team_id, kind=POST_THREAD, ref_id=case_id, due_at=now,
                      created_by="outbox")
    if orphans:
        logger.warning("stopping: %s case message(s) left for the next start", len(orphans))
    return len(orphans)


@use_case
def resume(session: Session, *, now: datetime) -> int:
    """At start-up: a delivery that failed once (as one may while its process is stopping) is due
    at once, not thirty seconds later; deliveries already backing off keep their schedule (so a
    scheduler started by cron does not undo the back-off). Returns how many."""
    resumed = store.bring_forward(session, kinds=KINDS, now=now, max_attempt=1)
    if resumed:
        logger.info("%s waiting case message(s) are due now", resumed)
    return resumed
