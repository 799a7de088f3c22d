"""The patient's home: each active pathway's stage at a glance.

For every active pathway of the signed-in patient: the screening stage and readiness,
where consent stands (the core's verdict through `procedures.consent_status`), the
documented procedure with the diary's due and missed prompts, and the latest symptom
report's disposition; plus the patient's next booked appointment. One audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentStatus, PathwayStatus, Role
from sijcare.db.models import Appointment, Location, Pathway, Patient, Practitioner
from sijcare.domain.diary_schedule import diary_schedule
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.services import audit, diary, patients, procedures, screening_pages, triage
from sijcare.services.actor import Actor
from sijcare.services.errors import Forbidden, msg
from sijcare.services.procedures import ConsentState


@dataclass(frozen=True)
class NextAppointment:
    id: int
    starts_at: datetime
    kind: str
    mode: str
    practitioner_id: int
    practitioner_name: str
    qualifications: tuple[str, ...]
    location_name: str
    location_time_zone: str
    pathway_id: int | None


@dataclass(frozen=True)
class DiaryGlance:
    procedure_id: int
    performed_at: datetime
    due: int
    missed: int
    entries: int
    next_prompt_at: datetime | None


@dataclass(frozen=True)
class PathwayGlance:
    pathway_id: int
    side: str
    kind: str
    screening: screening_pages.Stage
    readiness: str
    consent: ConsentState
    diary: DiaryGlance | None
    latest_report: triage.StoredReport | None


@dataclass(frozen=True)
class Home:
    patient_public_id: str
    patient_name: str
    pathways: tuple[PathwayGlance, ...]
    next_appointment: NextAppointment | None
    closed_pathways: int


def view_home(db: Session, *, actor: Actor, knowledge: Knowledge, now: datetime) -> Home:
    """The signed-in patient's home (patients only: staff have no portal)."""
    if actor.role is not Role.PATIENT or actor.patient_public_id is None:
        raise Forbidden(msg("The patient portal is for patients."))
    with db.begin():
        patient = patients.load(db, actor, actor.patient_public_id, clinical=True)
        rows = db.scalars(
            sa.select(Pathway)
            .where(Pathway.patient_id == patient.id)
            .order_by(Pathway.opened_at.desc(), Pathway.id.desc())
        ).all()
        active = [p for p in rows if p.status is PathwayStatus.ACTIVE]
        home = Home(
            patient_public_id=patient.public_id,
            patient_name=patient.name,
            pathways=tuple(_glance(db, p, knowledge, now) for p in active),
            next_appointment=next_appointment(db, patient, now),
            closed_pathways=len(rows) - len(active),
        )
        audit.record(
            db,
            actor=actor,
            action="portal.view",
            at=now,
            target_type="patient",
            target_id=patient.public_id,
            patient_id=patient.id,
            detail={"pathways": [p.id for p in active]},
        )
    return home


def _glance(db: Session, pathway: Pathway, knowledge: Knowledge, now: datetime) -> PathwayGlance:
    stage, readiness = screening_pages.stage_of(db, pathway)
    return PathwayGlance(
        pathway_id=pathway.id,
        side=pathway.side.value,
        kind=pathway.kind.value,
        screening=stage,
        readiness=readiness,
        consent=procedures.consent_status(db, pathway, knowledge).state,
        diary=_diary(db, pathway, knowledge, now),
        latest_report=triage.latest_report(db, pathway.id),
    )


def _diary(
    db: Session, pathway: Pathway, knowledge: Knowledge, now: datetime
) -> DiaryGlance | None:
    record = procedures.procedure_of_pathway(db, pathway.id)
    if record is None:
        return None
    entries = diary.entries_of(db, record.id)
    try:
        procedure = diary.procedure_of(record, knowledge)
        prompts = diary.prompt_states(
            diary_schedule(procedure, knowledge),
            [e.recorded_at for e in entries],
            procedure.performed_at,
            now,
        )
    except InputError:
        prompts = ()
    upcoming = [p.prompt.due_at for p in prompts if p.state is diary.PromptState.UPCOMING]
    return DiaryGlance(
        procedure_id=record.id,
        performed_at=record.performed_at,
        due=sum(1 for p in prompts if p.state is diary.PromptState.DUE),
        missed=sum(1 for p in prompts if p.state is diary.PromptState.MISSED),
        entries=len(entries),
        next_prompt_at=min(upcoming, default=None),
    )


def next_appointment(db: Session, patient: Patient, now: datetime) -> NextAppointment | None:
    """The patient's next booked appointment that has not started, with names."""
    row = db.execute(
        sa.select(Appointment, Practitioner, Location)
        .join(Practitioner, Practitioner.id == Appointment.practitioner_id)
        .join(Location, Location.id == Appointment.location_id)
        .where(
            Appointment.patient_id == patient.id,
            Appointment.status == AppointmentStatus.BOOKED,
            Appointment.starts_at > now,
        )
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    appointment, practitioner, location = row
    return NextAppointment(
        id=appointment.id,
        starts_at=appointment.starts_at,
        kind=appointment.kind.value,
        mode=appointment.mode.value,
        practitioner_id=practitioner.id,
        practitioner_name=practitioner.name,
        qualifications=tuple(
            line.strip() for line in practitioner.qualifications.splitlines() if line.strip()
        ),
        location_name=location.name,
        location_time_zone=location.time_zone,
        pathway_id=appointment.pathway_id,
    )
