"""Availability pages for schedulers and clinic admins: weekly hours and time off."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import access, availability, directory
from sijcare.services.errors import Invalid, Message, msg
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.forms import FormParser, errors_by_field, read_form
from sijcare.web.navigation import NavLink
from sijcare.web.pages import redirect, render

router = APIRouter(include_in_schema=False)
nav_links = (
    NavLink(
        "/availability",
        msg("Availability"),
        frozenset({Role.SCHEDULER, Role.ADMIN}),
        msg("Weekly hours and time off of each practitioner."),
    ),
)
WEEKDAYS = (
    msg("Monday"),
    msg("Tuesday"),
    msg("Wednesday"),
    msg("Thursday"),
    msg("Friday"),
    msg("Saturday"),
    msg("Sunday"),
)


@router.get("/availability")
def availability_page(ctx: SignedIn, practitioner_id: str = "") -> Response:
    return _page(ctx, practitioner_id, {})


def _page(
    ctx: Ctx,
    practitioner_id: str,
    values: dict[str, str],
    errors: dict[str, Message] | None = None,
    status_code: int = 200,
) -> Response:
    access.require_role(ctx.me, *availability.MANAGERS)
    practitioners = directory.list_practitioners(ctx.db, actor=ctx.me, kind=None)
    context: dict[str, Any] = {
        "practitioners": practitioners,
        "weekdays": WEEKDAYS,
        "schedule": None,
        "values": {"practitioner_id": practitioner_id, "slot_minutes": "30", **values},
        "errors": errors or {},
        "chosen": None,
        "practitioner_options": [(p.id, p.name) for p in practitioners],
        "weekday_options": [(str(n), ctx.text(day)) for n, day in enumerate(WEEKDAYS)],
        "slot_minutes": (availability.MIN_SLOT_MINUTES, availability.MAX_SLOT_MINUTES),
    }
    if practitioner_id.isdigit():
        chosen = directory.get_practitioner(
            ctx.db, actor=ctx.me, practitioner_id=int(practitioner_id)
        )
        context["chosen"] = chosen
        context["schedule"] = availability.schedule_of(
            ctx.db, actor=ctx.me, practitioner_id=chosen.id
        )
        context["places"] = {place.id: place for place in chosen.locations}
        context["location_options"] = [(place.id, place.name) for place in chosen.locations]
    return render(ctx, "availability/index.html", context, status_code=status_code)


@router.post("/availability")
async def add_hours(request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    try:
        hours = _weekly_hours(form)
        availability.add_weekly_hours(ctx.db, actor=ctx.me, hours=hours, now=ctx.now)
    except Invalid as exc:
        return _page(ctx, form.get("practitioner_id", ""), form, errors_by_field(exc.errors), 422)
    return redirect(
        ctx,
        f"/availability?practitioner_id={hours.practitioner_id}",
        notice=msg("The hours are added."),
    )


def _weekly_hours(form: dict[str, str]) -> availability.WeeklyHours:
    """The weekly hours of the form, or `Invalid` naming every bad field."""
    parser = FormParser(form)
    practitioner_id = parser.integer("practitioner_id", msg("Choose a practitioner."))
    location_id = parser.integer("location_id", msg("Choose a location."))
    weekday = parser.integer("weekday", msg("Choose a day of the week."))
    start = parser.clock_time("start_local")
    end = parser.clock_time("end_local")
    minutes = parser.integer("slot_minutes", msg("Enter the length of a slot in minutes."))
    valid_from = parser.day("valid_from")
    valid_to = parser.day("valid_to", required=False)
    parser.check()
    assert practitioner_id is not None and location_id is not None and weekday is not None
    assert start is not None and end is not None and minutes is not None
    assert valid_from is not None
    return availability.WeeklyHours(
        practitioner_id=practitioner_id,
        location_id=location_id,
        weekday=weekday,
        start_local=start,
        end_local=end,
        slot_minutes=minutes,
        valid_from=valid_from,
        valid_to=valid_to,
    )


@router.post("/availability/{availability_id}/delete")
async def remove_hours(availability_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    availability.remove_weekly_hours(
        ctx.db, actor=ctx.me, availability_id=availability_id, now=ctx.now
    )
    return redirect(
        ctx,
        f"/availability?practitioner_id={form.get('practitioner_id', '')}",
        notice=msg("The hours are removed."),
    )


@router.post("/availability/exceptions")
async def add_time_off(request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    parser = FormParser(form)
    practitioner_id = parser.integer("practitioner_id", msg("Choose a practitioner."))
    on_date = parser.day("on_date")
    start = parser.clock_time("off_start", required=False)
    end = parser.clock_time("off_end", required=False)
    reason = parser.text("reason", max_length=200)
    try:
        parser.check()
        assert practitioner_id is not None and on_date is not None
        availability.add_time_off(
            ctx.db,
            actor=ctx.me,
            now=ctx.now,
            time_off=availability.TimeOff(
                practitioner_id=practitioner_id,
                on_date=on_date,
                start_local=start,
                end_local=end,
                reason=reason,
            ),
        )
    except Invalid as exc:
        errors = {
            ("off_end" if k == "end_local" else k): v
            for k, v in errors_by_field(exc.errors).items()
        }
        return _page(ctx, form.get("practitioner_id", ""), form, errors, 422)
    return redirect(
        ctx,
        f"/availability?practitioner_id={practitioner_id}",
        notice=msg("The time off is added."),
    )


@router.post("/availability/exceptions/{exception_id}/delete")
async def remove_time_off(exception_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    availability.remove_time_off(ctx.db, actor=ctx.me, exception_id=exception_id, now=ctx.now)
    return redirect(
        ctx,
        f"/availability?practitioner_id={form.get('practitioner_id', '')}",
        notice=msg("The time off is removed."),
    )
