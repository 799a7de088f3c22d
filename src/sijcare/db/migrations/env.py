"""The Alembic environment: migrate the database whose URL `sijcare.db.migrate` passes in."""

from __future__ import annotations

from alembic import context

from sijcare.db import models  # noqa: F401  (registers every table on the metadata)
from sijcare.db.base import Base
from sijcare.db.engine import create_engine_for


def run_migrations() -> None:
    url = context.config.attributes["database_url"]
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


run_migrations()
