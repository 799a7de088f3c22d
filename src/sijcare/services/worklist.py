"""The clinician's worklist and a patient's workspace summary.

The worklist is a day of the clinic's procedure appointments (in the clinic's time zone,
soonest first) with what each needs before the injection: the readiness of the newest
screening (the core's), the consent (judged by the core against the current plan), the
findings still open, the driver home, and whether the procedure is documented.
Schedulers see the same list without the clinical columns. A patient's summary lists
their pathways with the same status, and the red flags waiting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentKind, AppointmentStatus, PathwayStatus, Role
from sijcare.db.models import (
    Appointment,
    Clinic,
    Driver,
    Location,
    Pathway,
    Patient,
    Practitioner,
    Room,
    SymptomReport,
)
from sijcare.domain.knowledge import Knowledge
from sijcare.services import (
    access,
    audit,
    pathways,
    patients,
    procedures,
    screening,
    screening_review,
    slots,
)
from sijcare.services.actor import Actor
from sijcare.services.inbox import EXPECTED
from sijcare.services.procedures import ConsentState


@dataclass(frozen=True)
class PathwayStatusView:
    """Where a pathway stands before (and after) its injection."""

    pathway_id: int
    side: str
    kind: str
    status: str
    opened_at: datetime
    readiness: str | None  # the core's readiness of the newest screening; None: not screened
    screening_reviewed: bool
    open_findings: int
    consent: ConsentState
    driver_recorded: bool
    procedure_id: int | None
    open_red_flags: int


@dataclass(frozen=True)
class WorklistItem:
    appointment_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    patient_public_id: str
    patient_name: str
    practitioner_id: int
    practitioner_name: str
    location_name: str
    room_name: str | None
    pathway_id: int | None
    driver_recorded: bool
    clinical: PathwayStatusView | None  # None for schedulers, and without a pathway


@dataclass(frozen=True)
class Worklist:
    day: date
    zone: str
    practitioner_id: int | None
    physicians: tuple[tuple[int, str], ...]
    items: tuple[WorklistItem, ...]
    clinical: bool  # whether the clinical columns are shown


@dataclass(frozen=True)
class PatientSummary:
    public_id: str
    name: str
    date_of_birth: date
    phone: str | None
    pathways: tuple[PathwayStatusView, ...]  # active first, newest first


def pathway_status(db: Session, pathway: Pathway, knowledge: Knowledge) -> PathwayStatusView:
    """The status of one pathway; call inside a transaction that checked access."""
    response = screening_review.latest_response(db, pathway.id)
    procedure = procedures.procedure_of_pathway(db, pathway.id)
    red_flags = db.scalar(
        sa.select(sa.func.count(SymptomReport.id)).where(
            SymptomReport.pathway_id == pathway.id,
            SymptomReport.disposition != EXPECTED,
            SymptomReport.acknowledged_at.is_(None),
        )
    )
    return PathwayStatusView(
        pathway_id=pathway.id,
        side=pathway.side.value,
        kind=pathway.kind.value,
        status=pathway.status.value,
        opened_at=pathway.opened_at,
        readiness=None if response is None else str((response.result or {}).get("status", "")),
        screening_reviewed=response is not None and response.status == "reviewed",
        open_findings=0
        if response is None
        else screening_review.open_findings(db, pathway.id, response),
        consent=procedures.consent_status(db, pathway, knowledge).state,
        driver_recorded=_has_driver(db, pathway.id),
        procedure_id=None if procedure is None else procedure.id,
        open_red_flags=int(red_flags or 0),
    )


def _has_driver(db: Session, pathway_id: int) -> bool:
    return (
        db.scalar(sa.select(Driver.id).where(Driver.pathway_id == pathway_id).limit(1)) is not None
    )


def list_worklist(
    db: Session,
    *,
    actor: Actor,
    day: date,
    knowledge: Knowledge,
    now: datetime,
    practitioner_id: int | None = None,
) -> Worklist:
    """The clinic's procedures on `day` (clinic time zone), soonest first.

    Clinicians and schedulers; only clinicians get the clinical columns.
    """
    access.require_role(actor, Role.CLINICIAN, Role.SCHEDULER)
    clinical = actor.role is Role.CLINICIAN
    with db.begin():
        clinic = db.get(Clinic, actor.clinic_id)
        assert clinic is not None  # the actor's own clinic
        start, end = slots.local_day_bounds(day, ZoneInfo(clinic.time_zone))
        query = (
            sa.select(Appointment, Patient, Practitioner, Location, Room)
            .join(Patient, Patient.id == Appointment.patient_id)
            .join(Practitioner, Practitioner.id == Appointment.practitioner_id)
            .join(Location, Location.id == Appointment.location_id)
            .outerjoin(Room, Room.id == Appointment.room_id)
            .where(
                Appointment.clinic_id == actor.clinic_id,
                Appointment.kind == AppointmentKind.PROCEDURE,
                Appointment.status != AppointmentStatus.CANCELLED,
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
            .order_by(Appointment.starts_at, Appointment.id)
        )
        if practitioner_id is not None:
            query = query.where(Appointment.practitioner_id == practitioner_id)
        rows = db.execute(query).all()
        items = tuple(_item(db, row, knowledge, clinical) for row in rows)
        audit.record_views(
            db, actor=actor, action="worklist.view", at=now, patient_ids=[r[1].id for r in rows]
        )
        return Worklist(
            day=day,
            zone=clinic.time_zone,
            practitioner_id=practitioner_id,
            physicians=_physicians(db, actor.clinic_id),
            items=items,
            clinical=clinical,
        )


def _item(
    db: Session,
    row: sa.Row[Appointment, Patient, Practitioner, Location, Room],
    knowledge: Knowledge,
    clinical: bool,
) -> WorklistItem:
    appointment, patient, practitioner, location, room = row
    pathway = _pathway_of(db, appointment)
    status = None if pathway is None or not clinical else pathway_status(db, pathway, knowledge)
    return WorklistItem(
        appointment_id=appointment.id,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        status=appointment.status.value,
        patient_public_id=patient.public_id,
        patient_name=patient.name,
        practitioner_id=practitioner.id,
        practitioner_name=practitioner.name,
        location_name=location.name,
        room_name=None if room is None else room.name,
        pathway_id=None if pathway is None else pathway.id,
        driver_recorded=pathway is not None and _has_driver(db, pathway.id),
        clinical=status,
    )


def _pathway_of(db: Session, appointment: Appointment) -> Pathway | None:
    """The appointment's pathway, else the patient's only active pathway (if just one)."""
    if appointment.pathway_id is not None:
        return db.get(Pathway, appointment.pathway_id)
    active = db.scalars(
        sa.select(Pathway)
        .where(Pathway.patient_id == appointment.patient_id, Pathway.status == PathwayStatus.ACTIVE)
        .limit(2)
    ).all()
    return active[0] if len(active) == 1 else None


def _physicians(db: Session, clinic_id: int) -> tuple[tuple[int, str], ...]:
    rows = db.execute(
        sa.select(Practitioner.id, Practitioner.name)
        .where(Practitioner.clinic_id == clinic_id, Practitioner.active.is_(True))
        .order_by(Practitioner.name)
    ).all()
    return tuple((row.id, row.name) for row in rows)


def patient_summary(
    db: Session, *, actor: Actor, public_id: str, knowledge: Knowledge, now: datetime
) -> PatientSummary:
    """The patient's pathways with their status (a clinician of the patient's clinic)."""
    with db.begin():
        patient = patients.load(db, actor, public_id, clinical=True)
        access.require_clinician(actor, patient)
        rows = db.scalars(
            sa.select(Pathway)
            .where(Pathway.patient_id == patient.id)
            .order_by(Pathway.status, Pathway.opened_at.desc(), Pathway.id.desc())
        ).all()
        audit.record(
            db,
            actor=actor,
            action="patient.workspace_view",
            at=now,
            target_type="patient",
            target_id=patient.public_id,
            patient_id=patient.id,
        )
        return PatientSummary(
            public_id=patient.public_id,
            name=patient.name,
            date_of_birth=patient.date_of_birth,
            phone=patient.phone,
            pathways=tuple(pathway_status(db, p, knowledge) for p in rows),
        )


@dataclass(frozen=True)
class PathwayPlan:
    """A pathway and its planned injection (INTAKE.json `procedure`; None: not planned)."""

    pathway_id: int
    side: str
    kind: str
    status: str
    patient_public_id: str
    patient_name: str
    plan: dict[str, object] | None


def pathway_plan(db: Session, *, actor: Actor, pathway_id: int, now: datetime) -> PathwayPlan:
    """The pathway's planned injection, for a clinician who may change it."""
    with db.begin():
        pathway, patient = pathways.load(db, actor, pathway_id)
        access.require_clinician(actor, patient)
        audit.record(
            db,
            actor=actor,
            action="screening.plan_view",
            at=now,
            target_type="pathway",
            target_id=pathway.id,
            patient_id=patient.id,
        )
        return PathwayPlan(
            pathway_id=pathway.id,
            side=pathway.side.value,
            kind=pathway.kind.value,
            status=pathway.status.value,
            patient_public_id=patient.public_id,
            patient_name=patient.name,
            plan=screening.plan_document(db, pathway.id),
        )
