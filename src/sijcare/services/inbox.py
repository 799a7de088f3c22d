"""The red-flag inbox: symptom reports that the core's triage did not find expected.

Every report whose disposition is not `expected` stays in the inbox until a clinician
acknowledges it with a note (who, when and the note are kept; a report is never
dropped or deleted). Order: unacknowledged first, then the most urgent (the core's
`URGENCY`: emergency > call_now > call_soon), then the newest.

Stored forms: `SymptomReport.disposition` is the core's `Disposition` value,
`report` is REPORT.json (`sijcare.formats.report`) and `result` the core's `TriageResult`
as JSON (`sijcare.formats.jsonout`): the reasons come from `result["reasons"]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import Pathway, Patient, SymptomReport, User
from sijcare.domain.triage import URGENCY, Disposition
from sijcare.services import access, audit, patients
from sijcare.services.actor import Actor
from sijcare.services.errors import Conflict, Invalid, NotFound, msg

EXPECTED = Disposition.EXPECTED.value
NOTE_MAX = 1000
# Acknowledged reports shown below the open ones, newest first.
ACKNOWLEDGED_SHOWN = 50


@dataclass(frozen=True)
class ReasonView:
    disposition: str
    code: str
    message: str
    rationale: str


@dataclass(frozen=True)
class InboxItem:
    id: int
    patient_public_id: str
    patient_name: str
    pathway_id: int
    procedure_id: int | None
    reported_at: datetime
    disposition: str
    reasons: tuple[ReasonView, ...]
    patient_note: str
    acknowledged_at: datetime | None
    acknowledged_by: str
    acknowledged_note: str

    @property
    def open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def urgency(self) -> int:
        return URGENCY.get(Disposition(self.disposition), 0)


def _clinic_reports(actor: Actor) -> sa.Select[SymptomReport, Patient]:
    return (
        sa.select(SymptomReport, Patient)
        .join(Pathway, Pathway.id == SymptomReport.pathway_id)
        .join(Patient, Patient.id == Pathway.patient_id)
        .where(Patient.clinic_id == actor.clinic_id, SymptomReport.disposition != EXPECTED)
    )


def sort_key(item: InboxItem) -> tuple[bool, int, float, int]:
    """Unacknowledged first, then the most urgent, then the newest."""
    return (not item.open, -item.urgency, -item.reported_at.timestamp(), -item.id)


def count_open(db: Session, *, actor: Actor) -> int:
    """How many red flags of the actor's clinic wait for acknowledgement (clinicians).

    A number only, with no patient in it: not audited.
    """
    if actor.role is not Role.CLINICIAN:
        return 0
    query = _clinic_reports(actor).where(SymptomReport.acknowledged_at.is_(None))
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0)


def list_inbox(db: Session, *, actor: Actor, now: datetime) -> list[InboxItem]:
    """Every open red flag of the clinic, then the latest acknowledged ones (clinicians)."""
    access.require_role(actor, Role.CLINICIAN)
    with db.begin():
        open_rows = db.execute(
            _clinic_reports(actor).where(SymptomReport.acknowledged_at.is_(None))
        ).all()
        done_rows = db.execute(
            _clinic_reports(actor)
            .where(SymptomReport.acknowledged_at.is_not(None))
            .order_by(SymptomReport.reported_at.desc(), SymptomReport.id.desc())
            .limit(ACKNOWLEDGED_SHOWN)
        ).all()
        rows = [*open_rows, *done_rows]
        items = _items(db, rows)
        audit.record_views(
            db,
            actor=actor,
            action="symptom_report.list",
            at=now,
            patient_ids=[p.id for _, p in rows],
        )
    return sorted(items, key=sort_key)


def get_report(db: Session, *, actor: Actor, report_id: int, now: datetime) -> InboxItem:
    with db.begin():
        report, patient = _load(db, actor, report_id)
        audit.record(
            db,
            actor=actor,
            action="symptom_report.view",
            at=now,
            target_type="symptom_report",
            target_id=report.id,
            patient_id=patient.id,
        )
        return _items(db, [(report, patient)])[0]


def acknowledge(
    db: Session, *, actor: Actor, report_id: int, note: str, now: datetime
) -> InboxItem:
    """Acknowledge a report with a note saying what was done (required).

    The same note from the same clinician again (a repeated form) changes nothing; any
    other second acknowledgement conflicts, so the first one is never overwritten.
    """
    note = note.strip()
    with db.begin():
        report, patient = _load(db, actor, report_id)
        if report.acknowledged_at is not None:
            if report.acknowledged_by == actor.user_id and report.acknowledged_note == note:
                return _items(db, [(report, patient)])[0]
            raise Conflict(msg("This report was already acknowledged."))
        if not note:
            raise Invalid.one(
                "note", msg("Write what you did, for example who called the patient.")
            )
        if len(note) > NOTE_MAX:
            raise Invalid.one("note", msg("Use at most {count} characters.", count=NOTE_MAX))
        report.acknowledged_at = now
        report.acknowledged_by = actor.user_id
        report.acknowledged_note = note
        audit.record(
            db,
            actor=actor,
            action="symptom_report.acknowledge",
            at=now,
            target_type="symptom_report",
            target_id=report.id,
            patient_id=patient.id,
            detail={"fields": ["acknowledged_note"]},
        )
        return _items(db, [(report, patient)])[0]


def _load(db: Session, actor: Actor, report_id: int) -> tuple[SymptomReport, Patient]:
    report = db.get(SymptomReport, report_id)
    if report is None:
        raise NotFound(msg("There is no such report."))
    pathway = db.get(Pathway, report.pathway_id)
    assert pathway is not None  # a foreign key
    patient = patients.load_by_id(db, actor, pathway.patient_id, clinical=True)
    access.require_clinician(actor, patient)
    return report, patient


def _items(db: Session, rows: list[Any]) -> list[InboxItem]:
    user_ids = {r.acknowledged_by for r, _ in rows if r.acknowledged_by is not None}
    names = dict(
        db.execute(sa.select(User.id, User.display_name).where(User.id.in_(user_ids))).all()
    )
    return [
        InboxItem(
            id=report.id,
            patient_public_id=patient.public_id,
            patient_name=patient.name,
            pathway_id=report.pathway_id,
            procedure_id=report.procedure_id,
            reported_at=report.reported_at,
            disposition=report.disposition,
            reasons=_reasons(report.result),
            patient_note=str(((report.report or {}).get("symptoms") or {}).get("note") or ""),
            acknowledged_at=report.acknowledged_at,
            acknowledged_by=names.get(report.acknowledged_by or 0, ""),
            acknowledged_note=report.acknowledged_note or "",
        )
        for report, patient in rows
    ]


def _reasons(result: Mapping[str, Any] | None) -> tuple[ReasonView, ...]:
    return tuple(
        ReasonView(
            disposition=str(r.get("disposition", "")),
            code=str(r.get("code", "")),
            message=str(r.get("message", "")),
            rationale=str(r.get("rationale", "")),
        )
        for r in (result or {}).get("reasons", ())
    )
