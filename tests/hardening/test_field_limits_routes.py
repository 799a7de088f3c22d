"""A value past a field's limit is a 422 naming the field; a value within it still works.

The limits themselves are listed by test_field_limits.py from the OpenAPI description;
these tests post to a few of the routes. Where the schema bound is an outer one (the
highest value any clinic may configure, a physical sanity bound), a value inside it
reaches the core, which answers with the clinic's own bound.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from factories import detach
from factories.clinical import make_documented
from factories.workspace import Story
from sijcare.db.models.patient import new_public_id
from sijcare.domain.knowledge import Knowledge
from sijcare.services import availability
from sijcare.web import limits
from sijcare.web.routes.portal_screening import MAX_ROWS
from web.conftest import START, FrozenClock, Web


def fields_of(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def test_preferences_are_limited_then_checked(web: Web) -> None:
    patient = web.as_("patient")
    long_zone = "America/" + "X" * limits.TIME_ZONE_MAX_LENGTH
    too_long = patient.api("PATCH", "/api/v1/me", {"locale": "en", "time_zone": long_zone})
    assert too_long.status_code == 422 and fields_of(too_long) == ["time_zone"]
    too_long = patient.api("PATCH", "/api/v1/me", {"locale": "e" * 9})
    assert too_long.status_code == 422 and fields_of(too_long) == ["locale"]
    unknown = patient.api("PATCH", "/api/v1/me", {"locale": "en", "time_zone": "Mars/Base"})
    assert unknown.status_code == 422 and fields_of(unknown) == ["time_zone"]  # zoneinfo
    saved = patient.api("PATCH", "/api/v1/me", {"locale": "es", "time_zone": "America/Denver"})
    assert saved.status_code == 200
    assert saved.json()["locale"] == "es" and saved.json()["time_zone"] == "America/Denver"


def test_patient_ids_have_the_shape_of_made_ids(web: Web) -> None:
    clinician = web.as_("clinician")
    assert web.personas.patient.patient is not None
    real = web.personas.patient.patient.public_id
    assert clinician.get(f"/api/v1/patients/{real}").status_code == 200
    assert clinician.get(f"/api/v1/patients/{new_public_id()}").status_code == 404
    for bad in ("nobody", real.upper(), real + "0", "p" + "0" * 200):
        refused = clinician.get(f"/api/v1/patients/{bad}/appointments")
        assert refused.status_code == 422 and fields_of(refused) == ["patient_id"], bad
    refused = clinician.get("/api/v1/workspace/patients/nobody/timeline")
    assert refused.status_code == 422 and fields_of(refused) == ["patient_id"]


def test_search_and_audit_filters_are_limited(web: Web) -> None:
    clinician = web.as_("clinician")
    longest = "x" * limits.SEARCH_MAX_LENGTH
    assert clinician.get("/api/v1/patients", params={"search": longest}).json() == []
    refused = clinician.get("/api/v1/patients", params={"search": longest + "x"})
    assert refused.status_code == 422 and fields_of(refused) == ["search"]
    admin = web.as_("admin")
    for params, field in (
        ({"offset": limits.MAX_OFFSET + 1}, "offset"),
        ({"action": "x" * (limits.AUDIT_ACTION_MAX_LENGTH + 1)}, "action"),
    ):
        for path in ("/api/v1/admin/audit", "/api/v1/admin/audit.csv"):
            if field == "offset" and path.endswith(".csv"):
                continue  # the CSV export has no pages
            refused = admin.get(path, params=params)
            assert refused.status_code == 422 and fields_of(refused) == [field], path
    within = admin.get("/api/v1/admin/audit", params={"offset": limits.MAX_OFFSET})
    assert within.status_code == 200 and within.json() == []
    assert admin.get("/api/v1/admin/audit", params={"action": "user.login"}).status_code == 200


def test_the_message_names_the_limit_in_the_reader_language(web: Web) -> None:
    clinician = web.as_("clinician")
    refused = clinician.get("/api/v1/patients", params={"search": "x" * 201})
    [error] = refused.json()["errors"]
    assert error["message"] == f"This is too long: at most {limits.SEARCH_MAX_LENGTH} characters."
    admin = web.as_("admin")
    refused = admin.get("/api/v1/admin/audit", params={"offset": limits.MAX_OFFSET + 1})
    [error] = refused.json()["errors"]
    assert error["message"] == f"Enter a number no more than {limits.MAX_OFFSET}."
    assert admin.api("PATCH", "/api/v1/me", {"locale": "es"}).status_code == 200
    refused = admin.get("/api/v1/admin/audit", params={"offset": -1})
    [error] = refused.json()["errors"]
    assert error["message"] == "Escriba un número de 0 o más."


def test_symptom_readings_past_physical_bounds_are_refused(web: Web, db: Session) -> None:
    assert web.personas.patient.patient is not None
    record = make_documented(
        db,
        patient=web.personas.patient.patient,
        clinician=web.personas.clinician.user,
        performed_at=START - timedelta(hours=1),
    )
    detach(db)
    patient = web.as_("patient")
    url = f"/api/v1/portal/procedures/{record.id}/symptom-reports"
    for body in (
        {"temperature_c": limits.TEMPERATURE_C_MAX + 1},
        {"temperature_f": -40},
        {"blood_sugar_mg_dl": -1},
        {"blood_sugar_mmol_l": limits.BLOOD_SUGAR_MMOL_L_MAX + 1},
    ):
        refused = patient.api("POST", url, body)
        assert refused.status_code == 422 and fields_of(refused) == list(body), body
    # Inside the physical bound, the core checks the accepted range of the knowledge.
    slip = patient.api("POST", url, {"temperature_c": 80})
    assert slip.status_code == 422 and fields_of(slip) == ["temperature_c"]
    assert "body temperature" in slip.json()["errors"][0]["message"]  # the core's words
    sent = patient.api("POST", url, {"temperature_f": 99.1, "blood_sugar_mmol_l": 7.2})
    assert sent.status_code == 201, sent.text


def test_documented_amounts_past_any_configuration_are_refused(
    web: Web, db: Session, knowledge: Knowledge, clock: FrozenClock
) -> None:
    story = Story(db, web.personas, knowledge)
    pathway = story.ready(story.pathway())
    clock.advance(hours=5)
    clinician = web.as_("clinician")
    url = f"/api/v1/workspace/pathways/{pathway.id}/procedure"

    def procedure(volume_ml: float, baseline_pain: int = 7) -> dict[str, Any]:
        return {
            "performed_at": "2026-03-02T12:05:00-08:00",
            "kind": "diagnostic",
            "side": "left",
            "anesthetic": {
                "agent": "lidocaine",
                "concentration_percent": 1,
                "volume_ml": volume_ml,
            },
            "baseline_pain": baseline_pain,
            "contrast": {"used": True, "agent": "iohexol"},
            "driver_present": True,
        }

    ceiling = limits.ANESTHETIC_VOLUME_MAX_ML
    refused = clinician.api("POST", url, procedure(ceiling + 1))
    assert refused.status_code == 422 and fields_of(refused) == ["anesthetic.volume_ml"]
    refused = clinician.api("POST", url, procedure(2, baseline_pain=limits.PAIN_MAX + 1))
    assert refused.status_code == 422 and fields_of(refused) == ["baseline_pain"]
    # Above the clinic's bound but within any clinic's: the core refuses with its bound.
    configured = knowledge.number("procedure.anesthetic_volume_max_ml")
    assert configured < ceiling
    core = clinician.api("POST", url, procedure(configured + 1))
    assert core.status_code == 422 and fields_of(core) == ["anesthetic.volume_ml"]
    assert f"{configured:g}" in core.json()["errors"][0]["message"]
    assert clinician.api("POST", url, procedure(2)).status_code == 201


def test_screening_lists_and_slot_minutes_are_limited(web: Web) -> None:
    patient = web.as_("patient")
    medicine = {"name": "Metformin"}
    answers = {
        "current_infection": False,
        "immunocompromised": False,
        "possibly_pregnant": False,
        "diabetes": {"has": False},
        "driver_arranged": False,
        "medicines": [medicine] * (MAX_ROWS + 1),
    }
    refused = patient.api("POST", "/api/v1/portal/pathways/1/screening", answers)
    assert refused.status_code == 422 and fields_of(refused) == ["medicines"]
    practitioner = web.personas.clinician.practitioner
    assert practitioner is not None
    hours = {
        "practitioner_id": practitioner.id,
        "location_id": web.personas.location.id,
        "weekday": 2,
        "start_local": "13:00",
        "end_local": "16:00",
        "valid_from": "2026-03-01",
    }
    scheduler = web.as_("scheduler")
    never = scheduler.api("POST", "/api/v1/availability", hours | {"slot_minutes": 24 * 60 + 1})
    assert never.status_code == 422 and fields_of(never) == ["slot_minutes"]
    added = scheduler.api("POST", "/api/v1/availability", hours | {"slot_minutes": 45})
    assert added.status_code == 201, added.text


def test_forms_carry_the_same_limits(
    web: Web, db: Session, knowledge: Knowledge, clock: FrozenClock
) -> None:
    """The browser limits typing (maxlength) and knows each number's range (min, max)."""
    story = Story(db, web.personas, knowledge)
    pathway = story.ready(story.pathway())
    clinician = web.as_("clinician")
    form = clinician.get(f"/workspace/pathways/{pathway.id}/procedure").text
    volume = f"{knowledge.number('procedure.anesthetic_volume_max_ml'):g}"
    assert re.search(rf'name="anesthetic.volume_ml" type="number"[^>]* max="{volume}"', form)
    dose = f"{knowledge.number('procedure.steroid_dose_max_mg'):g}"
    assert re.search(rf'name="steroid.dose_mg" type="number"[^>]* max="{dose}"', form)
    assert re.search(r'name="baseline_pain" type="number"[^>]* min="0" max="10"', form)
    search = f'maxlength="{limits.SEARCH_MAX_LENGTH}"'
    assert search in clinician.get("/workspace/patients").text
    assert search in web.as_("scheduler").get("/patients").text
    audit = web.as_("admin").get("/admin/audit").text
    assert re.search(rf'name="action"[^>]* maxlength="{limits.AUDIT_ACTION_MAX_LENGTH}"', audit)
    practitioner = web.personas.clinician.practitioner
    assert practitioner is not None
    hours = web.as_("scheduler").get(f"/availability?practitioner_id={practitioner.id}").text
    low, high = availability.MIN_SLOT_MINUTES, availability.MAX_SLOT_MINUTES
    assert re.search(rf'name="slot_minutes" type="number"[^>]* min="{low}" max="{high}"', hours)
