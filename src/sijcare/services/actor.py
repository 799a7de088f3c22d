"""Who is acting, and from where: every use case requires one.

`Actor` is a plain value loaded once per request from the session, so services and
templates never hold a live database object for the signed-in user.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

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
    # Through the session, not its connection: it flushes first, so a change to the
    # user made in this transaction is seen.
    row = db.execute(_ACTOR, {"user_id": user_id}).first()
    return None if row is None else actor_of(row, origin)


def actor_columns() -> tuple[Any, ...]:
    """The columns of an `Actor` (see `actor_of`); select them with `with_actor`."""
    return (
        User.id, User.role, User.clinic_id, User.display_name, User.locale,
        sa.func.coalesce(sa.func.nullif(User.time_zone, ""), Clinic.time_zone),
        User.must_change_password, Patient.id, Patient.public_id, Practitioner.id,
        Practitioner.kind,
    )  # fmt: skip


def with_actor(query: sa.Select[Any], user_id: Any) -> sa.Select[Any]:
    """`query` joined to the active user `user_id` and their patient and practitioner
    rows, so that one round trip (run on every request) reads the actor; the actor's
    columns are NULL when the user is missing or inactive."""
    return _with_roles(query.outerjoin(User, (User.id == user_id) & User.active.is_(True)))


def _with_roles(query: sa.Select[Any]) -> sa.Select[Any]:
    return (
        query.outerjoin(Clinic, Clinic.id == User.clinic_id)
        .outerjoin(Patient, Patient.user_id == User.id)
        .outerjoin(Practitioner, Practitioner.user_id == User.id)
    )


def actor_of(row: Sequence[Any], origin: Origin) -> Actor:
    """The `Actor` of a row of `actor_columns`."""
    return Actor(
        user_id=row[0],
        role=row[1],
        clinic_id=row[2],
        display_name=row[3],
        locale=row[4],
        time_zone=row[5],
        must_change_password=row[6],
        patient_id=row[7],
        patient_public_id=row[8],
        practitioner_id=row[9],
        practitioner_kind=row[10],
        origin=origin,
    )


_ACTOR = _with_roles(sa.select(*actor_columns()).select_from(User)).where(
    User.id == sa.bindparam("user_id"), User.active.is_(True)
)
