"""Where the PostgreSQL tests find their server, and whether they may skip without one."""

from __future__ import annotations

import os

IN_CI = os.environ.get("CI", "").lower() == "true"


def postgres_admin_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None
