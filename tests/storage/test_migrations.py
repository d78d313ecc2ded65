"""Alembic: from empty to the newest schema, and step by step from each earlier revision with
data in it, on SQLite and PostgreSQL; and back down, so a release can be rolled back."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from storage.db import alembic_config, create_db_engine, downgrade, migrate

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


def revisions(config) -> list[str]:
    script = ScriptDirectory.from_config(config)
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def test_each_revision_upgrades_with_data_in_it(database_url):
    engine = create_db_engine(database_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    steps = revisions(config)
    assert steps[0] == "0001" and len(steps) >= 4
    migrate(engine, steps[0])
    with engine.begin() as connection:
        connection.execute(sa.text(
            'INSERT INTO "case" (team_id, channel_id, message_ts, via, platform, text, forwarded_by, '
            "forwarded_at, status, node_id, version) VALUES ('T0TEST0001', 'C0INTAKE01', '1.1', "
            "'message', 'facebook', 'Een reactie van voor de upgrade', 'U0ANNA0001', :now, 'open', "
            "'own', 1)"), {"now": NOW})
        connection.execute(sa.text(
            "INSERT INTO decision (case_id, node_id, user_id, decided_at, policy_version) "
            "VALUES (1, 'own', 'U0ANNA0001', :now, '2024.1')"), {"now": NOW})
    for step in steps[1:]:
        migrate(engine, step)
        with engine.connect() as connection:
            text = connection.execute(sa.text('SELECT text FROM "case" WHERE id = 1')).scalar_one()
            decisions = connection.execute(sa.text("SELECT COUNT(*) FROM decision")).scalar_one()
        assert (text, decisions) == ("Een reactie van voor de upgrade", 1), step

    downgrade(engine, "base")
    assert "case" not in sa.inspect(engine).get_table_names()
    engine.dispose()
