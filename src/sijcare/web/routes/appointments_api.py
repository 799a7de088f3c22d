"""The JSON API of single appointments: read, move, cancel, record attendance; and a day's
list for staff."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import AwareDatetime, BaseModel, Field

from sijcare.services import appointments, attendance
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.routes.patients_api import AppointmentOut

router = APIRouter(prefix="/api/v1/appointments", tags=["appointments"])


class MoveIn(BaseModel):
    starts_at: AwareDatetime = Field(description="A free slot's start, with its UTC offset")


class CancelIn(BaseModel):
    reason: str = Field("", max_length=500)


class AttendanceIn(BaseModel):
    attended: bool = Field(description="true: the patient came; false: they did not come")


@router.get("", response_model=list[AppointmentOut], responses=errors(401, 403))
def list_appointments(ctx: SignedIn, day: date | None = None) -> list[AppointmentOut]:
    """A patient's own appointments; for staff, the clinic's appointments on `day` (their zone)."""
    actor = ctx.me
    if actor.patient_public_id is not None:
        found = appointments.list_for_patient(
            ctx.db, actor=actor, public_id=actor.patient_public_id, now=ctx.now
        )
    else:
        found = appointments.list_for_day(
            ctx.db, actor=actor, day=day or ctx.today, zone=ctx.zone, now=ctx.now
        )
    return [AppointmentOut.of(a) for a in found]


@router.get("/{appointment_id}", response_model=AppointmentOut, responses=errors(401, 403, 404))
def get_appointment(appointment_id: int, ctx: SignedIn) -> AppointmentOut:
    return AppointmentOut.of(
        appointments.get(ctx.db, actor=ctx.me, appointment_id=appointment_id, now=ctx.now)
    )


@router.post(
    "/{appointment_id}/move",
    response_model=AppointmentOut,
    responses=errors(401, 403, 404, 409, 422),
)
def move(appointment_id: int, body: MoveIn, ctx: SignedIn) -> AppointmentOut:
    """Move to another free slot of the same practitioner and location."""
    return AppointmentOut.of(
        appointments.move(
            ctx.db,
            actor=ctx.me,
            appointment_id=appointment_id,
            starts_at=body.starts_at,
            now=ctx.now,
        )
    )


@router.post(
    "/{appointment_id}/cancel",
    response_model=AppointmentOut,
    responses=errors(401, 403, 404, 409, 422),
)
def cancel(appointment_id: int, body: CancelIn, ctx: SignedIn) -> AppointmentOut:
    return AppointmentOut.of(
        appointments.cancel(
            ctx.db, actor=ctx.me, appointment_id=appointment_id, reason=body.reason, now=ctx.now
        )
    )


@router.post(
    "/{appointment_id}/attendance",
    response_model=AppointmentOut,
    responses=errors(401, 403, 404, 409, 422),
)
def record_attendance(appointment_id: int, body: AttendanceIn, ctx: SignedIn) -> AppointmentOut:
    """Record whether the patient came (staff of their clinic, once it has started): the
    status becomes `completed` or `no_show`. A mistake can be put right the same way."""
    return AppointmentOut.of(
        attendance.record(
            ctx.db,
            actor=ctx.me,
            appointment_id=appointment_id,
            attended=body.attended,
            now=ctx.now,
        )
    )
