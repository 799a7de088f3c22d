"""Calendar files (.ics) to download: the patient's whole calendar, or one appointment.

`?detail=minimal|standard|full` picks how much the entries say; without it, the
patient's own choice (see the Reminders page). The words are in the reader's language
and times are written in the clinic's time zone.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.interop.calendar import MEDIA_TYPE
from sijcare.services import calendar
from sijcare.services.errors import Invalid, msg
from sijcare.web import i18n
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.routes.reminders_pages import own_public_id

router = APIRouter(include_in_schema=False)


def reader(ctx: Ctx) -> calendar.Reader:
    return calendar.Reader(ctx.locale, ctx.zone, i18n.translations)


def detail_of(text: str) -> DetailLevel | None:
    """The `detail` query parameter; empty means the patient's own choice."""
    if not text:
        return None
    try:
        return DetailLevel(text)
    except ValueError:
        raise Invalid.one("detail", msg("Choose minimal, standard or full.")) from None


def ics_response(file: calendar.CalendarFile) -> Response:
    return Response(
        file.content,
        media_type=MEDIA_TYPE,
        headers={"content-disposition": f'attachment; filename="{file.filename}"'},
    )


@router.get("/portal/calendar.ics")
def own_calendar(ctx: SignedIn, detail: str = "") -> Response:
    file = calendar.patient_calendar(
        ctx.db,
        actor=ctx.me,
        public_id=own_public_id(ctx),
        knowledge=ctx.platform.knowledge,
        reader=reader(ctx),
        now=ctx.now,
        detail=detail_of(detail),
    )
    return ics_response(file)


@router.get("/appointments/{appointment_id}/calendar.ics")
def appointment_file(appointment_id: int, ctx: SignedIn, detail: str = "") -> Response:
    file = calendar.appointment_calendar(
        ctx.db,
        actor=ctx.me,
        appointment_id=appointment_id,
        knowledge=ctx.platform.knowledge,
        reader=reader(ctx),
        now=ctx.now,
        detail=detail_of(detail),
    )
    return ics_response(file)
