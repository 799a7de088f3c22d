"""The outbox as people see it: the clinic's messages for staff, a patient's own.

Bodies are not shown, only what tells whether a reminder went out: the subject, when it
was due, its status, the attempts, the mail server's answer or the last error. Cancelled
messages are left out unless asked for. Every list is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import OutboxMessage, Patient
from sijcare.db.models.outbox_message import OutboxStatus, ReminderKind
from sijcare.services import access, audit, patients
from sijcare.services.actor import Actor

MAX_LIST = 200


@dataclass(frozen=True)
class OutboxRow:
    """A message as a status page shows it (no body)."""

    id: int
    patient_id: int
    patient_public_id: str
    patient_name: str
    kind: ReminderKind
    to_address: str
    subject: str
    due_at: datetime
    status: OutboxStatus
    attempts: int
    last_attempt_at: datetime | None
    last_error: str
    result: str
    sent_at: datetime | None
    reason: str


def list_outbox(
    db: Session,
    *,
    actor: Actor,
    now: datetime,
    status: OutboxStatus | None = None,
    limit: int = MAX_LIST,
) -> list[OutboxRow]:
    """The clinic's messages, the most recently due first (staff of the clinic); all but
    the cancelled ones unless `status` asks for them."""
    access.require_role(actor, Role.CLINICIAN, Role.SCHEDULER, Role.ADMIN)
    query = _rows_query().where(OutboxMessage.clinic_id == actor.clinic_id)
    if status is None:
        query = query.where(OutboxMessage.status != OutboxStatus.CANCELLED)
    else:
        query = query.where(OutboxMessage.status == status)
    with db.begin():
        rows = [_row(m, p) for m, p in db.execute(query.limit(limit)).all()]
        audit.record_views(
            db, actor=actor, action="outbox.list", at=now, patient_ids=[r.patient_id for r in rows]
        )
    return rows


def list_for_patient(
    db: Session, *, actor: Actor, public_id: str, now: datetime, limit: int = 50
) -> list[OutboxRow]:
    """The patient's own messages, the most recently due first (the patient or staff)."""
    with db.begin():
        patient = patients.load(db, actor, public_id)
        query = _rows_query().where(
            OutboxMessage.patient_id == patient.id,
            OutboxMessage.status != OutboxStatus.CANCELLED,
            # Escalation e-mails went to the staff, not to the patient.
            OutboxMessage.kind != ReminderKind.ESCALATION,
        )
        rows = [_row(m, p) for m, p in db.execute(query.limit(limit)).all()]
        audit.record(
            db,
            actor=actor,
            action="outbox.patient_list",
            at=now,
            target_type="patient",
            target_id=patient.public_id,
            patient_id=patient.id,
        )
    return rows


def _rows_query() -> sa.Select[OutboxMessage, Patient]:
    return (
        sa.select(OutboxMessage, Patient)
        .join(Patient, Patient.id == OutboxMessage.patient_id)
        .order_by(OutboxMessage.due_at.desc(), OutboxMessage.id.desc())
    )


def _row(message: OutboxMessage, patient: Patient) -> OutboxRow:
    return OutboxRow(
        id=message.id,
        patient_id=patient.id,
        patient_public_id=patient.public_id,
        patient_name=patient.name,
        kind=message.kind,
        to_address=message.to_address,
        subject=message.subject,
        due_at=message.due_at,
        status=message.status,
        attempts=message.attempts,
        last_attempt_at=message.last_attempt_at,
        last_error=message.last_error,
        result=message.result,
        sent_at=message.sent_at,
        reason=message.reason,
    )
