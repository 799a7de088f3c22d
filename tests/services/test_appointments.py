"""Booking, moving and cancelling through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from factories import (
    detach,
    link_practitioner,
    make_availability,
    make_exception,
    make_pathway,
    make_patient,
    make_practitioner,
    make_room,
)
from fixtures_db import Personas
from sijcare.db.engine import session_factory
from sijcare.db.enums import (
    AppointmentKind,
    AppointmentMode,
    AppointmentStatus,
    PractitionerKind,
    Side,
)
from sijcare.db.models import Appointment, AuditEvent, Pathway
from sijcare.services import appointments, free_times
from sijcare.services.actor import Actor, Origin, load_actor
from sijcare.services.errors import Conflict, Forbidden, Invalid

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # Monday 08:00 PST
MONDAY_9 = datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # Monday 09:00 PDT (after the spring change)


def actor(db: Session, persona_user_id: int) -> Actor:
    with db.begin():
        found = load_actor(db, persona_user_id, Origin(ip="127.0.0.1"))
    assert found is not None
    return found


@pytest.fixture
def schedule(db: Session, personas: Personas) -> Personas:
    assert personas.clinician.practitioner
    make_availability(
        db,
        practitioner=personas.clinician.practitioner,
        location=personas.location,
        weekday=0,
        start_local=time(9, 0),
        end_local=time(12, 0),
    )
    # A procedure is booked for an open pathway (the only one is taken).
    for who in ("patient", "other_patient"):
        patient = personas[who].patient
        assert patient is not None
        make_pathway(db, patient=patient, opened_by=personas.clinician.user)
    detach(db)
    return personas


def request(
    p: Personas, starts_at: datetime = MONDAY_9, **overrides: object
) -> appointments.BookingRequest:
    assert p.clinician.practitioner
    values: dict[str, object] = {
        "practitioner_id": p.clinician.practitioner.id,
        "location_id": p.location.id,
        "starts_at": starts_at,
        "kind": AppointmentKind.FOLLOW_UP,
        "mode": AppointmentMode.IN_PERSON,
    }
    return appointments.BookingRequest(**(values | overrides))  # type: ignore[arg-type]


def book_as(
    db: Session, p: Personas, who: str, **overrides: object
) -> appointments.AppointmentView:
    patient = p.patient.patient
    assert patient
    return appointments.book(
        db,
        actor=actor(db, p[who].user.id),
        public_id=patient.public_id,
        request=request(p, **overrides),
        now=NOW,
    )


def count(db: Session, model: type, *where: object) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0)


def test_free_slots_are_listed_in_utc_for_the_local_hours(db: Session, schedule: Personas) -> None:
    assert schedule.clinician.practitioner
    found = free_times.free_slots(
        db,
        actor=actor(db, schedule.scheduler.user.id),
        practitioner_id=schedule.clinician.practitioner.id,
        location_id=schedule.location.id,
        first_day=date(2026, 3, 2),
        days=8,
        now=NOW,
    )
    # Monday 2 March (PST, from 09:00 = 17:00 UTC) and Monday 9 March (PDT, 16:00 UTC).
    assert found[0].starts_at == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert found[6].starts_at == MONDAY_9
    assert len(found) == 12


def test_patient_books_for_themself_and_the_booking_is_audited(
    db: Session, schedule: Personas
) -> None:
    booked = book_as(db, schedule, "patient")
    assert booked.status is AppointmentStatus.BOOKED
    assert booked.ends_at - booked.starts_at == timedelta(minutes=30)
    with db.begin():
        event = db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "appointment.book")
        ).one()
    assert event.patient_id == booked.patient_id
    assert event.actor_user_id == schedule.patient.user.id
    assert event.ip == "127.0.0.1"


@pytest.mark.parametrize("who", ["other_patient", "outsider"])
def test_others_cannot_book_for_the_patient(db: Session, schedule: Personas, who: str) -> None:
    with pytest.raises(Forbidden):
        book_as(db, schedule, who)
    assert count(db, Appointment) == 0


def test_a_time_that_is_not_a_free_slot_is_refused(db: Session, schedule: Personas) -> None:
    with pytest.raises(Invalid) as caught:
        book_as(db, schedule, "scheduler", starts_at=MONDAY_9 + timedelta(minutes=10))
    assert caught.value.errors[0].field == "starts_at"


def test_a_taken_slot_is_refused_and_nothing_is_half_saved(db: Session, schedule: Personas) -> None:
    book_as(db, schedule, "scheduler")
    with pytest.raises(Invalid):
        book_as(db, schedule, "patient")
    assert count(db, Appointment) == 1
    assert count(db, AuditEvent, AuditEvent.action == "appointment.book") == 1


def test_time_off_removes_the_slot(db: Session, schedule: Personas) -> None:
    assert schedule.clinician.practitioner
    make_exception(db, practitioner=schedule.clinician.practitioner, on_date=date(2026, 3, 9))
    with pytest.raises(Invalid):
        book_as(db, schedule, "scheduler")


def test_a_procedure_gets_a_fluoroscopy_room_and_cannot_be_virtual(
    db: Session, schedule: Personas
) -> None:
    booked = book_as(db, schedule, "scheduler", kind=AppointmentKind.PROCEDURE)
    assert booked.room_name == "Fluoroscopy 1"
    with pytest.raises(Invalid) as caught:
        book_as(
            db,
            schedule,
            "scheduler",
            kind=AppointmentKind.PROCEDURE,
            mode=AppointmentMode.VIRTUAL,
            starts_at=MONDAY_9 + timedelta(hours=1),
        )
    assert [e.field for e in caught.value.errors] == ["mode"]


def test_two_procedures_at_once_need_two_rooms(db: Session, schedule: Personas) -> None:
    book_as(db, schedule, "scheduler", kind=AppointmentKind.PROCEDURE)
    with db.begin():
        colleague = make_practitioner(db, clinic=schedule.clinic, kind=PractitionerKind.PHYSICIAN)
        link_practitioner(db, colleague, schedule.location)
        make_availability(db, practitioner=colleague, location=schedule.location, weekday=0)
    detach(db)
    other = schedule.other_patient.patient
    assert other
    second = appointments.BookingRequest(
        practitioner_id=colleague.id,
        location_id=schedule.location.id,
        starts_at=MONDAY_9,
        kind=AppointmentKind.PROCEDURE,
        mode=AppointmentMode.IN_PERSON,
    )
    scheduler = actor(db, schedule.scheduler.user.id)
    with pytest.raises(Conflict):
        appointments.book(db, actor=scheduler, public_id=other.public_id, request=second, now=NOW)
    make_room(db, location=schedule.location, name="Fluoroscopy 2")
    booked = appointments.book(
        db, actor=scheduler, public_id=other.public_id, request=second, now=NOW
    )
    assert booked.room_name == "Fluoroscopy 2"


def test_a_nurse_cannot_do_a_procedure(db: Session, schedule: Personas) -> None:
    with db.begin():
        nurse = make_practitioner(db, clinic=schedule.clinic, kind=PractitionerKind.NURSE)
        link_practitioner(db, nurse, schedule.location)
        make_availability(db, practitioner=nurse, location=schedule.location, weekday=0)
    detach(db)
    with pytest.raises(Invalid) as caught:
        book_as(db, schedule, "scheduler", practitioner_id=nurse.id, kind=AppointmentKind.PROCEDURE)
    assert [e.field for e in caught.value.errors] == ["practitioner_id"]


def test_the_pathway_must_be_the_patients_own(db: Session, schedule: Personas) -> None:
    other = schedule.other_patient.patient
    assert other
    theirs = make_pathway(db, patient=other, opened_by=schedule.clinician.user, side=Side.RIGHT)
    with pytest.raises(Invalid) as caught:
        book_as(db, schedule, "scheduler", pathway_id=theirs.id)
    assert caught.value.errors[0].field == "pathway_id"


def test_the_same_form_submitted_twice_books_once(db: Session, schedule: Personas) -> None:
    first = book_as(db, schedule, "patient", idempotency_key="form-token-1")
    second = book_as(db, schedule, "patient", idempotency_key="form-token-1")
    assert first.id == second.id
    assert count(db, Appointment) == 1


def test_a_form_token_of_someone_else_is_refused(db: Session, schedule: Personas) -> None:
    book_as(db, schedule, "patient", idempotency_key="form-token-1")
    with pytest.raises(Conflict):
        book_as(
            db,
            schedule,
            "scheduler",
            idempotency_key="form-token-1",
            starts_at=MONDAY_9 + timedelta(hours=1),
        )


def test_move_to_a_free_slot_and_not_onto_a_taken_one(db: Session, schedule: Personas) -> None:
    first = book_as(db, schedule, "patient")
    later = MONDAY_9 + timedelta(hours=1)
    scheduler = actor(db, schedule.scheduler.user.id)
    moved = appointments.move(
        db, actor=scheduler, appointment_id=first.id, starts_at=later, now=NOW
    )
    assert moved.starts_at == later
    other = schedule.other_patient.patient
    assert other
    appointments.book(
        db, actor=scheduler, public_id=other.public_id, request=request(schedule), now=NOW
    )
    with pytest.raises(Invalid):
        appointments.move(db, actor=scheduler, appointment_id=first.id, starts_at=MONDAY_9, now=NOW)


def test_cancel_frees_the_slot_and_records_who_and_when(db: Session, schedule: Personas) -> None:
    booked = book_as(db, schedule, "patient")
    patient = actor(db, schedule.patient.user.id)
    cancelled = appointments.cancel(
        db, actor=patient, appointment_id=booked.id, reason="sick", now=NOW
    )
    assert cancelled.status is AppointmentStatus.CANCELLED
    with db.begin():
        row = db.get_one(Appointment, booked.id)
        assert (row.cancelled_by, row.cancelled_at) == (schedule.patient.user.id, NOW)
    with pytest.raises(Conflict):
        appointments.cancel(db, actor=patient, appointment_id=booked.id, reason="", now=NOW)
    book_as(db, schedule, "scheduler")


def test_a_started_appointment_cannot_be_moved_or_cancelled(
    db: Session, schedule: Personas
) -> None:
    booked = book_as(db, schedule, "patient")
    scheduler = actor(db, schedule.scheduler.user.id)
    with pytest.raises(Conflict):
        appointments.cancel(db, actor=scheduler, appointment_id=booked.id, reason="", now=MONDAY_9)


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Run `jobs` in threads released at the same moment; their results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = jobs[index]()
        except Exception as exc:  # the test inspects every outcome
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_bookings_of_one_slot_book_it_once(
    engine: Engine, db: Session, schedule: Personas
) -> None:
    """Eight patients' requests for the same slot at the same moment: exactly one wins."""
    scheduler = actor(db, schedule.scheduler.user.id)
    with db.begin():
        public_ids = [make_patient(db, clinic=schedule.clinic).public_id for _ in range(8)]
    detach(db)
    factory = session_factory(engine)

    def job(public_id: str) -> Callable[[], object]:
        def book() -> object:
            with factory() as session:
                return appointments.book(
                    session,
                    actor=scheduler,
                    public_id=public_id,
                    request=request(schedule),
                    now=NOW,
                )

        return book

    outcomes = run_together([job(p) for p in public_ids])
    booked = [o for o in outcomes if isinstance(o, appointments.AppointmentView)]
    refused = [o for o in outcomes if isinstance(o, (Conflict, Invalid))]
    assert len(booked) == 1, outcomes
    assert len(refused) == 7, outcomes
    assert count(db, Appointment, Appointment.status == AppointmentStatus.BOOKED) == 1
    assert count(db, AuditEvent, AuditEvent.action == "appointment.book") == 1


def test_concurrent_repeats_of_one_form_book_once(
    engine: Engine, db: Session, schedule: Personas
) -> None:
    patient = actor(db, schedule.patient.user.id)
    public_id = schedule.patient.patient.public_id  # type: ignore[union-attr]
    factory = session_factory(engine)

    def book() -> object:
        with factory() as session:
            return appointments.book(
                session,
                actor=patient,
                public_id=public_id,
                request=request(schedule, idempotency_key="twice"),
                now=NOW,
            )

    outcomes = run_together([book, book, book])
    ids = {o.id for o in outcomes if isinstance(o, appointments.AppointmentView)}
    assert len(ids) == 1, outcomes
    assert count(db, Appointment) == 1


def test_a_procedure_is_booked_for_the_patients_open_pathway(
    db: Session, schedule: Personas
) -> None:
    booked = book_as(db, schedule, "scheduler", kind=AppointmentKind.PROCEDURE)
    patient = schedule.patient.patient
    assert patient is not None
    with db.begin():
        row = db.get_one(Appointment, booked.id)
        [only] = db.scalars(sa.select(Pathway.id).where(Pathway.patient_id == patient.id)).all()
        assert row.pathway_id == only
    # A second open pathway (the other joint): the request must say which.
    make_pathway(db, patient=patient, opened_by=schedule.clinician.user, side=Side.RIGHT)
    detach(db)
    later = MONDAY_9 + timedelta(hours=1)
    with pytest.raises(Invalid) as caught:
        book_as(db, schedule, "scheduler", kind=AppointmentKind.PROCEDURE, starts_at=later)
    assert [e.field for e in caught.value.errors] == ["pathway_id"]
    options = appointments.open_pathways(
        db, actor=actor(db, schedule.scheduler.user.id), public_id=patient.public_id
    )
    assert [(o.side, o.kind) for o in options] == [("left", "diagnostic"), ("right", "diagnostic")]


def test_no_procedure_without_an_open_pathway(db: Session, personas: Personas) -> None:
    """A patient with no pathway (none planned) cannot book, nor be booked, a procedure."""
    assert personas.clinician.practitioner
    make_availability(
        db, practitioner=personas.clinician.practitioner, location=personas.location, weekday=0
    )
    for who in ("patient", "scheduler"):
        with pytest.raises(Invalid) as caught:
            book_as(db, personas, who, kind=AppointmentKind.PROCEDURE)
        assert [e.field for e in caught.value.errors] == ["kind"]
    assert count(db, Appointment) == 0
