"""`sijcare backup` / `restore`: a round trip on SQLite and PostgreSQL gives back every row."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from factories import password_hash
from fixtures_db import *  # noqa: F403  (the shared database fixtures)
from fixtures_db import POSTGRES_SERVER
from sijcare.cli.backup import backup, restore
from sijcare.db.base import Base
from sijcare.db.engine import create_engine_for
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.synth.run import synthesize


def _dump(url: str) -> dict[str, list[Any]]:
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: connection.execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                ).all()
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


@pytest.fixture
def empty_target(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A new, empty database of the same engine as `db_url`."""
    if make_url(db_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"sijcare_restore_{secrets.token_hex(4)}"
    admin = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{POSTGRES_SERVER}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_round_trip_gives_back_every_row(
    db_url: str, engine: Engine, empty_target: str, tmp_path: Path, knowledge: Knowledge
) -> None:
    synthesize(
        engine, clinics=1, patients=8, seed=2, now=datetime(2026, 3, 2, 12, tzinfo=UTC),
        knowledge=knowledge, password_hash=password_hash(),
    )  # fmt: skip
    file = tmp_path / "sijcare.backup"
    backup(db_url, file)
    restore(file, empty_target)
    before, after = _dump(db_url), _dump(empty_target)
    assert sum(len(rows) for rows in before.values()) > 100
    assert after == before


def test_restore_refuses_a_database_with_tables(db_url: str, tmp_path: Path) -> None:
    file = tmp_path / "sijcare.backup"
    backup(db_url, file)
    with pytest.raises(InputError, match="not empty"):
        restore(file, db_url)


def test_a_missing_backup_file_is_named(db_url: str, tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        restore(tmp_path / "nothing.backup", db_url)
    assert exc.value.where.endswith("nothing.backup")
