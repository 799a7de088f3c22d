"""Staff pages of the clinic's patients: the list, registering one, a patient's appointments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import access, appointments, patients
from sijcare.services.errors import Invalid, msg
from sijcare.web.deps import SignedIn
from sijcare.web.forms import FormParser, FormState, read_form
from sijcare.web.limits import SEARCH_MAX_LENGTH
from sijcare.web.navigation import NavLink
from sijcare.web.pages import redirect, render

router = APIRouter(include_in_schema=False)
nav_links = (
    NavLink(
        "/patients",
        msg("Patients"),
        frozenset({Role.CLINICIAN, Role.SCHEDULER, Role.ADMIN}),
        msg("Find a patient of the clinic and book for them."),
    ),
)


@router.get("/patients")
def patient_list(ctx: SignedIn, search: str = "") -> Response:
    found = patients.list_patients(ctx.db, actor=ctx.me, now=ctx.now, search=search)
    context = {
        "patients": found,
        "values": {"search": search},
        "search_max_length": SEARCH_MAX_LENGTH,
    }
    return render(ctx, "patients/list.html", context)


@router.get("/patients/new")
def new_patient_page(ctx: SignedIn) -> Response:
    access.require_role(ctx.me, Role.SCHEDULER, Role.ADMIN)
    return render(ctx, "patients/new.html")


@router.post("/patients/new")
async def register_patient(request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    parser = FormParser(form)
    name = parser.text("name", max_length=200)
    born = parser.day("date_of_birth")
    phone = parser.text("phone", max_length=40)
    try:
        parser.check()
        summary = patients.register_patient(
            ctx.db, actor=ctx.me, name=name, date_of_birth=born, phone=phone, now=ctx.now
        )
    except Invalid as exc:
        return render(
            ctx, "patients/new.html", FormState.failed(form, exc).context(), status_code=422
        )
    return redirect(
        ctx, f"/patients/{summary.public_id}/appointments", notice=msg("The patient is registered.")
    )


@router.get("/patients/{patient_id}/appointments")
def patient_appointments(patient_id: str, ctx: SignedIn) -> Response:
    patient = patients.get_patient(ctx.db, actor=ctx.me, public_id=patient_id, now=ctx.now)
    found = appointments.list_for_patient(ctx.db, actor=ctx.me, public_id=patient_id, now=ctx.now)
    context = {"patient": patient, "appointments": found, "now": ctx.now}
    return render(ctx, "patients/appointments.html", context)
