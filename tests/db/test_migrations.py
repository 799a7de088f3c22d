"""The migrations build exactly the models' schema, and can be undone and redone."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from sijcare.db import migrate
from sijcare.db.base import Base
from sijcare.db.engine import create_engine_for


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_database_is_at_the_newest_revision(db_url: str) -> None:
    assert migrate.current_revision(db_url) == migrate.head_revision()


def test_downgrade_to_nothing_and_upgrade_again(db_url: str) -> None:
    migrate.downgrade(db_url, "base")
    assert migrate.current_revision(db_url) is None
    migrate.upgrade(db_url)
    assert migrate.current_revision(db_url) == migrate.head_revision()


@pytest.mark.postgres
def test_the_stored_reading_is_compressed_with_lz4_on_postgresql(postgres_database: str) -> None:
    # Migration 0008: pglz, PostgreSQL's default, cost much of the server's CPU per score.
    engine = create_engine_for(postgres_database)
    try:
        with engine.connect() as connection:
            method = connection.execute(
                sa.text(
                    "SELECT attcompression FROM pg_attribute"
                    " WHERE attrelid = 'interpretation'::regclass AND attname = 'result'"
                )
            ).scalar_one()
    finally:
        engine.dispose()
    assert method == "l"
