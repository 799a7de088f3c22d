"""Appointments: booking, moving and cancelling procedures and visits.

A patient books for themself; staff book for any patient of their clinic. A booking must
take a free slot of the practitioner at the location (see `free_times`). Double booking is
impossible: the database refuses overlapping booked appointments of a practitioner or a
room (ADR 0003), and each booking locks the patient, the practitioner and the location's
rooms first (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite transactions are
`BEGIN IMMEDIATE`), so concurrent requests queue up and the loser gets `Conflict`.
A form submitted twice books once: its `idempotency_key` is stored with the booking and a
repeat returns the booking already made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijcare.db.enums import (
    AppointmentKind,
    AppointmentMode,
    AppointmentStatus,
    PathwayStatus,
    PractitionerKind,
    Role,
)
from sijcare.db.models import Appointment, Location, Pathway, Patient, Practitioner
from sijcare.services import access, audit, directory, patients, slots
from sijcare.services.actor import Actor
from sijcare.services.appointment_views import AppointmentView as AppointmentView
from sijcare.services.appointment_views import views
from sijcare.services.errors import Conflict, FieldError, Invalid, Message, NotFound, msg
from sijcare.services.free_times import free_room, location_for, time_check

_TAKEN = msg("That time was just taken. Please choose another.")
_NO_ROOM = msg("No procedure room is free at that time. Please choose another time.")


@dataclass(frozen=True)
class BookingRequest:
    practitioner_id: int
    location_id: int
    starts_at: datetime
    kind: AppointmentKind
    mode: AppointmentMode
    pathway_id: int | None = None
    note: str = ""
    idempotency_key: str | None = None


def book(
    db: Session, *, actor: Actor, public_id: str, request: BookingRequest, now: datetime
) -> AppointmentView:
    """Book `request` for the patient `public_id`; raises `Invalid` or `Conflict`."""
    if request.idempotency_key:
        replayed = _replay(db, actor, request.idempotency_key, now)
        if replayed is not None:
            return replayed
    try:
        with db.begin():
            return _book(db, actor, public_id, request, now)
    except IntegrityError:
        replayed = (
            _replay(db, actor, request.idempotency_key, now) if request.idempotency_key else None
        )
        if replayed is not None:
            return replayed
        raise Conflict(_TAKEN) from None


def _book(
    db: Session, actor: Actor, public_id: str, request: BookingRequest, now: datetime
) -> AppointmentView:
    patient = patients.load(db, actor, public_id)
    _lock(db, Patient, patient.id)
    practitioner = _practitioner(db, actor, request.practitioner_id)
    location = location_for(db, actor, practitioner, request.location_id)
    errors = _request_problems(db, patient, practitioner, request)
    pathway_id = request.pathway_id
    if request.kind is AppointmentKind.PROCEDURE and pathway_id is None:
        pathway_id, problem = _procedure_pathway(db, patient)
        errors += problem
    slot, time_errors = time_check(db, patient, practitioner, location, request.starts_at, now)
    errors += time_errors
    if errors or slot is None:
        raise Invalid(errors)
    room_id = None
    if request.kind is AppointmentKind.PROCEDURE:
        room_id = free_room(db, location, slot.starts_at, slot.ends_at)
        if room_id is None:
            raise Conflict(_NO_ROOM)
    appointment = Appointment(
        clinic_id=patient.clinic_id,
        patient_id=patient.id,
        practitioner_id=practitioner.id,
        location_id=location.id,
        room_id=room_id,
        pathway_id=pathway_id,
        kind=request.kind,
        mode=request.mode,
        status=AppointmentStatus.BOOKED,
        starts_at=request.starts_at,
        ends_at=slot.ends_at,
        note=request.note.strip()[:500],
        created_at=now,
        created_by=actor.user_id,
        idempotency_key=request.idempotency_key or None,
    )
    db.add(appointment)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="appointment.book",
        at=now,
        target_type="appointment",
        target_id=appointment.id,
        patient_id=patient.id,
        detail={
            "kind": request.kind.value,
            "mode": request.mode.value,
            "practitioner_id": practitioner.id,
        },
    )
    return views(db, [appointment])[0]


def move(
    db: Session, *, actor: Actor, appointment_id: int, starts_at: datetime, now: datetime
) -> AppointmentView:
    """Move a booked appointment to another free slot of the same practitioner and place."""
    try:
        with db.begin():
            appointment, patient = _load(db, actor, appointment_id)
            _lock(db, Patient, patient.id)
            practitioner = _practitioner(db, actor, appointment.practitioner_id)
            location = db.get_one(Location, appointment.location_id)
            _require_changeable(appointment, now)
            slot, errors = time_check(
                db, patient, practitioner, location, starts_at, now, ignore=appointment.id
            )
            if errors or slot is None:
                raise Invalid(errors)
            ends_at = slot.ends_at
            if appointment.room_id is not None:
                room = free_room(db, location, starts_at, ends_at, ignore=appointment.id)
                if room is None:
                    raise Conflict(_NO_ROOM)
                appointment.room_id = room
            moved_from = appointment.starts_at
            appointment.starts_at, appointment.ends_at = starts_at, ends_at
            db.flush()
            audit.record(
                db,
                actor=actor,
                action="appointment.move",
                at=now,
                target_type="appointment",
                target_id=appointment.id,
                patient_id=patient.id,
                detail={"from": moved_from.isoformat(), "to": starts_at.isoformat()},
            )
            return views(db, [appointment])[0]
    except IntegrityError:
        raise Conflict(_TAKEN) from None


def cancel(
    db: Session, *, actor: Actor, appointment_id: int, reason: str, now: datetime
) -> AppointmentView:
    with db.begin():
        appointment, patient = _load(db, actor, appointment_id)
        _require_changeable(appointment, now)
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = now
        appointment.cancelled_by = actor.user_id
        appointment.cancel_reason = reason.strip()[:500]
        db.flush()
        audit.record(
            db,
            actor=actor,
            action="appointment.cancel",
            at=now,
            target_type="appointment",
            target_id=appointment.id,
            patient_id=patient.id,
        )
        return views(db, [appointment])[0]


def get(db: Session, *, actor: Actor, appointment_id: int, now: datetime) -> AppointmentView:
    with db.begin():
        appointment, patient = _load(db, actor, appointment_id)
        audit.record(
            db,
            actor=actor,
            action="appointment.view",
            at=now,
            target_type="appointment",
            target_id=appointment.id,
            patient_id=patient.id,
        )
        return views(db, [appointment])[0]


def list_for_patient(
    db: Session, *, actor: Actor, public_id: str, now: datetime
) -> list[AppointmentView]:
    """The patient's appointments, soonest first."""
    with db.begin():
        patient = patients.load(db, actor, public_id)
        rows = db.scalars(
            sa.select(Appointment)
            .where(Appointment.patient_id == patient.id)
            .order_by(Appointment.starts_at, Appointment.id)
        ).all()
        audit.record(
            db,
            actor=actor,
            action="appointment.list",
            at=now,
            target_type="patient",
            target_id=patient.public_id,
            patient_id=patient.id,
        )
        return views(db, list(rows))


def list_for_day(
    db: Session, *, actor: Actor, day: date, zone: str, now: datetime
) -> list[AppointmentView]:
    """The clinic's appointments that start on `day` in `zone` (staff only)."""
    access.require_role(actor, Role.CLINICIAN, Role.SCHEDULER, Role.ADMIN)
    start, end = slots.local_day_bounds(day, ZoneInfo(zone))
    with db.begin():
        rows = db.scalars(
            sa.select(Appointment)
            .where(
                Appointment.clinic_id == actor.clinic_id,
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
            .order_by(Appointment.starts_at, Appointment.id)
        ).all()
        audit.record_views(
            db,
            actor=actor,
            action="appointment.list",
            at=now,
            patient_ids=[row.patient_id for row in rows],
        )
        return views(db, list(rows))


def _replay(db: Session, actor: Actor, key: str | None, now: datetime) -> AppointmentView | None:
    """The booking an earlier submission of the same form made, if this actor made it."""
    with db.begin():
        existing = db.scalar(sa.select(Appointment).where(Appointment.idempotency_key == key))
        if existing is None:
            return None
        if existing.created_by != actor.user_id:
            raise Conflict(msg("This form was already used. Please start again."))
        audit.record(
            db,
            actor=actor,
            action="appointment.book_repeated",
            at=now,
            target_type="appointment",
            target_id=existing.id,
            patient_id=existing.patient_id,
        )
        return views(db, [existing])[0]


def _load(db: Session, actor: Actor, appointment_id: int) -> tuple[Appointment, Patient]:
    appointment = db.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound(msg("There is no such appointment."))
    return appointment, patients.load_by_id(db, actor, appointment.patient_id)


def _lock(db: Session, model: type[Patient] | type[Practitioner], row_id: int) -> None:
    # Serializes bookings per patient and practitioner on PostgreSQL (no-op on SQLite,
    # whose transactions already hold the write lock from their start).
    db.execute(sa.select(model.id).where(model.id == row_id).with_for_update())


def _practitioner(db: Session, actor: Actor, practitioner_id: int) -> Practitioner:
    try:
        practitioner = directory.load(db, actor, practitioner_id)
    except NotFound:
        raise Invalid.one("practitioner_id", msg("Choose a practitioner from the list.")) from None
    _lock(db, Practitioner, practitioner.id)
    return practitioner


_NO_PATHWAY = msg(
    "A procedure is booked for an open care pathway, and there is none. A clinician starts "
    "one first. Until then, you can book a follow-up visit."
)
_WHICH_PATHWAY = msg("Choose the care pathway this procedure is for.")


def _procedure_pathway(db: Session, patient: Patient) -> tuple[int | None, list[FieldError]]:
    """The pathway a procedure booked without one is for: the patient's only active one
    (the screening, consent and record hang on it). None and why when there is none or
    more than one."""
    active = _open_pathway_ids(db, patient.id)
    if len(active) == 1:
        return active[0], []
    if not active:
        return None, [FieldError("kind", _NO_PATHWAY)]
    return None, [FieldError("pathway_id", _WHICH_PATHWAY)]


def _open_pathway_ids(db: Session, patient_id: int) -> list[int]:
    return [p.id for p in _open(db, patient_id)]


def _open(db: Session, patient_id: int) -> list[OpenPathway]:
    rows = db.execute(
        sa.select(Pathway.id, Pathway.side, Pathway.kind)
        .where(Pathway.patient_id == patient_id, Pathway.status == PathwayStatus.ACTIVE)
        .order_by(Pathway.id)
    )
    return [OpenPathway(id_, side.value, kind.value) for id_, side, kind in rows]


@dataclass(frozen=True)
class OpenPathway:
    """An active pathway as the booking form names it: its joint and kind only."""

    id: int
    side: str
    kind: str


def open_pathways(db: Session, *, actor: Actor, public_id: str) -> list[OpenPathway]:
    """The patient's active pathways, for booking a procedure for one of them (staff who
    book and the patient; the side and the kind only)."""
    with db.begin():
        return _open(db, patients.load(db, actor, public_id).id)


def _request_problems(
    db: Session, patient: Patient, practitioner: Practitioner, request: BookingRequest
) -> list[FieldError]:
    errors = []
    if request.kind is AppointmentKind.PROCEDURE:
        if request.mode is AppointmentMode.VIRTUAL:
            errors.append(FieldError("mode", msg("A procedure is done in person.")))
        if practitioner.kind is not PractitionerKind.PHYSICIAN:
            errors.append(
                FieldError("practitioner_id", msg("Only a physician can do a procedure."))
            )
    if request.mode is AppointmentMode.VIRTUAL and not practitioner.accepts_virtual:
        errors.append(FieldError("mode", msg("This practitioner does not offer virtual visits.")))
    if request.pathway_id is not None:
        pathway = db.get(Pathway, request.pathway_id)
        if (
            pathway is None
            or pathway.patient_id != patient.id
            or pathway.status is not PathwayStatus.ACTIVE
        ):
            errors.append(
                FieldError("pathway_id", msg("Choose one of the patient's active pathways."))
            )
    return errors


def unchangeable(status: AppointmentStatus, starts_at: datetime, now: datetime) -> Message | None:
    """Why an appointment can no longer be moved or cancelled, or None."""
    if status is not AppointmentStatus.BOOKED:
        return msg("This appointment is no longer booked.")
    if starts_at <= now:
        return msg("This appointment has already started.")
    return None


def _require_changeable(appointment: Appointment, now: datetime) -> None:
    problem = unchangeable(appointment.status, appointment.starts_at, now)
    if problem is not None:
        raise Conflict(problem)
