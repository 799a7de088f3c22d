"""The driver home: the adult who takes the patient home after the injection.

The patient names them with their screening answers (or staff record them); the newest
record is the pathway's driver. A driver is shown as arranged only while the newest
answers say someone drives the patient home. The phone must be a number to call: the
clinic phones the driver at discharge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.models import Driver, Pathway, Patient, ScreeningResponse
from sijcare.services import audit, pathways
from sijcare.services.actor import Actor
from sijcare.services.errors import FieldError, Invalid, msg
from sijcare.services.phones import phone_problem

# The `driver` table's columns.
NAME_MAX = 200
PHONE_MAX = 40
RELATIONSHIP_MAX = 80


@dataclass(frozen=True)
class DriverDetails:
    name: str
    phone: str
    relationship: str = ""


def driver_problems(answers: Mapping[str, Any], driver: DriverDetails | None) -> list[FieldError]:
    """What is missing or wrong in the screening form's driver, when one is arranged
    (fields `driver_name`, `driver_phone`)."""
    if answers.get("driver_arranged") is not True:
        return []
    return _problems(driver, "driver_name", "driver_phone")


def _problems(driver: DriverDetails | None, name_field: str, phone_field: str) -> list[FieldError]:
    problems = []
    if driver is None or not driver.name.strip():
        problems.append(FieldError(name_field, msg("Enter your driver's name.")))
    if driver is None or not driver.phone.strip():
        problems.append(FieldError(phone_field, msg("Enter a phone number for your driver.")))
    elif (problem := phone_problem(driver.phone.strip())) is not None:
        problems.append(FieldError(phone_field, problem))
    if driver is not None and (len(driver.name) > NAME_MAX or len(driver.phone) > PHONE_MAX):
        problems.append(FieldError(name_field, msg("This is too long.")))
    return problems


def store_driver(
    db: Session,
    pathway: Pathway,
    patient: Patient,
    driver: DriverDetails,
    actor: Actor,
    now: datetime,
) -> Driver:
    """Record `driver` in the caller's transaction (the same one again is not repeated)."""
    current = latest_driver(db, pathway.id)
    if current is not None and (current.name, current.phone) == (
        driver.name.strip(),
        driver.phone.strip(),
    ):
        return current
    row = Driver(
        pathway_id=pathway.id,
        name=driver.name.strip()[:NAME_MAX],
        phone=driver.phone.strip()[:PHONE_MAX],
        relationship=driver.relationship.strip()[:RELATIONSHIP_MAX],
        recorded_at=now,
        recorded_by=actor.user_id,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="driver.record",
        at=now,
        target_type="driver",
        target_id=row.id,
        patient_id=patient.id,
        detail={"fields": ["name", "phone", "relationship"], "pathway_id": pathway.id},
    )
    return row


def record_driver(
    db: Session, *, actor: Actor, pathway_id: int, driver: DriverDetails, now: datetime
) -> Driver:
    """Record who drives the patient home (the patient or a clinician); fields `name`,
    `phone`."""
    errors = _problems(driver, "name", "phone")
    with db.begin():
        pathway, patient = pathways.load(db, actor, pathway_id)
        if errors:
            raise Invalid(errors)
        row = store_driver(db, pathway, patient, driver, actor, now)
    db.expunge(row)
    return row


def latest_driver(db: Session, pathway_id: int) -> Driver | None:
    return db.scalar(
        sa.select(Driver)
        .where(Driver.pathway_id == pathway_id)
        .order_by(Driver.recorded_at.desc(), Driver.id.desc())
        .limit(1)
    )


def current_driver(
    db: Session, pathway_id: int, response: ScreeningResponse | None
) -> Driver | None:
    """The driver home of the newest answers: none when they say no one drives the
    patient home (an earlier driver is kept on record, not shown as arranged)."""
    if response is None or response.answers.get("driver_arranged") is not True:
        return None
    return latest_driver(db, pathway_id)
