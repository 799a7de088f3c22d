"""One factory per persisted model: `make_<model>(db, **overrides)` inserts and returns a row.

Factories run inside the caller's transaction when one is open, else in their own. They
fill every required column with plain, valid defaults; pass only what a test is about.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from sijcare.db.enums import (
    AppointmentKind,
    AppointmentMode,
    Kind,
    PractitionerKind,
    Role,
    Side,
)
from sijcare.db.models import (
    Appointment,
    Availability,
    AvailabilityException,
    Clinic,
    Location,
    Pathway,
    Patient,
    Practitioner,
    PractitionerLocation,
    Room,
    User,
)
from sijcare.services.actor import Actor, Origin, load_actor
from sijcare.services.passwords import Passwords

PASSWORD = "correct horse battery staple"
CREATED = datetime(2026, 1, 5, 17, 0, tzinfo=UTC)
_numbers = itertools.count(1)
_hash_cache: dict[str, str] = {}


def password_hash(password: str = PASSWORD) -> str:
    """The argon2 hash of `password` with the tests' cheap settings, computed once."""
    if password not in _hash_cache:
        _hash_cache[password] = Passwords(fast=True).hash(password)
    return _hash_cache[password]


@contextmanager
def _writing(db: Session) -> Iterator[None]:
    if db.in_transaction():
        yield
        db.flush()
    else:
        with db.begin():
            yield
        # Detached rows keep their values even when a later transaction of `db` rolls back.
        db.expunge_all()


def actor_of(db: Session, user_id: int) -> Actor:
    """The signed-in actor of `user_id`, as a request from 127.0.0.1 would load it."""
    with db.begin():
        found = load_actor(db, user_id, Origin(ip="127.0.0.1"))
    assert found is not None
    return found


def detach(db: Session) -> None:
    """Detach every row of `db`, so a later rollback cannot expire what the test holds."""
    db.expunge_all()


def _save(db: Session, row: Any) -> Any:
    with _writing(db):
        db.add(row)
    return row


def make_clinic(db: Session, **overrides: Any) -> Clinic:
    n = next(_numbers)
    values: dict[str, Any] = {"name": f"Clinic {n}", "time_zone": "America/Los_Angeles"}
    return _save(db, Clinic(**(values | overrides)))


def make_user(db: Session, *, clinic: Clinic, role: Role = Role.PATIENT, **overrides: Any) -> User:
    n = next(_numbers)
    values: dict[str, Any] = {
        "clinic_id": clinic.id,
        "email": f"user{n}@example.org",
        "password_hash": password_hash(),
        "role": role,
        "display_name": f"User {n}",
        "locale": "en",
        "created_at": CREATED,
    }
    return _save(db, User(**(values | overrides)))


def make_patient(
    db: Session, *, clinic: Clinic, user: User | None = None, **overrides: Any
) -> Patient:
    n = next(_numbers)
    values: dict[str, Any] = {
        "clinic_id": clinic.id,
        "user_id": None if user is None else user.id,
        "name": f"Patient {n}",
        # Within 1960-1987 whatever the count: the whole suite makes more than 24,000
        # patients, and a birth date after the tests' clock is refused by registration.
        "date_of_birth": date(1960, 1, 1) + timedelta(days=n % 10_000),
        "phone": "+1 310-555-0142",
        "created_at": CREATED,
    }
    return _save(db, Patient(**(values | overrides)))


def make_practitioner(
    db: Session, *, clinic: Clinic, user: User | None = None, **overrides: Any
) -> Practitioner:
    n = next(_numbers)
    values: dict[str, Any] = {
        "clinic_id": clinic.id,
        "user_id": None if user is None else user.id,
        "name": f"Dr. Practitioner {n}",
        "kind": PractitionerKind.PHYSICIAN,
        "specialty": "Pain medicine",
        "qualifications": "Board certified in pain medicine",
        "accepts_virtual": True,
    }
    return _save(db, Practitioner(**(values | overrides)))


def make_location(db: Session, *, clinic: Clinic, **overrides: Any) -> Location:
    n = next(_numbers)
    values: dict[str, Any] = {
        "clinic_id": clinic.id,
        "name": f"Location {n}",
        "address": f"{n} Main Street",
        "time_zone": clinic.time_zone,
    }
    return _save(db, Location(**(values | overrides)))


def make_room(db: Session, *, location: Location, **overrides: Any) -> Room:
    n = next(_numbers)
    values: dict[str, Any] = {"location_id": location.id, "name": f"Room {n}", "fluoroscopy": True}
    return _save(db, Room(**(values | overrides)))


def link_practitioner(db: Session, practitioner: Practitioner, location: Location) -> None:
    _save(db, PractitionerLocation(practitioner_id=practitioner.id, location_id=location.id))


def make_availability(
    db: Session, *, practitioner: Practitioner, location: Location, **overrides: Any
) -> Availability:
    values: dict[str, Any] = {
        "practitioner_id": practitioner.id,
        "location_id": location.id,
        "weekday": 0,
        "start_local": time(9, 0),
        "end_local": time(12, 0),
        "slot_minutes": 30,
        "valid_from": date(2026, 1, 1),
        "valid_to": None,
    }
    return _save(db, Availability(**(values | overrides)))


def make_exception(
    db: Session, *, practitioner: Practitioner, **overrides: Any
) -> AvailabilityException:
    values: dict[str, Any] = {
        "practitioner_id": practitioner.id,
        "on_date": date(2026, 3, 9),
        "all_day": True,
        "reason": "Leave",
    }
    return _save(db, AvailabilityException(**(values | overrides)))


def make_pathway(db: Session, *, patient: Patient, opened_by: User, **overrides: Any) -> Pathway:
    values: dict[str, Any] = {
        "patient_id": patient.id,
        "side": Side.LEFT,
        "kind": Kind.DIAGNOSTIC,
        "opened_at": CREATED,
        "opened_by": opened_by.id,
    }
    return _save(db, Pathway(**(values | overrides)))


def make_appointment(
    db: Session,
    *,
    patient: Patient,
    practitioner: Practitioner,
    location: Location,
    created_by: User,
    **overrides: Any,
) -> Appointment:
    starts_at = overrides.pop("starts_at", datetime(2026, 3, 2, 17, 0, tzinfo=UTC))
    values: dict[str, Any] = {
        "clinic_id": patient.clinic_id,
        "patient_id": patient.id,
        "practitioner_id": practitioner.id,
        "location_id": location.id,
        "room_id": None,
        "kind": AppointmentKind.FOLLOW_UP,
        "mode": AppointmentMode.IN_PERSON,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=30),
        "created_at": CREATED,
        "created_by": created_by.id,
    }
    return _save(db, Appointment(**(values | overrides)))
