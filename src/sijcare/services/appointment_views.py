"""Appointments as pages and the API show them: with the names of who, where and which room."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentKind, AppointmentMode, AppointmentStatus
from sijcare.db.models import Appointment, Location, Patient, Practitioner, Room


@dataclass(frozen=True)
class AppointmentView:
    """An appointment with the names a page shows. Times are UTC."""

    id: int
    patient_id: int
    patient_public_id: str
    patient_name: str
    practitioner_id: int
    practitioner_name: str
    location_id: int
    location_name: str
    location_address: str
    location_time_zone: str
    room_name: str | None
    kind: AppointmentKind
    mode: AppointmentMode
    status: AppointmentStatus
    starts_at: datetime
    ends_at: datetime
    pathway_id: int | None
    note: str
    cancel_reason: str

    def zone(self, viewer_zone: str) -> str:
        """The zone to show it in: the location's in person, the viewer's when virtual."""
        return self.location_time_zone if self.mode is AppointmentMode.IN_PERSON else viewer_zone

    def attendance_due(self, now: datetime) -> bool:
        """Booked and started: nobody has recorded yet whether the patient came."""
        return self.status is AppointmentStatus.BOOKED and self.starts_at <= now


def views(db: Session, appointments: list[Appointment]) -> list[AppointmentView]:
    if not appointments:
        return []
    ids = {a.id for a in appointments}
    rows = db.execute(
        sa.select(Appointment, Patient, Practitioner, Location, Room.name)
        .join(Patient, Patient.id == Appointment.patient_id)
        .join(Practitioner, Practitioner.id == Appointment.practitioner_id)
        .join(Location, Location.id == Appointment.location_id)
        .outerjoin(Room, Room.id == Appointment.room_id)
        .where(Appointment.id.in_(ids))
    ).all()
    by_id = {row[0].id: row for row in rows}
    return [_view(*by_id[a.id]) for a in appointments]


def _view(
    a: Appointment,
    patient: Patient,
    practitioner: Practitioner,
    location: Location,
    room: str | None,
) -> AppointmentView:
    return AppointmentView(
        id=a.id,
        patient_id=patient.id,
        patient_public_id=patient.public_id,
        patient_name=patient.name,
        practitioner_id=practitioner.id,
        practitioner_name=practitioner.name,
        location_id=location.id,
        location_name=location.name,
        location_address=location.address,
        location_time_zone=location.time_zone,
        room_name=room,
        kind=a.kind,
        mode=a.mode,
        status=a.status,
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        pathway_id=a.pathway_id,
        note=a.note,
        cancel_reason=a.cancel_reason,
    )
