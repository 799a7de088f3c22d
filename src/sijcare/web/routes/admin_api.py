"""The JSON API of the clinic admin: users, password resets, patients' portal logins and
the audit log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import audit, auth, patient_logins, users
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.limits import (
    AUDIT_ACTION_MAX_LENGTH,
    LOCALE_MAX_LENGTH,
    MAX_OFFSET,
    SEARCH_MAX_LENGTH,
    PatientId,
)

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


class UserOut(BaseModel):
    id: int
    email: str
    display_name: str
    role: Role
    active: bool
    must_change_password: bool
    locale: str


class ResetOut(BaseModel):
    user_id: int
    temporary_password: str


class PatientLoginOut(BaseModel):
    patient_id: str = Field(description="The patient's public id, used in addresses")
    number: int = Field(description="The patient's number in the clinic (as in the audit log)")
    name: str
    date_of_birth: date
    user_id: int | None = Field(description="The patient's account; null: no login yet")
    email: str | None

    @classmethod
    def of(cls, found: patient_logins.PatientLogin) -> PatientLoginOut:
        return cls(
            patient_id=found.public_id,
            number=found.id,
            name=found.name,
            date_of_birth=found.date_of_birth,
            user_id=found.user_id,
            email=found.email,
        )


class PatientLoginIn(BaseModel):
    email: str = Field(max_length=patient_logins.EMAIL_MAX_LENGTH)
    locale: str | None = Field(
        None, max_length=LOCALE_MAX_LENGTH, description="en or es; null: the clinic's default"
    )


class PatientLoginCreatedOut(BaseModel):
    patient_id: str
    email: str = Field(description="The address the patient signs in with (lower case)")
    temporary_password: str = Field(description="Shown once; to be changed at first sign-in")


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor_user_id: int | None
    actor_role: str
    action: str
    target_type: str
    target_id: str
    patient_id: int | None
    ip: str
    detail: dict[str, object]


def day_bound(text: str, zone: str, *, end: bool) -> datetime | None:
    """The start of the day `text` (YYYY-MM-DD) in `zone`, or of the next day when `end`."""
    if not text.strip():
        return None
    day = date.fromisoformat(text.strip())
    if end:
        day += timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone))


def csv_response(text: str, now: datetime) -> Response:
    name = f"sijcare-audit-{now.strftime('%Y%m%dT%H%M%SZ')}.csv"
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get("/users", response_model=list[UserOut], responses=errors(401, 403))
def list_users(ctx: SignedIn) -> list[UserOut]:
    """The accounts of the admin's clinic."""
    return [UserOut(**vars(u)) for u in users.list_users(ctx.db, actor=ctx.me, now=ctx.now)]


@router.post(
    "/users/{user_id}/password-reset", response_model=ResetOut, responses=errors(401, 403, 404)
)
def reset_password(user_id: int, ctx: SignedIn) -> ResetOut:
    """Give the user a temporary password, to be changed at their next sign-in."""
    temporary = auth.reset_password(
        ctx.db, actor=ctx.me, user_id=user_id, now=ctx.now, config=ctx.platform.auth
    )
    return ResetOut(user_id=user_id, temporary_password=temporary)


@router.get(
    "/patient-logins", response_model=list[PatientLoginOut], responses=errors(401, 403, 422)
)
def list_patient_logins(
    ctx: SignedIn, search: Annotated[str, Query(max_length=SEARCH_MAX_LENGTH)] = ""
) -> list[PatientLoginOut]:
    """The patients of the admin's clinic and their portal login, if any."""
    found = patient_logins.list_logins(ctx.db, actor=ctx.me, now=ctx.now, search=search)
    return [PatientLoginOut.of(p) for p in found]


@router.post(
    "/patients/{patient_id}/portal-login",
    response_model=PatientLoginCreatedOut,
    status_code=201,
    responses=errors(401, 403, 404, 409, 422),
)
def create_patient_login(
    patient_id: PatientId, body: PatientLoginIn, ctx: SignedIn
) -> PatientLoginCreatedOut:
    """Give a registered patient a portal login with a temporary password (returned once),
    to be changed at their first sign-in. 409 when the patient already has a login."""
    temporary = patient_logins.create_patient_login(
        ctx.db,
        actor=ctx.me,
        patient_public_id=patient_id,
        email=body.email,
        locale=body.locale or ctx.platform.settings.default_locale,
        now=ctx.now,
        config=ctx.platform.auth,
    )
    return PatientLoginCreatedOut(
        patient_id=patient_id, email=auth.normalize_email(body.email), temporary_password=temporary
    )


def _filter(
    ctx: SignedIn,
    since: date | None,
    until: date | None,
    patient_id: int | None,
    action: str | None,
) -> audit.AuditFilter:
    return audit.AuditFilter(
        since=day_bound(since.isoformat(), ctx.zone, end=False) if since else None,
        until=day_bound(until.isoformat(), ctx.zone, end=True) if until else None,
        patient_id=patient_id,
        action=action or None,
    )


@router.get("/audit", response_model=list[AuditEventOut], responses=errors(401, 403, 422))
def list_audit(
    ctx: SignedIn,
    since: date | None = None,
    until: date | None = None,
    patient_id: int | None = None,
    action: Annotated[str | None, Query(max_length=AUDIT_ACTION_MAX_LENGTH)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = audit.PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[AuditEventOut]:
    """The clinic's audit events, newest first. Days are whole days in the admin's zone."""
    where = _filter(ctx, since, until, patient_id, action)
    events = audit.list_events(
        ctx.db, actor=ctx.me, now=ctx.now, where=where, limit=limit, offset=offset
    )
    return [
        AuditEventOut(
            id=e.id,
            at=e.at,
            actor_user_id=e.actor_user_id,
            actor_role=e.actor_role,
            action=e.action,
            target_type=e.target_type,
            target_id=e.target_id,
            patient_id=e.patient_id,
            ip=e.ip,
            detail=e.detail,
        )
        for e in events
    ]


@router.get(
    "/audit.csv",
    responses={
        200: {"content": {"text/csv": {}}, "description": "The events as CSV"},
        **errors(401, 403, 422),
    },
)
def export_audit(
    ctx: SignedIn,
    since: date | None = None,
    until: date | None = None,
    patient_id: int | None = None,
    action: Annotated[str | None, Query(max_length=AUDIT_ACTION_MAX_LENGTH)] = None,
) -> Response:
    """The clinic's audit events as CSV, oldest first (columns: see the developer docs)."""
    where = _filter(ctx, since, until, patient_id, action)
    return csv_response(audit.export_csv(ctx.db, actor=ctx.me, now=ctx.now, where=where), ctx.now)
