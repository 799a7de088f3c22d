"""The Alembic environment: migrate the database whose URL `sijcare.db.migrate` passes in.

On SQLite a change to a table copies it (batch mode) and drops the old one, and dropping
a table that other rows point to fails while foreign keys are enforced. So, as SQLite's
own procedure for altering a table says, enforcement is off while migrating (it can only
be switched outside a transaction) and every reference is checked before the commit.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from sijcare.db import models  # noqa: F401  (registers every table on the metadata)
from sijcare.db.base import Base
from sijcare.db.engine import create_engine_for


def run_migrations() -> None:
    url = context.config.attributes["database_url"]
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                _sqlite_foreign_keys(connection, enforced=False)
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _require_references_resolve(connection)
            if sqlite:
                _sqlite_foreign_keys(connection, enforced=True)
    finally:
        engine.dispose()


def _sqlite_foreign_keys(connection: Connection, *, enforced: bool) -> None:
    # On the driver's connection: through SQLAlchemy the statement would begin a
    # transaction, inside which SQLite ignores this pragma.
    connection.connection.driver_connection.execute(  # type: ignore[union-attr]
        f"PRAGMA foreign_keys={'ON' if enforced else 'OFF'}"
    )


def _require_references_resolve(connection: Connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        # The table and the row id only: never a value.
        raise RuntimeError(f"migration left a broken reference in {broken[0]} (row {broken[1]})")


run_migrations()
