"""Recording whether the patient came, through the service, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import actor_of, make_appointment
from factories.workspace import PROCEDURE_AT, Story
from fixtures_db import Personas
from sijcare.db.enums import AppointmentKind, AppointmentStatus
from sijcare.db.models import Appointment, AuditEvent
from sijcare.domain.knowledge import Knowledge
from sijcare.services import appointments, attendance, injection_plan
from sijcare.services.errors import Conflict, Forbidden, NotFound

STARTS = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
AFTER = STARTS + timedelta(hours=1)


def _visit(db: Session, personas: Personas, **overrides: object) -> Appointment:
    assert personas.patient.patient and personas.clinician.practitioner
    return make_appointment(
        db,
        patient=personas.patient.patient,
        practitioner=personas.clinician.practitioner,
        location=personas.location,
        created_by=personas.scheduler.user,
        **({"starts_at": STARTS} | overrides),
    )


def _record(
    db: Session, personas: Personas, who: str, appointment_id: int, *, attended: bool,
    now: datetime = AFTER,
) -> appointments.AppointmentView:  # fmt: skip
    return attendance.record(
        db,
        actor=actor_of(db, personas[who].user.id),
        appointment_id=appointment_id,
        attended=attended,
        now=now,
    )


def _status(db: Session, appointment_id: int) -> AppointmentStatus:
    with db.begin():
        return db.get_one(Appointment, appointment_id).status


def _events(db: Session) -> list[tuple[str, object, object]]:
    with db.begin():
        rows = db.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == "appointment.attendance")
            .order_by(AuditEvent.id)
        ).all()
        return [(row.target_id, row.patient_id, row.detail) for row in rows]


@pytest.mark.parametrize("who", ["scheduler", "clinician", "admin"])
def test_staff_record_that_the_patient_came_and_it_is_audited(
    db: Session, personas: Personas, who: str
) -> None:
    visit = _visit(db, personas)
    view = _record(db, personas, who, visit.id, attended=True)
    assert view.status is AppointmentStatus.COMPLETED
    assert _status(db, visit.id) is AppointmentStatus.COMPLETED
    assert personas.patient.patient is not None
    assert _events(db) == [
        (str(visit.id), personas.patient.patient.id, {"from": "booked", "to": "completed"})
    ]


def test_a_patient_who_did_not_come_is_a_no_show(db: Session, personas: Personas) -> None:
    visit = _visit(db, personas)
    assert _record(db, personas, "scheduler", visit.id, attended=False).status == "no_show"
    assert _status(db, visit.id) is AppointmentStatus.NO_SHOW


def test_a_mistake_is_put_right_either_way(db: Session, personas: Personas) -> None:
    visit = _visit(db, personas)
    _record(db, personas, "scheduler", visit.id, attended=True)
    _record(db, personas, "clinician", visit.id, attended=False)
    assert _status(db, visit.id) is AppointmentStatus.NO_SHOW
    _record(db, personas, "admin", visit.id, attended=True)
    assert _status(db, visit.id) is AppointmentStatus.COMPLETED
    assert [detail for _, _, detail in _events(db)] == [
        {"from": "booked", "to": "completed"},
        {"from": "completed", "to": "no_show"},
        {"from": "no_show", "to": "completed"},
    ]


def test_attendance_may_be_recorded_from_the_minute_it_starts(
    db: Session, personas: Personas
) -> None:
    visit = _visit(db, personas)
    _record(db, personas, "scheduler", visit.id, attended=True, now=STARTS)
    assert _status(db, visit.id) is AppointmentStatus.COMPLETED


@pytest.mark.parametrize("who", ["patient", "other_patient", "outsider"])
def test_patients_and_other_clinics_are_refused(db: Session, personas: Personas, who: str) -> None:
    visit = _visit(db, personas)
    with pytest.raises(Forbidden):
        _record(db, personas, who, visit.id, attended=True)
    assert _status(db, visit.id) is AppointmentStatus.BOOKED
    assert _events(db) == []


def test_an_unknown_appointment_is_not_found(db: Session, personas: Personas) -> None:
    with pytest.raises(NotFound):
        _record(db, personas, "scheduler", 999_999, attended=True)


def _refused(
    db: Session, personas: Personas, appointment_id: int, words: str, *, now: datetime
) -> None:
    """Refused with a message saying `words`; nothing changed and nothing audited."""
    before = _status(db, appointment_id)
    with pytest.raises(Conflict) as refused:
        _record(db, personas, "scheduler", appointment_id, attended=False, now=now)
    assert words in refused.value.message.text
    assert _status(db, appointment_id) is before
    assert _events(db) == []


def test_an_appointment_not_yet_started_is_refused(db: Session, personas: Personas) -> None:
    visit = _visit(db, personas)
    _refused(db, personas, visit.id, "has not started", now=STARTS - timedelta(minutes=1))


def test_a_cancelled_appointment_is_refused(db: Session, personas: Personas) -> None:
    visit = _visit(db, personas, starts_at=STARTS + timedelta(days=1))
    appointments.cancel(
        db,
        actor=actor_of(db, personas.scheduler.user.id),
        appointment_id=visit.id,
        reason="",
        now=STARTS,
    )
    _refused(db, personas, visit.id, "cancelled", now=STARTS + timedelta(days=2))


@pytest.fixture
def story(db: Session, personas: Personas, knowledge: Knowledge) -> Story:
    return Story(db, personas, knowledge)


def _procedure_appointment(story: Story, pathway_id: int) -> Appointment:
    with story.db.begin():
        found = story.db.scalar(
            sa.select(Appointment).where(
                Appointment.pathway_id == pathway_id,
                Appointment.kind == AppointmentKind.PROCEDURE,
            )
        )
    assert found is not None
    return found


def test_the_appointment_of_a_documented_injection_is_refused(story: Story) -> None:
    pathway = story.ready(story.pathway())
    story.document(pathway)
    booking = _procedure_appointment(story, pathway.id)
    assert booking.status is AppointmentStatus.COMPLETED  # by the documentation
    _refused(
        story.db, story.personas, booking.id, "documented", now=PROCEDURE_AT + timedelta(hours=2)
    )


def test_an_earlier_booking_left_on_a_documented_pathway_may_be_recorded(story: Story) -> None:
    # Documenting completes the pathway's latest booking; an earlier one stays booked.
    pathway = story.pathway()
    earlier = story.book(pathway, PROCEDURE_AT - timedelta(days=1))
    story.ready(pathway)
    story.document(pathway)
    later = PROCEDURE_AT + timedelta(hours=2)
    _record(story.db, story.personas, "scheduler", earlier.id, attended=False, now=later)
    assert _status(story.db, earlier.id) is AppointmentStatus.NO_SHOW


def test_a_missed_injection_leaves_the_pathway_without_a_booked_one(story: Story) -> None:
    # Not documented: staff may record it; the plan then waits for a new booking.
    pathway = story.ready(story.pathway())
    booking = _procedure_appointment(story, pathway.id)
    _record(story.db, story.personas, "scheduler", booking.id, attended=False,
            now=PROCEDURE_AT + timedelta(hours=2))  # fmt: skip
    with story.db.begin():
        assert injection_plan.procedure_appointment(story.db, pathway.id) is None


def _choices(
    db: Session, personas: Personas, who: str, visit: Appointment, now: datetime
) -> object:
    actor = actor_of(db, personas[who].user.id)
    view = appointments.get(db, actor=actor, appointment_id=visit.id, now=now)
    return attendance.choices(db, actor=actor, appointment=view, now=now)


def test_choices_are_both_answers_until_recorded_then_the_other_one(
    db: Session, personas: Personas
) -> None:
    visit = _visit(db, personas)
    assert _choices(db, personas, "scheduler", visit, STARTS - timedelta(minutes=1)) == ()
    assert _choices(db, personas, "scheduler", visit, AFTER) == (
        AppointmentStatus.COMPLETED,
        AppointmentStatus.NO_SHOW,
    )
    assert _choices(db, personas, "patient", visit, AFTER) == ()
    _record(db, personas, "scheduler", visit.id, attended=False)
    assert _choices(db, personas, "clinician", visit, AFTER) == (AppointmentStatus.COMPLETED,)


def test_no_choices_for_a_documented_injection(story: Story) -> None:
    pathway = story.ready(story.pathway())
    story.document(pathway)
    booking = _procedure_appointment(story, pathway.id)
    later = PROCEDURE_AT + timedelta(hours=2)
    assert _choices(story.db, story.personas, "scheduler", booking, later) == ()
