"""Attendance: whether the patient came to an appointment whose time has come.

Staff of the patient's clinic (clinicians, schedulers, clinic admins; not the patient)
record a started, booked appointment as attended (`completed`) or missed (`no_show`), and
may switch between the two to fix a mistake. Refused (`Conflict`): a cancelled
appointment, one that has not started, and a procedure appointment whose injection is
documented: documenting the injection completed it (`procedures.document_procedure`).
Every recording is audited (`appointment.attendance`, with the status before and after).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentKind, AppointmentStatus
from sijcare.db.models import Appointment, ProcedureRecord
from sijcare.services import access, audit, patients
from sijcare.services.actor import STAFF_ROLES, Actor
from sijcare.services.appointment_views import AppointmentView, views
from sijcare.services.errors import Conflict, Message, NotFound, msg

RECORDED = (AppointmentStatus.COMPLETED, AppointmentStatus.NO_SHOW)

_CANCELLED = msg("This appointment was cancelled, so there is no attendance to record.")
_NOT_STARTED = msg("This appointment has not started yet. Record attendance once it has.")
_DOCUMENTED = msg(
    "The injection of this appointment is documented, and that records that the patient came."
)


def record(
    db: Session, *, actor: Actor, appointment_id: int, attended: bool, now: datetime
) -> AppointmentView:
    """Record that the patient came (`attended`) or did not; raises `Conflict` when the
    appointment's attendance cannot be recorded (see `refusal`)."""
    access.require_role(actor, *STAFF_ROLES)
    with db.begin():
        appointment = db.get(Appointment, appointment_id, with_for_update=True)
        if appointment is None:
            raise NotFound(msg("There is no such appointment."))
        patient = patients.load_by_id(db, actor, appointment.patient_id)
        documented = _documented(db, appointment)
        problem = refusal(appointment.status, appointment.starts_at, now, documented=documented)
        if problem is not None:
            raise Conflict(problem)
        before = appointment.status
        appointment.status = AppointmentStatus.COMPLETED if attended else AppointmentStatus.NO_SHOW
        db.flush()
        audit.record(
            db,
            actor=actor,
            action="appointment.attendance",
            at=now,
            target_type="appointment",
            target_id=appointment.id,
            patient_id=patient.id,
            detail={"from": before.value, "to": appointment.status.value},
        )
        return views(db, [appointment])[0]


def refusal(
    status: AppointmentStatus, starts_at: datetime, now: datetime, *, documented: bool
) -> Message | None:
    """Why the attendance of an appointment cannot be recorded now, or None. `documented`:
    it is the procedure appointment of an injection that is documented."""
    if status is AppointmentStatus.CANCELLED:
        return _CANCELLED
    if starts_at > now:
        return _NOT_STARTED
    if documented:
        return _DOCUMENTED
    return None


def choices(
    db: Session, *, actor: Actor, appointment: AppointmentView, now: datetime
) -> tuple[AppointmentStatus, ...]:
    """What `actor` may record for an appointment they were shown: both answers while
    it is not recorded, the other answer once it is; none for patients."""
    if not actor.is_staff:
        return ()
    with db.begin():
        documented = _documented(db, appointment)
    if refusal(appointment.status, appointment.starts_at, now, documented=documented):
        return ()
    return tuple(status for status in RECORDED if status is not appointment.status)


def _documented(db: Session, appointment: Appointment | AppointmentView) -> bool:
    # Documenting an injection completes its pathway's procedure appointment. A booked or
    # missed one left on that pathway is not the injection's: it may still be recorded.
    if (
        appointment.kind is not AppointmentKind.PROCEDURE
        or appointment.status is not AppointmentStatus.COMPLETED
        or appointment.pathway_id is None
    ):
        return False
    found = db.scalar(
        sa.select(ProcedureRecord.id)
        .where(ProcedureRecord.pathway_id == appointment.pathway_id)
        .limit(1)
    )
    return found is not None
