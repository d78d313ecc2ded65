"""Install mode's Slack stores: slack_sdk's SQLAlchemy installation and OAuth state stores, in
the bot's own database. Their tables are created by the bot's migrations (0006), not by the
stores' ``create_tables()``, so one ``alembic upgrade`` sets up everything."""

from __future__ import annotations

import sqlalchemy as sa
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the bot's tables on SQLModel.metadata)

STATE_SECONDS = 600  # how long an "Add to Slack" link stays valid


def installation_store(engine: sa.Engine, client_id: str) -> SQLAlchemyInstallationStore:
    return SQLAlchemyInstallationStore(client_id=client_id, engine=engine)


def state_store(engine: sa.Engine) -> SQLAlchemyOAuthStateStore:
    return SQLAlchemyOAuthStateStore(expiration_seconds=STATE_SECONDS, engine=engine)


def schema() -> sa.MetaData:
    """Every table the migrations must create: the bot's models and the Slack stores' tables."""
    metadata = sa.MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(metadata)
    store = SQLAlchemyInstallationStore
    store.build_installations_table(metadata, store.default_installations_table_name)
    store.build_bots_table(metadata, store.default_bots_table_name)
    SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, SQLAlchemyOAuthStateStore.default_table_name)
    return metadata
