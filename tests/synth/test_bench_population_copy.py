"""The benchmark's PostgreSQL copy of a population holds the SQLite file's rows as they
are (the values its triggers set included), and leaves every trigger on."""

from __future__ import annotations

import secrets
from pathlib import Path

import sqlalchemy as sa

from factories.bench import small_population
from fixtures_db import POSTGRES_SERVER
from sijcare.bench.population import copy_to_postgres
from sijcare.db.base import Base
from sijcare.db.engine import create_engine_for

READINGS = sa.text(
    "SELECT id, procedure_id, current, referral_days FROM interpretation ORDER BY id"
)


def test_the_copy_has_the_same_rows_and_its_triggers_on(
    tmp_path: Path, postgres_database: str
) -> None:
    engine = create_engine_for(small_population(tmp_path / "health.db"))
    name = f"sijcare_test_copy_{secrets.token_hex(4)}"
    copied, _seconds = copy_to_postgres(tmp_path / "health.db", POSTGRES_SERVER, name)
    target = create_engine_for(copied)
    try:
        with engine.connect() as here, target.connect() as there:
            for table in Base.metadata.sorted_tables:
                count = sa.select(sa.func.count()).select_from(table)
                assert here.execute(count).scalar() == there.execute(count).scalar(), table.name
            readings = here.execute(READINGS).all()
            assert readings and any(row.current for row in readings)
            copied_readings = there.execute(READINGS).all()
            assert [(r.id, r.procedure_id, bool(r.current)) for r in readings] == [
                (r.id, r.procedure_id, r.current) for r in copied_readings
            ]
            assert [round(r.referral_days, 6) for r in readings if r.referral_days is not None] == [
                round(r.referral_days, 6) for r in copied_readings if r.referral_days is not None
            ]
            states = there.execute(
                sa.text(
                    "SELECT tgenabled, count(*) FROM pg_trigger WHERE NOT tgisinternal GROUP BY 1"
                )
            ).all()
            assert [state for state, _count in states] == ["O"]  # each one on, none disabled
    finally:
        target.dispose()
        engine.dispose()
        admin = sa.create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
