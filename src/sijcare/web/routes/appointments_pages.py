"""Appointment pages: a day's list (staff) or one's own (patients), booking, moving, cancelling,
and recording whether the patient came (staff, once the appointment has started).

Booking works without JavaScript in two steps: a GET form picks the physician, place,
kind and week and lists the free times; a POST form books the chosen time. That form
carries a one-time `form_token`, so pressing "Book" twice books once.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import groupby
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.responses import Response

from sijcare.db.enums import AppointmentKind, AppointmentMode, Role
from sijcare.services import access, appointments, attendance, directory, free_times, patients
from sijcare.services.actor import STAFF_ROLES
from sijcare.services.errors import Conflict, Invalid, Message, msg
from sijcare.services.slots import Slot
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.forms import FormParser, errors_by_field, new_form_token, read_form
from sijcare.web.navigation import NavLink
from sijcare.web.pages import redirect, render

router = APIRouter(include_in_schema=False)
nav_links = (
    NavLink(
        "/appointments",
        msg("Appointments"),
        frozenset(Role),
        msg("Upcoming appointments; book, move or cancel one."),
    ),
)
DAYS_SHOWN = 7
_CHOOSE_TIME = msg("Choose one of the free times.")


def _first_day(ctx: Ctx, raw: str | None) -> date:
    try:
        return max(date.fromisoformat(raw or ""), ctx.today)
    except ValueError:
        return ctx.today


def _by_day(found: list[Slot], zone: str) -> list[tuple[date, list[Slot]]]:
    tz = ZoneInfo(zone)
    return [
        (day, list(group))
        for day, group in groupby(found, key=lambda s: s.starts_at.astimezone(tz).date())
    ]


@router.get("/appointments")
def appointment_list(ctx: SignedIn, day: str = "") -> Response:
    actor = ctx.me
    if actor.patient_public_id is not None:
        found = appointments.list_for_patient(
            ctx.db, actor=actor, public_id=actor.patient_public_id, now=ctx.now
        )
        return render(ctx, "appointments/mine.html", {"appointments": found, "now": ctx.now})
    chosen = _first_day(ctx, day) if day else ctx.today
    found = appointments.list_for_day(ctx.db, actor=actor, day=chosen, zone=ctx.zone, now=ctx.now)
    return render(
        ctx,
        "appointments/day.html",
        {
            "appointments": found,
            "now": ctx.now,
            "day": chosen,
            "previous": (chosen - timedelta(days=1)).isoformat(),
            "next": (chosen + timedelta(days=1)).isoformat(),
        },
    )


@router.get("/patients/{patient_id}/appointments/new")
def booking_page(patient_id: str, request: Request, ctx: SignedIn) -> Response:
    return _booking_page(ctx, patient_id, dict(request.query_params))


def _booking_page(
    ctx: Ctx,
    public_id: str,
    values: dict[str, str],
    errors: dict[str, Message] | None = None,
    status_code: int = 200,
) -> Response:
    patient = patients.get_patient(ctx.db, actor=ctx.me, public_id=public_id, now=ctx.now)
    physicians = directory.list_practitioners(ctx.db, actor=ctx.me)
    places = directory.locations(ctx.db, actor=ctx.me)
    values = {"kind": "follow_up", "mode": "in_person", **values}
    first = _first_day(ctx, values.get("from"))
    context: dict[str, Any] = {
        "patient": patient,
        "physicians": physicians,
        "places": places,
        "values": values,
        "errors": errors or {},
        "first_day": first,
        "days": [],
        "form_token": new_form_token(),
        "earlier": (first - timedelta(days=DAYS_SHOWN)).isoformat() if first > ctx.today else None,
        "later": (first + timedelta(days=DAYS_SHOWN)).isoformat(),
        # More than one open pathway (both joints): a procedure says which it is for.
        "pathways": appointments.open_pathways(ctx.db, actor=ctx.me, public_id=public_id),
        "physician_options": [(p.id, p.name) for p in physicians],
        "place_options": [(p.id, p.name) for p in places],
        "query_for": lambda day: urlencode({**_choice(values), "from": day}),
    }
    practitioner = values.get("practitioner_id", "")
    location = values.get("location_id", "")
    # "Show free times" sent without a choice: say what is missing (the first visit, with
    # neither field in the address, asks nothing yet).
    missing = {
        "practitioner_id": msg("Choose a physician."),
        "location_id": msg("Choose a location."),
    }
    if "practitioner_id" in values or "location_id" in values:
        context["errors"] = {
            **{name: m for name, m in missing.items() if not values.get(name)},
            **context["errors"],
        }
    chosen = next((p for p in physicians if str(p.id) == practitioner), None)
    if values.get("mode") == "virtual" and chosen is not None and not chosen.accepts_virtual:
        # Refused at booking anyway: say it before offering times.
        context["errors"] = {
            "mode": msg("This practitioner does not offer virtual visits."),
            **context["errors"],
        }
    elif practitioner.isdigit() and location.isdigit():
        try:
            found = free_times.free_slots(
                ctx.db,
                actor=ctx.me,
                practitioner_id=int(practitioner),
                location_id=int(location),
                first_day=first,
                days=DAYS_SHOWN,
                now=ctx.now,
            )
        except Invalid as exc:
            context["errors"] = {**errors_by_field(exc.errors), **context["errors"]}
        else:
            zone = next(p.time_zone for p in places if p.id == int(location))
            context.update(days=_by_day(found, zone), slot_zone=zone)
    return render(ctx, "appointments/new.html", context, status_code=status_code)


def _choice(values: dict[str, str]) -> dict[str, str]:
    keys = ("kind", "mode", "practitioner_id", "location_id", "pathway_id")
    return {key: values[key] for key in keys if key in values}


@router.post("/patients/{patient_id}/appointments")
async def book(patient_id: str, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    parser = FormParser(form)
    practitioner_id = parser.integer("practitioner_id", msg("Choose a physician."))
    location_id = parser.integer("location_id", msg("Choose a location."))
    kind = parser.choice("kind", AppointmentKind, msg("Choose what the appointment is for."))
    mode = parser.choice("mode", AppointmentMode, msg("Choose in person or virtual."))
    starts_at = parser.moment("starts_at", _CHOOSE_TIME)
    pathway_id = (
        parser.integer("pathway_id", msg("Choose the care pathway this procedure is for."))
        if form.get("pathway_id")
        else None
    )
    try:
        parser.check()
        assert (
            practitioner_id is not None and location_id is not None and kind and mode and starts_at
        )
        booked = appointments.book(
            ctx.db,
            actor=ctx.me,
            public_id=patient_id,
            now=ctx.now,
            request=appointments.BookingRequest(
                practitioner_id=practitioner_id,
                location_id=location_id,
                starts_at=starts_at,
                kind=kind,
                mode=mode,
                pathway_id=pathway_id if kind is AppointmentKind.PROCEDURE else None,
                note=form.get("note", ""),
                idempotency_key=form.get("form_token") or None,
            ),
        )
    except Invalid as exc:
        return _booking_page(ctx, patient_id, form, errors_by_field(exc.errors), 422)
    return redirect(ctx, f"/appointments/{booked.id}", notice=msg("The appointment is booked."))


@router.get("/appointments/{appointment_id}")
def appointment_page(appointment_id: int, ctx: SignedIn) -> Response:
    return _appointment_page(ctx, appointment_id)


def _appointment_page(
    ctx: Ctx, appointment_id: int, problem: Message | None = None, status_code: int = 200
) -> Response:
    found = appointments.get(ctx.db, actor=ctx.me, appointment_id=appointment_id, now=ctx.now)
    context = {
        "appointment": found,
        "now": ctx.now,
        "problem": problem,
        "attendance_choices": attendance.choices(
            ctx.db, actor=ctx.me, appointment=found, now=ctx.now
        ),
    }
    return render(ctx, "appointments/detail.html", context, status_code=status_code)


@router.get("/appointments/{appointment_id}/move")
def move_page(appointment_id: int, ctx: SignedIn, request: Request) -> Response:
    return _move_page(ctx, appointment_id, dict(request.query_params))


def _move_page(
    ctx: Ctx,
    appointment_id: int,
    values: dict[str, str],
    errors: dict[str, Message] | None = None,
    status_code: int = 200,
) -> Response:
    found = appointments.get(ctx.db, actor=ctx.me, appointment_id=appointment_id, now=ctx.now)
    problem = appointments.unchangeable(found.status, found.starts_at, ctx.now)
    if problem is not None:
        # Cancelled, done or under way: no times to offer; the appointment's page says why.
        return redirect(ctx, f"/appointments/{appointment_id}", notice=problem)
    first = _first_day(ctx, values.get("from"))
    free = free_times.free_slots(
        ctx.db,
        actor=ctx.me,
        practitioner_id=found.practitioner_id,
        location_id=found.location_id,
        first_day=first,
        days=DAYS_SHOWN,
        now=ctx.now,
    )
    return render(
        ctx,
        "appointments/move.html",
        {
            "appointment": found,
            "days": _by_day(free, found.location_time_zone),
            "slot_zone": found.location_time_zone,
            "values": values,
            "errors": errors or {},
            "earlier": (first - timedelta(days=DAYS_SHOWN)).isoformat()
            if first > ctx.today
            else None,
            "later": (first + timedelta(days=DAYS_SHOWN)).isoformat(),
        },
        status_code=status_code,
    )


@router.post("/appointments/{appointment_id}/move")
async def move(appointment_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    parser = FormParser(form)
    starts_at = parser.moment("starts_at", _CHOOSE_TIME)
    try:
        parser.check()
        assert starts_at is not None
        appointments.move(
            ctx.db, actor=ctx.me, appointment_id=appointment_id, starts_at=starts_at, now=ctx.now
        )
    except Invalid as exc:
        return _move_page(ctx, appointment_id, form, errors_by_field(exc.errors), 422)
    except Conflict as exc:
        # The time was taken meanwhile: choose another (the page shows the times free
        # now); an appointment that can no longer move goes back to its page.
        return _move_page(ctx, appointment_id, form, {"starts_at": exc.message}, 409)
    return redirect(ctx, f"/appointments/{appointment_id}", notice=msg("The appointment is moved."))


@router.post("/appointments/{appointment_id}/cancel")
async def cancel(appointment_id: int, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    appointments.cancel(
        ctx.db,
        actor=ctx.me,
        appointment_id=appointment_id,
        reason=form.get("reason", ""),
        now=ctx.now,
    )
    return redirect(
        ctx, f"/appointments/{appointment_id}", notice=msg("The appointment is cancelled.")
    )


_ATTENDED = {"yes": True, "no": False}


@router.post("/appointments/{appointment_id}/attendance")
async def record_attendance(appointment_id: int, request: Request, ctx: SignedIn) -> Response:
    # Staff only, before the form is read: a patient learns nothing from a bad answer.
    access.require_role(ctx.me, *STAFF_ROLES)
    form = await read_form(request)
    attended = _ATTENDED.get(form.get("attended", ""))
    try:
        if attended is None:
            raise Invalid.one("attended", msg("Choose whether the patient came."))
        found = attendance.record(
            ctx.db, actor=ctx.me, appointment_id=appointment_id, attended=attended, now=ctx.now
        )
    except Invalid as exc:
        return _appointment_page(ctx, appointment_id, exc.errors[0].message, 422)
    except Conflict as exc:
        # Cancelled, not started or documented: its page shows it as it is, and why.
        return _appointment_page(ctx, appointment_id, exc.message, 409)
    notice = (
        msg("Recorded: the patient came.")
        if attended
        else msg("Recorded: the patient did not come.")
    )
    back = (
        f"/appointments/{found.id}"
        if form.get("back") == "appointment"
        else f"/patients/{found.patient_public_id}/appointments"
    )
    return redirect(ctx, back, notice=notice)
