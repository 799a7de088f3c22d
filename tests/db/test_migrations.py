"""The migrations build exactly the models' schema, and can be undone and redone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factories import make_appointment, make_pathway
from factories.clinical import make_consent_record, make_procedure_record
from factories.reminders import make_outbox_message
from fixtures_db import Personas, build_personas
from sijcare.db import migrate
from sijcare.db.base import Base
from sijcare.db.engine import create_engine_for, json_text
from sijcare.db.models import ConsentRecord, OutboxMessage
from sijcare.settings import LOCALES

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


@pytest.mark.postgres
def test_the_stored_reading_is_json_text_as_written_on_postgresql(postgres_database: str) -> None:
    # Migration 0011: jsonb parsed every reading on the way in (the server's CPU) and
    # reordered its keys; json keeps the text the app wrote, still compressed with lz4.
    engine = create_engine_for(postgres_database)
    document = {"milestones": {"2w": 50.0}, "performed_at": "2026-03-09T17:00:00+00:00", "a": 1}
    column = (
        "SELECT format_type(atttypid, atttypmod), attcompression FROM pg_attribute"
        " WHERE attrelid = 'interpretation'::regclass AND attname = 'result'"
    )
    try:
        with engine.begin() as connection:
            kind, compression = connection.execute(sa.text(column)).one()
            assert (kind, compression) == ("json", "l")
            # A document through the column's type comes back as the app wrote it.
            written = json_text(document)
            stored = sa.text(f"SELECT CAST(CAST(:text AS {kind}) AS text)")
            assert connection.execute(stored, {"text": written}).scalar_one() == written
        migrate.downgrade(postgres_database, "0010")
        with engine.begin() as connection:
            assert tuple(connection.execute(sa.text(column)).one()) == ("jsonb", "l")
        migrate.upgrade(postgres_database)
    finally:
        engine.dispose()


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


def _consent_at_0009(db: Session, pathway_id: int, agreed_by: int) -> int:
    """A witnessed consent record as made before 0010: its columns only (the model's
    `language` is not there yet)."""
    table = cast(sa.Table, ConsentRecord.__table__)
    with db.begin():
        inserted = db.execute(
            sa.insert(table)
            .values(
                pathway_id=pathway_id,
                plan_snapshot={"plan_version": "0000000000000000"},
                confirmed={"confirmations": []},
                agreed_at=AT,
                agreed_by=agreed_by,
                witnessed_at=AT,
                witnessed_by=agreed_by,
            )
            .returning(table.c.id)
        )
        return int(inserted.scalar_one())


def _language_of(db: Session, consent_id: int) -> str | None:
    with db.begin():
        return db.get_one(ConsentRecord, consent_id).language


def test_migration_0010_records_the_consent_language_and_leaves_older_records_without_one(
    db_url: str, db: Session
) -> None:
    # Made at 0009 with a documented procedure that points to the consent: SQLite copies
    # the table to add its constraint, and the reference must survive that.
    migrate.downgrade(db_url, "0009")
    try:
        personas = build_personas(db)
        patient, clinician = personas.patient, personas.clinician
        assert patient.patient is not None
        with db.begin():
            pathway = make_pathway(db, patient=patient.patient, opened_by=clinician.user)
        old = _consent_at_0009(db, pathway.id, patient.user.id)
        with db.begin():
            procedure = make_procedure_record(
                db, pathway=pathway, documented_by=clinician.user, consent_record_id=old
            )
        migrate.upgrade(db_url, "0010")
        db.expunge_all()
        assert _language_of(db, old) is None  # not recorded: not "English"
        with db.begin():
            new = make_consent_record(db, pathway=pathway, agreed_by=patient.user, language="es")
        assert _language_of(db, new.id) == "es"
        with pytest.raises(IntegrityError), db.begin():
            db.execute(
                sa.text("UPDATE consent_record SET language = 'fr' WHERE id = :id"), {"id": old}
            )
        # The witness pair's constraint still holds after the copy.
        with pytest.raises(IntegrityError), db.begin():
            db.execute(
                sa.text("UPDATE consent_record SET witnessed_by = NULL WHERE id = :id"), {"id": old}
            )
        migrate.downgrade(db_url, "0009")
        with db.begin():
            kept = db.execute(
                sa.text("SELECT consent_record_id FROM procedure_record WHERE id = :id"),
                {"id": procedure.id},
            ).scalar_one()
            count = db.execute(sa.text("SELECT count(*) FROM consent_record")).scalar_one()
        assert kept == old and count == 2
    finally:
        migrate.upgrade(db_url)
    assert migrate.current_revision(db_url) == migrate.head_revision()


@pytest.mark.parametrize("language", LOCALES)
def test_a_consent_record_may_be_in_every_shipped_locale(
    db: Session, personas: Personas, language: str
) -> None:
    # A locale added to the settings needs a migration that widens the column's check.
    assert personas.patient.patient is not None
    with db.begin():
        pathway = make_pathway(
            db, patient=personas.patient.patient, opened_by=personas.clinician.user
        )
        row = make_consent_record(
            db, pathway=pathway, agreed_by=personas.patient.user, language=language
        )
    assert _language_of(db, row.id) == language
