"""What the core dated for a patient, read from the records: the places other modules
(reminders, calendar files) find appointments, screening steps and diary prompts.

- `visit_of`: an appointment as a calendar or reminder shows it (where, with whom,
  cancelled or not);
- `screening_steps`: the dated steps of a pathway's newest screening result, only while
  it was worked out for the procedure's current time;
- `active_procedures` and `procedure_prompts`: the documented procedures of active
  pathways and the core's diary prompts for each.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentKind, AppointmentMode, AppointmentStatus, PathwayStatus
from sijcare.db.models import Appointment, Location, Pathway, Practitioner, ProcedureRecord
from sijcare.domain.diary_schedule import DiaryPrompt, diary_schedule
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.screening_rules.findings import Action
from sijcare.interop.calendar import Visit
from sijcare.services import diary, injection_plan, screening_review


def visit_of(db: Session, appointment: Appointment) -> Visit:
    """The calendar's view of an appointment: where, with whom, cancelled or not."""
    location = db.get(Location, appointment.location_id)
    practitioner = db.get(Practitioner, appointment.practitioner_id)
    virtual = appointment.mode is AppointmentMode.VIRTUAL
    place = ""
    if location is not None and not virtual:
        place = ", ".join(p for p in (location.name, location.address) if p)
    return Visit(
        id=appointment.id,
        kind=appointment.kind.value,
        virtual=virtual,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        cancelled=appointment.status is AppointmentStatus.CANCELLED,
        place=place,
        with_whom="" if practitioner is None else practitioner.name,
    )


def screening_steps(db: Session, pathway_id: int) -> tuple[Action, ...]:
    """The dated steps of the pathway's newest screening result, when it was worked out
    for the procedure's current time; none when the booking moved since (the dates would
    be wrong) or nothing was screened. Blood-thinner steps are in it only once a
    clinician confirmed the hold: the core gives no other."""
    response = screening_review.latest_response(db, pathway_id)
    result = None if response is None else response.result
    booked = db.scalar(
        sa.select(Appointment.starts_at)
        .where(
            Appointment.pathway_id == pathway_id,
            Appointment.kind == AppointmentKind.PROCEDURE,
            Appointment.status.in_(injection_plan.KEPT),
        )
        .order_by(Appointment.starts_at.desc(), Appointment.id.desc())
        .limit(1)
    )
    if not result or booked is None:
        return ()
    if datetime.fromisoformat(str(result.get("procedure_time"))) != booked:
        return ()
    return tuple(
        Action(
            datetime.fromisoformat(str(a["at"])), str(a["what"]), str(a["code"]), str(a["about"])
        )
        for a in result.get("actions", ())
    )


def active_procedures(db: Session, patient_id: int) -> list[ProcedureRecord]:
    """The documented procedures of the patient's active pathways."""
    return list(
        db.scalars(
            sa.select(ProcedureRecord)
            .join(Pathway, Pathway.id == ProcedureRecord.pathway_id)
            .where(Pathway.patient_id == patient_id, Pathway.status == PathwayStatus.ACTIVE)
            .order_by(ProcedureRecord.performed_at, ProcedureRecord.id)
        )
    )


def procedure_prompts(record: ProcedureRecord, knowledge: Knowledge) -> tuple[DiaryPrompt, ...]:
    """The core's diary prompts of a documented procedure; none if it cannot be read."""
    try:
        return diary_schedule(diary.procedure_of(record, knowledge), knowledge)
    except InputError:
        return ()
