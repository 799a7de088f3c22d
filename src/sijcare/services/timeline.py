"""A patient's timeline: everything that happened on their pathways, in time order.

Built from the records themselves (nothing is stored for it): pathways opened and
closed, appointments booked, held and cancelled, the driver, screening answers and the
clinicians' decisions, consent, the procedure, diary entries (a count per day in the
clinic's time zone), the diary readings and their sign-off, symptom reports and their
acknowledgement. Each event has a `kind` (stable code), its time and a few values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.models import (
    Appointment,
    ClinicianDecision,
    ConsentRecord,
    DiaryEntry,
    Driver,
    Interpretation,
    Pathway,
    Practitioner,
    ProcedureRecord,
    ScreeningResponse,
    SymptomReport,
    User,
)
from sijcare.domain.contact import clinic_zone
from sijcare.domain.knowledge import Knowledge
from sijcare.services import access, audit, patients
from sijcare.services.actor import Actor


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str
    pathway_id: int | None
    values: Mapping[str, Any] = field(default_factory=dict)
    by: str = ""


@dataclass(frozen=True)
class Timeline:
    patient_public_id: str
    patient_name: str
    events: tuple[TimelineEvent, ...]  # oldest first


def patient_timeline(
    db: Session, *, actor: Actor, public_id: str, knowledge: Knowledge, now: datetime
) -> Timeline:
    """The patient's events, oldest first (a clinician of the patient's clinic)."""
    with db.begin():
        patient = patients.load(db, actor, public_id, clinical=True)
        access.require_clinician(actor, patient)
        pathway_rows = db.scalars(sa.select(Pathway).where(Pathway.patient_id == patient.id)).all()
        ids = [p.id for p in pathway_rows]
        names = dict(
            db.execute(
                sa.select(User.id, User.display_name).where(User.clinic_id == patient.clinic_id)
            ).all()
        )
        collected = _Collector(db, ids, names, knowledge)
        events = [
            *collected.pathways(pathway_rows),
            *collected.appointments(patient.id),
            *collected.drivers(),
            *collected.screenings(),
            *collected.decisions(),
            *collected.consents(),
            *collected.procedures(),
            *collected.reports(),
        ]
        events.sort(key=lambda e: (e.at, _ORDER.get(e.kind, 99)))
        audit.record(
            db,
            actor=actor,
            action="timeline.view",
            at=now,
            target_type="patient",
            target_id=patient.public_id,
            patient_id=patient.id,
        )
        return Timeline(patient.public_id, patient.name, tuple(events))


# Events at the same moment, in the order they happen.
_ORDER = {
    "pathway_opened": 0,
    "appointment_booked": 1,
    "screening_submitted": 2,
    "procedure_performed": 3,
    "procedure_documented": 4,
}


@dataclass
class _Collector:
    db: Session
    pathway_ids: list[int]
    names: dict[int, str]
    knowledge: Knowledge

    def who(self, user_id: int | None) -> str:
        return self.names.get(user_id or 0, "")

    def rows(self, model: Any, column: Any) -> list[Any]:
        return list(self.db.scalars(sa.select(model).where(column.in_(self.pathway_ids))).all())

    def pathways(self, rows: Any) -> Iterator[TimelineEvent]:
        for p in rows:
            values = {"side": p.side.value, "kind": p.kind.value}
            yield TimelineEvent(p.opened_at, "pathway_opened", p.id, values, self.who(p.opened_by))
            if p.closed_at is not None:
                yield TimelineEvent(
                    p.closed_at,
                    "pathway_closed",
                    p.id,
                    {"reason": p.close_reason},
                    self.who(p.closed_by),
                )

    def appointments(self, patient_id: int) -> Iterator[TimelineEvent]:
        rows = self.db.execute(
            sa.select(Appointment, Practitioner.name)
            .join(Practitioner, Practitioner.id == Appointment.practitioner_id)
            .where(Appointment.patient_id == patient_id)
        ).all()
        for a, practitioner in rows:
            values = {
                "kind": a.kind.value,
                "mode": a.mode.value,
                "starts_at": a.starts_at,
                "practitioner": practitioner,
                "status": a.status.value,
            }
            yield TimelineEvent(
                a.created_at, "appointment_booked", a.pathway_id, values, self.who(a.created_by)
            )
            yield TimelineEvent(a.starts_at, "appointment", a.pathway_id, values)
            if a.cancelled_at is not None:
                yield TimelineEvent(
                    a.cancelled_at,
                    "appointment_cancelled",
                    a.pathway_id,
                    {**values, "reason": a.cancel_reason},
                    self.who(a.cancelled_by),
                )

    def drivers(self) -> Iterator[TimelineEvent]:
        for d in self.rows(Driver, Driver.pathway_id):
            yield TimelineEvent(
                d.recorded_at, "driver_recorded", d.pathway_id, {}, self.who(d.recorded_by)
            )

    def screenings(self) -> Iterator[TimelineEvent]:
        for r in self.rows(ScreeningResponse, ScreeningResponse.pathway_id):
            if r.submitted_at is None:
                continue
            readiness = str((r.result or {}).get("status", ""))
            yield TimelineEvent(
                r.submitted_at,
                "screening_submitted",
                r.pathway_id,
                {"readiness": readiness, "status": r.status},
                self.who(r.submitted_by),
            )

    def decisions(self) -> Iterator[TimelineEvent]:
        for d in self.rows(ClinicianDecision, ClinicianDecision.pathway_id):
            kind = (
                "finding_reviewed" if d.decision.get("kind") == "reviewed" else "medicine_decision"
            )
            values = {
                "about": d.about,
                "medicine": d.decision.get("medicine", ""),
                "decision": d.decision.get("decision", ""),
                "confirmed_with_prescriber": bool(d.decision.get("confirmed_with_prescriber")),
                "prescriber": d.decision.get("prescriber", ""),
                "note": d.decision.get("note", ""),
            }
            yield TimelineEvent(d.decided_at, kind, d.pathway_id, values, self.who(d.decided_by))

    def consents(self) -> Iterator[TimelineEvent]:
        for c in self.rows(ConsentRecord, ConsentRecord.pathway_id):
            # The language of the page the patient read ("en", "es"); None: not recorded.
            values = {"language": c.language}
            yield TimelineEvent(
                c.agreed_at, "consent_agreed", c.pathway_id, values, self.who(c.agreed_by)
            )
            if c.witnessed_at is not None:
                yield TimelineEvent(
                    c.witnessed_at, "consent_witnessed", c.pathway_id, {}, self.who(c.witnessed_by)
                )

    def procedures(self) -> Iterator[TimelineEvent]:
        for p in self.rows(ProcedureRecord, ProcedureRecord.pathway_id):
            values = {"kind": p.kind.value, "side": p.side.value, "procedure_id": p.id}
            yield TimelineEvent(p.performed_at, "procedure_performed", p.pathway_id, values)
            yield TimelineEvent(
                p.documented_at,
                "procedure_documented",
                p.pathway_id,
                values,
                self.who(p.documented_by),
            )
            yield from self.diary(p)
            yield from self.interpretations(p)

    def diary(self, procedure: ProcedureRecord) -> Iterator[TimelineEvent]:
        zone = clinic_zone(self.knowledge)
        times = self.db.scalars(
            sa.select(DiaryEntry.recorded_at)
            .where(DiaryEntry.procedure_id == procedure.id)
            .order_by(DiaryEntry.recorded_at)
        ).all()
        first: dict[date, datetime] = {}
        counts: Counter[date] = Counter()
        for at in times:
            day = at.astimezone(zone).date()
            first.setdefault(day, at)
            counts[day] += 1
        for day, at in first.items():
            values = {"day": day, "count": counts[day], "procedure_id": procedure.id}
            yield TimelineEvent(at, "diary_entries", procedure.pathway_id, values)

    def interpretations(self, procedure: ProcedureRecord) -> Iterator[TimelineEvent]:
        rows = self.db.scalars(
            sa.select(Interpretation).where(Interpretation.procedure_id == procedure.id)
        ).all()
        for i in rows:
            values = {
                "classification": i.classification,
                "kind": i.kind,
                "procedure_id": procedure.id,
            }
            yield TimelineEvent(
                i.computed_at, "interpretation_computed", procedure.pathway_id, values
            )
            if i.signed_off_at is not None:
                yield TimelineEvent(
                    i.signed_off_at,
                    "interpretation_signed_off",
                    procedure.pathway_id,
                    values,
                    self.who(i.signed_off_by),
                )

    def reports(self) -> Iterator[TimelineEvent]:
        for r in self.rows(SymptomReport, SymptomReport.pathway_id):
            values = {"disposition": r.disposition, "report_id": r.id}
            yield TimelineEvent(
                r.reported_at, "symptom_report", r.pathway_id, values, self.who(r.reported_by)
            )
            if r.acknowledged_at is not None:
                yield TimelineEvent(
                    r.acknowledged_at,
                    "report_acknowledged",
                    r.pathway_id,
                    {**values, "note": r.acknowledged_note or ""},
                    self.who(r.acknowledged_by),
                )
