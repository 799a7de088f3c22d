"""Calendar files (.ics) through the JSON API's addresses, for apps and integrations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.services import calendar
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.limits import PatientId
from sijcare.web.routes.calendar_pages import ics_response, reader

router = APIRouter(prefix="/api/v1", tags=["calendar"])
ICS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "An iCalendar file (RFC 5545)"}
}


@router.get(
    "/patients/{patient_id}/calendar.ics",
    response_class=Response,
    responses={**ICS, **errors(401, 403, 404, 422)},
)
def patient_calendar(
    patient_id: PatientId, ctx: SignedIn, detail: DetailLevel | None = None
) -> Response:
    """The patient's appointments, screening steps and diary prompts (the patient or
    their clinicians); `detail` defaults to the patient's choice."""
    file = calendar.patient_calendar(
        ctx.db,
        actor=ctx.me,
        public_id=patient_id,
        knowledge=ctx.platform.knowledge,
        reader=reader(ctx),
        now=ctx.now,
        detail=detail,
    )
    return ics_response(file)


@router.get(
    "/appointments/{appointment_id}/calendar.ics",
    response_class=Response,
    responses={**ICS, **errors(401, 403, 404, 422)},
)
def appointment_calendar(
    appointment_id: int, ctx: SignedIn, detail: DetailLevel | None = None
) -> Response:
    """One appointment (the patient or their clinic's staff)."""
    file = calendar.appointment_calendar(
        ctx.db,
        actor=ctx.me,
        appointment_id=appointment_id,
        knowledge=ctx.platform.knowledge,
        reader=reader(ctx),
        now=ctx.now,
        detail=detail,
    )
    return ics_response(file)
