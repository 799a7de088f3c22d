"""Portal logins of patients: a clinic admin gives a registered patient an account.

A patient registered by the front desk has no user account, so they cannot use the
portal (screening, consent, diary). A clinic admin creates one: a patient account of the
patient's clinic, linked to the patient, with a temporary password that is returned once
(to hand over in person or by phone) and must be changed at the first sign-in, as after
an admin reset (`auth.reset_password`). The audit event names the account and the
patient's number, never the e-mail address or the name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import LoginAttempt, Patient, User
from sijcare.services import access, audit, auth, patients
from sijcare.services import passwords as password_rules
from sijcare.services.actor import Actor
from sijcare.services.auth import AuthConfig, normalize_email
from sijcare.services.errors import Conflict, FieldError, Invalid, msg
from sijcare.settings import LOCALES

# The `user_account.email` column; the pattern is a plain check of the form, not of the
# mailbox (a wrong address shows when the patient cannot sign in).
EMAIL_MAX_LENGTH = 254
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


# Patients with their account's address (None: no login).
_LOGINS = sa.select(
    Patient.id, Patient.public_id, Patient.name, Patient.date_of_birth, Patient.user_id, User.email
).outerjoin(User, User.id == Patient.user_id)


@dataclass(frozen=True)
class PatientLogin:
    """A patient of the clinic and their portal login, if any (`user_id`, `email`)."""

    id: int
    public_id: str
    name: str
    date_of_birth: date
    user_id: int | None
    email: str | None

    @property
    def has_login(self) -> bool:
        return self.user_id is not None


def list_logins(
    db: Session, *, actor: Actor, now: datetime, search: str = ""
) -> list[PatientLogin]:
    """The patients of the admin's clinic with their login, by name (`search`: part of a
    name); as many as the patient list shows."""
    access.require_role(actor, Role.ADMIN)
    query = _LOGINS.where(Patient.clinic_id == actor.clinic_id)
    if search.strip():
        query = query.where(patients.name_contains(search))
    with db.begin():
        rows = db.execute(query.order_by(Patient.name, Patient.id).limit(patients.MAX_LIST)).all()
        found = [_of(row) for row in rows]
        audit.record_views(
            db, actor=actor, action="patient.list", at=now, patient_ids=[p.id for p in found]
        )
    return found


def get_login(db: Session, *, actor: Actor, patient_public_id: str, now: datetime) -> PatientLogin:
    """One patient of the admin's clinic and their login."""
    access.require_role(actor, Role.ADMIN)
    with db.begin():
        patient = patients.load_viewed(db, actor, patient_public_id, now)
        row = db.execute(_LOGINS.where(Patient.id == patient.id)).one()
        return _of(row)


def create_patient_login(
    db: Session,
    *,
    actor: Actor,
    patient_public_id: str,
    email: str,
    now: datetime,
    config: AuthConfig,
    locale: str = "en",
) -> str:
    """Give the patient a portal login (a clinic admin of the patient's clinic).

    Returns the temporary password, once: the patient must choose their own at the first
    sign-in. Raises `Conflict` when the patient already has a login, `Invalid` (field
    `email`) for an address that is not one or is already used, (`locale`) for a language
    that is not offered.
    """
    access.require_role(actor, Role.ADMIN)
    address = normalize_email(email)
    errors = []
    if not address:
        errors.append(FieldError("email", msg("Enter the patient's e-mail address.")))
    elif len(address) > EMAIL_MAX_LENGTH or not _EMAIL.match(address):
        errors.append(FieldError("email", msg("Enter an e-mail address like name@example.org.")))
    if locale not in LOCALES:
        errors.append(FieldError("locale", msg("Choose one of the listed languages.")))
    temporary = password_rules.temporary_password()
    # Hashed before the transaction: argon2's work need not hold the write lock.
    password_hash = config.passwords.hash(temporary)
    try:
        with db.begin():
            patient = patients.load(db, actor, patient_public_id)
            access.require_same_clinic(actor, patient.clinic_id)
            if patient.user_id is not None:
                raise Conflict(msg("This patient already has a portal login."))
            if not errors and db.scalar(sa.select(User.id).where(User.email == address)):
                errors.append(
                    FieldError("email", msg("This e-mail address is already used by an account."))
                )
            if errors:
                raise Invalid(errors)
            user = User(
                clinic_id=patient.clinic_id,
                email=address,
                password_hash=password_hash,
                role=Role.PATIENT,
                display_name=patient.name,
                locale=locale,
                time_zone=None,
                must_change_password=True,
                active=True,
                created_at=now,
                password_changed_at=now,
            )
            db.add(user)
            db.flush()
            patient.user_id = user.id
            # Failed sign-ins with this address before it had an account do not count.
            db.execute(
                sa.delete(LoginAttempt).where(
                    LoginAttempt.email_hash == auth.throttle_key(config, address)
                )
            )
            audit.record(
                db,
                actor=actor,
                action="user.create",
                at=now,
                target_type="user",
                target_id=user.id,
                patient_id=patient.id,
                detail={"role": Role.PATIENT.value},
            )
    except IntegrityError:
        # Another admin gave this patient, or this address, a login at the same moment.
        raise Conflict(
            msg("This patient or this e-mail address was just given a login. Check and try again.")
        ) from None
    return temporary


def _of(row: Sequence[Any]) -> PatientLogin:
    return PatientLogin(
        id=row[0],
        public_id=row[1],
        name=row[2],
        date_of_birth=row[3],
        user_id=row[4],
        email=row[5],
    )
