"""The scheduling pages, used as a browser without JavaScript would use them."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from fixtures_db import Personas
from sijcare.db.models import Practitioner
from web.conftest import Browser, Web
from web.scheduling import MONDAY_9, with_monday_hours


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


def booking_page(browser: Browser, public_id: str, personas: Personas) -> str:
    practitioner = personas.clinician.practitioner
    assert practitioner is not None
    response = browser.get(
        f"/patients/{public_id}/appointments/new",
        params={
            "practitioner_id": practitioner.id,
            "location_id": personas.location.id,
            "kind": "follow_up",
            "mode": "in_person",
            "from": "2026-03-09",
        },
    )
    assert response.status_code == 200
    return response.text


def public_id(web: Web) -> str:
    patient = web.personas.patient.patient
    assert patient is not None
    return patient.public_id


def test_booking_page_lists_free_times_in_the_locations_zone(web: Web, db: Session) -> None:
    with_monday_hours(db, web.personas)
    page = booking_page(web.as_("patient"), public_id(web), web.personas)
    assert "Monday, March 9, 2026" in page
    assert "9:00\u202fAM PDT" in page or "9:00 AM PDT" in page
    assert f'value="{MONDAY_9.isoformat()}"' in page
    assert "<script" not in page


def test_show_free_times_without_a_choice_says_what_is_missing(web: Web) -> None:
    patient = web.as_("patient")
    first = patient.get(f"/patients/{public_id(web)}/appointments/new").text
    assert "There is a problem" not in first
    asked = patient.get(
        f"/patients/{public_id(web)}/appointments/new",
        params={"kind": "follow_up", "mode": "in_person", "practitioner_id": "", "location_id": ""},
    ).text
    assert '<a href="#field-practitioner_id">Choose a physician.</a>' in asked
    assert '<a href="#field-location_id">Choose a location.</a>' in asked


def test_no_virtual_times_are_offered_by_a_physician_without_virtual_visits(
    web: Web, db: Session
) -> None:
    with_monday_hours(db, web.personas)
    practitioner = web.personas.clinician.practitioner
    assert practitioner is not None
    with db.begin():
        db.get_one(Practitioner, practitioner.id).accepts_virtual = False
    page = web.as_("patient").get(
        f"/patients/{public_id(web)}/appointments/new",
        params={
            "kind": "follow_up", "mode": "virtual", "practitioner_id": str(practitioner.id),
            "location_id": str(web.personas.location.id), "from": "2026-03-09",
        },
    ).text  # fmt: skip
    assert '<a href="#field-mode">This practitioner does not offer virtual visits.</a>' in page
    assert 'name="starts_at"' not in page


def test_booking_by_form_redirects_to_the_appointment(web: Web, db: Session) -> None:
    with_monday_hours(db, web.personas)
    patient = web.as_("patient")
    page = booking_page(patient, public_id(web), web.personas)
    form = {
        name: hidden(page, name)
        for name in ("csrf_token", "form_token", "practitioner_id", "location_id", "kind", "mode")
    }
    response = patient.client.post(
        f"/patients/{public_id(web)}/appointments", data={**form, "starts_at": MONDAY_9.isoformat()}
    )
    assert response.status_code == 303
    detail = patient.get(response.headers["location"])
    assert "The appointment is booked." in detail.text
    assert "Monday, March 9, 2026 9:00" in detail.text


def test_double_submitted_booking_form_books_once(web: Web, db: Session) -> None:
    with_monday_hours(db, web.personas)
    patient = web.as_("patient")
    page = booking_page(patient, public_id(web), web.personas)
    form = {
        name: hidden(page, name)
        for name in ("csrf_token", "form_token", "practitioner_id", "location_id", "kind", "mode")
    }
    data = {**form, "starts_at": MONDAY_9.isoformat()}
    first = patient.client.post(f"/patients/{public_id(web)}/appointments", data=data)
    second = patient.client.post(f"/patients/{public_id(web)}/appointments", data=data)
    assert first.headers["location"] == second.headers["location"]
    mine = patient.api("GET", "/api/v1/appointments").json()
    assert len(mine) == 1


def test_booking_form_without_a_time_rerenders_with_the_choices_kept(web: Web, db: Session) -> None:
    with_monday_hours(db, web.personas)
    patient = web.as_("patient")
    page = booking_page(patient, public_id(web), web.personas)
    form = {
        name: hidden(page, name)
        for name in ("csrf_token", "form_token", "practitioner_id", "location_id", "kind", "mode")
    }
    response = patient.client.post(
        f"/patients/{public_id(web)}/appointments", data={**form, "note": "knee too"}
    )
    assert response.status_code == 422
    assert 'id="error-starts_at"' in response.text
    assert "Choose one of the free times." in response.text
    assert "knee too" in response.text
    assert patient.api("GET", "/api/v1/appointments").json() == []


def test_move_and_cancel_by_form(web: Web, db: Session) -> None:
    with_monday_hours(db, web.personas)
    scheduler = web.as_("scheduler")
    booked = scheduler.api(
        "POST",
        f"/api/v1/patients/{public_id(web)}/appointments",
        {
            "practitioner_id": web.personas.clinician.practitioner.id,  # type: ignore[union-attr]
            "location_id": web.personas.location.id,
            "starts_at": MONDAY_9.isoformat(),
            "kind": "follow_up",
            "mode": "in_person",
        },
    ).json()
    move_page = scheduler.get(f"/appointments/{booked['id']}/move", params={"from": "2026-03-09"})
    later = re.findall(r'name="starts_at" value="([^"]+)"', move_page.text)[2]
    moved = scheduler.post_form(f"/appointments/{booked['id']}/move", {"starts_at": later})
    assert moved.status_code == 303
    cancelled = scheduler.post_form(
        f"/appointments/{booked['id']}/cancel", {"reason": "patient asked"}
    )
    assert cancelled.status_code == 303
    detail = scheduler.get(f"/appointments/{booked['id']}").text
    assert "Cancelled" in detail and "patient asked" in detail
    assert f"/appointments/{booked['id']}/move" not in detail
    # A cancelled appointment offers no times to move to: back to its page, saying why.
    for answer in (
        scheduler.get(f"/appointments/{booked['id']}/move"),
        scheduler.post_form(f"/appointments/{booked['id']}/move", {"starts_at": later}),
    ):
        assert answer.status_code == 303
        assert answer.headers["location"] == f"/appointments/{booked['id']}"
    shown = scheduler.get(f"/appointments/{booked['id']}").text
    assert "This appointment is no longer booked." in shown


def test_move_form_without_a_time_shows_the_error(web: Web, db: Session) -> None:
    with_monday_hours(db, web.personas)
    scheduler = web.as_("scheduler")
    booked = scheduler.api(
        "POST",
        f"/api/v1/patients/{public_id(web)}/appointments",
        {
            "practitioner_id": web.personas.clinician.practitioner.id,  # type: ignore[union-attr]
            "location_id": web.personas.location.id,
            "starts_at": MONDAY_9.isoformat(),
            "kind": "follow_up",
            "mode": "in_person",
        },
    ).json()
    response = scheduler.post_form(
        f"/appointments/{booked['id']}/move", {"starts_at": "not a time"}
    )
    assert response.status_code == 422
    assert "Choose one of the free times." in response.text


def test_staff_day_list_and_patient_list_pages(web: Web) -> None:
    scheduler = web.as_("scheduler")
    day = scheduler.get("/appointments", params={"day": "2026-03-09"})
    assert "Appointments on Monday, March 9, 2026" in day.text
    patients = scheduler.get("/patients", params={"search": "olive"})
    assert "Olive Other" in patients.text and "Pat Patient" not in patients.text
    assert web.as_("patient").get("/patients").status_code == 403
    # Each role's next step from the list: an admin gives a login, a clinician a pathway.
    olive = web.personas.other_patient.patient
    assert olive is not None
    login = f'href="/admin/patients/{olive.public_id}/portal-login"'
    pathway = f'href="/workspace/patients/{olive.public_id}"'
    assert login not in patients.text and pathway not in patients.text
    assert login in web.as_("admin").get("/patients").text
    clinician = web.as_("clinician").get("/patients")
    assert clinician.status_code == 200 and pathway in clinician.text


def test_register_a_patient_by_form(web: Web) -> None:
    scheduler = web.as_("scheduler")
    bad = scheduler.post_form("/patients/new", {"name": "", "date_of_birth": "yesterday"})
    assert bad.status_code == 422
    assert 'id="error-date_of_birth"' in bad.text
    good = scheduler.post_form("/patients/new", {"name": "Nia New", "date_of_birth": "1980-02-02"})
    assert good.status_code == 303
    assert "Nia New" in scheduler.get(good.headers["location"]).text
    assert web.as_("clinician").get("/patients/new").status_code == 403


def test_directory_pages(web: Web) -> None:
    patient = web.as_("patient")
    listing = patient.get("/physicians")
    assert "Dr. Casey Clinician" in listing.text
    practitioner = web.personas.clinician.practitioner
    assert practitioner is not None
    detail = patient.get(f"/physicians/{practitioner.id}")
    assert "Board certified in pain medicine" in detail.text
    assert (
        f"/patients/{public_id(web)}/appointments/new?practitioner_id={practitioner.id}"
        in detail.text.replace("&amp;", "&")
    )


def test_availability_pages_add_and_remove_hours_and_time_off(web: Web) -> None:
    scheduler = web.as_("scheduler")
    practitioner = web.personas.clinician.practitioner
    assert practitioner is not None
    base = {"practitioner_id": str(practitioner.id)}
    added = scheduler.post_form(
        "/availability",
        {
            **base,
            "location_id": str(web.personas.location.id),
            "weekday": "1",
            "start_local": "08:00",
            "end_local": "11:00",
            "slot_minutes": "30",
            "valid_from": "2026-03-01",
        },
    )
    assert added.status_code == 303
    page = scheduler.get(added.headers["location"]).text
    assert "Tuesday" in page and "08:00–11:00" in page
    bad = scheduler.post_form(
        "/availability/exceptions", {**base, "on_date": "2026-03-10", "off_start": "10:00"}
    )
    assert bad.status_code == 422
    assert 'id="error-off_end"' in bad.text
    off = scheduler.post_form(
        "/availability/exceptions", {**base, "on_date": "2026-03-10", "reason": "Leave"}
    )
    assert off.status_code == 303
    page = scheduler.get(off.headers["location"]).text
    rule_id = re.search(r'action="/availability/(\d+)/delete"', page)
    off_id = re.search(r'action="/availability/exceptions/(\d+)/delete"', page)
    assert rule_id and off_id
    assert scheduler.post_form(f"/availability/{rule_id.group(1)}/delete", base).status_code == 303
    assert (
        scheduler.post_form(f"/availability/exceptions/{off_id.group(1)}/delete", base).status_code
        == 303
    )
    page = scheduler.get(f"/availability?practitioner_id={practitioner.id}").text
    assert "No weekly hours yet." in page and "No time off." in page


def test_availability_form_errors_keep_what_was_typed(web: Web) -> None:
    scheduler = web.as_("scheduler")
    practitioner = web.personas.clinician.practitioner
    assert practitioner is not None
    response = scheduler.post_form(
        "/availability",
        {
            "practitioner_id": str(practitioner.id),
            "location_id": str(web.personas.location.id),
            "weekday": "1",
            "start_local": "11:00",
            "end_local": "08:00",
            "slot_minutes": "x",
            "valid_from": "2026-03-01",
        },
    )
    assert response.status_code == 422
    assert 'id="error-slot_minutes"' in response.text
    assert 'value="11:00"' in response.text
    assert web.as_("clinician").get("/availability").status_code == 403
