"""The schema on real SQLite and real PostgreSQL: the migrations make what the models say, and
migrating again changes nothing."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.db import migrate
from storage.installations import schema


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        # The bot's models and slack_sdk's installation and state stores (install mode).
        assert compare_metadata(context, schema()) == []


def test_migrating_again_changes_nothing(engine):
    migrate(engine)
    assert {"case", "decision", "evidence", "author"} <= set(sa.inspect(engine).get_table_names())
