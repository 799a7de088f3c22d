"""Calendar downloads (.ics) from the portal, an appointment's page and the API."""

from __future__ import annotations

from datetime import UTC

import icalendar
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.reminders import PROCEDURE_AT, prepared_pathway
from factories.workspace import Story
from sijcare.db.models import Appointment
from sijcare.domain.knowledge import Knowledge
from web.conftest import Web


def summaries(data: bytes) -> list[str]:
    return [str(e["summary"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")]


def booked(db: Session, web: Web, knowledge: Knowledge) -> int:
    pathway = prepared_pathway(Story(db, web.personas, knowledge))
    with db.begin():
        found = db.scalar(sa.select(Appointment.id).where(Appointment.pathway_id == pathway.id))
    assert found is not None
    return int(found)


def test_the_patient_downloads_their_calendar(web: Web, db: Session, knowledge: Knowledge) -> None:
    booked(db, web, knowledge)
    response = web.as_("patient").get("/portal/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="sijcare-calendar.ics"'
    assert summaries(response.content) == [
        "Reminder: Westside Spine Clinic",  # the last dose (minimal: the patient's default)
        "Reminder: Westside Spine Clinic",  # stop eating
        "Reminder: Westside Spine Clinic",  # stop drinking
        "Appointment: Westside Spine Clinic",
        "Reminder: Westside Spine Clinic",  # the restart
    ]
    full = web.as_("patient").get("/portal/calendar.ics?detail=full")
    assert "Last dose of Eliquis 5 mg before your procedure" in summaries(full.content)
    assert web.as_("patient").get("/portal/calendar.ics?detail=loud").status_code == 422


def test_an_appointments_file_for_the_patient_and_the_clinics_staff(
    web: Web, db: Session, knowledge: Knowledge
) -> None:
    appointment_id = booked(db, web, knowledge)
    for who in ("patient", "scheduler"):
        response = web.as_(who).get(f"/appointments/{appointment_id}/calendar.ics?detail=standard")
        assert response.status_code == 200
        (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
        assert event.start.astimezone(UTC) == PROCEDURE_AT
        assert "Please arrive by 7:30" in str(event["description"])
    api = web.as_("clinician").get(f"/api/v1/appointments/{appointment_id}/calendar.ics")
    assert api.status_code == 200 and summaries(api.content) == [
        "Appointment: Westside Spine Clinic"
    ]


def test_the_api_serves_the_patients_calendar_in_the_readers_language(
    web: Web, db: Session, knowledge: Knowledge
) -> None:
    booked(db, web, knowledge)
    patient = web.personas.patient.patient
    assert patient is not None
    browser = web.as_("clinician")
    browser.api("PATCH", "/api/v1/me", {"locale": "es"})
    response = browser.get(f"/api/v1/patients/{patient.public_id}/calendar.ics?detail=full")
    assert response.status_code == 200
    names = summaries(response.content)
    assert "Inyección en la articulación sacroilíaca: Westside Spine Clinic" in names
    text = response.content.decode()
    assert "DTSTART;TZID=America/Los_Angeles:20260310T080000" in text
