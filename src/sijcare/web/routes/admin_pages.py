"""Clinic admin pages: user accounts, password resets, patients' portal logins, and the
audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import audit, auth, patient_logins, users
from sijcare.services.errors import Conflict, FieldError, Invalid, msg
from sijcare.settings import LOCALES
from sijcare.web.deps import Ctx, SignedIn
from sijcare.web.forms import FormState, read_form
from sijcare.web.i18n import LOCALE_NAMES
from sijcare.web.limits import AUDIT_ACTION_MAX_LENGTH, SEARCH_MAX_LENGTH
from sijcare.web.navigation import NavLink
from sijcare.web.pages import render
from sijcare.web.routes.admin_api import csv_response, day_bound

router = APIRouter(include_in_schema=False)
# The form's limits match the API's (the browser stops typing at them).
FORM_LIMITS = {"action_max_length": AUDIT_ACTION_MAX_LENGTH}
nav_links = (
    NavLink(
        "/admin/users",
        msg("Users"),
        frozenset({Role.ADMIN}),
        msg("Accounts of the clinic; reset a password."),
    ),
    NavLink(
        "/admin/patient-logins",
        msg("Patient logins"),
        frozenset({Role.ADMIN}),
        msg("Give a registered patient a login to the patient portal."),
    ),
    NavLink(
        "/admin/audit",
        msg("Audit log"),
        frozenset({Role.ADMIN}),
        msg("Who saw or changed patient data, and when; export as CSV."),
    ),
)


@router.get("/admin/users")
def users_page(ctx: SignedIn) -> Response:
    return render(
        ctx, "admin/users.html", {"users": users.list_users(ctx.db, actor=ctx.me, now=ctx.now)}
    )


@router.get("/admin/users/{user_id}/reset-password")
def reset_page(user_id: int, ctx: SignedIn) -> Response:
    user = users.get_user(ctx.db, actor=ctx.me, user_id=user_id)
    return render(ctx, "admin/reset.html", {"user": user})


@router.post("/admin/users/{user_id}/reset-password")
def reset_password(user_id: int, ctx: SignedIn) -> Response:
    user = users.get_user(ctx.db, actor=ctx.me, user_id=user_id)
    temporary = auth.reset_password(
        ctx.db, actor=ctx.me, user_id=user_id, now=ctx.now, config=ctx.platform.auth
    )
    # Shown once, in the answer to the POST; the page is never cached (no-store).
    return render(ctx, "admin/reset.html", {"user": user, "temporary": temporary})


@router.get("/admin/patient-logins")
def patient_logins_page(ctx: SignedIn, search: str = "") -> Response:
    found = patient_logins.list_logins(ctx.db, actor=ctx.me, now=ctx.now, search=search)
    context = {
        "patients": found,
        "values": {"search": search},
        "search_max_length": SEARCH_MAX_LENGTH,
    }
    return render(ctx, "admin/patient_logins.html", context)


def _login_page(
    ctx: Ctx,
    patient_id: str,
    values: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    found = patient_logins.get_login(
        ctx.db, actor=ctx.me, patient_public_id=patient_id, now=ctx.now
    )
    context: dict[str, Any] = {
        "patient": found,
        "values": values
        if values is not None
        else {"locale": ctx.platform.settings.default_locale},
        "errors": {},
        "problem": None,
        "languages": [(code, LOCALE_NAMES[code]) for code in LOCALES],
        "email_max_length": patient_logins.EMAIL_MAX_LENGTH,
        **(extra or {}),
    }
    return render(ctx, "admin/patient_login.html", context, status_code=status_code)


@router.get("/admin/patients/{patient_id}/portal-login")
def patient_login_page(patient_id: str, ctx: SignedIn) -> Response:
    return _login_page(ctx, patient_id)


@router.post("/admin/patients/{patient_id}/portal-login")
async def create_patient_login(patient_id: str, request: Request, ctx: SignedIn) -> Response:
    form = await read_form(request)
    try:
        temporary = patient_logins.create_patient_login(
            ctx.db,
            actor=ctx.me,
            patient_public_id=patient_id,
            email=form.get("email", ""),
            locale=form.get("locale", ""),
            now=ctx.now,
            config=ctx.platform.auth,
        )
    except Invalid as exc:
        return _login_page(ctx, patient_id, form, FormState.failed(form, exc).context(), 422)
    except Conflict as exc:
        return _login_page(ctx, patient_id, form, {"problem": exc.message}, 409)
    # Shown once, in the answer to the POST; the page is never cached (no-store).
    return _login_page(ctx, patient_id, {}, {"temporary": temporary})


@router.get("/admin/audit")
def audit_page(request: Request, ctx: SignedIn) -> Response:
    query = dict(request.query_params)
    try:
        where = _filter_from(query, ctx.zone)
    except Invalid as exc:
        state = FormState.failed(query, exc)
        return render(
            ctx,
            "admin/audit.html",
            {**state.context(), "events": [], "query": "", **FORM_LIMITS},
            status_code=422,
        )
    events = audit.list_events(ctx.db, actor=ctx.me, now=ctx.now, where=where)
    names = audit.user_names(ctx.db, actor=ctx.me, events=events)
    return render(
        ctx,
        "admin/audit.html",
        {
            "events": events,
            "names": names,
            "values": query,
            "query": request.url.query,
            **FORM_LIMITS,
        },
    )


@router.get("/admin/audit.csv")
def audit_csv(request: Request, ctx: SignedIn) -> Response:
    where = _filter_from(dict(request.query_params), ctx.zone)
    return csv_response(audit.export_csv(ctx.db, actor=ctx.me, now=ctx.now, where=where), ctx.now)


def _filter_from(query: dict[str, str], zone: str) -> audit.AuditFilter:
    """The filter of the audit form: dates are whole days in the user's zone."""
    errors: list[FieldError] = []
    bounds: dict[str, datetime | None] = {}
    for name in ("since", "until"):
        try:
            bounds[name] = day_bound(query.get(name, ""), zone, end=name == "until")
        except ValueError:
            bounds[name] = None
            errors.append(FieldError(name, msg("Enter a date like 2026-03-08.")))
    patient = query.get("patient", "").strip()
    if patient and not patient.isdigit():
        errors.append(FieldError("patient", msg("Enter a patient number.")))
    if errors:
        raise Invalid(errors)
    return audit.AuditFilter(
        since=bounds["since"],
        until=bounds["until"],
        patient_id=int(patient) if patient else None,
        action=query.get("action", "").strip() or None,
    )
