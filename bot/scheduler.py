"""``python -m bot.scheduler``: the scheduler as its own process (the Procfile's ``scheduler``).

It sends what is due (reminders, escalations, timed checks, deliveries Slack could not take), each
job at most once; the loop and the jobs live in :mod:`bot.delivery.jobs`. ``python -m bot`` runs
the same loop in a background thread unless ``SCHEDULER=off``.
"""

from __future__ import annotations

import argparse

from bot.bootstrap import build_deps, prepare
from bot.directory import directory
from bot.delivery.jobs import Scheduler, interval_from_env, run_due_jobs


def main(argv: list[str] | None = None) -> None:
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
