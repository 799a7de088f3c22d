"""The scheduling JSON API: directory, slots, availability, patients and appointments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from web.conftest import Web
from web.scheduling import MONDAY_9, booking, with_monday_hours


def patient_id(web: Web) -> str:
    patient = web.personas.patient.patient
    assert patient is not None
    return patient.public_id


def test_directory_lists_the_clinics_physicians_with_their_places(web: Web) -> None:
    found = web.as_("patient").api("GET", "/api/v1/physicians").json()
    assert [p["name"] for p in found] == ["Dr. Casey Clinician"]
    assert found[0]["locations"][0]["name"] == "Westside Main"
    assert found[0]["qualifications"] == ["Board certified in pain medicine"]
    outsider_view = web.as_("outsider").api("GET", "/api/v1/physicians").json()
    assert [p["name"] for p in outsider_view] == ["Dr. Oscar Outsider"]


def test_a_physician_of_another_clinic_is_not_found(web: Web) -> None:
    outsider = web.personas.outsider.practitioner
    assert outsider is not None
    response = web.as_("patient").api("GET", f"/api/v1/physicians/{outsider.id}")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no such practitioner.", "errors": []}


def test_slots_are_utc_and_follow_the_local_hours(web: Web, db: Session) -> None:
    practitioner_id = with_monday_hours(db, web.personas)
    response = web.as_("patient").api(
        "GET",
        f"/api/v1/physicians/{practitioner_id}/slots",
        params={"location_id": web.personas.location.id, "from": "2026-03-09", "days": 1},
    )
    starts = [slot["starts_at"] for slot in response.json()]
    assert starts[0] == "2026-03-09T16:00:00Z"
    assert len(starts) == 6


def test_slots_with_a_bad_query_get_field_errors(web: Web) -> None:
    practitioner = web.personas.clinician.practitioner
    assert practitioner is not None
    response = web.as_("patient").api(
        "GET",
        f"/api/v1/physicians/{practitioner.id}/slots",
        params={"location_id": web.personas.location.id, "from": "soon", "days": 99},
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"from", "days"}


def test_scheduler_manages_weekly_hours_and_time_off(web: Web) -> None:
    scheduler = web.as_("scheduler")
    practitioner = web.personas.clinician.practitioner
    assert practitioner is not None
    added = scheduler.api(
        "POST",
        "/api/v1/availability",
        {
            "practitioner_id": practitioner.id,
            "location_id": web.personas.location.id,
            "weekday": 2,
            "start_local": "13:00",
            "end_local": "16:00",
            "slot_minutes": 45,
            "valid_from": "2026-03-01",
        },
    )
    assert added.status_code == 201, added.text
    off = scheduler.api(
        "POST",
        "/api/v1/availability/exceptions",
        {
            "practitioner_id": practitioner.id,
            "on_date": "2026-03-11",
            "reason": "Conference",
        },
    )
    assert off.status_code == 201
    assert off.json()["all_day"] is True
    schedule = scheduler.api(
        "GET", "/api/v1/availability", params={"practitioner_id": practitioner.id}
    ).json()
    assert [r["weekday"] for r in schedule["rules"]] == [2]
    assert scheduler.api("DELETE", f"/api/v1/availability/{added.json()['id']}").status_code == 204
    assert (
        scheduler.api("DELETE", f"/api/v1/availability/exceptions/{off.json()['id']}").status_code
        == 204
    )
    empty = scheduler.api(
        "GET", "/api/v1/availability", params={"practitioner_id": practitioner.id}
    ).json()
    assert empty == {"rules": [], "exceptions": []}


def test_weekly_hours_are_validated_field_by_field(web: Web) -> None:
    practitioner = web.personas.clinician.practitioner
    assert practitioner is not None
    response = web.as_("scheduler").api(
        "POST",
        "/api/v1/availability",
        {
            "practitioner_id": practitioner.id,
            "location_id": web.personas.location.id,
            "weekday": 2,
            "start_local": "16:00",
            "end_local": "13:00",
            "slot_minutes": 1,
            "valid_from": "2026-03-01",
            "valid_to": "2026-02-01",
        },
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "end_local",
        "slot_minutes",
        "valid_to",
    }


@pytest.mark.parametrize(
    ("start", "end", "valid_from", "valid_to", "refused"),
    [
        pytest.param("15:00", "17:00", "2026-03-01", None, True, id="overlapping-hours"),
        pytest.param("12:00", "13:00", "2026-03-01", None, False, id="just-before"),
        pytest.param("16:00", "18:00", "2026-03-01", None, False, id="just-after"),
        pytest.param("14:00", "15:00", "2026-01-01", "2026-02-28", False, id="earlier-weeks"),
        pytest.param("14:00", "15:00", "2026-01-01", "2026-03-01", True, id="weeks-touching"),
    ],
)
def test_weekly_hours_cannot_overlap_the_practitioners_other_hours(
    web: Web, start: str, end: str, valid_from: str, valid_to: str | None, refused: bool
) -> None:
    """Wednesdays 13:00-16:00 from March 1 exist; a physician cannot be in two places."""
    practitioner = web.personas.clinician.practitioner
    assert practitioner is not None
    scheduler = web.as_("scheduler")
    hours = {
        "practitioner_id": practitioner.id, "location_id": web.personas.location.id,
        "weekday": 2, "slot_minutes": 45,
    }  # fmt: skip
    first = {"start_local": "13:00", "end_local": "16:00", "valid_from": "2026-03-01"}
    assert scheduler.api("POST", "/api/v1/availability", hours | first).status_code == 201
    second = {
        "start_local": start, "end_local": end, "valid_from": valid_from, "valid_to": valid_to,
    }  # fmt: skip
    answer = scheduler.api("POST", "/api/v1/availability", hours | second)
    if refused:
        assert answer.status_code == 422
        [error] = answer.json()["errors"]
        assert error["field"] == "start_local" and "13:00 to 16:00" in error["message"]
    else:
        assert answer.status_code == 201, answer.text


def test_only_schedulers_and_admins_manage_availability(web: Web) -> None:
    practitioner = web.personas.clinician.practitioner
    assert practitioner is not None
    for who in ("patient", "clinician"):
        response = web.as_(who).api(
            "GET", "/api/v1/availability", params={"practitioner_id": practitioner.id}
        )
        assert response.status_code == 403, who
    outsider = web.as_("outsider")
    assert (
        outsider.api(
            "GET", "/api/v1/availability", params={"practitioner_id": practitioner.id}
        ).status_code
        == 403
    )


def test_staff_list_and_register_patients_of_their_clinic_only(web: Web) -> None:
    scheduler = web.as_("scheduler")
    names = [p["name"] for p in scheduler.api("GET", "/api/v1/patients").json()]
    assert names == ["Olive Other", "Pat Patient"]
    assert [
        p["name"] for p in scheduler.api("GET", "/api/v1/patients", params={"search": "pat"}).json()
    ] == ["Pat Patient"]
    created = scheduler.api(
        "POST", "/api/v1/patients", {"name": "New Person", "date_of_birth": "1970-05-05"}
    )
    assert created.status_code == 201
    assert web.as_("outsider").api("GET", "/api/v1/patients").json() == []
    assert web.as_("patient").api("GET", "/api/v1/patients").status_code == 403


def test_registering_a_patient_needs_a_name_and_a_past_birth_date(web: Web) -> None:
    response = web.as_("admin").api(
        "POST", "/api/v1/patients", {"name": " ", "date_of_birth": "2030-01-01"}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"name", "date_of_birth"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"date_of_birth": "1850-05-05"}, "date_of_birth", id="a-typing-slip-1850"),
        pytest.param({"phone": "abc"}, "phone", id="a-phone-with-no-digits"),
        pytest.param({"phone": "555"}, "phone", id="a-phone-too-short"),
        # Pat Patient is registered with this date of birth: the same person again.
        pytest.param({"name": "pat PATIENT"}, "name", id="the-same-name-and-birth-date"),
    ],
)
def test_registering_refuses_slips_and_the_same_patient_twice(
    web: Web, db: Session, body: dict[str, str], field: str
) -> None:
    patient = web.personas.patient.patient
    assert patient is not None
    values = {"name": "New Person", "date_of_birth": patient.date_of_birth.isoformat()}
    admin = web.as_("admin")
    before = len(admin.api("GET", "/api/v1/patients").json())
    response = admin.api("POST", "/api/v1/patients", values | body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert len(admin.api("GET", "/api/v1/patients").json()) == before


def test_book_move_and_cancel_through_the_api(web: Web, db: Session) -> None:
    with_monday_hours(db, web.personas)
    patient = web.as_("patient")
    booked = patient.api(
        "POST", f"/api/v1/patients/{patient_id(web)}/appointments", booking(web.personas)
    )
    assert booked.status_code == 201, booked.text
    body = booked.json()
    assert (body["starts_at"], body["time_zone"], body["status"]) == (
        "2026-03-09T16:00:00Z",
        "America/Los_Angeles",
        "booked",
    )
    later = (MONDAY_9 + timedelta(hours=1)).isoformat()
    moved = patient.api("POST", f"/api/v1/appointments/{body['id']}/move", {"starts_at": later})
    assert moved.json()["starts_at"] == "2026-03-09T17:00:00Z"
    cancelled = patient.api(
        "POST", f"/api/v1/appointments/{body['id']}/cancel", {"reason": "better"}
    )
    assert cancelled.json()["status"] == "cancelled"
    again = patient.api("POST", f"/api/v1/appointments/{body['id']}/cancel", {})
    assert again.status_code == 409
    listed = patient.api("GET", "/api/v1/appointments").json()
    assert [a["id"] for a in listed] == [body["id"]]
    assert (
        patient.api("GET", f"/api/v1/appointments/{body['id']}").json()["cancel_reason"] == "better"
    )


def test_booking_a_taken_or_made_up_time_gets_a_field_error(web: Web, db: Session) -> None:
    with_monday_hours(db, web.personas)
    scheduler = web.as_("scheduler")
    url = f"/api/v1/patients/{patient_id(web)}/appointments"
    assert scheduler.api("POST", url, booking(web.personas)).status_code == 201
    other = web.personas.other_patient.patient
    assert other is not None
    taken = scheduler.api(
        "POST", f"/api/v1/patients/{other.public_id}/appointments", booking(web.personas)
    )
    assert taken.status_code == 422
    assert taken.json()["errors"][0]["field"] == "starts_at"
    naive = scheduler.api(
        "POST", url, {**booking(web.personas), "starts_at": "2026-03-09T09:00:00"}
    )
    assert naive.status_code == 422
    assert naive.json()["errors"] == [
        {"field": "starts_at", "message": "Add a time zone offset, like -08:00."}
    ]


def test_the_same_request_twice_with_a_key_books_once(web: Web, db: Session) -> None:
    with_monday_hours(db, web.personas)
    patient = web.as_("patient")
    url = f"/api/v1/patients/{patient_id(web)}/appointments"
    first = patient.api("POST", url, booking(web.personas, idempotency_key="k-1")).json()
    second = patient.api("POST", url, booking(web.personas, idempotency_key="k-1")).json()
    assert first["id"] == second["id"]
    assert len(patient.api("GET", f"/api/v1/patients/{patient_id(web)}/appointments").json()) == 1


def test_staff_see_the_days_appointments_of_their_clinic(web: Web, db: Session) -> None:
    with_monday_hours(db, web.personas)
    web.as_("scheduler").api(
        "POST", f"/api/v1/patients/{patient_id(web)}/appointments", booking(web.personas)
    )
    day = (
        web.as_("clinician").api("GET", "/api/v1/appointments", params={"day": "2026-03-09"}).json()
    )
    assert [a["patient_name"] for a in day] == ["Pat Patient"]
    assert (
        web.as_("outsider").api("GET", "/api/v1/appointments", params={"day": "2026-03-09"}).json()
        == []
    )
