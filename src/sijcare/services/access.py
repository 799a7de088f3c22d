"""Who may see and change what: the one place that decides access to patient data.

- A patient sees and changes only their own records.
- Staff (clinicians, schedulers, clinic admins) see the patients of their own clinic only.
- Clinical records (screening answers, consent, procedure, diary, triage) are for the
  patient and the clinic's clinicians; schedulers and admins see demographics and
  appointments, not clinical content.
Every check raises `Forbidden`; services call them inside their transaction.
"""

from __future__ import annotations

from sijcare.db.enums import Role
from sijcare.db.models import Patient
from sijcare.services.actor import Actor
from sijcare.services.errors import Forbidden, msg

_REFUSED = msg("You do not have access to this page.")


def can_view_patient(actor: Actor, patient: Patient) -> bool:
    """The patient themself, or staff of the patient's clinic."""
    if actor.role is Role.PATIENT:
        return actor.patient_id == patient.id
    return actor.is_staff and actor.clinic_id == patient.clinic_id


def can_view_clinical(actor: Actor, patient: Patient) -> bool:
    """The patient themself, or a clinician of the patient's clinic."""
    return _clinical(actor, patient.id, patient.clinic_id)


def _clinical(actor: Actor, patient_id: int, clinic_id: int) -> bool:
    if actor.role is Role.PATIENT:
        return actor.patient_id == patient_id
    return actor.role is Role.CLINICIAN and actor.clinic_id == clinic_id


def require_patient_access(actor: Actor, patient: Patient) -> None:
    if not can_view_patient(actor, patient):
        raise Forbidden(_REFUSED)


def require_clinical_access(actor: Actor, patient: Patient) -> None:
    if not can_view_clinical(actor, patient):
        raise Forbidden(_REFUSED)


def require_clinical_access_to(actor: Actor, patient_id: int, clinic_id: int) -> None:
    """`require_clinical_access` for a patient read as ids (a write path with no ORM)."""
    if not _clinical(actor, patient_id, clinic_id):
        raise Forbidden(_REFUSED)


def require_clinician(actor: Actor, patient: Patient) -> None:
    """A clinician of the patient's clinic (not the patient): for sign-offs and decisions."""
    if actor.role is not Role.CLINICIAN or actor.clinic_id != patient.clinic_id:
        raise Forbidden(_REFUSED)


def require_role(actor: Actor, *roles: Role) -> None:
    if actor.role not in roles:
        raise Forbidden(_REFUSED)


def require_same_clinic(actor: Actor, clinic_id: int) -> None:
    if actor.clinic_id != clinic_id:
        raise Forbidden(_REFUSED)
