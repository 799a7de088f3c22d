"""The JSON API of a clinic's patients and of their appointments."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from sijcare.db.enums import AppointmentKind, AppointmentMode, AppointmentStatus
from sijcare.services import appointments, patients
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.limits import SEARCH_MAX_LENGTH, PatientId

router = APIRouter(prefix="/api/v1", tags=["patients", "appointments"])


class PatientOut(BaseModel):
    id: str = Field(description="The patient's public id, used in addresses")
    number: int = Field(description="The patient's number in the clinic (as in the audit log)")
    name: str
    date_of_birth: date
    phone: str | None

    @classmethod
    def of(cls, summary: patients.PatientSummary) -> PatientOut:
        return cls(
            id=summary.public_id,
            number=summary.id,
            name=summary.name,
            date_of_birth=summary.date_of_birth,
            phone=summary.phone,
        )


class PatientIn(BaseModel):
    name: str = Field(max_length=200)
    date_of_birth: date
    phone: str = Field("", max_length=40)


class AppointmentOut(BaseModel):
    id: int
    patient_id: str
    patient_name: str
    practitioner_id: int
    practitioner_name: str
    location_id: int
    location_name: str
    time_zone: str = Field(description="The location's time zone")
    room: str | None
    kind: AppointmentKind
    mode: AppointmentMode
    status: AppointmentStatus
    starts_at: datetime
    ends_at: datetime
    pathway_id: int | None
    note: str
    cancel_reason: str

    @classmethod
    def of(cls, view: appointments.AppointmentView) -> AppointmentOut:
        return cls(
            id=view.id,
            patient_id=view.patient_public_id,
            patient_name=view.patient_name,
            practitioner_id=view.practitioner_id,
            practitioner_name=view.practitioner_name,
            location_id=view.location_id,
            location_name=view.location_name,
            time_zone=view.location_time_zone,
            room=view.room_name,
            kind=view.kind,
            mode=view.mode,
            status=view.status,
            starts_at=view.starts_at,
            ends_at=view.ends_at,
            pathway_id=view.pathway_id,
            note=view.note,
            cancel_reason=view.cancel_reason,
        )


class BookingIn(BaseModel):
    practitioner_id: int
    location_id: int
    starts_at: AwareDatetime = Field(description="A free slot's start, with its UTC offset")
    kind: AppointmentKind
    mode: AppointmentMode = AppointmentMode.IN_PERSON
    pathway_id: int | None = None
    note: str = Field("", max_length=500)
    idempotency_key: str | None = Field(
        None, max_length=64, description="The same key twice books once (a repeated request)"
    )


@router.get("/patients", response_model=list[PatientOut], responses=errors(401, 403))
def list_patients(
    ctx: SignedIn, search: Annotated[str, Query(max_length=SEARCH_MAX_LENGTH)] = ""
) -> list[PatientOut]:
    """The patients of the staff member's clinic."""
    return [
        PatientOut.of(p)
        for p in patients.list_patients(ctx.db, actor=ctx.me, now=ctx.now, search=search)
    ]


@router.post(
    "/patients", response_model=PatientOut, status_code=201, responses=errors(401, 403, 422)
)
def register_patient(body: PatientIn, ctx: SignedIn) -> PatientOut:
    """Add a patient to the clinic (schedulers and clinic admins)."""
    return PatientOut.of(
        patients.register_patient(
            ctx.db,
            actor=ctx.me,
            name=body.name,
            date_of_birth=body.date_of_birth,
            phone=body.phone,
            now=ctx.now,
        )
    )


@router.get("/patients/{patient_id}", response_model=PatientOut, responses=errors(401, 403, 404))
def get_patient(patient_id: PatientId, ctx: SignedIn) -> PatientOut:
    return PatientOut.of(
        patients.get_patient(ctx.db, actor=ctx.me, public_id=patient_id, now=ctx.now)
    )


@router.get(
    "/patients/{patient_id}/appointments",
    response_model=list[AppointmentOut],
    responses=errors(401, 403, 404),
)
def patient_appointments(patient_id: PatientId, ctx: SignedIn) -> list[AppointmentOut]:
    found = appointments.list_for_patient(ctx.db, actor=ctx.me, public_id=patient_id, now=ctx.now)
    return [AppointmentOut.of(a) for a in found]


@router.post(
    "/patients/{patient_id}/appointments",
    response_model=AppointmentOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 422),
)
def book(patient_id: PatientId, body: BookingIn, ctx: SignedIn) -> AppointmentOut:
    """Book a free slot for the patient (the patient themself, or staff of their clinic)."""
    request = appointments.BookingRequest(**body.model_dump())
    return AppointmentOut.of(
        appointments.book(ctx.db, actor=ctx.me, public_id=patient_id, request=request, now=ctx.now)
    )
