"""The JSON API of the clinic admin: users, password resets and the audit log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from pydantic import BaseModel
from starlette.responses import Response

from sijcare.db.enums import Role
from sijcare.services import audit, auth, users
from sijcare.web.api import errors
from sijcare.web.deps import SignedIn
from sijcare.web.limits import AUDIT_ACTION_MAX_LENGTH, MAX_OFFSET

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
