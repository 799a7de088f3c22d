"""Clinic admin pages: user accounts, password resets, and the audit log."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import audit, auth, users
from sijcare.services.errors import FieldError, Invalid, msg
from sijcare.web.deps import SignedIn
from sijcare.web.forms import FormState
from sijcare.web.limits import AUDIT_ACTION_MAX_LENGTH
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
    return render(
        ctx,
        "admin/audit.html",
        {"events": events, "values": query, "query": request.url.query, **FORM_LIMITS},
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
