"""The symptom form and API store a report sent twice once (both engines).

The form carries a one-time `form_token`; the API takes an `idempotency_key`. A double
tap or a phone's retry gets the first report back: one row, one red flag in the inbox.
"""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import detach
from factories.clinical import make_documented
from fixtures_db import Persona
from sijcare.db.enums import Side
from sijcare.db.models import AuditEvent, SymptomReport
from web.conftest import START, Web


def documented(db: Session, persona: Persona, clinician: Persona, side: Side = Side.LEFT) -> int:
    assert persona.patient is not None
    record = make_documented(
        db,
        patient=persona.patient,
        clinician=clinician.user,
        side=side,
        performed_at=START - timedelta(hours=1),
    )
    detach(db)
    return record.id


def form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def stored_reports(db: Session) -> list[int]:
    with db.begin():
        return list(db.scalars(sa.select(SymptomReport.id).order_by(SymptomReport.id)))


def test_the_form_sent_twice_makes_one_report_and_one_inbox_item(web: Web, db: Session) -> None:
    procedure = documented(db, web.personas.patient, web.personas.clinician)
    browser = web.as_("patient")
    page = browser.get(f"/portal/procedures/{procedure}/symptoms")
    assert page.status_code == 200
    token = form_token(page.text)
    fields = {"site_redness": "yes", "temperature": "101.5", "temperature_unit": "F"}
    url = f"/portal/procedures/{procedure}/symptoms"
    first = browser.post_form(url, {**fields, "form_token": token})
    second = browser.post_form(url, {**fields, "form_token": token})
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(stored_reports(db)) == 1
    inbox = web.as_("clinician").api("GET", "/api/v1/workspace/inbox").json()
    assert inbox["waiting"] == 1
    assert [r["id"] for r in inbox["reports"]] == stored_reports(db)
    # A fresh page gives a fresh token: a new report is a new row.
    again = browser.get(f"/portal/procedures/{procedure}/symptoms")
    assert form_token(again.text) != token
    third = browser.post_form(url, {**fields, "form_token": form_token(again.text)})
    assert third.status_code == 303 and third.headers["location"] != first.headers["location"]
    assert len(stored_reports(db)) == 2


def test_a_form_with_errors_keeps_its_token_and_stores_once_when_fixed(
    web: Web, db: Session
) -> None:
    procedure = documented(db, web.personas.patient, web.personas.clinician)
    browser = web.as_("patient")
    token = form_token(browser.get(f"/portal/procedures/{procedure}/symptoms").text)
    url = f"/portal/procedures/{procedure}/symptoms"
    bad = browser.post_form(url, {"temperature": "38.5", "form_token": token})
    assert bad.status_code == 422 and form_token(bad.text) == token
    fixed = {"temperature": "38.5", "temperature_unit": "C", "form_token": token}
    assert browser.post_form(url, fixed).status_code == 303
    assert browser.post_form(url, fixed).status_code == 303
    assert len(stored_reports(db)) == 1


def test_a_tampered_form_token_is_refused_and_replaced(web: Web, db: Session) -> None:
    procedure = documented(db, web.personas.patient, web.personas.clinician)
    browser = web.as_("patient")
    url = f"/portal/procedures/{procedure}/symptoms"
    page = browser.post_form(url, {"hives": "yes", "form_token": "not a token;" * 10})
    assert page.status_code == 422
    assert 'href="#field-form_token"' in page.text and "This form has expired" in page.text
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", form_token(page.text))
    assert stored_reports(db) == []


def test_an_api_retry_returns_the_same_report(web: Web, db: Session) -> None:
    procedure = documented(db, web.personas.patient, web.personas.clinician)
    patient = web.as_("patient")
    url = f"/api/v1/portal/procedures/{procedure}/symptom-reports"
    body = {"new_severe_back_pain": True, "idempotency_key": "9b2c7d1e-retry-1"}
    first = patient.api("POST", url, body)
    retry = patient.api("POST", url, body)
    assert first.status_code == retry.status_code == 201, retry.text
    assert retry.json() == first.json()
    assert stored_reports(db) == [first.json()["report_id"]]
    with db.begin():
        row = db.scalars(sa.select(SymptomReport)).one()
        events = db.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.action.like("symptom_report.create%"))
        ).all()
    # The key is not one of the report's answers.
    assert "idempotency_key" not in row.report["symptoms"]
    assert row.idempotency_key == "9b2c7d1e-retry-1"
    assert sorted(events) == ["symptom_report.create", "symptom_report.create_repeated"]


def test_an_api_key_is_the_senders_own(web: Web, db: Session) -> None:
    mine = documented(db, web.personas.patient, web.personas.clinician)
    theirs = documented(db, web.personas.other_patient, web.personas.clinician)
    key = {"hives": True, "idempotency_key": "shared-key"}
    sent = web.as_("patient").api("POST", f"/api/v1/portal/procedures/{mine}/symptom-reports", key)
    assert sent.status_code == 201
    refused = web.as_("other_patient").api(
        "POST", f"/api/v1/portal/procedures/{theirs}/symptom-reports", key
    )
    assert refused.status_code == 409
    assert "already used" in refused.text
    assert len(stored_reports(db)) == 1


def test_an_api_key_has_limits(web: Web, db: Session) -> None:
    procedure = documented(db, web.personas.patient, web.personas.clinician)
    patient = web.as_("patient")
    url = f"/api/v1/portal/procedures/{procedure}/symptom-reports"
    for key in ("k" * 65, "with space", ""):
        answer = patient.api("POST", url, {"hives": True, "idempotency_key": key})
        assert answer.status_code == 422, key
        assert [e["field"] for e in answer.json()["errors"]] == ["idempotency_key"]
    assert stored_reports(db) == []
