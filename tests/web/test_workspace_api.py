"""The workspace JSON API: happy paths, field errors (422), conflicts and refusals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from factories.workspace import APIXABAN, POSITIVE_BLOCK, PROCEDURE_AT, Story
from sijcare.domain.knowledge import Knowledge
from sijcare.web.routes import workspace_api, workspace_procedure_api
from web.conftest import FrozenClock, Web

API = "/api/v1/workspace"


@pytest.fixture
def story(web: Web, db: Session, knowledge: Knowledge) -> Story:
    return Story(db, web.personas, knowledge)


def _fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def _procedure(**overrides: Any) -> dict[str, Any]:
    return {
        "performed_at": "2026-03-02T12:05:00-08:00",
        "kind": "diagnostic",
        "side": "left",
        "anesthetic": {"agent": "lidocaine", "concentration_percent": 1.0, "volume_ml": 2.0},
        "baseline_pain": 7,
        "contrast": {"used": True, "agent": "iohexol"},
        "driver_present": True,
    } | overrides


def test_openapi_lists_the_workspace_with_its_models(web: Web) -> None:
    spec = web.browser().get("/api/v1/openapi.json").json()
    ours = {
        route.path  # type: ignore[attr-defined]
        for module in (workspace_api, workspace_procedure_api)
        for route in module.router.routes
    }
    assert len(ours) == 16 and ours <= set(spec["paths"])
    decide = spec["paths"][f"{API}/pathways/{{pathway_id}}/screening/decisions"]["post"]
    assert {"201", "403", "409", "422"} <= set(decide["responses"])
    assert "DecisionIn" in spec["components"]["schemas"]
    assert "ProcedureIn" in spec["components"]["schemas"]


def test_worklist_for_clinicians_and_schedulers(web: Web, story: Story) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway, medicines=[APIXABAN])
    body = web.as_("clinician").api("GET", f"{API}/worklist?day=2026-03-02").json()
    [item] = body["items"]
    assert body["time_zone"] == "America/Los_Angeles"
    assert item["clinical"]["readiness"] == "needs_review"
    assert item["clinical"]["consent"] == "none"
    scheduler = web.as_("scheduler").api("GET", f"{API}/worklist?day=2026-03-02").json()
    assert scheduler["items"][0]["clinical"] is None
    assert web.as_("patient").api("GET", f"{API}/worklist").status_code == 403
    assert web.browser().api("GET", f"{API}/worklist").status_code == 401
    bad = web.as_("clinician").api("GET", f"{API}/worklist?day=tomorrow")
    assert bad.status_code == 422 and _fields(bad) == ["day"]


def test_screening_decisions_and_reviews(web: Web, story: Story) -> None:
    pathway = story.pathway()
    story.book(pathway, PROCEDURE_AT + timedelta(days=7))  # time for apixaban's 2-day hold
    response = story.screen(pathway, medicines=[APIXABAN], possibly_pregnant=True)
    clinician = web.as_("clinician")
    review = clinician.api("GET", f"{API}/pathways/{pathway.id}/screening").json()
    assert review["response"]["id"] == response.id and review["response"]["open_findings"] == 2
    assert review["response"]["answers"]["medicines"][0]["name"] == "Eliquis 5 mg"
    url = f"{API}/pathways/{pathway.id}/screening/decisions"
    decision = {
        "response_id": response.id,
        "medicine": "Eliquis 5 mg",
        "decision": "hold",
        "confirmed_with_prescriber": True,
        "prescriber": "Dr. A. Rivera",
        "confirmed_on": "2026-03-01",
        "idempotency_key": "api-1",
    }
    assert _fields(clinician.api("POST", url, decision | {"decision": "pause"})) == ["decision"]
    unlisted = clinician.api("POST", url, decision | {"medicine": "warfarin"})
    assert unlisted.status_code == 422 and _fields(unlisted) == ["medicine"]
    done = clinician.api("POST", url, decision)
    assert done.status_code == 201 and done.json()["readiness"] == "needs_review"
    again = clinician.api("POST", url, decision)
    assert again.json()["repeated"] and again.json()["decision_id"] == done.json()["decision_id"]
    stale = clinician.api("POST", url, decision | {"idempotency_key": None})
    assert stale.status_code == 409
    new_id = done.json()["response_id"]
    reviews = f"{API}/pathways/{pathway.id}/screening/reviews"
    note = {"response_id": new_id, "code": "pregnancy.possible", "about": "pregnancy", "note": ""}
    assert _fields(clinician.api("POST", reviews, note)) == ["note"]
    reviewed = clinician.api("POST", reviews, note | {"note": "Negative test."})
    assert reviewed.status_code == 201 and reviewed.json()["readiness"] == "needs_review"
    after = clinician.api("GET", f"{API}/pathways/{pathway.id}/screening").json()
    assert after["response"]["open_findings"] == 0 and after["response"]["status"] == "reviewed"
    assert web.as_("outsider").api("POST", url, decision).status_code == 403


def test_consent_witness_and_documenting(web: Web, story: Story, clock: FrozenClock) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway)
    clinician = web.as_("clinician")
    url = f"{API}/pathways/{pathway.id}/procedure"
    refused = clinician.api("POST", url, _procedure())
    assert refused.status_code == 409
    assert refused.json()["detail"] == "The patient has not agreed to the procedure yet."
    row = story.agree(pathway)
    consent = clinician.api("GET", f"{API}/pathways/{pathway.id}/consent").json()
    assert consent["state"] == "needs_witness" and consent["plan"]["side"] == "left"
    assert consent["language"] == "en"
    witness = f"{API}/pathways/{pathway.id}/consent/witness"
    assert clinician.api("POST", witness, {"consent_id": row.id + 5}).status_code == 409
    assert _fields(clinician.api("POST", witness, {"consent_id": "one"})) == ["consent_id"]
    witnessed = clinician.api("POST", witness, {"consent_id": row.id})
    assert witnessed.status_code == 200 and witnessed.json()["state"] == "complete"
    clock.advance(hours=5)
    clinician = web.as_("clinician")  # a new session: the first one has timed out
    core_error = clinician.api(
        "POST",
        url,
        _procedure(anesthetic={"agent": "lidocaine", "concentration_percent": 0, "volume_ml": 2}),
    )
    assert core_error.status_code == 422
    assert _fields(core_error) == ["anesthetic.concentration_percent"]
    naive = clinician.api("POST", url, _procedure(performed_at="2026-03-02T12:05:00"))
    assert _fields(naive) == ["performed_at"]
    done = clinician.api("POST", url, _procedure(idempotency_key="p-1"))
    assert done.status_code == 201
    assert (
        clinician.api("POST", url, _procedure(idempotency_key="p-1")).json()["id"]
        == done.json()["id"]
    )
    assert clinician.api("POST", url, _procedure()).status_code == 409
    got = clinician.api("GET", f"{API}/procedures/{done.json()['id']}").json()
    assert got["procedure"]["contrast"]["agent"] == "iohexol"
    assert (
        web.as_("scheduler").api("GET", f"{API}/procedures/{done.json()['id']}").status_code == 403
    )


def test_diary_review_and_sign_off(web: Web, story: Story, clock: FrozenClock) -> None:
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    story.scores(view.id, PROCEDURE_AT, POSITIVE_BLOCK)
    clock.advance(hours=12)
    clinician = web.as_("clinician")
    review = clinician.api("GET", f"{API}/procedures/{view.id}/diary-review").json()
    assert review["reading"]["classification"] == "positive"
    assert [e["pain"] for e in review["entries"]] == [2, 1, 2, 5]
    current = review["current"]["interpretation_id"]
    url = f"{API}/procedures/{view.id}/sign-off"
    assert clinician.api("POST", url, {"interpretation_id": current - 1}).status_code == 409
    assert _fields(clinician.api("POST", url, {})) == ["interpretation_id"]
    signed = clinician.api("POST", url, {"interpretation_id": current})
    assert signed.status_code == 200 and signed.json()["signed_off_by"] == "Dr. Casey Clinician"
    assert web.as_("patient").api("POST", url, {"interpretation_id": current}).status_code == 403


def test_red_flag_inbox_and_acknowledgement(web: Web, story: Story, clock: FrozenClock) -> None:
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    report_id = story.report(view.id, PROCEDURE_AT + timedelta(hours=8), trouble_breathing=True)
    clock.advance(hours=12)
    clinician = web.as_("clinician")
    inbox = clinician.api("GET", f"{API}/inbox").json()
    assert inbox["waiting"] == 1 and inbox["reports"][0]["disposition"] == "emergency"
    url = f"{API}/reports/{report_id}/acknowledgement"
    assert _fields(clinician.api("POST", url, {"note": " "})) == ["note"]
    assert _fields(clinician.api("POST", url, {})) == ["note"]
    done = clinician.api("POST", url, {"note": "Patient in the ED."})
    assert done.status_code == 200 and done.json()["acknowledged_note"] == "Patient in the ED."
    assert clinician.api("POST", url, {"note": "Different."}).status_code == 409
    assert clinician.api("GET", f"{API}/reports/{report_id}").json()["acknowledged_by"]
    assert web.as_("admin").api("GET", f"{API}/inbox").status_code == 403


def test_patient_summary_timeline_and_next_step(web: Web, story: Story, clock: FrozenClock) -> None:
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    story.scores(view.id, PROCEDURE_AT, POSITIVE_BLOCK)
    clock.advance(days=1)
    patient = web.personas.patient.patient
    assert patient is not None
    clinician = web.as_("clinician")
    base = f"{API}/patients/{patient.public_id}"
    summary = clinician.api("GET", base).json()
    assert summary["pathways"][0]["procedure_id"] == view.id
    events = clinician.api("GET", f"{base}/timeline").json()
    assert events[0]["kind"] == "pathway_opened"
    assert any(e["kind"] == "diary_entries" and e["values"]["count"] == 4 for e in events)
    step = clinician.api("GET", f"{base}/next-step?payer=evicore").json()
    assert step["payer"] == "evicore" and step["step"] and step["detail"]["eligibility"]
    bad = clinician.api("GET", f"{base}/next-step?payer=acme")
    assert bad.status_code == 422 and _fields(bad) == ["payer"]
    assert clinician.api("GET", f"{API}/patients/p0000000000000000").status_code == 404
