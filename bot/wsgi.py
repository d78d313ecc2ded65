"""HTTP mode as a WSGI application: ``POST /slack/events`` for everything Slack sends, and
``GET /healthz`` for the platform's health checks. Served by gunicorn (see the Procfile)."""

from __future__ import annotations

from bot.bootstrap import build_wsgi_app
from bot.core.config import Settings
from bot.web import SlackWsgiApp


def create_wsgi_app(settings: Settings | None = None, *, run_migrations: bool = False) -> SlackWsgiApp:
    """gunicorn's entry point (``bot.wsgi:create_wsgi_app()``). Migrations run once, in the
    gunicorn master (``bot.gunicorn_conf``), not in every worker."""
    return build_wsgi_app(settings, run_migrations=run_migrations)
