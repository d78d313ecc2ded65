"""Start-up, shared by the entry points (``python -m bot``, gunicorn's config and app, the
scheduler, the release step and the operator's command line), so none of them imports another:
.env, logging, settings, the policy and the database, the scheduler thread, and serving HTTP or
Socket Mode. Nothing here does I/O at import; ``prepare`` reads .env."""

from __future__ import annotations

import logging
import os
import select
import signal
import sys
import threading

from dotenv import load_dotenv

from bot.app import create_app
from bot.core import logsafe, work
from bot.core.clock import utcnow
from bot.core.config import ConfigError, Settings
from bot.core.i18n import Translator
from bot.deps import Deps, ServedWorkspace, from_settings
from bot.directory import directory
from bot.flows.policy import PolicyError, load_bank, load_policy
from bot.delivery.jobs import Scheduler, deliver_waiting, interval_from_env
from bot.policy_notice import announce_unfinished_policy
from bot.slack.client import slack_client
from bot.slack.socket_mode import HealthServer, SocketModeRunner, StartFailed, Timing
from bot.usecases import outbox
from bot.web import SlackWsgiApp
from storage.db import create_db_engine, migrate, ping

logger = logging.getLogger("bot")


def configure_logging() -> None:
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=level if level in ("DEBUG", "INFO", "WARNING", "ERROR") else "INFO",
        handlers=[logsafe.handler()],  # tracebacks without exception messages
    )
    # Bolt and slack_sdk log whole request and response bodies (at DEBUG, and Bolt at INFO on a
    # bad signature): citizens' words. Their warnings and errors carry ids and types only.
    for noisy in ("slack_bolt", "slack_sdk", "bot.bolt"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # The websockets library logs a lost Socket Mode connection with a traceback; bot.slack.socket_mode
    # says it in one line and reconnects.
    logging.getLogger("websockets").setLevel(logging.CRITICAL)


def prepare(*, announce: bool = False) -> Settings:
    """Read settings, check the policy and migrate the database; one clear line on failure.
    ``announce``: the process that serves Slack (once per start, not also the release step or
    the scheduler) tells the leads in Slack when the policy still holds example links."""
    load_dotenv()
    configure_logging()
    try:
        settings = Settings.from_env()
        work.shutdown_timeout()  # a malformed SHUTDOWN_TIMEOUT stops here, not at the stop
        if settings.socket_mode:
            Timing.from_env()
        deps = build_deps(settings, run_migrations=True)
        # Deliveries a stopped process left in the outbox are due now, not at their next try.
        outbox.resume(deps.engine, now=deps.clock())
        warn_about_the_policy(deps, slack=announce)
        deps.engine.dispose()
    except (ConfigError, PolicyError) as problem:
        print(f"reageerwijzer: {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as problem:  # the database, most likely: say what, not a traceback
        print(f"reageerwijzer: cannot start: {type(problem).__name__}: {_first_line(problem)}",
              file=sys.stderr)
        raise SystemExit(2) from None
    return settings


def warn_about_the_policy(deps, *, slack: bool) -> None:
    """Example links still in the policy: warn in the log and, in token mode, the leads in Slack."""
    client = slack_client(deps.settings) if slack and not deps.settings.install_mode else None
    announce_unfinished_policy(deps, client)


def _first_line(problem: Exception) -> str:
    text = str(problem).strip().splitlines()
    return text[0] if text else ""


def start_scheduler(settings: Settings):
    """The single-process default: reminders are sent from a background thread of this process
    (in HTTP mode, of each gunicorn worker: a process that forks must not run threads, or a
    worker can inherit a lock held mid-call and hang; each job is still claimed once).
    With a separate scheduler process (the Procfile's), set SCHEDULER=off for the web process."""
    if os.environ.get("SCHEDULER", "on").lower() in ("off", "0", "false", "no"):
        deliver_waiting_in_background(settings)  # the scheduler's first look would have done it
        return None
    interval = interval_from_env()
    scheduler = Scheduler(directory(build_deps(settings, run_migrations=False)), interval=interval)
    scheduler.start_in_background()
    return scheduler


def deliver_waiting_in_background(settings: Settings) -> None:
    """Case messages a stopped process left in the outbox go out now, from a thread of this one,
    not when a separate scheduler next looks."""
    def deliver() -> None:
        try:
            deps = build_deps(settings, run_migrations=False)
            delivered = deliver_waiting(directory(deps), now=deps.clock())
            if delivered:
                logger.info("delivered %s waiting case message(s) at start", delivered)
        except Exception as error:  # noqa: BLE001 (the scheduler delivers them later)
            logger.warning("could not deliver waiting case messages at start: %s", type(error).__name__)

    threading.Thread(target=deliver, name="outbox-at-start", daemon=True).start()


def run_socket_mode(settings: Settings) -> None:
    """Socket Mode until SIGTERM (or SIGINT): then no new envelopes are taken, the acknowledged
    work is finished (SHUTDOWN_TIMEOUT, 20 s by default) and the process exits 0. What did not
    finish in time is left in the outbox, which the next start delivers at once."""
    try:
        timing = Timing.from_env()
    except ConfigError as problem:
        print(f"reageerwijzer: {problem}", file=sys.stderr)
        raise SystemExit(2) from None
    grace = work.shutdown_timeout()
    deps = build_deps(settings, run_migrations=False)
    runner = SocketModeRunner(create_app(deps), settings, timing)

    def problem() -> str | None:
        if runner.stopping.is_set():
            return "stopping"
        if not runner.connected.is_set():
            return "not connected to Slack"
        return None if ping(deps.engine) else "database unavailable"

    health = None
    if os.environ.get("PORT", "").strip():
        try:
            health = HealthServer(settings.port, problem).start()
        except OSError as error:
            print(f"reageerwijzer: cannot serve /healthz on PORT {settings.port}: {error.strerror}",
                  file=sys.stderr)
            raise SystemExit(2) from None
    scheduler = start_scheduler(settings)
    logger.info("starting in Socket Mode")
    failure = _receive_until_stopped(runner)
    if isinstance(failure, StartFailed):
        print(f"reageerwijzer: {failure}", file=sys.stderr)
        logging.shutdown()
        os._exit(2)  # the scheduler's and pools' threads have nothing to finish
    if failure is not None:  # a fault of the bot's own: finish what was acknowledged, then say so
        logger.error("Socket Mode stopped by an error: %s", type(failure).__name__)
    logger.info("stopping: finishing %s acknowledged task(s)", work.busy())
    finished = work.finish(grace)
    if scheduler is not None:
        scheduler.stop()
    if health is not None:
        health.stop()
    if not finished:
        try:
            outbox.hand_over(deps.engine, now=deps.clock())
        except Exception as error:  # noqa: BLE001 (the database may be the reason it hangs)
            logger.error("stopping: could not hand over unfinished work: %s", type(error).__name__)
        logging.shutdown()
        os._exit(0 if failure is None else 1)  # threads still stuck must not hold the exit
    logger.info("stopped")
    if failure is not None:
        raise SystemExit(1)


def _receive_until_stopped(runner) -> Exception | None:
    """Run the Socket Mode loop in a thread until it ends or SIGTERM/SIGINT stops it. The main
    thread sleeps in select() on the signal wake-up pipe: a signal may be delivered to any
    thread, and only that pipe is sure to wake the main thread, which runs Python's handlers."""
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: runner.stop_in_background())
    outcome: list[Exception] = []
    done = threading.Event()

    def receive() -> None:
        try:
            runner.run()
        except Exception as problem:  # noqa: BLE001 (handed to the main thread)
            outcome.append(problem)
        finally:
            done.set()
            try:
                os.write(wake_w, b"!")
            except OSError:
                pass

    thread = threading.Thread(target=receive, name="socket-mode", daemon=True)
    thread.start()
    while not done.is_set():
        select.select([wake_r], [], [])
        os.read(wake_r, 512)
    return outcome[0] if outcome else None


def build_deps(settings: Settings, *, run_migrations: bool = True) -> Deps:
    """Load the policy and open the database; raise a one-line error when either is unusable."""
    policy = load_policy(settings.policy_file)
    load_bank(policy, settings.policy_file)  # the practice bank must fit the tree, or no start
    engine = create_db_engine(settings.database_url)
    if run_migrations:
        migrate(engine)
    # Install mode: no workspace until a request says whose it is (see bot.directory.Directory).
    workspace = ServedWorkspace(None, (), ()) if settings.install_mode else from_settings(settings)
    return Deps(settings=settings, engine=engine, workspace=workspace, policy=policy,
                tr=Translator(settings.language))


def build_wsgi_app(settings: Settings | None = None, *, run_migrations: bool = False) -> SlackWsgiApp:
    """HTTP mode's WSGI app, logging configured (gunicorn's target, ``bot.wsgi:create_wsgi_app()``)."""
    configure_logging()
    settings = settings or Settings.from_env()
    return SlackWsgiApp(build_deps(settings, run_migrations=run_migrations))


# --- gunicorn ------------------------------------------------------------------------------------
# Two defaults for WEB_CONCURRENCY, on purpose: the Procfile's web process (``bot.gunicorn_conf``)
# runs two workers, ``python -m bot`` in HTTP mode one.
PROCFILE_WORKERS = 2
LOCAL_WORKERS = 1
GRACEFUL_TIMEOUT = 30


def gunicorn_settings(*, default_workers: int) -> dict:
    """gunicorn's settings for HTTP mode (read by ``bot.gunicorn_conf`` and ``serve_http``)."""
    return {
        "bind": f"0.0.0.0:{os.environ.get('PORT', '3000')}",
        "workers": int(os.environ.get("WEB_CONCURRENCY", str(default_workers))),
        "threads": int(os.environ.get("GUNICORN_THREADS", "4")),
        "worker_class": "gthread",
        "timeout": 30,
        # A worker told to stop finishes its requests, then the work queued after their acks
        # (SHUTDOWN_TIMEOUT, 20 s by default: see worker_exit); gunicorn kills it after this.
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "accesslog": None,  # request lines would carry nothing useful and, for commands, user input
        "errorlog": "-",
        "loglevel": os.environ.get("LOG_LEVEL", "info").lower(),
        "worker_exit": worker_exit,
    }


def worker_exit(server, worker) -> None:
    """A worker that stops (SIGTERM, a deploy, max requests) first finishes the work it queued
    after acknowledging Slack; what does not finish in time is left in the outbox."""
    if work.finish(min(work.shutdown_timeout(), GRACEFUL_TIMEOUT - 5)):
        return
    server.log.warning("worker %s: acknowledged work still running at its stop", worker.pid)
    try:
        engine = create_db_engine(Settings.from_env().database_url)
        outbox.hand_over(engine, now=utcnow())
        engine.dispose()
    except Exception as error:  # noqa: BLE001 (the database may be why it did not finish)
        server.log.error("worker %s: could not hand over unfinished work: %s", worker.pid,
                         type(error).__name__)


def serve_http(settings: Settings) -> None:
    """HTTP mode on $PORT with gunicorn, in this process (``python -m bot``)."""
    from gunicorn.app.base import BaseApplication

    conf = gunicorn_settings(default_workers=LOCAL_WORKERS)

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key in ("workers", "threads", "worker_class", "timeout", "graceful_timeout",
                        "accesslog", "errorlog", "loglevel", "worker_exit"):
                self.cfg.set(key, conf[key])
            self.cfg.set("bind", f"0.0.0.0:{settings.port}")
            self.cfg.set("post_worker_init", lambda worker: start_scheduler(settings))

        def load(self):
            return build_wsgi_app(settings)
    logger.info("starting in HTTP mode on port %s", settings.port)
    Server().run()
