"""The fixed sets of values the database stores (each becomes a CHECK constraint).

Joint side and procedure kind come from the core (`sijcare.domain.procedure`).
"""

from __future__ import annotations

from enum import StrEnum

from sijcare.domain.procedure import Kind, Side

__all__ = [
    "AppointmentKind",
    "AppointmentMode",
    "AppointmentStatus",
    "Kind",
    "PathwayStatus",
    "PractitionerKind",
    "Role",
    "Side",
]


class Role(StrEnum):
    """What a user account may do. Clinicians are physicians or nurses (see Practitioner)."""

    PATIENT = "patient"
    CLINICIAN = "clinician"
    SCHEDULER = "scheduler"
    ADMIN = "admin"


class PractitionerKind(StrEnum):
    PHYSICIAN = "physician"
    NURSE = "nurse"


class AppointmentKind(StrEnum):
    PROCEDURE = "procedure"
    FOLLOW_UP = "follow_up"


class AppointmentMode(StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"


class AppointmentStatus(StrEnum):
    """Booked until it is cancelled, or until its time has passed and staff record whether
    the patient came: completed (attended; documenting an injection completes its
    appointment) or no_show (did not come)."""

    BOOKED = "booked"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"


class PathwayStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"
