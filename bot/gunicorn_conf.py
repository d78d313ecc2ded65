"""gunicorn settings for HTTP mode (``gunicorn -c python:bot.gunicorn_conf``).

The master checks the settings and migrates the database once before any worker starts, so several
workers never race to upgrade the schema, and a broken setting stops the server with one line.
"""

import os
import sys

bind = f"0.0.0.0:{os.environ.get('PORT', '3000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 30
# A worker told to stop finishes its requests, then the work queued after their acks
# (SHUTDOWN_TIMEOUT, 20 s by default: see worker_exit); gunicorn kills it after this.
graceful_timeout = 30
accesslog = None  # request lines would carry nothing useful and, for commands, user input
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def on_starting(server) -> None:
    from bot.__main__ import prepare

    try:
        prepare(announce=True)
    except SystemExit as stop:
        sys.exit(stop.code)


def post_worker_init(worker) -> None:
    """The Procfile's web workers run no scheduler: what a stopped worker left in the outbox is
    delivered now, not when the scheduler process next looks (each delivery is claimed once)."""
    from bot.__main__ import deliver_waiting_in_background
    from bot.core.config import Settings

    deliver_waiting_in_background(Settings.from_env())


def worker_exit(server, worker) -> None:
    """A worker that stops (SIGTERM, a deploy, max requests) first finishes the work it queued
    after acknowledging Slack; what does not finish in time is left in the outbox."""
    from bot.usecases import outbox
    from bot.core import work

    if work.finish(min(work.shutdown_timeout(), graceful_timeout - 5)):
        return
    server.log.warning("worker %s: acknowledged work still running at its stop", worker.pid)
    try:
        from bot.app import utcnow
        from bot.core.config import Settings
        from storage.db import create_db_engine

        engine = create_db_engine(Settings.from_env().database_url)
        outbox.hand_over(engine, now=utcnow())
        engine.dispose()
    except Exception as error:  # noqa: BLE001 (the database may be why it did not finish)
        server.log.error("worker %s: could not hand over unfinished work: %s", worker.pid,
                         type(error).__name__)
