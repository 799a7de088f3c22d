"""Free times: a practitioner's free slots at a location, and whether a chosen time is
still free for the practitioner, the patient and a procedure room.

`slots` works the slots out of the weekly availability; this module reads what that
needs (the availability, its exceptions, the booked appointments). It is apart from
`sijcare.services.appointments` because the booking pages and the directory API ask
for free slots without booking anything; `appointments` runs the same checks
(`location_for`, `time_check`, `free_room`) inside its booking transaction, after
taking its locks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentStatus
from sijcare.db.models import (
    Appointment,
    Availability,
    AvailabilityException,
    Location,
    Patient,
    Practitioner,
    PractitionerLocation,
    Room,
)
from sijcare.services import directory, slots
from sijcare.services.actor import Actor
from sijcare.services.errors import FieldError, Invalid, msg

MAX_DAYS = 31


def free_slots(
    db: Session,
    *,
    actor: Actor,
    practitioner_id: int,
    location_id: int,
    first_day: date,
    days: int,
    now: datetime,
) -> list[slots.Slot]:
    """The free slots of a practitioner at a location over `days` local days from `first_day`."""
    if not 1 <= days <= MAX_DAYS:
        raise Invalid.one("days", msg("Ask for 1 to {count} days.", count=MAX_DAYS))
    with db.begin():
        practitioner = directory.load(db, actor, practitioner_id)
        location = location_for(db, actor, practitioner, location_id)
        return _free(db, practitioner, location, first_day, days, now)


def _free(
    db: Session,
    practitioner: Practitioner,
    location: Location,
    first_day: date,
    days: int,
    now: datetime,
    ignore: int | None = None,
) -> list[slots.Slot]:
    zone = ZoneInfo(location.time_zone)
    last_day = first_day + timedelta(days=days - 1)
    rules = db.scalars(
        sa.select(Availability).where(
            Availability.practitioner_id == practitioner.id, Availability.location_id == location.id
        )
    ).all()
    exceptions = db.scalars(
        sa.select(AvailabilityException).where(
            AvailabilityException.practitioner_id == practitioner.id,
            AvailabilityException.on_date.between(first_day, last_day),
        )
    ).all()
    offered = [
        slot
        for n in range(days)
        for slot in slots.day_slots(rules, first_day + timedelta(days=n), zone)
    ]
    start, _ = slots.local_day_bounds(first_day, zone)
    _, end = slots.local_day_bounds(last_day, zone)
    busy_query = sa.select(Appointment.starts_at, Appointment.ends_at).where(
        Appointment.practitioner_id == practitioner.id,
        Appointment.status == AppointmentStatus.BOOKED,
        Appointment.starts_at < end,
        Appointment.ends_at > start,
    )
    if ignore is not None:
        busy_query = busy_query.where(Appointment.id != ignore)
    busy = [slots.Busy(s, e) for s, e in db.execute(busy_query)]
    return slots.free(slots.without_exceptions(offered, exceptions, zone), busy, now)


def location_for(
    db: Session, actor: Actor, practitioner: Practitioner, location_id: int
) -> Location:
    location = db.get(Location, location_id)
    works_there = db.get(PractitionerLocation, (practitioner.id, location_id))
    if location is None or location.clinic_id != actor.clinic_id or works_there is None:
        raise Invalid.one("location_id", msg("Choose a location where this practitioner works."))
    return location


def time_check(
    db: Session,
    patient: Patient,
    practitioner: Practitioner,
    location: Location,
    starts_at: datetime,
    now: datetime,
    ignore: int | None = None,
) -> tuple[slots.Slot | None, list[FieldError]]:
    """The free slot starting at `starts_at`, or why there is none for this patient."""
    day = starts_at.astimezone(ZoneInfo(location.time_zone)).date()
    free = _free(db, practitioner, location, day, 1, now, ignore)
    slot = next((s for s in free if s.starts_at == starts_at), None)
    if slot is None:
        return None, [
            FieldError(
                "starts_at", msg("That time is not free. Please choose one of the free times.")
            )
        ]
    clash = sa.select(Appointment.id).where(
        Appointment.patient_id == patient.id,
        Appointment.status == AppointmentStatus.BOOKED,
        Appointment.starts_at < slot.ends_at,
        Appointment.ends_at > slot.starts_at,
    )
    if ignore is not None:
        clash = clash.where(Appointment.id != ignore)
    if db.scalar(clash.limit(1)) is not None:
        message = msg("The patient already has an appointment at that time.")
        return None, [FieldError("starts_at", message)]
    return slot, []


def free_room(
    db: Session,
    location: Location,
    starts_at: datetime,
    ends_at: datetime,
    ignore: int | None = None,
) -> int | None:
    """The first fluoroscopy room at `location` that is free for the whole time, locked."""
    rooms = db.scalars(
        sa.select(Room.id)
        .where(Room.location_id == location.id, Room.fluoroscopy.is_(True))
        .order_by(Room.id)
        .with_for_update()
    ).all()
    busy = sa.select(Appointment.room_id).where(
        Appointment.room_id.in_(rooms),
        Appointment.status == AppointmentStatus.BOOKED,
        Appointment.starts_at < ends_at,
        Appointment.ends_at > starts_at,
    )
    if ignore is not None:
        busy = busy.where(Appointment.id != ignore)
    taken = set(db.scalars(busy))
    return next((room for room in rooms if room not in taken), None)
