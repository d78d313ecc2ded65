"""The benchmark runs end to end at a small size and produces every number.

Only that the numbers are there is checked, never their values: a benchmark reports, tests do not
time. SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (the database is the
``fresh_postgres_url`` fixture's, created and dropped by it).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.db import IN_CI, postgres_admin_url

pytestmark = pytest.mark.e2e

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
# A guard against a hang, not a performance target (those are the bench's own tables): a quick run
# takes well under a minute on an idle 2-core machine, and several times that on a loaded one.
BUDGET_SECONDS = 240
# Columns that hold words; every other cell of every table must be a number.
TEXT_COLUMNS = {"Database", "Server", "Kind", "Journey", "Target", "Measured", "Result"}


@pytest.fixture
def postgres_database(request) -> str | None:
    if postgres_admin_url() is None and not IN_CI:
        return None  # SQLite only; the fixture would skip the whole test
    return request.getfixturevalue("fresh_postgres_url")


def tables(markdown: str) -> list[tuple[list[str], list[list[str]]]]:
    found, lines = [], markdown.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            header = [c.strip() for c in lines[i].strip("|").split("|")]
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip("|").split("|")])
                i += 1
            found.append((header, rows))
        else:
            i += 1
    return found


def test_a_quick_run_produces_every_number(tmp_path, postgres_database):
    out = tmp_path / "results.md"
    command = [sys.executable, "-m", "bench", "--quick", "--out", str(out)]
    if postgres_database:
        command += ["--postgres-database", postgres_database]
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    started = time.monotonic()
    finished = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                              timeout=BUDGET_SECONDS)
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert time.monotonic() - started < BUDGET_SECONDS

    text = out.read_text(encoding="utf-8")
    assert "cores" in text and "Measured " in text
    databases = {"sqlite"} | ({"postgresql"} if postgres_database else set())
    found = tables(text)
    assert len(found) >= 7
    for header, rows in found:
        assert rows, f"the table {header} is empty"
        for row in rows:
            assert len(row) == len(header), (header, row)
            for name, cell in zip(header, row):
                assert cell, f"an empty cell in column {name!r}: {row}"
                if name not in TEXT_COLUMNS:
                    assert math.isfinite(float(cell)), f"{name!r} is not a number: {row}"

    ack_header, ack_rows = found[0]
    assert ack_header[:3] == ["Database", "Concurrency", "Server"]
    assert {(r[0], r[1], r[2]) for r in ack_rows} == {
        (db, c, server) for db in databases for c in ("1", "10") for server in ("bot", "floor")}
    for header, rows in found:
        if header[0] == "Database":
            assert {r[0] for r in rows} == databases, header

    numbers = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert numbers["meta"]["cores"] >= 1
    assert {run["database"] for run in numbers["runs"]} == databases
    # The committed results of the full run are never overwritten by a test.
    assert out.resolve() != (PROJECT_ROOT / "bench" / "results.md").resolve()
