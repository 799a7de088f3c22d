"""Recording whether the patient came: the staff's pages and the API, and what the patient sees."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from factories import detach, make_appointment
from factories.workspace import Story
from fixtures_db import Personas
from sijcare.db.enums import AppointmentStatus
from sijcare.db.models import Appointment
from sijcare.domain.knowledge import Knowledge
from web.conftest import START, FrozenClock, Web

PAST = START - timedelta(hours=1)  # started an hour before the frozen "now"
FUTURE = START + timedelta(days=7)


def visit(db: Session, personas: Personas, starts_at: datetime, **overrides: object) -> int:
    assert personas.patient.patient and personas.clinician.practitioner
    row = make_appointment(
        db,
        patient=personas.patient.patient,
        practitioner=personas.clinician.practitioner,
        location=personas.location,
        created_by=personas.scheduler.user,
        starts_at=starts_at,
        **overrides,
    )
    detach(db)
    return int(row.id)


def status_of(db: Session, appointment_id: int) -> AppointmentStatus:
    with db.begin():
        return db.get_one(Appointment, appointment_id).status


def form_of(appointment_id: int) -> str:
    return f'action="/appointments/{appointment_id}/attendance"'


def patient_list(web: Web) -> str:
    patient = web.personas.patient.patient
    assert patient is not None
    return f"/patients/{patient.public_id}/appointments"


def test_only_a_started_booked_appointment_offers_the_buttons(web: Web, db: Session) -> None:
    past = visit(db, web.personas, PAST)
    future = visit(db, web.personas, FUTURE)
    cancelled = visit(
        db, web.personas, PAST - timedelta(days=1), status=AppointmentStatus.CANCELLED,
        cancelled_at=PAST - timedelta(days=2), cancelled_by=web.personas.scheduler.user.id,
    )  # fmt: skip
    page = web.as_("scheduler").get(patient_list(web)).text
    assert form_of(past) in page
    assert form_of(future) not in page and form_of(cancelled) not in page
    assert page.count("Not recorded yet") == 1
    assert ">Attended</button>" in page and ">Did not come</button>" in page
    scheduler = web.as_("scheduler")
    assert "Did the patient come?" in scheduler.get(f"/appointments/{past}").text
    assert form_of(future) not in scheduler.get(f"/appointments/{future}").text
    # The day's list says it too, without the buttons; the patient sees neither.
    day = web.as_("clinician").get("/appointments", params={"day": PAST.date().isoformat()}).text
    assert "Not recorded yet" in day and form_of(past) not in day
    own = web.as_("patient").get("/appointments").text
    assert "Not recorded yet" not in own and form_of(past) not in own


def test_staff_record_by_form_and_put_a_mistake_right(web: Web, db: Session) -> None:
    past = visit(db, web.personas, PAST)
    scheduler = web.as_("scheduler")
    answer = scheduler.post_form(f"/appointments/{past}/attendance", {"attended": "no"})
    assert answer.status_code == 303 and answer.headers["location"] == patient_list(web)
    listed = scheduler.get(patient_list(web)).text
    assert "Recorded: the patient did not come." in listed
    assert "Did not come" in listed and form_of(past) not in listed
    assert status_of(db, past) is AppointmentStatus.NO_SHOW
    assert "Missed visit" in web.as_("patient").get("/appointments").text
    # Its page offers the other answer, and comes back to itself.
    detail = scheduler.get(f"/appointments/{past}").text
    assert "Change what was recorded" in detail and ">Attended</button>" in detail
    fixed = scheduler.post_form(
        f"/appointments/{past}/attendance", {"attended": "yes", "back": "appointment"}
    )
    assert fixed.headers["location"] == f"/appointments/{past}"
    shown = scheduler.get(f"/appointments/{past}").text
    assert "Recorded: the patient came." in shown and "Attended" in shown
    assert status_of(db, past) is AppointmentStatus.COMPLETED
    mine = web.as_("patient").get(f"/appointments/{past}").text
    assert "You came" in mine and form_of(past) not in mine


def test_refusals_say_why_on_the_appointments_page(web: Web, db: Session) -> None:
    future = visit(db, web.personas, FUTURE)
    past = visit(db, web.personas, PAST)
    scheduler = web.as_("scheduler")
    early = scheduler.post_form(f"/appointments/{future}/attendance", {"attended": "yes"})
    assert early.status_code == 409
    assert "This appointment has not started yet." in early.text
    unclear = scheduler.post_form(f"/appointments/{past}/attendance", {"attended": "maybe"})
    assert unclear.status_code == 422
    assert "Choose whether the patient came." in unclear.text
    refused = web.as_("patient").post_form(f"/appointments/{past}/attendance", {"attended": "yes"})
    assert refused.status_code == 403
    assert status_of(db, future) is status_of(db, past) is AppointmentStatus.BOOKED


def test_the_api_records_attendance_and_answers_the_appointment(web: Web, db: Session) -> None:
    past = visit(db, web.personas, PAST)
    clinician = web.as_("clinician")
    came = clinician.api("POST", f"/api/v1/appointments/{past}/attendance", {"attended": True})
    assert came.status_code == 200, came.text
    assert came.json() == clinician.api("GET", f"/api/v1/appointments/{past}").json()
    assert came.json()["status"] == "completed"
    missed = clinician.api("POST", f"/api/v1/appointments/{past}/attendance", {"attended": False})
    assert missed.json()["status"] == "no_show"


def test_the_api_refuses_with_the_usual_errors(web: Web, db: Session) -> None:
    future = visit(db, web.personas, FUTURE)
    past = visit(db, web.personas, PAST)
    scheduler = web.as_("scheduler")

    def post(who: str, appointment_id: int, body: object) -> tuple[int, dict[str, object]]:
        browser = scheduler if who == "scheduler" else web.as_(who)
        answer = browser.api("POST", f"/api/v1/appointments/{appointment_id}/attendance", body)
        return answer.status_code, answer.json()

    status, body = post("scheduler", future, {"attended": True})
    assert status == 409 and "has not started yet" in str(body["detail"])
    status, body = post("scheduler", past, {})
    assert status == 422
    assert body["errors"] == [{"field": "attended", "message": "This field is required."}]
    status, body = post("scheduler", past, {"attended": "maybe"})
    assert status == 422
    assert body["errors"] == [{"field": "attended", "message": "Enter true or false."}]
    assert post("scheduler", 999_999, {"attended": True})[0] == 404
    assert post("patient", past, {"attended": True})[0] == 403
    assert post("outsider", past, {"attended": True})[0] == 403
    assert status_of(db, past) is AppointmentStatus.BOOKED


def test_the_worklist_shows_a_missed_injection_with_nothing_to_document(
    web: Web, db: Session, knowledge: Knowledge, clock: FrozenClock
) -> None:
    story = Story(db, web.personas, knowledge)
    pathway = story.pathway()
    booking = story.book(pathway)
    clock.advance(hours=5)  # past the injection's time
    scheduler = web.as_("scheduler")
    assert (
        scheduler.post_form(f"/appointments/{booking.id}/attendance", {"attended": "no"})
    ).status_code == 303
    page = web.as_("clinician").get("/workspace?day=2026-03-02").text
    assert "Pat Patient" in page and "Did not come" in page
    assert f"/workspace/pathways/{pathway.id}/procedure" not in page
