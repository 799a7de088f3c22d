"""Escalating urgent symptom reports that nobody has acknowledged in time.

A symptom report whose triage disposition is `emergency` or `call_now` (the core's most
urgent ones) is overdue when it is still unacknowledged `escalation.after_minutes`
(knowledge, a clinic rule) after it was sent; the boundary is included. The patient was
told at once whom to call; escalation is the clinic's safety net.

- `overdue(...)`: the overdue reports of the actor's clinic, computed at query time, so
  the inbox can flag them for every clinician of the clinic with no job running.
- `escalate_due(...)`: one round of the escalation job (`sijcare escalation`): each
  overdue report, of any clinic, gets one `symptom_report.escalate` audit event (actor
  `system`), once; a later round skips it. It returns counts only, never patient data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import AuditEvent, Pathway, Patient, SymptomReport
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.triage import Disposition
from sijcare.services import access
from sijcare.services.actor import Actor

URGENT = (Disposition.EMERGENCY.value, Disposition.CALL_NOW.value)
ACTION = "symptom_report.escalate"
RULE = "escalation.after_minutes"


@dataclass(frozen=True)
class Overdue:
    report_id: int
    clinic_id: int
    patient_id: int
    disposition: str
    reported_at: datetime
    minutes_waiting: int


@dataclass(frozen=True)
class RoundReport:
    overdue: int = 0
    escalated: int = 0


def deadline(now: datetime, knowledge: Knowledge) -> datetime:
    """Reports sent at or before this moment are overdue when still unacknowledged."""
    return now - timedelta(minutes=knowledge.integer(RULE))


def _overdue_query(now: datetime, knowledge: Knowledge) -> sa.Select[SymptomReport, Patient]:
    return (
        sa.select(SymptomReport, Patient)
        .join(Pathway, Pathway.id == SymptomReport.pathway_id)
        .join(Patient, Patient.id == Pathway.patient_id)
        .where(
            SymptomReport.acknowledged_at.is_(None),
            SymptomReport.disposition.in_(URGENT),
            SymptomReport.reported_at <= deadline(now, knowledge),
        )
        .order_by(SymptomReport.reported_at, SymptomReport.id)
    )


def _as_overdue(report: SymptomReport, patient: Patient, now: datetime) -> Overdue:
    return Overdue(
        report_id=report.id,
        clinic_id=patient.clinic_id,
        patient_id=patient.id,
        disposition=report.disposition,
        reported_at=report.reported_at,
        minutes_waiting=int((now - report.reported_at).total_seconds() // 60),
    )


def overdue(db: Session, *, actor: Actor, now: datetime, knowledge: Knowledge) -> list[Overdue]:
    """The clinic's overdue urgent reports, oldest first (clinicians).

    Ids and times only; a page that shows a patient's details audits that read itself.
    """
    access.require_role(actor, Role.CLINICIAN)
    query = _overdue_query(now, knowledge).where(Patient.clinic_id == actor.clinic_id)
    with db.begin():
        return [_as_overdue(report, patient, now) for report, patient in db.execute(query)]


def escalate_due(db: Session, *, now: datetime, knowledge: Knowledge) -> RoundReport:
    """Record one escalation event for each overdue report that has none yet."""
    with db.begin():
        rows = db.execute(_overdue_query(now, knowledge)).all()
        done = set(
            db.scalars(
                sa.select(AuditEvent.target_id).where(
                    AuditEvent.action == ACTION, AuditEvent.target_type == "symptom_report"
                )
            )
        )
        fresh = [_as_overdue(r, p, now) for r, p in rows if str(r.id) not in done]
        for item in fresh:
            db.add(_event(item, now))
    return RoundReport(overdue=len(rows), escalated=len(fresh))


def _event(item: Overdue, now: datetime) -> AuditEvent:
    # The job acts for no user: the event names the system as the actor.
    return AuditEvent(
        at=now,
        clinic_id=item.clinic_id,
        actor_user_id=None,
        actor_role="system",
        action=ACTION,
        target_type="symptom_report",
        target_id=str(item.report_id),
        patient_id=item.patient_id,
        ip="",
        user_agent_hash="",
        detail={"disposition": item.disposition, "minutes_waiting": item.minutes_waiting},
    )
