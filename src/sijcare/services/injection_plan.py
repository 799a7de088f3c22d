"""The planned injection: the pathway's booked (or done) procedure appointment, the
clock of its place, and the plan consent is about (`current_plan`: the plan of the
newest screening answers at the booked time, with its physician and place).

Apart from `sijcare.services.procedures` (consent and documenting), which reads it too:
the screening, the patient's consent, the preparation sheet and the records read the
plan without consent or documenting.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentKind, AppointmentStatus
from sijcare.db.models import Appointment, Location, Pathway, Practitioner
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import PlannedProcedure
from sijcare.services import screening_review

Query = TypeVar("Query", bound=sa.Select[Any])

# A procedure appointment that is booked, or done (documented): the plan, the consent and
# the place stay those of the injection once it is given. A cancelled or missed (no-show)
# one is not where the injection is given.
KEPT = (AppointmentStatus.BOOKED, AppointmentStatus.COMPLETED)


def procedure_appointment(db: Session, pathway_id: int) -> Appointment | None:
    """The pathway's booked or completed procedure appointment (the latest, if several)."""
    return db.scalar(_latest_kept(sa.select(Appointment), pathway_id))


def place_time_zone(db: Session, pathway_id: int) -> str | None:
    """The time zone of the place of the booked injection (None: not booked). The
    patient goes there, so the times of that day are given on its clock, as the
    appointment pages do, whatever the reader's own zone."""
    query = sa.select(Location.time_zone).join(Appointment, Appointment.location_id == Location.id)
    return db.scalar(_latest_kept(query, pathway_id))


def _latest_kept(query: Query, pathway_id: int) -> Query:
    """`query` narrowed to the pathway's latest booked or completed procedure appointment."""
    return (
        query.where(
            Appointment.pathway_id == pathway_id,
            Appointment.kind == AppointmentKind.PROCEDURE,
            Appointment.status.in_(KEPT),
        )
        .order_by(Appointment.starts_at.desc(), Appointment.id.desc())
        .limit(1)
    )


def current_plan(db: Session, pathway: Pathway, knowledge: Knowledge) -> PlannedProcedure | None:
    """The planned injection now: None until it is screened and booked."""
    response = screening_review.latest_response(db, pathway.id)
    appointment = procedure_appointment(db, pathway.id)
    if response is None or appointment is None:
        return None
    plan = screening_review.read_intake(response, knowledge).procedure
    practitioner = db.get(Practitioner, appointment.practitioner_id)
    location = db.get(Location, appointment.location_id)
    return dataclasses.replace(
        plan.scheduled(appointment.starts_at),
        physician=None if practitioner is None else practitioner.name,
        location=None if location is None else location.name,
    )
