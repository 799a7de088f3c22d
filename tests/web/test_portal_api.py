"""The patient portal's JSON API: happy paths, 422 with field names, refusals, OpenAPI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from factories import detach
from factories.clinical import make_documented, make_planned_pathway
from fixtures_db import Personas
from sijcare.db.enums import Kind
from sijcare.db.models import ConsentRecord, DiaryEntry, Interpretation, SymptomReport, User
from sijcare.services import triage
from web.conftest import START, Web

BOOKED = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
ANSWERS: dict[str, Any] = {
    "current_infection": False,
    "immunocompromised": False,
    "possibly_pregnant": False,
    "diabetes": {"has": True, "uses_insulin": False},
    "driver_arranged": True,
    "medicines": [{"name": "Metformin", "dose": "500 mg", "frequency": "twice a day"}],
    "driver": {"name": "Sam Rivera", "phone": "+1 310-555-0177", "relationship": "partner"},
}


def documented(db: Session, personas: Personas, kind: Kind = Kind.DIAGNOSTIC) -> int:
    assert personas.patient.patient is not None
    record = make_documented(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        kind=kind,
        performed_at=START - timedelta(hours=1),
    )
    detach(db)
    return record.id


def planned(db: Session, personas: Personas) -> int:
    assert personas.patient.patient and personas.clinician.practitioner
    pathway = make_planned_pathway(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        practitioner=personas.clinician.practitioner,
        location=personas.location,
        room=personas.room,
        starts_at=BOOKED,
    )
    detach(db)
    return pathway.id


def fields_of(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def test_openapi_lists_the_portal_api(web: Web) -> None:
    paths = web.browser().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/portal",
        "/api/v1/portal/education",
        "/api/v1/portal/pathways/{pathway_id}/screening",
        "/api/v1/pathways/{pathway_id}/planned-injection",
        "/api/v1/portal/pathways/{pathway_id}/consent",
        "/api/v1/portal/procedures/{procedure_id}/diary",
        "/api/v1/portal/procedures/{procedure_id}/diary-entries",
        "/api/v1/portal/procedures/{procedure_id}/chart.svg",
        "/api/v1/portal/procedures/{procedure_id}/symptom-reports",
        "/api/v1/portal/symptom-reports/{symptom_report_id}",
        "/api/v1/portal/procedures/{procedure_id}/aftercare",
    ):
        assert path in paths, path
    for page in ("/portal", "/portal/procedures/{procedure_id}/diary"):
        assert page not in paths  # pages are not part of the API


def test_home_and_education(web: Web, db: Session) -> None:
    procedure_id = documented(db, web.personas)
    patient = web.as_("patient")
    home = patient.api("GET", "/api/v1/portal")
    assert home.status_code == 200
    body = home.json()
    assert body["patient_id"] == web.personas.patient.patient.public_id  # type: ignore[union-attr]
    assert body["pathways"][0]["diary"]["procedure_id"] == procedure_id
    assert body["pathways"][0]["screening"] == "not_planned"
    assert web.as_("clinician").api("GET", "/api/v1/portal").status_code == 403
    leaflet = patient.api("GET", "/api/v1/portal/education").json()
    assert [s["code"] for s in leaflet["sections"]][:2] == ["si_joint", "injection"]
    assert web.browser().api("GET", "/api/v1/portal/education").status_code == 401


def test_the_clinic_plans_then_the_patient_answers_and_gets_ready(web: Web, db: Session) -> None:
    pathway_id = planned(db, web.personas)
    plan = {"kind": "diagnostic", "side": "left", "anesthetic_agent": "lidocaine"}
    assert web.as_("clinician").api(
        "PUT", f"/api/v1/pathways/{pathway_id}/planned-injection", plan
    ).json() == {"screening_response_id": 1, "status": "draft", "readiness": ""}
    patient = web.as_("patient")
    sent = patient.api("POST", f"/api/v1/portal/pathways/{pathway_id}/screening", ANSWERS)
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["stage"] == "answered" and body["readiness"] in ("ready", "ready_with_actions")
    assert body["preparation"][0]["code"] == "appointment"
    assert "clinician_rationale" not in sent.text
    again = patient.api("GET", f"/api/v1/portal/pathways/{pathway_id}/screening").json()
    assert again["response_id"] == body["response_id"]


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        pytest.param({"current_infection": "maybe"}, ["current_infection"], id="not-a-bool"),
        pytest.param({"shoe_size": 9}, ["shoe_size"], id="unknown-field"),
        pytest.param(
            {"fever_recent": {"max_temperature": 100.0, "unit": "C", "on": "2026-03-01"}},
            ["fever_recent.max_temperature"],
            id="temperature-of-the-core",
        ),
        pytest.param({"driver": None}, ["driver_name", "driver_phone"], id="no-driver-details"),
        pytest.param(
            {"medicines": [{"name": ""}]}, ["medicines[0].name"], id="blank-medicine-name"
        ),
    ],
)
def test_screening_answers_are_refused_with_field_names(
    web: Web, db: Session, change: dict[str, Any], fields: list[str]
) -> None:
    pathway_id = planned(db, web.personas)
    sent = web.as_("patient").api(
        "POST", f"/api/v1/portal/pathways/{pathway_id}/screening", {**ANSWERS, **change}
    )
    assert sent.status_code == 422
    assert fields_of(sent) == fields


def test_a_plan_with_a_steroid_for_a_test_block_is_refused(web: Web, db: Session) -> None:
    pathway_id = planned(db, web.personas)
    plan = {
        "kind": "diagnostic",
        "side": "left",
        "anesthetic_agent": "lidocaine",
        "steroid_agent": "triamcinolone",
    }
    sent = web.as_("clinician").api("PUT", f"/api/v1/pathways/{pathway_id}/planned-injection", plan)
    assert sent.status_code == 422 and fields_of(sent) == ["steroid_agent"]


def test_consent_by_api(web: Web, db: Session) -> None:
    pathway_id = planned(db, web.personas)
    with db.begin():  # a Spanish speaker: the API's answers are English all the same
        db.get_one(User, web.personas.patient.user.id).locale = "es"
    patient = web.as_("patient")
    assert (
        patient.api("POST", f"/api/v1/portal/pathways/{pathway_id}/screening", ANSWERS).status_code
        == 201
    )
    page = patient.api("GET", f"/api/v1/portal/pathways/{pathway_id}/consent").json()
    assert page["state"] == "none" and len(page["questions"]) == 12
    body = {"plan_version": page["plan_version"], "confirmed": ["name"], "agree": False}
    refused = patient.api("POST", f"/api/v1/portal/pathways/{pathway_id}/consent", body)
    assert refused.status_code == 422
    assert "agree" in fields_of(refused) and "confirm_cost" in fields_of(refused)
    body = {
        "plan_version": page["plan_version"],
        "confirmed": [q["question"] for q in page["questions"]],
        "agree": True,
    }
    agreed = patient.api("POST", f"/api/v1/portal/pathways/{pathway_id}/consent", body)
    assert agreed.status_code == 201 and agreed.json()["state"] == "needs_witness"
    with db.begin():
        assert db.scalars(sa.select(ConsentRecord.language)).one() == "en"
    stale = patient.api(
        "POST", f"/api/v1/portal/pathways/{pathway_id}/consent", {**body, "plan_version": "x"}
    )
    assert stale.status_code == 409


def test_diary_by_api_is_idempotent_and_reinterpreted(web: Web, db: Session) -> None:
    procedure_id = documented(db, web.personas)
    patient = web.as_("patient")
    body = {"pain": 1, "activity": "not_tried", "idempotency_key": "k-1"}
    url = f"/api/v1/portal/procedures/{procedure_id}/diary-entries"
    first = patient.api("POST", url, body)
    again = patient.api("POST", url, body)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and first.json()["activity"] is None
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(DiaryEntry)) == 1
        interpretation = db.scalars(sa.select(Interpretation)).one()
    assert interpretation.classification == "positive"
    diary = patient.api("GET", f"/api/v1/portal/procedures/{procedure_id}/diary").json()
    assert diary["baseline_pain"] == 7 and len(diary["entries"]) == 1
    assert {p["state"] for p in diary["prompts"]} <= {"done", "due", "missed", "upcoming"}


def test_the_last_score_is_corrected_by_api(web: Web, db: Session) -> None:
    procedure_id = documented(db, web.personas)
    patient = web.as_("patient")
    url = f"/api/v1/portal/procedures/{procedure_id}/diary-entries"
    saved = patient.api("POST", url, {"pain": 9}).json()
    with db.begin():
        assert db.scalars(sa.select(Interpretation.classification)).all() == ["negative"]
    fixed = patient.api("PUT", f"{url}/last", {"entry_id": saved["id"], "pain": 1})
    assert fixed.status_code == 200
    assert fixed.json() == {**saved, "pain": 1}
    with db.begin():
        current = db.scalars(
            sa.select(Interpretation.classification).order_by(Interpretation.id.desc())
        ).first()
    assert current == "positive"
    wrong = patient.api("PUT", f"{url}/last", {"entry_id": saved["id"] + 1, "pain": 1})
    assert wrong.status_code == 409
    bad = patient.api("PUT", f"{url}/last", {"entry_id": saved["id"], "pain": 12})
    assert bad.status_code == 422 and "pain" in bad.text
    for body in (
        {"entry_id": saved["id"], "pain": True},  # JSON true is not a score
        {"entry_id": saved["id"], "pain": 2, "recorded_at": "2026-03-02T09:00:00-08:00"},
    ):
        refused = patient.api("PUT", f"{url}/last", body)
        assert refused.status_code == 422, body
    assert patient.api("POST", url, {"pain": True}).status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"pain": 11}, "pain", id="pain-too-high"),
        pytest.param({"pain": 3, "activity": "sometimes"}, "activity", id="activity"),
        pytest.param({"pain": 3, "recorded_at": "2026-03-02T09:00:00"}, "recorded_at", id="naive"),
        pytest.param(
            {"pain": 3, "recorded_at": "2026-03-01T09:00:00-08:00"}, "recorded_at", id="before"
        ),
    ],
)
def test_diary_entries_are_refused_with_field_names(
    web: Web, db: Session, body: dict[str, Any], field: str
) -> None:
    procedure_id = documented(db, web.personas)
    sent = web.as_("patient").api(
        "POST", f"/api/v1/portal/procedures/{procedure_id}/diary-entries", body
    )
    assert sent.status_code == 422 and fields_of(sent) == [field]


def test_the_chart_as_an_svg_image(web: Web, db: Session) -> None:
    procedure_id = documented(db, web.personas, kind=Kind.THERAPEUTIC)
    chart = web.as_("clinician").get(f"/api/v1/portal/procedures/{procedure_id}/chart.svg")
    assert chart.status_code == 200
    assert chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.text.startswith("<svg") and "<desc" in chart.text and "style=" not in chart.text


def test_symptom_report_by_api_with_who_to_call(web: Web, db: Session) -> None:
    procedure_id = documented(db, web.personas)
    patient = web.as_("patient")
    url = f"/api/v1/portal/procedures/{procedure_id}/symptom-reports"
    sent = patient.api("POST", url, {"saddle_numbness": True, "leg_weakness": True})
    assert sent.status_code == 201
    body = sent.json()
    assert body["disposition"] == "emergency" and body["contact"]["number"] == "911"
    assert body["stored"] and body["report_id"] is not None
    stored = web.as_("clinician").api("GET", f"/api/v1/portal/symptom-reports/{body['report_id']}")
    assert stored.json()["contact"] == body["contact"]
    bad = patient.api("POST", url, {"temperature_c": 50, "fever": True})
    assert bad.status_code == 422 and set(fields_of(bad)) == {"fever"}
    bad = patient.api("POST", url, {"temperature_c": 50})
    assert bad.status_code == 422 and fields_of(bad) == ["temperature_c"]


def test_symptom_report_not_stored_answers_with_503_and_the_number(
    web: Web, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    procedure_id = documented(db, web.personas)
    patient = web.as_("patient")
    patient.refresh_csrf()

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(triage.audit, "record", broken)
    sent = patient.api(
        "POST", f"/api/v1/portal/procedures/{procedure_id}/symptom-reports", {"hives": True}
    )
    assert sent.status_code == 503
    body = sent.json()
    assert not body["stored"] and "+1 310-555-0100" in body["detail"]
    assert body["disposition"] == "call_soon"
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(SymptomReport)) == 0


def test_aftercare_by_api(web: Web, db: Session) -> None:
    procedure_id = documented(db, web.personas)
    sent = web.as_("patient").api("GET", f"/api/v1/portal/procedures/{procedure_id}/aftercare")
    assert sent.status_code == 200
    body = sent.json()
    assert body["emergency_number"] == "911" and body["call_now"]["kind"] == "help_line"
    assert "when_to_call" in [s["code"] for s in body["sections"]]


def test_unsafe_api_calls_need_the_csrf_header(web: Web, db: Session) -> None:
    procedure_id = documented(db, web.personas)
    sent = web.as_("patient").api(
        "POST",
        f"/api/v1/portal/procedures/{procedure_id}/diary-entries",
        {"pain": 2},
        csrf=False,
    )
    assert sent.status_code == 403
