"""The Reminders page (the patient's choices), its API, and the staff's outbox page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from factories.reminders import make_outbox_message
from sijcare.db.models import Patient
from sijcare.db.models.outbox_message import OutboxStatus
from web.conftest import Web


def patient_of(web: Web) -> Patient:
    patient = web.personas.patient.patient
    assert patient is not None
    return patient


def test_the_patient_sees_the_clinics_defaults_first(web: Web) -> None:
    page = web.as_("patient").get("/portal/reminders")
    assert page.status_code == 200
    assert "Reminders go to patient@example.org." in page.text
    assert 'name="detail" value="minimal" checked' in page.text
    assert 'name="email_opt_in" value="yes" checked' in page.text
    assert "the clinic's quiet hours, 21:00 to 08:00" in page.text
    assert 'href="/portal/calendar.ics"' in page.text
    assert 'href="/portal/reminders"' in web.as_("patient").get("/").text


def test_the_patient_saves_a_choice(web: Web) -> None:
    browser = web.as_("patient")
    saved = browser.post_form(
        "/portal/reminders",
        {"email_opt_in": "yes", "detail": "full", "quiet_start": "22:00", "quiet_end": "07:00"},
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/portal/reminders"
    page = browser.get("/portal/reminders").text
    assert "Your reminder choices are saved." in page
    assert 'name="detail" value="full" checked' in page
    assert 'value="22:00"' in page
    api = browser.api("GET", f"/api/v1/patients/{patient_of(web).public_id}/reminder-preferences")
    assert api.json() | {"updated_at": None} == {
        "email": "patient@example.org",
        "email_opt_in": True,
        "detail": "full",
        "quiet_start": "22:00:00",
        "quiet_end": "07:00:00",
        "own_quiet_hours": True,
        "chosen": True,
        "updated_at": None,
    }


def test_a_bad_choice_is_shown_next_to_its_field(web: Web) -> None:
    page = web.as_("patient").post_form(
        "/portal/reminders", {"detail": "loud", "quiet_start": "22:00", "quiet_end": ""}
    )
    assert page.status_code == 422
    assert "Choose whether you want e-mail reminders." in page.text
    assert "Choose how much the reminders may say." in page.text
    again = web.as_("patient").post_form(
        "/portal/reminders", {"email_opt_in": "no", "detail": "minimal", "quiet_start": "22:00"}
    )
    assert again.status_code == 422
    assert "Give both times, or leave both empty" in again.text


def test_staff_have_no_reminders_page_of_their_own(web: Web) -> None:
    assert web.as_("clinician").get("/portal/reminders").status_code == 403
    assert web.as_("clinician").get("/portal/calendar.ics").status_code == 403


def test_the_api_saves_the_choice_and_refuses_bad_quiet_hours(web: Web) -> None:
    browser = web.as_("patient")
    url = f"/api/v1/patients/{patient_of(web).public_id}/reminder-preferences"
    saved = browser.api("PUT", url, {"email_opt_in": False, "detail": "standard"})
    assert saved.status_code == 200
    assert (saved.json()["email_opt_in"], saved.json()["own_quiet_hours"]) == (False, False)
    bad = browser.api(
        "PUT",
        url,
        {"email_opt_in": True, "detail": "standard", "quiet_start": "22:00", "quiet_end": "22:00"},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "quiet_end", "message": "Choose an end different from the start."}
    ]


def test_the_outbox_shows_sent_and_failed_reminders_to_staff(web: Web, db: Session) -> None:
    now = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    make_outbox_message(
        db,
        patient=patient_of(web),
        due_at=now - timedelta(days=1),
        status=OutboxStatus.FAILED,
        attempts=5,
        last_error="451 4.3.0 Try again later",
    )
    make_outbox_message(
        db,
        patient=patient_of(web),
        due_at=now - timedelta(days=2),
        status=OutboxStatus.SENT,
        attempts=1,
        sent_at=now - timedelta(days=2),
        result="250 2.0.0 Ok: queued as A1",
    )
    page = web.as_("scheduler").get("/workspace/outbox")
    assert page.status_code == 200
    assert "Not delivered" in page.text and "451 4.3.0 Try again later" in page.text
    assert "250 2.0.0 Ok: queued as A1" in page.text
    failed = web.as_("admin").get("/workspace/outbox?status=failed").text
    assert "451 4.3.0" in failed and "queued as A1" not in failed
    assert web.as_("clinician").get("/workspace/outbox?status=lost").status_code == 422
    assert web.as_("patient").get("/workspace/outbox").status_code == 403
    api = web.as_("clinician").api("GET", "/api/v1/outbox?status=failed").json()
    assert [(m["status"], m["attempts"], m["last_error"]) for m in api] == [
        ("failed", 5, "451 4.3.0 Try again later")
    ]
    assert api[0]["patient_id"] == patient_of(web).public_id
    mine = web.as_("patient").get("/portal/reminders").text
    assert "Not delivered" in mine and "Sent" in mine
    own = web.as_("patient").api("GET", f"/api/v1/patients/{patient_of(web).public_id}/reminders")
    assert [m["status"] for m in own.json()] == ["failed", "sent"]
