"""Who is acting, and from where: every use case requires one.

`Actor` is a plain value loaded once per request from the session, so services and
templates never hold a live database object for the signed-in user.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import PractitionerKind, Role
from sijcare.db.models import Clinic, Patient, Practitioner, User

STAFF_ROLES = frozenset({Role.CLINICIAN, Role.SCHEDULER, Role.ADMIN})


@dataclass(frozen=True)
class Origin:
    """Where a request came from, as the audit log records it."""

    ip: str = ""
    user_agent: str = ""

    @property
    def user_agent_hash(self) -> str:
        # The browser string can identify a person; the log keeps only a hash of it.
        if not self.user_agent:
            return ""
        return hashlib.sha256(self.user_agent.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Actor:
    """The signed-in user. `time_zone` is theirs, or their clinic's when they set none."""

    user_id: int
    role: Role
    clinic_id: int
    display_name: str
    locale: str
    time_zone: str
    must_change_password: bool = False
    patient_id: int | None = None
    patient_public_id: str | None = None
    practitioner_id: int | None = None
    practitioner_kind: PractitionerKind | None = None
    origin: Origin = Origin()

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_physician(self) -> bool:
        return self.practitioner_kind is PractitionerKind.PHYSICIAN


def load_actor(db: Session, user_id: int, origin: Origin) -> Actor | None:
    """The actor for an active user, or None. Call inside a transaction."""
    row = db.execute(
        sa.select(User, Clinic.time_zone)
        .join(Clinic, Clinic.id == User.clinic_id)
        .where(User.id == user_id, User.active.is_(True))
    ).first()
    if row is None:
        return None
    user, clinic_zone = row
    patient = db.execute(
        sa.select(Patient.id, Patient.public_id).where(Patient.user_id == user.id)
    ).first()
    practitioner = db.execute(
        sa.select(Practitioner.id, Practitioner.kind).where(Practitioner.user_id == user.id)
    ).first()
    return Actor(
        user_id=user.id,
        role=user.role,
        clinic_id=user.clinic_id,
        display_name=user.display_name,
        locale=user.locale,
        time_zone=user.time_zone or clinic_zone,
        must_change_password=user.must_change_password,
        patient_id=None if patient is None else patient.id,
        patient_public_id=None if patient is None else patient.public_id,
        practitioner_id=None if practitioner is None else practitioner.id,
        practitioner_kind=None if practitioner is None else practitioner.kind,
        origin=origin,
    )
