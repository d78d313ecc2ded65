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
graceful_timeout = 10
accesslog = None  # request lines would carry nothing useful and, for commands, user input
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def on_starting(server) -> None:
    from bot.__main__ import prepare

    try:
        prepare(announce=True)
    except SystemExit as stop:
        sys.exit(stop.code)
