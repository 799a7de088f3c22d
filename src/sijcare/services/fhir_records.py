"""Gathering a patient's records for the FHIR export (`sijcare.services.fhir`).

`gather` reads, inside the caller's transaction (after its access check), every pathway
of the patient with its plan, bookings, driver, screening submissions, review notes and
medicine decisions, consents, procedure, diary, newest diary reading and symptom
reports; the practitioners and places they name; the next step (computed as the
workspace does, when a payer is given); and, when asked, the audit log of the patient.
It returns the plain records of `sijcare.interop.fhir.records`: the mapping never sees
the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentKind
from sijcare.db.models import (
    Appointment,
    AuditEvent,
    Clinic,
    ClinicianDecision,
    ConsentRecord,
    Driver,
    Location,
    Pathway,
    Patient,
    Practitioner,
    ProcedureRecord,
    ScreeningResponse,
    SymptomReport,
    User,
)
from sijcare.domain.contact import clinic_zone
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.next_steps import recommend_next_step
from sijcare.interop.fhir import records as r
from sijcare.services import diary, injection_plan, plans, procedures, screening, screening_review
from sijcare.services.errors import ServiceError


def gather(
    db: Session,
    patient: Patient,
    knowledge: Knowledge,
    now: datetime,
    *,
    include_audit: bool,
    payer: str | None,
    for_patient: bool,
) -> r.PathwayExport:
    """The patient's records (see the module docstring); call inside a transaction."""
    clinic = db.get(Clinic, patient.clinic_id)
    assert clinic is not None  # a foreign key
    people = _People(db, patient)
    rows = db.scalars(
        sa.select(Pathway)
        .where(Pathway.patient_id == patient.id)
        .order_by(Pathway.opened_at, Pathway.id)
    ).all()
    bookings = db.scalars(
        sa.select(Appointment)
        .where(Appointment.patient_id == patient.id)
        .order_by(Appointment.starts_at, Appointment.id)
    ).all()
    pathway_records = tuple(
        _pathway(db, people, p, [a for a in bookings if a.pathway_id == p.id], knowledge)
        for p in rows
    )
    unattached = tuple(people.appointment(a) for a in bookings if a.pathway_id is None)
    next_step = None if payer is None else _next_step(db, patient, payer, knowledge, now)
    log = _audit(db, people, patient) if include_audit else None
    # Only now are all the practitioners and places the records name known.
    return r.PathwayExport(
        patient=r.PatientRecord(
            patient.public_id, patient.name, patient.date_of_birth, patient.phone
        ),
        clinic=r.ClinicRecord(str(clinic.id), clinic.name),
        generated_at=now,
        locations=tuple(people.locations.values()),
        practitioners=tuple(people.practitioners.values()),
        pathways=pathway_records,
        appointments=unattached,
        next_step=next_step,
        audit=log,
        for_patient=for_patient,
    )


@dataclass
class _People:
    """Who acted (as `Agent`s) and the practitioners and places named, loaded once each."""

    db: Session
    patient: Patient
    agents: dict[int, r.Agent | None] = field(default_factory=dict)
    practitioners: dict[int, r.PractitionerRecord] = field(default_factory=dict)
    locations: dict[int, r.LocationRecord] = field(default_factory=dict)

    def agent(self, user_id: int | None) -> r.Agent | None:
        if user_id is None:
            return None
        if user_id not in self.agents:
            self.agents[user_id] = self._agent(user_id)
        return self.agents[user_id]

    def _agent(self, user_id: int) -> r.Agent | None:
        user = self.db.get(User, user_id)
        if user is None:
            return None
        if user.id == self.patient.user_id:
            return r.Agent(r.AgentKind.PATIENT, self.patient.name)
        row = self.db.scalar(sa.select(Practitioner).where(Practitioner.user_id == user.id))
        if row is None:
            return r.Agent(r.AgentKind.OTHER, user.display_name)
        return r.Agent(r.AgentKind.PRACTITIONER, row.name, self.practitioner(row.id))

    def need(self, user_id: int | None) -> r.Agent:
        """The agent of a required who-column (a user always exists: a foreign key)."""
        found = self.agent(user_id)
        return found if found is not None else r.Agent(r.AgentKind.OTHER, "")

    def practitioner(self, practitioner_id: int) -> str:
        if practitioner_id not in self.practitioners:
            row = self.db.get(Practitioner, practitioner_id)
            assert row is not None  # a foreign key
            self.practitioners[practitioner_id] = r.PractitionerRecord(
                key=str(row.id),
                name=row.name,
                kind=row.kind.value,
                specialty=row.specialty,
                qualifications=tuple(
                    q.strip() for q in row.qualifications.splitlines() if q.strip()
                ),
            )
        return str(practitioner_id)

    def location(self, location_id: int) -> str:
        if location_id not in self.locations:
            row = self.db.get(Location, location_id)
            assert row is not None  # a foreign key
            self.locations[location_id] = r.LocationRecord(str(row.id), row.name, row.address)
        return str(location_id)

    def appointment(self, row: Appointment) -> r.AppointmentRecord:
        return r.AppointmentRecord(
            key=str(row.id),
            kind=row.kind.value,
            mode=row.mode.value,
            status=row.status.value,
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            created_at=row.created_at,
            practitioner_key=self.practitioner(row.practitioner_id),
            location_key=self.location(row.location_id),
            note=row.note,
            cancel_reason=row.cancel_reason,
        )


def _pathway(
    db: Session,
    people: _People,
    row: Pathway,
    bookings: Sequence[Appointment],
    knowledge: Knowledge,
) -> r.PathwayRecord:
    responses = db.scalars(
        sa.select(ScreeningResponse)
        .where(ScreeningResponse.pathway_id == row.id, ScreeningResponse.status != "draft")
        .order_by(ScreeningResponse.submitted_at, ScreeningResponse.id)
    ).all()
    record = procedures.procedure_of_pathway(db, row.id)
    return r.PathwayRecord(
        key=str(row.id),
        side=row.side.value,
        kind=row.kind.value,
        status=row.status.value,
        opened_at=row.opened_at,
        opened_by=people.need(row.opened_by),
        closed_at=row.closed_at,
        plan=screening.plan_document(db, row.id),
        appointments=tuple(people.appointment(a) for a in bookings),
        drivers=_drivers(db, row.id),
        screenings=tuple(_screening(people, s) for s in responses),
        review_notes=_review_notes(db, people, row.id, responses[-1] if responses else None),
        decisions=_decisions(db, people, row.id),
        consents=_consents(db, people, row, knowledge),
        procedure=None if record is None else _procedure(people, record, bookings),
        diary=() if record is None else _diary(db, record),
        interpretation=None if record is None else _reading(db, people, record),
        symptom_reports=_reports(db, people, row.id),
    )


def _drivers(db: Session, pathway_id: int) -> tuple[r.DriverRecord, ...]:
    rows = db.scalars(
        sa.select(Driver)
        .where(Driver.pathway_id == pathway_id)
        .order_by(Driver.recorded_at, Driver.id)
    ).all()
    return tuple(
        r.DriverRecord(str(d.id), d.name, d.phone, d.relationship, d.recorded_at) for d in rows
    )


def _screening(people: _People, row: ScreeningResponse) -> r.ScreeningRecord:
    assert row.submitted_at is not None  # not a draft
    return r.ScreeningRecord(
        key=str(row.id),
        answers=row.answers,
        result=row.result,
        submitted_at=row.submitted_at,
        submitted_by=people.need(row.submitted_by),
    )


def _review_notes(
    db: Session, people: _People, pathway_id: int, newest: ScreeningResponse | None
) -> tuple[r.ReviewNote, ...]:
    """The review notes that hold for the newest answers (the screening review's rule)."""
    if newest is None:
        return ()
    out = []
    for (code, about), note in screening_review.review_notes(db, pathway_id, newest).items():
        row = db.get(ClinicianDecision, note.decision_id)
        decided_by = people.need(None if row is None else row.decided_by)
        out.append(r.ReviewNote(code, about, note.note, note.decided_at, decided_by))
    return tuple(out)


def _decisions(db: Session, people: _People, pathway_id: int) -> tuple[r.MedicineDecision, ...]:
    rows = db.scalars(
        sa.select(ClinicianDecision)
        .where(ClinicianDecision.pathway_id == pathway_id)
        .order_by(ClinicianDecision.decided_at, ClinicianDecision.id)
    ).all()
    return tuple(
        r.MedicineDecision(
            key=str(row.id),
            medicine=str(row.decision.get("medicine", "")),
            decision=str(row.decision.get("decision", "")),
            confirmed_with_prescriber=bool(row.decision.get("confirmed_with_prescriber")),
            decided_at=row.decided_at,
            decided_by=people.need(row.decided_by),
        )
        for row in rows
        if row.decision.get("kind") == screening_review.MEDICINE_DECISION
    )


def _consents(
    db: Session, people: _People, pathway: Pathway, knowledge: Knowledge
) -> tuple[r.ConsentEntry, ...]:
    rows = db.scalars(
        sa.select(ConsentRecord)
        .where(ConsentRecord.pathway_id == pathway.id)
        .order_by(ConsentRecord.agreed_at, ConsentRecord.id)
    ).all()
    try:
        status = procedures.consent_status(db, pathway, knowledge)
        complete_id = status.record_id if status.complete else None
    except (ServiceError, InputError):  # stored answers the knowledge cannot read any more
        complete_id = None
    return tuple(
        r.ConsentEntry(
            key=str(row.id),
            plan_snapshot=row.plan_snapshot,
            confirmed=row.confirmed,
            agreed_at=row.agreed_at,
            agreed_by=people.need(row.agreed_by),
            witnessed_at=row.witnessed_at,
            witnessed_by=people.agent(row.witnessed_by),
            complete=row.id == complete_id,
        )
        for row in rows
    )


def _procedure(
    people: _People, row: ProcedureRecord, bookings: Sequence[Appointment]
) -> r.ProcedureEntry:
    """The documented injection; who did it and where come from its procedure booking."""
    booked = [
        a
        for a in bookings
        if a.kind is AppointmentKind.PROCEDURE and a.status in injection_plan.KEPT
    ]
    visit = booked[-1] if booked else None
    return r.ProcedureEntry(
        key=str(row.id),
        data=row.data,
        documented_at=row.documented_at,
        documented_by=people.need(row.documented_by),
        performer_key=None if visit is None else people.practitioner(visit.practitioner_id),
        location_key=None if visit is None else people.location(visit.location_id),
        consent_key=None if row.consent_record_id is None else str(row.consent_record_id),
    )


def _diary(db: Session, record: ProcedureRecord) -> tuple[r.DiaryRecord, ...]:
    return tuple(
        r.DiaryRecord(str(e.id), e.recorded_at, e.pain, e.note, e.activity_done, e.created_at)
        for e in diary.entries_of(db, record.id)
    )


def _reading(
    db: Session, people: _People, record: ProcedureRecord
) -> r.InterpretationRecord | None:
    row = diary.latest_interpretation(db, record.id)
    if row is None:
        return None
    return r.InterpretationRecord(
        key=str(row.id),
        kind=row.kind,
        result=row.result,
        classification=row.classification,
        knowledge_version=row.knowledge_version,
        computed_at=row.computed_at,
        signed_off_at=row.signed_off_at,
        signed_off_by=people.agent(row.signed_off_by),
    )


def _reports(db: Session, people: _People, pathway_id: int) -> tuple[r.SymptomRecord, ...]:
    rows = db.scalars(
        sa.select(SymptomReport)
        .where(SymptomReport.pathway_id == pathway_id)
        .order_by(SymptomReport.reported_at, SymptomReport.id)
    ).all()
    return tuple(
        r.SymptomRecord(
            key=str(row.id),
            reported_at=row.reported_at,
            report=row.report,
            disposition=row.disposition,
            result=row.result,
            knowledge_version=row.knowledge_version,
            acknowledged_at=row.acknowledged_at,
            acknowledged_by=people.agent(row.acknowledged_by),
            acknowledged_note=row.acknowledged_note,
        )
        for row in rows
    )


def _next_step(
    db: Session, patient: Patient, payer: str, knowledge: Knowledge, now: datetime
) -> r.NextStep | None:
    """The core's next step as the workspace computes it; None without a readable history."""
    try:
        history = plans.patient_history(db, patient.id, knowledge)
        if history is None:
            return None
        today = now.astimezone(clinic_zone(knowledge)).date()
        plan = recommend_next_step(history, payer, today, knowledge)
    except (ServiceError, InputError):
        return None
    return r.NextStep(plan=plan, payer=payer, computed_at=now)


def _audit(db: Session, people: _People, patient: Patient) -> tuple[r.AuditRecord, ...]:
    rows = db.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.patient_id == patient.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    return tuple(
        r.AuditRecord(
            key=str(row.id),
            at=row.at,
            action=row.action,
            actor=people.agent(row.actor_user_id),
            actor_role=row.actor_role,
            target_type=row.target_type,
            target_id=row.target_id,
        )
        for row in rows
    )
