"""The migrations build exactly the models' schema, and can be undone and redone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factories import make_appointment
from factories.reminders import make_outbox_message
from fixtures_db import Personas, build_personas
from sijcare.db import migrate
from sijcare.db.base import Base
from sijcare.db.engine import create_engine_for
from sijcare.db.models import OutboxMessage

AT = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)


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


def _status_of(db: Session, appointment_id: int) -> str:
    with db.begin():
        row = db.execute(
            sa.text("SELECT status FROM appointment WHERE id = :id"), {"id": appointment_id}
        )
        return str(row.scalar_one())


def _set_status(db: Session, appointment_id: int, status: str) -> None:
    with db.begin():
        db.execute(
            sa.text("UPDATE appointment SET status = :status WHERE id = :id"),
            {"status": status, "id": appointment_id},
        )


def test_migration_0009_allows_no_show_and_undoing_it_makes_no_shows_completed(
    db_url: str, db: Session
) -> None:
    # Made at 0008 with a reminder that points to the appointment: SQLite copies the
    # table to change its constraint, and the reference must survive that.
    migrate.downgrade(db_url, "0008")
    try:
        personas = build_personas(db)
        missed = _appointment(db, personas, AT)
        assert personas.patient.patient is not None
        reminder = make_outbox_message(db, patient=personas.patient.patient, appointment_id=missed)
        with pytest.raises(IntegrityError):
            _set_status(db, missed, "no_show")
        migrate.upgrade(db_url, "0009")
        _set_status(db, missed, "no_show")
        assert _status_of(db, missed) == "no_show"
        # The overlap guard still holds after the copy (SQLite's triggers made again).
        _appointment(db, personas, AT + timedelta(days=7))
        with pytest.raises(IntegrityError):
            _appointment(db, personas, AT + timedelta(days=7, minutes=15))
        migrate.downgrade(db_url, "0008")
        assert _status_of(db, missed) == "completed"
        with db.begin():
            assert db.get_one(OutboxMessage, reminder.id).appointment_id == missed
    finally:
        migrate.upgrade(db_url)
    assert migrate.current_revision(db_url) == migrate.head_revision()


def _appointment(db: Session, personas: Personas, starts_at: datetime) -> int:
    assert personas.patient.patient and personas.clinician.practitioner
    return make_appointment(
        db,
        patient=personas.patient.patient,
        practitioner=personas.clinician.practitioner,
        location=personas.location,
        created_by=personas.scheduler.user,
        starts_at=starts_at,
    ).id
