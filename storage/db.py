"""The engine, transactions and migrations."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlmodel import Session

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_db_engine(url: str, *, foreign_keys: bool = True) -> sa.Engine:
    """An engine with the connection settings this bot relies on. Migrations run with SQLite's
    foreign keys off: changing a column there means copying the table, which they would block."""
    if url.startswith("sqlite"):
        # hide_parameters: a failing statement's values (a citizen's words) never reach a log.
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 15},
                                  hide_parameters=True)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            # The driver would otherwise open transactions only at the first write, so what a
            # use case read before writing would not be part of its transaction.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            # WAL lets the web workers read while one writes; foreign keys are off by default.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin_immediate(connection) -> None:
            # Take the write lock at the start: a use case reads, decides and writes as one unit,
            # one writer at a time, and never fails half-way on a stale snapshot.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # Up to 24 listener threads per process share these; the rest wait a moment for one.
    return sa.create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8,
                            hide_parameters=True)


def add(session: Session, row: object) -> None:
    """A new row, written now (flushed) so that its id and the database's checks come at once."""
    session.add(row)
    session.flush()


@contextmanager
def transaction(engine: sa.Engine) -> Iterator[Session]:
    """One unit of work: commits when the block ends, rolls back when it raises."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser interpolation would choke on a '%' in a password.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(engine: sa.Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to the newest migration (or to ``revision``)."""
    _alembic(engine, command.upgrade, revision)
    logger.info("database schema is up to date")


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Roll the schema back to ``revision`` ("base": nothing)."""
    _alembic(engine, command.downgrade, revision)


def _alembic(engine: sa.Engine, step, revision: str) -> None:
    url = engine.url.render_as_string(hide_password=False)
    migrating = create_db_engine(url, foreign_keys=False)
    try:
        config = alembic_config(url)
        with migrating.begin() as connection:
            config.attributes["connection"] = connection
            step(config, revision)
    finally:
        migrating.dispose()


def ping(engine: sa.Engine) -> bool:
    """Whether the database answers (for /healthz)."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.SQLAlchemyError:
        return False


def is_retryable(error: sa.exc.DBAPIError) -> bool:
    """A conflict that a fresh attempt resolves: SQLite's lock, PostgreSQL's serialisation errors."""
    text = str(getattr(error, "orig", error)).lower()
    return (
        "database is locked" in text
        or "database table is locked" in text
        or "could not serialize" in text
        or "deadlock detected" in text
    )


def run_in_transaction(engine: sa.Engine, work, *, attempts: int = 5):
    """Run ``work(session)`` in one transaction, again from the start after a passing conflict."""
    for attempt in range(1, attempts + 1):
        try:
            with transaction(engine) as session:
                return work(session)
        except sa.exc.OperationalError as error:
            if attempt == attempts or not is_retryable(error):
                raise
            logger.info("database busy, attempt %d of %d failed; trying again", attempt, attempts)
            time.sleep(0.05 * attempt)
