"""The JSON API of weekly availability and time off (schedulers and clinic admins)."""

from __future__ import annotations

from datetime import date, time

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from sijcare.services import availability
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.limits import SLOT_MINUTES_MAX, SLOT_MINUTES_MIN

router = APIRouter(prefix="/api/v1/availability", tags=["availability"])


class WeeklyHoursIn(BaseModel):
    practitioner_id: int
    location_id: int
    weekday: int = Field(ge=0, le=6, description="0 = Monday ... 6 = Sunday")
    start_local: time = Field(description="Wall-clock time at the location")
    end_local: time
    # The schema refuses what is never a slot; the service checks its range with the
    # other fields, so every mistake is reported at once.
    slot_minutes: int = Field(
        ge=SLOT_MINUTES_MIN,
        le=SLOT_MINUTES_MAX,
        description=(
            f"Minutes per slot; the service accepts {availability.MIN_SLOT_MINUTES}"
            f" to {availability.MAX_SLOT_MINUTES}"
        ),
    )
    valid_from: date
    valid_to: date | None = None


class WeeklyHoursOut(WeeklyHoursIn):
    id: int


class TimeOffIn(BaseModel):
    practitioner_id: int
    on_date: date
    start_local: time | None = Field(None, description="Leave both times out for the whole day")
    end_local: time | None = None
    reason: str = Field("", max_length=200)


class TimeOffOut(BaseModel):
    id: int
    practitioner_id: int
    on_date: date
    all_day: bool
    start_local: time | None
    end_local: time | None
    reason: str


class ScheduleOut(BaseModel):
    rules: list[WeeklyHoursOut]
    exceptions: list[TimeOffOut]


def _rule_out(rule: object) -> WeeklyHoursOut:
    return WeeklyHoursOut.model_validate(rule, from_attributes=True)


@router.get("", response_model=ScheduleOut, responses=errors(401, 403, 404))
def schedule(practitioner_id: int, ctx: SignedIn) -> ScheduleOut:
    """A practitioner's weekly hours and time off."""
    found = availability.schedule_of(ctx.db, actor=ctx.me, practitioner_id=practitioner_id)
    return ScheduleOut(
        rules=[_rule_out(r) for r in found.rules],
        exceptions=[TimeOffOut.model_validate(e, from_attributes=True) for e in found.exceptions],
    )


@router.post(
    "", response_model=WeeklyHoursOut, status_code=201, responses=errors(401, 403, 404, 422)
)
def add_hours(body: WeeklyHoursIn, ctx: SignedIn) -> WeeklyHoursOut:
    rule = availability.add_weekly_hours(
        ctx.db, actor=ctx.me, hours=availability.WeeklyHours(**body.model_dump()), now=ctx.now
    )
    return _rule_out(rule)


@router.delete("/{availability_id}", status_code=204, responses=errors(401, 403, 404))
def remove_hours(availability_id: int, ctx: SignedIn) -> Response:
    availability.remove_weekly_hours(
        ctx.db, actor=ctx.me, availability_id=availability_id, now=ctx.now
    )
    return Response(status_code=204)


@router.post(
    "/exceptions", response_model=TimeOffOut, status_code=201, responses=errors(401, 403, 404, 422)
)
def add_time_off(body: TimeOffIn, ctx: SignedIn) -> TimeOffOut:
    exception = availability.add_time_off(
        ctx.db, actor=ctx.me, time_off=availability.TimeOff(**body.model_dump()), now=ctx.now
    )
    return TimeOffOut.model_validate(exception, from_attributes=True)


@router.delete("/exceptions/{exception_id}", status_code=204, responses=errors(401, 403, 404))
def remove_time_off(exception_id: int, ctx: SignedIn) -> Response:
    availability.remove_time_off(ctx.db, actor=ctx.me, exception_id=exception_id, now=ctx.now)
    return Response(status_code=204)
