"""The audit log: every read and write of patient data, written in the caller's transaction.

`record` adds the event to the open transaction, so the event and the change it records
commit or roll back together. `detail` carries identifiers and field names, never a
patient's values (no names, answers or scores). A clinic admin can list and export the
events of their own clinic; both are audited too.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import AuditEvent, User
from sijcare.services import access
from sijcare.services.actor import Actor, Origin

CSV_COLUMNS = (
    "id",
    "at",
    "actor_user_id",
    "actor_role",
    "action",
    "target_type",
    "target_id",
    "patient_id",
    "ip",
    "user_agent_hash",
    "detail",
)
PAGE_SIZE = 100


def record(
    db: Session,
    *,
    actor: Actor,
    action: str,
    at: datetime,
    target_type: str = "",
    target_id: str | int = "",
    patient_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Add one event to the open transaction. `action` is `<thing>.<verb>`, like `appointment.book`."""
    event = Event(actor, action, at, target_type, target_id, patient_id, detail)
    db.add(AuditEvent(**_values(event)))


@dataclass(frozen=True)
class Event:
    """One event of a signed-in actor (the arguments of `record`), for `insert_all`."""

    actor: Actor
    action: str
    at: datetime
    target_type: str = ""
    target_id: str | int = ""
    patient_id: int | None = None
    detail: Mapping[str, Any] | None = None


def insert_all(connection: sa.Connection, events: Sequence[Event]) -> None:
    """`record` of several events as one Core insert now, on the transaction's connection
    (for a write path that loads no ORM objects)."""
    if events:
        connection.execute(_INSERT, [_values(event) for event in events])


_INSERT = sa.insert(AuditEvent)


def _values(event: Event) -> dict[str, Any]:
    actor = event.actor
    return _event(
        at=event.at, action=event.action, clinic_id=actor.clinic_id, user_id=actor.user_id,
        role=actor.role.value, origin=actor.origin, target_type=event.target_type,
        target_id=event.target_id, patient_id=event.patient_id, detail=event.detail,
    )  # fmt: skip


def _event(
    *,
    at: datetime,
    action: str,
    clinic_id: int | None,
    user_id: int | None,
    role: str,
    origin: Origin,
    target_type: str = "",
    target_id: str | int = "",
    patient_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of one audit event: every kind of actor's events are built here."""
    return {
        "at": at,
        "clinic_id": clinic_id,
        "actor_user_id": user_id,
        "actor_role": role,
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id),
        "patient_id": patient_id,
        "ip": origin.ip,
        "user_agent_hash": origin.user_agent_hash,
        "detail": dict(detail or {}),
    }


def record_views(
    db: Session, *, actor: Actor, action: str, at: datetime, patient_ids: Iterable[int]
) -> None:
    """One read event per distinct patient shown on a list page."""
    for patient_id in sorted(set(patient_ids)):
        record(db, actor=actor, action=action, at=at, target_type="patient", patient_id=patient_id)


def record_anonymous(
    db: Session,
    *,
    action: str,
    at: datetime,
    origin: Origin,
    clinic_id: int | None = None,
    user_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """An event with no signed-in actor (a failed or throttled login)."""
    db.add(
        AuditEvent(
            **_event(
                at=at,
                action=action,
                clinic_id=clinic_id,
                user_id=user_id,
                role="anonymous",
                origin=origin,
                detail=detail,
            )  # fmt: skip
        )
    )


def record_system(
    db: Session,
    *,
    action: str,
    at: datetime,
    clinic_id: int | None,
    target_type: str,
    target_id: str | int,
    patient_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """An event of a job that acts for no user (the worker, a re-reading, a loader)."""
    db.add(
        AuditEvent(
            **_event(
                at=at,
                action=action,
                clinic_id=clinic_id,
                user_id=None,
                role="system",
                origin=Origin(),
                target_type=target_type,
                target_id=target_id,
                patient_id=patient_id,
                detail=detail,
            )  # fmt: skip
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show: all fields optional; `until` is excluded."""

    since: datetime | None = None
    until: datetime | None = None
    patient_id: int | None = None
    actor_user_id: int | None = None
    action: str | None = None


def list_events(
    db: Session,
    *,
    actor: Actor,
    now: datetime,
    where: AuditFilter | None = None,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> list[AuditEvent]:
    """The clinic's events, newest first (clinic admin only)."""
    access.require_role(actor, Role.ADMIN)
    where = where or AuditFilter()
    with db.begin():
        events = list(db.scalars(_query(actor, where).limit(limit).offset(offset)))
        record(db, actor=actor, action="audit.view", at=now, detail=_filter_detail(where))
    return events


def user_names(db: Session, *, actor: Actor, events: Sequence[AuditEvent]) -> dict[int, str]:
    """The display names of the events' users of the admin's clinic, by id: an auditor
    reads who did it, not only a number."""
    access.require_role(actor, Role.ADMIN)
    ids = {e.actor_user_id for e in events if e.actor_user_id is not None}
    if not ids:
        return {}
    with db.begin():
        rows = db.execute(
            sa.select(User.id, User.display_name).where(
                User.id.in_(ids), User.clinic_id == actor.clinic_id
            )
        )
        return {user_id: name for user_id, name in rows}


def export_csv(
    db: Session, *, actor: Actor, now: datetime, where: AuditFilter | None = None
) -> str:
    """The clinic's events as CSV (columns `CSV_COLUMNS`, times in UTC ISO 8601), oldest first."""
    access.require_role(actor, Role.ADMIN)
    where = where or AuditFilter()
    with db.begin():
        events = db.scalars(_query(actor, where).order_by(None).order_by(AuditEvent.id)).all()
        record(db, actor=actor, action="audit.export", at=now, detail=_filter_detail(where))
    return events_to_csv(events)


def events_to_csv(events: Sequence[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for event in events:
        writer.writerow(
            [
                event.id,
                event.at.isoformat(),
                "" if event.actor_user_id is None else event.actor_user_id,
                event.actor_role,
                event.action,
                event.target_type,
                event.target_id,
                "" if event.patient_id is None else event.patient_id,
                event.ip,
                event.user_agent_hash,
                json.dumps(event.detail, sort_keys=True),
            ]
        )
    return out.getvalue()


def _query(actor: Actor, where: AuditFilter) -> sa.Select[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.clinic_id == actor.clinic_id)
    if where.since is not None:
        query = query.where(AuditEvent.at >= where.since)
    if where.until is not None:
        query = query.where(AuditEvent.at < where.until)
    if where.patient_id is not None:
        query = query.where(AuditEvent.patient_id == where.patient_id)
    if where.actor_user_id is not None:
        query = query.where(AuditEvent.actor_user_id == where.actor_user_id)
    if where.action:
        query = query.where(AuditEvent.action == where.action)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def _filter_detail(where: AuditFilter) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in vars(where).items()
        if value is not None
    }
