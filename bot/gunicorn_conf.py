"""gunicorn settings for HTTP mode (``gunicorn -c python:bot.gunicorn_conf``).

The master checks the settings and migrates the database once before any worker starts, so several
workers never race to upgrade the schema, and a broken setting stops the server with one line.
"""

import sys

from bot.bootstrap import PROCFILE_WORKERS, deliver_waiting_in_background, gunicorn_settings, prepare
from bot.core.config import Settings

_settings = gunicorn_settings(default_workers=PROCFILE_WORKERS)
bind = _settings["bind"]
workers = _settings["workers"]
threads = _settings["threads"]
worker_class = _settings["worker_class"]
timeout = _settings["timeout"]
graceful_timeout = _settings["graceful_timeout"]
accesslog = _settings["accesslog"]
errorlog = _settings["errorlog"]
loglevel = _settings["loglevel"]
worker_exit = _settings["worker_exit"]


def on_starting(server) -> None:
    try:
        prepare(announce=True)
    except SystemExit as stop:
        sys.exit(stop.code)


def post_worker_init(worker) -> None:
    """The Procfile's web workers run no scheduler: what a stopped worker left in the outbox is
    delivered now, not when the scheduler process next looks (each delivery is claimed once)."""
    deliver_waiting_in_background(Settings.from_env())
