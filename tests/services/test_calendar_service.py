"""A patient's calendar file: what it holds, at which detail, for whom (services.calendar)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.clinical import make_documented
from factories.reminders import PLANNED_AT, PROCEDURE_AT, prepared_pathway
from factories.workspace import Story
from fixtures_db import Personas
from sijcare.db.enums import AppointmentStatus, Side
from sijcare.db.models import Appointment, AuditEvent, Pathway
from sijcare.db.models.reminder_preference import DetailLevel
from sijcare.domain.knowledge import Knowledge
from sijcare.services import calendar
from sijcare.services.errors import Forbidden
from sijcare.services.reminder_texts import untranslated

READER = calendar.Reader("en", "America/Los_Angeles", untranslated)
INJECTED = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def public_id(personas: Personas) -> str:
    patient = personas.patient.patient
    assert patient is not None
    return patient.public_id


def summaries(data: bytes) -> dict[str, icalendar.Event]:
    parsed = icalendar.Calendar.from_ical(data)
    return {str(e["summary"]): e for e in parsed.walk("VEVENT")}


def whole(
    db: Session, story: Story, who: str = "patient", detail: DetailLevel | None = None
) -> calendar.CalendarFile:
    return calendar.patient_calendar(
        db,
        actor=story.actor(who),
        public_id=public_id(story.personas),
        knowledge=story.knowledge,
        reader=READER,
        now=PLANNED_AT,
        detail=detail,
    )


def setup(db: Session, personas: Personas, knowledge: Knowledge) -> tuple[Story, Pathway]:
    story = Story(db, personas, knowledge)
    pathway = prepared_pathway(story)
    patient = personas.patient.patient
    assert patient is not None
    make_documented(
        db,
        patient=patient,
        clinician=personas.clinician.user,
        side=Side.RIGHT,
        performed_at=INJECTED,
    )
    return story, pathway


def test_the_calendar_holds_appointments_confirmed_steps_and_diary_prompts(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story, _pathway = setup(db, personas, knowledge)
    file = whole(db, story, detail=DetailLevel.FULL)
    assert file.filename == "sijcare-calendar.ics" and file.detail is DetailLevel.FULL
    events = summaries(file.content)
    injection = events["SI joint injection: Westside Spine Clinic"]
    assert injection.start.astimezone(UTC) == PROCEDURE_AT
    assert "Please arrive by 7:30" in str(injection["description"])
    last = events["Last dose of Eliquis 5 mg before your procedure"]
    restart = events["Start Eliquis 5 mg again, at your usual dose time"]
    assert last.start.astimezone(UTC) == PROCEDURE_AT - timedelta(days=3)
    assert restart.start.astimezone(UTC) == PROCEDURE_AT + timedelta(hours=24)
    assert "Stop eating" in events and "Stop drinking" in events
    prompts = [s for s in events if s.startswith("Pain diary:")]
    assert len(prompts) == 8
    assert "Pain diary: 15 minutes after the injection" in events
    assert file.entries == 1 + 4 + 8
    with db.begin():
        detail = db.scalar(
            sa.select(AuditEvent.detail).where(AuditEvent.action == "calendar.export")
        )
    assert detail == {"appointments": 1, "steps": 4, "prompts": 8, "detail": "full"}


def test_the_patients_chosen_detail_is_the_default_and_minimal_names_nothing(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story, _pathway = setup(db, personas, knowledge)
    file = whole(db, story)
    assert file.detail is DetailLevel.MINIMAL
    text = file.content.decode()
    for word in ("Eliquis", "SI joint", "Pain diary", "eating", "arrive"):
        assert word not in text, word
    assert "Appointment: Westside Spine Clinic" in summaries(file.content)


def test_steps_of_a_screening_for_another_time_are_left_out(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story, pathway = setup(db, personas, knowledge)
    with db.begin():
        appointment = db.scalar(sa.select(Appointment).where(Appointment.pathway_id == pathway.id))
        assert appointment is not None
        appointment.starts_at += timedelta(days=2)
        appointment.ends_at += timedelta(days=2)
    events = summaries(whole(db, story, detail=DetailLevel.FULL).content)
    assert not [s for s in events if "Eliquis" in s or s.startswith("Stop")]


def test_a_missed_injection_stays_in_the_file_but_its_steps_leave_it(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    # Past like a completed one (confirmed, kept); the steps were for an injection not given.
    story, pathway = setup(db, personas, knowledge)
    with db.begin():
        appointment = db.scalar(sa.select(Appointment).where(Appointment.pathway_id == pathway.id))
        assert appointment is not None
        appointment.status = AppointmentStatus.NO_SHOW
    events = summaries(whole(db, story, detail=DetailLevel.FULL).content)
    assert str(events["SI joint injection: Westside Spine Clinic"]["status"]) == "CONFIRMED"
    assert not [s for s in events if "Eliquis" in s or s.startswith("Stop")]


def test_a_clinician_may_download_it_other_staff_may_not(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story, _pathway = setup(db, personas, knowledge)
    assert whole(db, story, "clinician").entries == 13
    for who in ("scheduler", "admin", "other_patient", "outsider"):
        with pytest.raises(Forbidden):
            whole(db, story, who)


def test_one_appointment_for_the_patient_and_their_clinics_staff(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story, pathway = setup(db, personas, knowledge)
    with db.begin():
        appointment_id = db.scalar(
            sa.select(Appointment.id).where(Appointment.pathway_id == pathway.id)
        )
    assert appointment_id is not None

    def one(who: str) -> calendar.CalendarFile:
        return calendar.appointment_calendar(
            db,
            actor=story.actor(who),
            appointment_id=appointment_id,
            knowledge=knowledge,
            reader=READER,
            now=PLANNED_AT,
            detail=DetailLevel.STANDARD,
        )

    for who in ("patient", "clinician", "scheduler", "admin"):
        file = one(who)
        assert file.entries == 1 and file.filename == f"appointment-{appointment_id}.ics"
    (event,) = icalendar.Calendar.from_ical(one("patient").content).walk("VEVENT")
    assert (
        str(event["uid"])
        == f"sijcare-appointment-{appointment_id}@clinic{personas.clinic.id}.sijcare.invalid"
    )
    assert "Bring a photo ID" in str(event["description"])
    for who in ("other_patient", "outsider"):
        with pytest.raises(Forbidden):
            one(who)
