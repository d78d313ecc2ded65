"""The scheduler: sends what is due (reminders, escalations, timed checks), each job at most once.

Due work lives in the ``job`` table, so it survives restarts. A job is claimed in a transaction
before it is carried out (a conditional update; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so two
schedulers never send the same reminder. Nothing is sent at night or at the weekend: outside
business hours the scheduler waits.

``python -m bot.scheduler`` runs it as its own process (the Procfile's ``scheduler``);
``python -m bot`` runs it as a background thread unless ``SCHEDULER=off``.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.blocks import kit as blocks
from bot.core.config import exit_on_bad_setting, seconds_from_env
from bot.usecases import cases, outbox, routing
from bot.blocks import routing as views
from bot.usecases import workspaces as bot_workspaces
from bot.deps import Deps
from bot.flows.timing import is_business_time
from bot.core.mrkdwn import mention, mentions
from bot.handlers.routing import notify_antennas
from bot.handlers.report import send_digest
from bot.usecases import digest
from bot.usecases.privacy import erase_expired
from bot.directory import Directory, directory
from bot.usecases.workspaces import erase_departed
from storage import jobs as store
from storage.db import run_in_transaction

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 30.0  # seconds between looks at the job table
BATCH = 50


@dataclass(frozen=True)
class JobRef:
    id: int
    kind: str
    ref_id: int
    team_id: str
    created_by: str
    attempt: int = 1


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:64]


def claim_due(engine: sa.Engine, *, now: datetime, worker: str, limit: int = BATCH,
              kinds: tuple[str, ...] | None = None, team_id: str | None = None) -> list[JobRef]:
    """Claim the due jobs this scheduler will carry out; another scheduler gets the others."""

    def work(session: Session) -> list[JobRef]:
        claimed = []
        for job_id in store.due_job_ids(session, now=now, limit=limit, kinds=kinds, team_id=team_id):
            if store.claim_job(session, job_id=job_id, worker=worker, now=now):
                job = store.job(session, job_id=job_id)
                claimed.append(JobRef(job.id, job.kind, job.ref_id, job.team_id, job.created_by,
                                      job.attempt))
        return claimed

    return run_in_transaction(engine, work)


def finish(engine: sa.Engine, job: JobRef, *, now: datetime, outcome: str) -> None:
    def work(session: Session) -> None:
        store.finish_job(session, job_id=job.id, now=now, outcome=outcome)

    run_in_transaction(engine, work)


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
        digest.plan(engine, deps.policy, team_id=team_id, now=now)
        # Messages Slack could not take go out at any hour; people are only reminded in office hours.
        kinds = None if is_business_time(now, deps.policy.business_hours) else outbox.KINDS
        for job in claim_due(engine, now=now, worker=worker, kinds=kinds, team_id=team_id):
            client = None if job.team_id in departed else workspaces.client_for(job.team_id)
            _run(deps, client, job, now)
            done += 1
    return done


def _run(deps: Deps, client: WebClient | None, job: JobRef, now: datetime) -> None:
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
    tr = deps.tr
    if job.kind in outbox.KINDS:
        return _deliver(deps, client, job, now)
    if job.kind in digest.KINDS:
        return send_digest(client, deps, job_id=job.id, kind=job.kind, team_id=job.team_id, ref_id=job.ref_id)
    if job.kind in ("remind", "escalate"):
        try:
            question = routing.load_question(deps.engine, team_id=job.team_id, question_id=job.ref_id)
        except routing.RoutingProblem:
            return "skipped:gone"
        if question.status not in ("open", "acknowledged"):
            return f"skipped:{question.status}"
        if job.kind == "remind":
            missed = notify_antennas(client, deps, question, question.service.antennas, reminder=True)
            if missed:
                _post(client, question.case_channel, question.case_ts, tr(
                    "route.undelivered", users=mentions(missed)))
            return "sent"
        backup = question.service.backup
        if backup:
            notify_antennas(client, deps, question, [backup], reminder=True)
        _post(client, question.case_channel, question.case_ts, tr(
            "route.escalated", user=mention(question.asked_by), service=deps.policy.service_name(question.service.name, tr.language),
            time=blocks.local_time(question.due_at, tr),
            backup=mention(backup) if backup else tr("route.no_backup")))
        return "escalated"
    case = cases.load_case(deps.engine, team_id=job.team_id, case_id=job.ref_id)
    if case.status != "open":
        return "skipped:closed"
    if job.kind == "monitor":
        text = tr("check.monitor", user=mention(job.created_by))
    else:
        # When the author was asked to rephrase: business hours may make the check later than 24 h.
        asked = next((s.at for s in reversed(case.history)
                      if s.action_id in ("reply_public", "reply_private")), None)
        text = tr("check.conduct", user=mention(job.created_by), time=blocks.local_time(asked, tr)) \
            if asked else tr("check.conduct_undated", user=mention(job.created_by))
    _post(client, case.channel_id, case.message_ts, text)
    return "sent"


def _deliver(deps: Deps, client: WebClient, job: JobRef, now: datetime) -> str:
    """One more try of a case message Slack could not take; drawn as the case is now."""
    case = cases.load_case(deps.engine, team_id=job.team_id, case_id=job.ref_id)
    try:
        if case.bot_message_ts is None:
            response = client.chat_postMessage(
                channel=case.channel_id, thread_ts=case.message_ts, unfurl_links=False,
                text=deps.tr("case.fallback", case=case.id),
                blocks=blocks.case_message(case, deps.policy, deps.tr))
            cases.set_bot_message(deps.engine, team_id=job.team_id, case_id=case.id, ts=response["ts"])
        else:
            client.chat_update(channel=case.channel_id, ts=case.bot_message_ts,
                               text=deps.tr("case.fallback", case=case.id),
                               blocks=blocks.case_message(case, deps.policy, deps.tr))
    except Exception as error:
        if outbox.later(deps.engine, error, team_id=job.team_id, kind=job.kind, case_id=case.id,
                        now=now, attempt=job.attempt + 1):
            return f"retry:{job.attempt + 1}"
        raise
    return "delivered"


def _post(client: WebClient, channel: str, thread_ts: str, text: str) -> None:
    client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text,
                            blocks=views.nudge(text), unfurl_links=False)


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


def main(argv: list[str] | None = None) -> None:
    import argparse

    from bot.bootstrap import build_deps, prepare  # bootstrap starts this loop in a thread: imported here, not at the top

    parser = argparse.ArgumentParser(description="Send due reminders, escalations and checks.")
    parser.add_argument("--once", action="store_true", help="look once and stop (for cron)")
    args = parser.parse_args(argv)
    settings = prepare()
    interval = interval_from_env()
    workspaces = directory(build_deps(settings, run_migrations=False))
    if args.once:
        run_due_jobs(workspaces, now=workspaces.base.clock())
        return
    Scheduler(workspaces, interval=interval).run()


if __name__ == "__main__":
    main()
