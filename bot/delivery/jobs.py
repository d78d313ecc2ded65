"""The scheduler's work: each due job (reminders, escalations, timed checks, deliveries Slack could
not take) goes to its use case, is drawn, and becomes one Slack call; and the loop that looks at
the job table. Nothing is sent at night or at the weekend: outside business hours the loop waits
(deliveries Slack could not take go out at any hour).

``python -m bot.scheduler`` runs the loop as its own process (the Procfile's ``scheduler``);
``python -m bot`` runs it as a background thread unless ``SCHEDULER=off``.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import kit as blocks
from bot.core.config import exit_on_bad_setting, seconds_from_env
from bot.core.mrkdwn import mention, mentions
from bot.deps import Deps
from bot.flows.timing import is_business_time
from bot.delivery import send
from bot.usecases import cases, outbox, routing
from bot.usecases import workspaces as bot_workspaces
from bot.usecases.jobs import JobRef, claim_due, finish, worker_name
from bot.delivery.house_rules import send_lead_notice
from bot.usecases import digest, house_rules
from bot.delivery.reports import send_digest
from bot.usecases.privacy import erase_expired
from bot.usecases.workspaces import erase_departed
from storage.models import JobKind, QuestionStatus

if TYPE_CHECKING:
    from bot.directory import Directory

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 30.0  # seconds between looks at the job table


def run_due_jobs(workspaces: Directory, *, now: datetime, worker: str | None = None) -> int:
    """Carry out every due job once, workspace by workspace; returns how many were carried out."""
    worker = worker or worker_name()
    engine = workspaces.base.engine
    erase_departed(engine, now=now)
    departed = bot_workspaces.departed(engine)
    done = 0
    for deps in workspaces.served():
        team_id = deps.workspace.team_id  # None in token mode: every job is this workspace's
        erase_expired(engine, retention_months=deps.policy.retention_months, now=now, team_id=team_id)
        house_rules.plan_jobs(engine, deps.policy, team_id=team_id, now=now)
        digest.plan(engine, deps.policy, team_id=team_id, now=now)
        # Messages Slack could not take go out at any hour; people are only reminded in office hours.
        kinds = None if is_business_time(now, deps.policy.business_hours) else outbox.KINDS
        for job in claim_due(engine, now=now, worker=worker, kinds=kinds, team_id=team_id):
            client = None if job.team_id in departed else workspaces.client_for(job.team_id)
            run_job(deps, client, job, now)
            done += 1
    return done


def deliver_waiting(workspaces: Directory, *, now: datetime) -> int:
    """Deliver what waits in the outbox once, now: a start's first act, so a stopped process's
    leftovers go out at once even when the scheduler runs as its own process and looks later.
    Each delivery is claimed as the scheduler claims it, so it goes out once."""
    engine = workspaces.base.engine
    departed = bot_workspaces.departed(engine)
    done = 0
    for deps in workspaces.served():
        for job in claim_due(engine, now=now, worker=worker_name(), kinds=outbox.KINDS,
                             team_id=deps.workspace.team_id):
            client = None if job.team_id in departed else workspaces.client_for(job.team_id)
            run_job(deps, client, job, now)
            done += 1
    return done


def run_job(deps: Deps, client: WebClient | None, job: JobRef, now: datetime) -> None:
    """Carry out one claimed job and finish it with its outcome; one broken job stops no other."""
    if client is None:  # uninstalled since the job was claimed: no work for that workspace
        outcome = bot_workspaces.UNINSTALLED
    else:
        try:
            outcome = _carry_out(deps, client, job, now)
        except SlackApiError as error:
            outcome = f"slack_error:{error.response.get('error')}"
            logger.warning("job %s (%s) failed at Slack: %s", job.id, job.kind, outcome)
        except Exception:  # noqa: BLE001 (one broken job must not stop the others)
            logger.exception("job %s (%s) failed", job.id, job.kind)
            outcome = "error"
    finish(deps.engine, job, now=now, outcome=outcome)
    logger.info("job %s (%s about %s): %s", job.id, job.kind, job.ref_id, outcome)


def _carry_out(deps: Deps, client: WebClient, job: JobRef, now: datetime) -> str:
    if job.kind in house_rules.JOB_KINDS:
        return send_lead_notice(deps, client, kind=job.kind, team_id=job.team_id, approval_id=job.ref_id)
    if job.kind in digest.KINDS:
        return send_digest(client, deps, job_id=job.id, kind=job.kind, team_id=job.team_id, ref_id=job.ref_id)
    if job.kind in outbox.KINDS:
        attempt = job.attempt + 1
        delivered = send.deliver_case_message(client, deps, team_id=job.team_id, case_id=job.ref_id,
                                              now=now, attempt=attempt)
        return "delivered" if delivered else f"retry:{attempt}"
    if job.kind in (JobKind.REMIND, JobKind.ESCALATE):
        return _remind(deps, client, job)
    return _check(deps, client, job)


def _remind(deps: Deps, client: WebClient, job: JobRef) -> str:
    """A question's reminder to its antennas at the deadline, or its escalation to the backup."""
    tr = deps.tr
    try:
        question = routing.load_question(deps.engine, team_id=job.team_id, question_id=job.ref_id)
    except routing.RoutingProblem:
        return "skipped:gone"
    if question.status not in (QuestionStatus.OPEN, QuestionStatus.ACKNOWLEDGED):
        return f"skipped:{question.status}"
    if job.kind == JobKind.REMIND:
        missed = send.notify_antennas(client, deps, question, question.service.antennas, reminder=True)
        if missed:
            send.thread_note(client, channel=question.case_channel, thread_ts=question.case_ts,
                             text=tr("route.undelivered", users=mentions(missed)))
        return "sent"
    backup = question.service.backup
    if backup:
        send.notify_antennas(client, deps, question, [backup], reminder=True)
    send.thread_note(client, channel=question.case_channel, thread_ts=question.case_ts, text=tr(
        "route.escalated", user=mention(question.asked_by), service=send.service_named(deps, question),
        time=blocks.local_time(question.due_at, tr),
        backup=mention(backup) if backup else tr("route.no_backup")))
    return "escalated"


def _check(deps: Deps, client: WebClient, job: JobRef) -> str:
    """A timed check on an open case: keep monitoring, or see whether the author behaved."""
    tr = deps.tr
    case = cases.load_case(deps.engine, team_id=job.team_id, case_id=job.ref_id)
    if case.status != "open":
        return "skipped:closed"
    if job.kind == JobKind.MONITOR:
        text = tr("check.monitor", user=mention(job.created_by))
    else:
        # When the author was asked to rephrase: business hours may make the check later than 24 h.
        asked = next((s.at for s in reversed(case.history)
                      if s.action_id in ("reply_public", "reply_private")), None)
        text = tr("check.conduct", user=mention(job.created_by), time=blocks.local_time(asked, tr)) \
            if asked else tr("check.conduct_undated", user=mention(job.created_by))
    send.thread_note(client, channel=case.channel_id, thread_ts=case.message_ts, text=text)
    return "sent"


class Scheduler:
    """Looks at the job table every ``interval`` seconds until stopped."""

    def __init__(self, workspaces: Directory, *, interval: float = DEFAULT_INTERVAL) -> None:
        self.workspaces, self.interval = workspaces, interval
        self._stop = threading.Event()

    def run(self) -> None:
        logger.info("scheduler running every %.0f s", self.interval)
        while not self._stop.is_set():
            try:
                run_due_jobs(self.workspaces, now=self.workspaces.base.clock())
            except sa.exc.SQLAlchemyError as error:
                logger.warning("scheduler: database unavailable (%s); trying again", type(error).__name__)
            self._stop.wait(self.interval)

    def start_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()


def interval_from_env() -> float:
    return exit_on_bad_setting(
        lambda: seconds_from_env("SCHEDULER_INTERVAL", DEFAULT_INTERVAL, 0.5, 3600))
