"""Shared fixtures: real databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

import pytest
import sqlalchemy as sa

from storage.db import create_db_engine, migrate
from tests.support.db import IN_CI, postgres_admin_url


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards (skips or fails like the fixture)."""
    admin_url = postgres_admin_url()
    if admin_url is None:
        if IN_CI:
            pytest.fail("CI=true but TEST_DATABASE_URL is not set: PostgreSQL tests must run in CI")
        pytest.skip("TEST_DATABASE_URL is not set: no PostgreSQL to test against")
    name = f"rw_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as error:
        admin.dispose()
        if IN_CI:
            raise
        pytest.skip(f"PostgreSQL at TEST_DATABASE_URL does not answer: {error.orig}")
    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    with postgres_database() as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def bot_database(request, tmp_path_factory) -> Iterator[str]:
    """The database an end-to-end module's bot runs on: each module runs on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'bot.sqlite3'}"
        return
    with postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("fresh_postgres_url")


@pytest.fixture
def engine(database_url) -> Iterator[sa.Engine]:
    engine = create_db_engine(database_url)
    migrate(engine)
    yield engine
    engine.dispose()


TEAM = ("U0ANNA0001", "U0BERT0001")  # the made-up social-media team: members of the intake channel


@pytest.fixture(scope="module")
def slack():
    """The Slack emulator for an end-to-end module, the team listed in the intake channel. Each
    test starts with no calls recorded once it asks for ``fresh_calls``."""
    from tests.support.bot_process import INTAKE_CHANNEL
    from tests.support.slack_emulator import SlackEmulator

    with SlackEmulator() as emulator:
        emulator.set_members(INTAKE_CHANNEL, list(TEAM))
        yield emulator


@pytest.fixture
def fresh_calls(slack) -> None:
    slack.clear_calls()
