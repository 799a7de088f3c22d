"""The database itself refuses records that break the invariants (ADR 0003).

Each test writes a row that services would never write and expects the database to
refuse it, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from factories import (
    make_appointment,
    make_availability,
    make_clinic,
    make_exception,
    make_location,
    make_pathway,
    make_patient,
    make_practitioner,
    make_room,
    make_user,
)
from fixtures_db import Personas
from sijcare.db.enums import AppointmentKind, AppointmentMode, AppointmentStatus, Side
from sijcare.db.models import AuditEvent, Pathway, SymptomReport

AT = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)


def refused(db: Session, write: object) -> None:
    """Assert that running `write` in a transaction is refused by the database."""
    with pytest.raises(IntegrityError), db.begin():
        write()  # type: ignore[operator]


def appointment(db: Session, p: Personas, **overrides: object) -> object:
    assert p.patient.patient and p.clinician.practitioner
    return make_appointment(
        db,
        patient=p.patient.patient,
        practitioner=p.clinician.practitioner,
        location=p.location,
        created_by=p.scheduler.user,
        **overrides,
    )


def test_practitioner_cannot_be_booked_twice_at_the_same_time(
    db: Session, personas: Personas
) -> None:
    appointment(db, personas, starts_at=AT)
    refused(db, lambda: appointment(db, personas, starts_at=AT))


def test_overlapping_bookings_of_a_practitioner_are_refused(
    db: Session, personas: Personas
) -> None:
    appointment(db, personas, starts_at=AT)
    refused(db, lambda: appointment(db, personas, starts_at=AT + timedelta(minutes=15)))


def test_back_to_back_and_cancelled_bookings_are_allowed(db: Session, personas: Personas) -> None:
    first = appointment(db, personas, starts_at=AT)
    appointment(db, personas, starts_at=AT + timedelta(minutes=30))
    with db.begin():
        db.execute(
            sa.update(type(first))
            .where(type(first).id == first.id)
            .values(  # type: ignore[attr-defined]
                status=AppointmentStatus.CANCELLED,
                cancelled_at=AT,
                cancelled_by=personas.scheduler.user.id,
            )
        )
    appointment(db, personas, starts_at=AT)


def test_moving_a_booking_onto_another_is_refused(db: Session, personas: Personas) -> None:
    appointment(db, personas, starts_at=AT)
    second = appointment(db, personas, starts_at=AT + timedelta(hours=1))
    refused(
        db,
        lambda: db.execute(
            sa.update(type(second))
            .where(type(second).id == second.id)
            .values(  # type: ignore[attr-defined]
                starts_at=AT + timedelta(minutes=10), ends_at=AT + timedelta(minutes=40)
            )
        ),
    )


def test_a_room_cannot_hold_two_overlapping_bookings(db: Session, personas: Personas) -> None:
    with db.begin():
        other = make_practitioner(db, clinic=personas.clinic)
    appointment(
        db, personas, starts_at=AT, room_id=personas.room.id, kind=AppointmentKind.PROCEDURE
    )
    assert personas.patient.patient
    refused(
        db,
        lambda: make_appointment(
            db,
            patient=personas.patient.patient,
            practitioner=other,
            location=personas.location,
            created_by=personas.scheduler.user,
            starts_at=AT + timedelta(minutes=5),
            room_id=personas.room.id,
        ),
    )


def test_a_procedure_cannot_be_virtual(db: Session, personas: Personas) -> None:
    refused(
        db,
        lambda: appointment(
            db, personas, kind=AppointmentKind.PROCEDURE, mode=AppointmentMode.VIRTUAL
        ),
    )


def test_cancellation_needs_who_and_when(db: Session, personas: Personas) -> None:
    refused(
        db, lambda: appointment(db, personas, status=AppointmentStatus.CANCELLED, cancelled_at=AT)
    )


def test_appointment_must_end_after_it_starts(db: Session, personas: Personas) -> None:
    refused(db, lambda: appointment(db, personas, starts_at=AT, ends_at=AT))


def test_appointment_of_a_patient_of_another_clinic_is_refused(
    db: Session, personas: Personas
) -> None:
    with db.begin():
        stranger = make_patient(db, clinic=personas.other_clinic)
    assert personas.clinician.practitioner
    refused(
        db,
        lambda: make_appointment(
            db,
            patient=stranger,
            practitioner=personas.clinician.practitioner,
            location=personas.location,
            created_by=personas.scheduler.user,
        ),
    )


def test_room_must_be_at_the_appointments_location(db: Session, personas: Personas) -> None:
    with db.begin():
        elsewhere = make_room(db, location=make_location(db, clinic=personas.clinic))
    refused(db, lambda: appointment(db, personas, room_id=elsewhere.id))


def test_patient_account_must_belong_to_the_patients_clinic(
    db: Session, personas: Personas
) -> None:
    with db.begin():
        user = make_user(db, clinic=personas.other_clinic)
    refused(db, lambda: make_patient(db, clinic=personas.clinic, user=user))


def test_email_must_be_lower_case(db: Session) -> None:
    with db.begin():
        clinic = make_clinic(db)
    refused(db, lambda: make_user(db, clinic=clinic, email="Someone@Example.org"))


def test_one_active_pathway_per_joint(db: Session, personas: Personas) -> None:
    patient = personas.patient.patient
    assert patient
    make_pathway(db, patient=patient, opened_by=personas.clinician.user, side=Side.LEFT)
    refused(
        db,
        lambda: make_pathway(
            db, patient=patient, opened_by=personas.clinician.user, side=Side.LEFT
        ),
    )


def test_left_and_right_pathways_may_be_active_together(db: Session, personas: Personas) -> None:
    patient = personas.patient.patient
    assert patient
    make_pathway(db, patient=patient, opened_by=personas.clinician.user, side=Side.LEFT)
    make_pathway(db, patient=patient, opened_by=personas.clinician.user, side=Side.RIGHT)


@pytest.mark.parametrize("first", [Side.LEFT, Side.RIGHT, Side.BILATERAL])
def test_an_active_bilateral_pathway_excludes_either_side(
    db: Session, personas: Personas, first: Side
) -> None:
    patient = personas.patient.patient
    assert patient
    second = Side.BILATERAL if first is not Side.BILATERAL else Side.LEFT
    make_pathway(db, patient=patient, opened_by=personas.clinician.user, side=first)
    refused(
        db,
        lambda: make_pathway(db, patient=patient, opened_by=personas.clinician.user, side=second),
    )


def test_a_closed_pathway_frees_the_joint(db: Session, personas: Personas) -> None:
    patient = personas.patient.patient
    assert patient
    make_pathway(
        db,
        patient=patient,
        opened_by=personas.clinician.user,
        side=Side.BILATERAL,
        status="closed",
        closed_at=AT,
        closed_by=personas.clinician.user.id,
    )
    make_pathway(db, patient=patient, opened_by=personas.clinician.user, side=Side.LEFT)


def test_pathway_covered_joints_must_match_its_side(db: Session, personas: Personas) -> None:
    patient = personas.patient.patient
    assert patient
    pathway = make_pathway(db, patient=patient, opened_by=personas.clinician.user, side=Side.LEFT)
    refused(
        db,
        lambda: db.execute(
            sa.update(Pathway).where(Pathway.id == pathway.id).values(covers_left=False)
        ),
    )


def test_closing_a_pathway_needs_who_and_when(db: Session, personas: Personas) -> None:
    patient = personas.patient.patient
    assert patient
    refused(
        db,
        lambda: make_pathway(
            db, patient=patient, opened_by=personas.clinician.user, status="closed", closed_at=AT
        ),
    )


def test_acknowledgement_note_needs_an_acknowledgement(db: Session, personas: Personas) -> None:
    patient = personas.patient.patient
    assert patient
    pathway = make_pathway(db, patient=patient, opened_by=personas.clinician.user)

    def write() -> None:
        db.add(
            SymptomReport(
                pathway_id=pathway.id,
                reported_at=AT,
                reported_by=personas.patient.user.id,
                report={},
                disposition="routine",
                result={},
                knowledge_version="test",
                acknowledged_note="called back",
            )
        )
        db.flush()

    refused(db, write)


def test_availability_needs_the_practitioner_to_work_at_the_location(
    db: Session, personas: Personas
) -> None:
    with db.begin():
        elsewhere = make_location(db, clinic=personas.clinic)
    assert personas.clinician.practitioner
    refused(
        db,
        lambda: make_availability(
            db, practitioner=personas.clinician.practitioner, location=elsewhere
        ),
    )


def test_availability_must_start_before_it_ends(db: Session, personas: Personas) -> None:
    assert personas.clinician.practitioner
    refused(
        db,
        lambda: make_availability(
            db,
            practitioner=personas.clinician.practitioner,
            location=personas.location,
            start_local=time(12, 0),
            end_local=time(9, 0),
        ),
    )


def test_partial_day_exception_needs_its_hours(db: Session, personas: Personas) -> None:
    assert personas.clinician.practitioner
    refused(
        db,
        lambda: make_exception(
            db, practitioner=personas.clinician.practitioner, all_day=False, start_local=time(9, 0)
        ),
    )


def _event(db: Session) -> AuditEvent:
    with db.begin():
        event = AuditEvent(at=AT, actor_role="system", action="test.event", detail={"n": 1})
        db.add(event)
    return event


def test_audit_events_cannot_be_changed(db: Session) -> None:
    event = _event(db)
    with pytest.raises(DBAPIError, match="append-only"), db.begin():
        db.execute(sa.update(AuditEvent).where(AuditEvent.id == event.id).values(action="x"))


def test_audit_events_cannot_be_deleted(db: Session) -> None:
    _event(db)
    with pytest.raises(DBAPIError, match="append-only"), db.begin():
        db.execute(sa.delete(AuditEvent))
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 1


def test_audit_table_cannot_be_truncated_on_postgresql(db: Session) -> None:
    _event(db)
    if db.get_bind().dialect.name != "postgresql":
        return  # SQLite has no TRUNCATE; DELETE is covered above
    with pytest.raises(DBAPIError, match="append-only"), db.begin():
        db.execute(sa.text("TRUNCATE audit_event"))


def test_times_come_back_in_utc_whatever_zone_they_were_given_in(
    db: Session, personas: Personas
) -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2026, 3, 8, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    row = appointment(db, personas, starts_at=local)
    with db.begin():
        db.expire_all()
        stored = db.get(type(row), row.id)  # type: ignore[attr-defined]
        assert stored is not None
        assert stored.starts_at == datetime(2026, 3, 8, 16, 0, tzinfo=UTC)
        assert stored.starts_at.utcoffset() == timedelta(0)


def test_naive_times_are_refused(db: Session, personas: Personas) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        appointment(db, personas, starts_at=datetime(2026, 3, 8, 9, 0))
