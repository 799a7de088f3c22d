"""The FHIR API: the Bundle as application/fhir+json, the import, the public Questionnaires.

Who may call the patient routes is in the refusal matrix (access_matrix.py); these tests
check what the routes answer.
"""

from __future__ import annotations

import json
from typing import Any

from interop.fhir_checks import checked, of_type, types
from sijcare.interop.fhir import questionnaires
from sijcare.services import fhir
from web.conftest import Web

FHIR_JSON = "application/fhir+json"


def _patient_id(web: Web) -> str:
    patient = web.personas.patient.patient
    assert patient is not None
    return patient.public_id


def _bundle(web: Web, **overrides: Any) -> dict[str, Any]:
    patient = web.personas.patient.patient
    assert patient is not None
    person = {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"text": patient.name}],
        "birthDate": patient.date_of_birth.isoformat(),
    } | overrides
    allergy = {
        "resourceType": "AllergyIntolerance",
        "code": {"text": "Latex"},
        "patient": {"reference": "Patient/p1"},
    }
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": person}, {"resource": allergy}],
    }


def test_export_answers_a_fhir_bundle(web: Web) -> None:
    response = web.as_("clinician").get(f"/api/v1/patients/{_patient_id(web)}/fhir")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(FHIR_JSON)
    assert response.headers["cache-control"] == "no-store"
    doc = checked(response.text)
    assert types(doc)["Patient"] == 1
    assert "AuditEvent" not in types(doc)


def test_export_with_audit_true_adds_the_audit_events(web: Web) -> None:
    browser = web.as_("patient")
    browser.get(f"/api/v1/patients/{_patient_id(web)}")  # one audited read first
    doc = checked(browser.get(f"/api/v1/patients/{_patient_id(web)}/fhir?audit=true").text)
    actions = {e["subtype"][0]["code"] for e in of_type(doc, "AuditEvent")}
    assert "patient.view" in actions


def test_export_refusals_are_json_errors(web: Web) -> None:
    path = f"/api/v1/patients/{_patient_id(web)}/fhir"
    anonymous = web.browser().get(path)
    assert anonymous.status_code == 401
    refused = web.as_("scheduler").get(path)
    assert refused.status_code == 403
    assert set(refused.json()) == {"detail", "errors"}
    missing = web.as_("clinician").get("/api/v1/patients/p0000000000000000/fhir")
    assert missing.status_code == 404


def test_unknown_payer_is_a_field_error(web: Web) -> None:
    response = web.as_("clinician").get(f"/api/v1/patients/{_patient_id(web)}/fhir?payer=nobody")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["payer"]


def test_import_answers_the_prefill_and_the_report(web: Web) -> None:
    path = f"/api/v1/patients/{_patient_id(web)}/fhir/import"
    response = web.as_("patient").api("POST", path, _bundle(web))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["prefill"] == {
        "allergies": [{"substance": "Latex", "kind": "other", "reaction": None}]
    }
    assert [n["field"] for n in body["taken"]] == ["", "allergies[0]"]
    assert body["not_understood"] == [] and body["skipped"] == []


def test_import_accepts_the_fhir_media_type(web: Web) -> None:
    browser = web.as_("clinician")
    response = browser.client.post(
        f"/api/v1/patients/{_patient_id(web)}/fhir/import",
        content=json.dumps(_bundle(web)),
        headers={"content-type": FHIR_JSON, "X-CSRF-Token": browser.refresh_csrf()},
    )
    assert response.status_code == 200


def test_a_bad_bundle_is_refused_with_where_and_why(web: Web) -> None:
    path = f"/api/v1/patients/{_patient_id(web)}/fhir/import"
    response = web.as_("clinician").api("POST", path, _bundle(web, birthDate="1900-01-01"))
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "entry[0].resource.birthDate"
    assert error["message"].startswith("This bundle cannot be imported: ")


def test_the_refusal_is_in_the_users_language(web: Web) -> None:
    browser = web.as_("clinician")
    assert browser.post_form("/account", {"locale": "es", "time_zone": ""}).status_code == 303
    response = browser.api(
        "POST", f"/api/v1/patients/{_patient_id(web)}/fhir/import", {"resourceType": "Patient"}
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "bundle"
    assert not error["message"].startswith("This bundle")


def test_a_bundle_past_the_limit_is_refused_as_too_large(web: Web) -> None:
    browser = web.as_("clinician")
    bundle = json.dumps(_bundle(web))
    padded = bundle[:-1] + ', "padding": "' + "x" * fhir.MAX_BUNDLE_BYTES + '"}'
    response = browser.client.post(
        f"/api/v1/patients/{_patient_id(web)}/fhir/import",
        content=padded,
        headers={"content-type": FHIR_JSON, "X-CSRF-Token": browser.refresh_csrf()},
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "bundle" and "too large" in error["message"]


def test_import_without_the_csrf_token_is_refused(web: Web) -> None:
    path = f"/api/v1/patients/{_patient_id(web)}/fhir/import"
    response = web.as_("clinician").api("POST", path, _bundle(web), csrf=False)
    assert response.status_code == 403


def test_questionnaires_are_public_fhir_definitions(web: Web) -> None:
    anonymous = web.browser()
    for name in questionnaires.NAMES:
        response = anonymous.get(f"/fhir/Questionnaire/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(FHIR_JSON)
        body = response.json()
        assert (body["resourceType"], body["url"], body["version"]) == (
            "Questionnaire",
            questionnaires.url(name),
            questionnaires.VERSION,
        )


def test_an_unknown_questionnaire_is_an_operation_outcome(web: Web) -> None:
    response = web.browser().get("/fhir/Questionnaire/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(FHIR_JSON)
    body = response.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == "not-found"
