"""No patient identifiers in addresses or logs; the audit log has no way to change it.

- Addresses: a patient appears in a path only as `patient_id`, the random `public_id`
  (64 random bits); no route takes a name, e-mail, birth date or phone in its path.
- Logs: a patient's journey (sign-in, a symptom report with a note, a diary score with
  a note, a failed sign-in, a refused request, a clinician's search by name, the
  database going away) writes no name, e-mail, phone, birth date or note to any log, at
  any level, the access log included (`web.logs`, tests/web/test_logs.py).
- Audit log: no route can change or delete an audit event (only GET routes touch it);
  the database refuses it too (tests/db/test_invariants.py, both engines).
"""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from factories.clinical import make_documented
from sijcare.db.models.patient import new_public_id
from sijcare.web.app import ROUTE_MODULES
from web.conftest import FrozenClock, Web

IDENTIFYING = re.compile(r"{[^}]*(name|email|e_mail|birth|dob|phone|mrn)[^}]*}", re.IGNORECASE)


def routes() -> list[APIRoute]:
    out = []
    for module in ROUTE_MODULES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            out.append(route)
    return out


def test_no_route_takes_a_patient_identifier_in_its_path() -> None:
    identifying = [r.path for r in routes() if IDENTIFYING.search(r.path)]
    allowed = {"/fhir/Questionnaire/{name}"}  # a questionnaire's name, not a person's
    assert set(identifying) <= allowed


def test_public_ids_are_random_and_unguessable() -> None:
    ids = {new_public_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"p[0-9a-f]{16}", i) for i in ids)  # 64 random bits


def test_no_route_changes_or_deletes_the_audit_log() -> None:
    audit_routes = [r for r in routes() if "audit" in r.path]
    assert audit_routes, "the audit pages moved: update this test"
    assert all(r.methods <= {"GET", "HEAD"} for r in audit_routes)


def test_a_patients_journey_logs_no_identifier(
    web: Web, db: Session, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    persona = web.personas.patient
    assert persona.patient is not None
    record = make_documented(db, patient=persona.patient, clinician=web.personas.clinician.user)
    clock.advance(hours=2)
    secrets_of_patient = [
        persona.patient.name,
        persona.email,
        persona.patient.phone or "",
        persona.patient.date_of_birth.isoformat(),
        "private note about my knee",
    ]
    caplog.set_level(logging.DEBUG)
    anonymous = web.browser()
    anonymous.sign_in(persona.email, "a wrong password")
    patient = web.as_("patient")
    patient.api(
        "POST",
        f"/api/v1/portal/procedures/{record.id}/symptom-reports",
        {"hives": True, "note": secrets_of_patient[-1]},
    )
    patient.api(
        "POST",
        f"/api/v1/portal/procedures/{record.id}/diary-entries",
        {"pain": 3, "note": secrets_of_patient[-1]},
    )
    patient.get(f"/api/v1/patients/{web.personas.other_patient.patient.public_id}")  # type: ignore[union-attr]
    clinician = web.as_("clinician")
    clinician.get("/api/v1/workspace/inbox")
    # A search by name: its query string must not reach the access log.
    clinician.get("/patients", params={"search": persona.patient.name})
    clinician.get("/api/v1/patients", params={"search": persona.patient.name})
    logged = "\n".join(r.getMessage() + " " + str(r.args) for r in caplog.records)
    for value in secrets_of_patient:
        assert value and value not in logged, value
