"""``python -m bot``: Socket Mode when SLACK_APP_TOKEN is set, else HTTP mode on $PORT."""

from __future__ import annotations

import logging
import os
import sys

from dotenv import load_dotenv

from bot.config import ConfigError, Settings
from bot.flows.policy import PolicyError

logger = logging.getLogger("bot")


def configure_logging() -> None:
    from bot import logsafe

    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=level if level in ("DEBUG", "INFO", "WARNING", "ERROR") else "INFO",
        handlers=[logsafe.handler()],  # tracebacks without exception messages
    )
    # Bolt and slack_sdk log whole request and response bodies (at DEBUG, and Bolt at INFO on a
    # bad signature): citizens' words. Their warnings and errors carry ids and types only.
    for noisy in ("slack_bolt", "slack_sdk", "bot.bolt"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def prepare(*, announce: bool = False) -> Settings:
    """Read settings, check the policy and migrate the database; one clear line on failure.
    ``announce``: the process that serves Slack (once per start, not also the release step or
    the scheduler) tells the leads in Slack when the policy still holds example links."""
    from bot.app import build_deps

    load_dotenv()
    configure_logging()
    try:
        settings = Settings.from_env()
        deps = build_deps(settings, run_migrations=True)
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
    from bot.app import slack_client
    from bot.policy_notice import announce_unfinished_policy

    client = slack_client(deps.settings) if slack and not deps.settings.install_mode else None
    announce_unfinished_policy(deps, client)


def _first_line(problem: Exception) -> str:
    text = str(problem).strip().splitlines()
    return text[0] if text else ""


def start_scheduler(settings: Settings) -> None:
    """The single-process default: reminders are sent from a background thread of this process
    (in HTTP mode, of each gunicorn worker: a process that forks must not run threads, or a
    worker can inherit a lock held mid-call and hang; each job is still claimed once).
    With a separate scheduler process (the Procfile's), set SCHEDULER=off for the web process."""
    if os.environ.get("SCHEDULER", "on").lower() in ("off", "0", "false", "no"):
        return
    from bot.app import build_deps, directory
    from bot.scheduler import Scheduler, interval_from_env

    interval = interval_from_env()
    Scheduler(directory(build_deps(settings, run_migrations=False)),
              interval=interval).start_in_background()


def main() -> None:
    settings = prepare(announce=True)
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        from bot.app import build_deps, create_app

        app = create_app(build_deps(settings, run_migrations=False))
        logger.info("starting in Socket Mode")
        start_scheduler(settings)
        SocketModeHandler(app, settings.app_token).start()
        return
    from gunicorn.app.base import BaseApplication

    import bot.gunicorn_conf as conf

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key in ("workers", "threads", "worker_class", "timeout", "graceful_timeout",
                        "accesslog", "errorlog", "loglevel"):
                self.cfg.set(key, getattr(conf, key))
            self.cfg.set("bind", f"0.0.0.0:{settings.port}")
            self.cfg.set("workers", int(os.environ.get("WEB_CONCURRENCY", "1")))
            self.cfg.set("post_worker_init", lambda worker: start_scheduler(settings))

        def load(self):
            from bot.wsgi import create_wsgi_app

            return create_wsgi_app(settings)

    logger.info("starting in HTTP mode on port %s", settings.port)
    Server().run()


if __name__ == "__main__":
    main()
