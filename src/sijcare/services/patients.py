"""Patients: finding them with access checked, listing a clinic's patients, registering one.

`load` is the building block other services use inside their transaction: it finds a
patient by the public id of the address and raises `NotFound` or `Forbidden`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import Patient
from sijcare.services import access, audit
from sijcare.services.actor import Actor
from sijcare.services.errors import FieldError, Invalid, NotFound, msg
from sijcare.services.phones import phone_problem

MAX_LIST = 200


@dataclass(frozen=True)
class PatientSummary:
    id: int
    public_id: str
    name: str
    date_of_birth: date
    phone: str | None

    @classmethod
    def of(cls, patient: Patient) -> PatientSummary:
        return cls(
            id=patient.id,
            public_id=patient.public_id,
            name=patient.name,
            date_of_birth=patient.date_of_birth,
            phone=patient.phone,
        )


def load(db: Session, actor: Actor, public_id: str, *, clinical: bool = False) -> Patient:
    """The patient `public_id` if `actor` may see them (their clinical records if `clinical`).

    Call inside a transaction. Unknown ids raise `NotFound`, others' patients `Forbidden`.
    """
    patient = db.scalar(sa.select(Patient).where(Patient.public_id == public_id))
    if patient is None:
        raise NotFound(msg("There is no such patient."))
    if clinical:
        access.require_clinical_access(actor, patient)
    else:
        access.require_patient_access(actor, patient)
    return patient


def load_by_id(db: Session, actor: Actor, patient_id: int, *, clinical: bool = False) -> Patient:
    """Like `load`, by the internal id (for records that point to a patient)."""
    patient = db.get(Patient, patient_id)
    if patient is None:
        raise NotFound(msg("There is no such patient."))
    if clinical:
        access.require_clinical_access(actor, patient)
    else:
        access.require_patient_access(actor, patient)
    return patient


def get_patient(db: Session, *, actor: Actor, public_id: str, now: datetime) -> PatientSummary:
    with db.begin():
        return PatientSummary.of(load_viewed(db, actor, public_id, now))


def load_viewed(db: Session, actor: Actor, public_id: str, now: datetime) -> Patient:
    """`load`, and the audit row that says the actor viewed the patient (inside the
    caller's transaction)."""
    patient = load(db, actor, public_id)
    audit.record(
        db,
        actor=actor,
        action="patient.view",
        at=now,
        target_type="patient",
        target_id=patient.public_id,
        patient_id=patient.id,
    )
    return patient


def list_patients(
    db: Session, *, actor: Actor, now: datetime, search: str = ""
) -> list[PatientSummary]:
    """The patients of the staff member's clinic, by name; `search` matches part of a name."""
    access.require_role(actor, Role.CLINICIAN, Role.SCHEDULER, Role.ADMIN)
    query = sa.select(Patient).where(Patient.clinic_id == actor.clinic_id)
    if search.strip():
        query = query.where(name_contains(search))
    with db.begin():
        found = db.scalars(query.order_by(Patient.name, Patient.id).limit(MAX_LIST)).all()
        audit.record_views(
            db, actor=actor, action="patient.list", at=now, patient_ids=[p.id for p in found]
        )
        return [PatientSummary.of(p) for p in found]


# A date of birth further back is a typing slip (1850 for 1950).
OLDEST_YEARS = 120


def name_contains(search: str) -> sa.ColumnElement[bool]:
    """Patients whose name holds `search` in any case; the typed text is matched as it
    is (`%` and `_` are letters here, not wildcards)."""
    return sa.func.lower(Patient.name).contains(search.strip().lower(), autoescape=True)


def register_patient(
    db: Session,
    *,
    actor: Actor,
    name: str,
    date_of_birth: date | None,
    phone: str,
    now: datetime,
    user_id: int | None = None,
) -> PatientSummary:
    """Add a patient to the actor's clinic (schedulers and admins)."""
    access.require_role(actor, Role.SCHEDULER, Role.ADMIN)
    errors = []
    if not name.strip():
        errors.append(FieldError("name", msg("Enter the patient's name.")))
    if date_of_birth is None or date_of_birth > now.date():
        errors.append(FieldError("date_of_birth", msg("Enter a date of birth in the past.")))
    elif date_of_birth < now.date().replace(year=now.year - OLDEST_YEARS, day=1):
        errors.append(
            FieldError(
                "date_of_birth",
                msg("Enter a date of birth in the last {years} years.", years=OLDEST_YEARS),
            )
        )
    if phone.strip() and (problem := phone_problem(phone.strip())) is not None:
        errors.append(FieldError("phone", problem))
    if errors:
        raise Invalid(errors)
    assert date_of_birth is not None
    with db.begin():
        # The same name and date of birth in the clinic: most likely the same person, whose
        # second record would split their history and safety answers.
        twin = db.scalar(
            sa.select(Patient.id).where(
                Patient.clinic_id == actor.clinic_id,
                sa.func.lower(Patient.name) == name.strip().lower(),
                Patient.date_of_birth == date_of_birth,
            )
        )
        if twin is not None:
            raise Invalid.one(
                "name",
                msg(
                    "A patient with this name and date of birth is already registered. "
                    "Search for them in the patient list."
                ),
            )
        patient = Patient(
            clinic_id=actor.clinic_id,
            user_id=user_id,
            name=name.strip(),
            date_of_birth=date_of_birth,
            phone=phone.strip() or None,
            created_at=now,
        )
        db.add(patient)
        db.flush()
        audit.record(
            db,
            actor=actor,
            action="patient.register",
            at=now,
            target_type="patient",
            target_id=patient.public_id,
            patient_id=patient.id,
        )
        return PatientSummary.of(patient)
