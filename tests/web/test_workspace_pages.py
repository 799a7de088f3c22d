"""The clinician workspace pages: server-rendered forms that work without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.workspace import APIXABAN, POSITIVE_BLOCK, PROCEDURE_AT, Story
from sijcare.db.enums import Side
from sijcare.db.models import (
    ClinicianDecision,
    ConsentRecord,
    Interpretation,
    ProcedureRecord,
    SymptomReport,
    User,
)
from sijcare.domain.knowledge import Knowledge
from web.conftest import Browser, FrozenClock, Web


@pytest.fixture
def story(web: Web, db: Session, knowledge: Knowledge) -> Story:
    return Story(db, web.personas, knowledge)


def _token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def _count(db: Session, model: type) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def _follow(browser: Browser, response: object) -> str:
    location = response.headers["location"]  # type: ignore[attr-defined]
    return browser.get(location).text


def test_worklist_shows_the_days_procedures_and_what_each_needs(web: Web, story: Story) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway, medicines=[APIXABAN])
    page = web.as_("clinician").get("/workspace?day=2026-03-02")
    assert page.status_code == 200
    assert "<script" not in page.text
    assert "Pat Patient" in page.text and "12:00" in page.text
    assert "Needs a clinician's review" in page.text
    assert f"/workspace/pathways/{pathway.id}/screening" in page.text
    assert 'aria-label="Workspace"' in page.text


def test_schedulers_see_the_worklist_without_clinical_columns(web: Web, story: Story) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway, medicines=[APIXABAN])
    page = web.as_("scheduler").get("/workspace?day=2026-03-02")
    assert page.status_code == 200 and "Pat Patient" in page.text
    assert "Needs a clinician" not in page.text and "/screening" not in page.text
    assert web.as_("patient").get("/workspace").status_code == 403
    assert web.as_("admin").get("/workspace").status_code == 403


def test_a_clinician_resolves_a_blood_thinner_finding(web: Web, story: Story, db: Session) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway, medicines=[APIXABAN])
    clinician = web.as_("clinician")
    review = clinician.get(f"/workspace/pathways/{pathway.id}/screening").text
    link = re.search(r'href="(/workspace/pathways/\d+/screening/finding\?[^"]+)"', review)
    assert link is not None
    form = clinician.get(link.group(1).replace("&amp;", "&")).text
    assert "Decide: hold or continue Eliquis 5 mg" in form
    response_id = re.search(r'name="response_id" value="(\d+)"', form)
    assert response_id is not None
    fields = {
        "form_token": _token(form),
        "response_id": response_id.group(1),
        "code": "blood_thinner.review",
        "about": "Eliquis 5 mg",
        "decision": "hold",
        "confirmed_with_prescriber": "yes",
        "prescriber": "Dr. A. Rivera",
        "confirmed_on": "2026-03-01",
    }
    url = f"/workspace/pathways/{pathway.id}/screening/decisions"
    done = clinician.post_form(url, fields)
    assert done.status_code == 303
    assert clinician.post_form(url, fields).status_code == 303  # pressed twice
    after = _follow(clinician, done)
    assert "Decision recorded" in after
    assert "Take your last dose of apixaban" in after
    assert "confirmed with Dr. A. Rivera" in after
    assert _count(db, ClinicianDecision) == 1


def test_decision_form_errors_stay_next_to_their_fields(web: Web, story: Story) -> None:
    pathway = story.pathway()
    story.book(pathway)
    response = story.screen(pathway, medicines=[APIXABAN])
    page = web.as_("clinician").post_form(
        f"/workspace/pathways/{pathway.id}/screening/decisions",
        {
            "response_id": str(response.id),
            "code": "blood_thinner.review",
            "about": "Eliquis 5 mg",
            "decision": "hold",
            "confirmed_on": "not a day",
        },
    )
    assert page.status_code == 422
    assert 'id="error-confirmed_on"' in page.text
    assert 'id="error-decision_note"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert 'id="error-review_note"' not in page.text


def test_marking_a_finding_reviewed_needs_a_note(web: Web, story: Story) -> None:
    pathway = story.pathway()
    story.book(pathway)
    response = story.screen(pathway, possibly_pregnant=True)
    clinician = web.as_("clinician")
    url = f"/workspace/pathways/{pathway.id}/screening/reviews"
    fields = {"response_id": str(response.id), "code": "pregnancy.possible", "about": "pregnancy"}
    empty = clinician.post_form(url, fields | {"review_note": ""})
    assert empty.status_code == 422 and 'id="error-review_note"' in empty.text
    done = clinician.post_form(url, fields | {"review_note": "Negative test today."})
    assert done.status_code == 303
    assert "Negative test today." in _follow(clinician, done)


def test_a_clinician_witnesses_consent(web: Web, story: Story) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway)
    row = story.agree(pathway)
    clinician = web.as_("clinician")
    page = clinician.get(f"/workspace/pathways/{pathway.id}/consent").text
    assert "Agreed, needs a witness" in page
    done = clinician.post_form(
        f"/workspace/pathways/{pathway.id}/consent/witness", {"consent_id": str(row.id)}
    )
    assert done.status_code == 303
    after = _follow(clinician, done)
    assert "You witnessed the consent." in after and "Complete" in after
    stale = clinician.post_form(
        f"/workspace/pathways/{pathway.id}/consent/witness", {"consent_id": "0"}
    )
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("es", "Spanish"),
        ("en", "English"),
        (None, "Not recorded (agreed before the language was kept)"),
    ],
)
def test_the_consent_says_the_language_the_patient_read(
    web: Web, story: Story, db: Session, language: str | None, shown: str
) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway)
    row = story.agree(pathway, language=language or "en")
    if language is None:  # a record from before the language was kept
        with db.begin():
            db.get_one(ConsentRecord, row.id).language = None
    page = web.as_("clinician").get(f"/workspace/pathways/{pathway.id}/consent").text
    label = page.index("Language of the answers read")
    assert shown in page[label : label + 200]
    if language is None:
        assert "English" not in page


@pytest.mark.parametrize(
    ("language", "reader", "shown"),
    [
        ("es", "en", "The patient agreed to the procedure (read in Spanish)"),
        ("en", "en", "The patient agreed to the procedure (read in English)"),
        (None, "en", "The patient agreed to the procedure (language not recorded)"),
        ("es", "es", "(leído en español)"),
        (None, "es", "(idioma no registrado)"),
    ],
)
def test_the_timeline_says_the_language_the_patient_read_the_consent_in(
    web: Web, story: Story, db: Session, language: str | None, reader: str, shown: str
) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway)
    row = story.agree(pathway, language=language or "en")
    with db.begin():
        if language is None:  # a record from before the language was kept
            db.get_one(ConsentRecord, row.id).language = None
        db.get_one(User, web.personas.clinician.user.id).locale = reader
    patient = web.personas.patient.patient
    assert patient is not None
    page = web.as_("clinician").get(f"/workspace/patients/{patient.public_id}/timeline").text
    assert shown in " ".join(page.split())


def _procedure_fields(form: str) -> dict[str, str]:
    return {
        "form_token": _token(form),
        "performed_at": "2026-03-02T12:05",
        "kind": "diagnostic",
        "side": "left",
        "baseline_pain": "7",
        "anesthetic.agent": "lidocaine",
        "anesthetic.concentration_percent": "1",
        "anesthetic.volume_ml": "2",
        "steroid.agent": "",
        "guidance": "fluoroscopy",
        "contrast.used": "yes",
        "contrast.agent": "iohexol",
        "sedation": "none",
        "physician": "Dr. Casey Clinician",
        "observation_end": "2026-03-02T12:40",
        "discharged_at": "2026-03-02T12:50",
        "driver_present": "yes",
    }


def test_documenting_is_refused_until_consent_is_complete(
    web: Web, story: Story, db: Session
) -> None:
    pathway = story.pathway()
    story.book(pathway)
    story.screen(pathway)
    clinician = web.as_("clinician")
    page = clinician.get(f"/workspace/pathways/{pathway.id}/procedure")
    assert (
        "Consent is not complete" in page.text
        and '<form method="post" action="/workspace/pathways' not in page.text
    )
    refused = clinician.post_form(
        f"/workspace/pathways/{pathway.id}/procedure",
        _procedure_fields('name="form_token" value="t"'),
    )
    assert refused.status_code == 409
    assert "has not agreed to the procedure" in refused.text
    assert _count(db, ProcedureRecord) == 0


def test_the_procedure_form_warns_while_the_screening_needs_review(
    web: Web, story: Story, clock: FrozenClock
) -> None:
    warning = "The screening says: Needs a clinician's review."
    held = story.ready(story.pathway(), medicines=[APIXABAN])
    clock.advance(hours=5)
    clinician = web.as_("clinician")
    form = clinician.get(f"/workspace/pathways/{held.id}/procedure").text
    assert warning in form and f'href="/workspace/pathways/{held.id}/screening"' in form
    clear = story.ready(story.pathway(side=Side.RIGHT), starts_at=PROCEDURE_AT + timedelta(hours=2))
    assert warning not in clinician.get(f"/workspace/pathways/{clear.id}/procedure").text


def test_a_clinician_documents_the_procedure(
    web: Web, story: Story, db: Session, clock: FrozenClock
) -> None:
    pathway = story.ready(story.pathway())
    clock.advance(hours=5)
    clinician = web.as_("clinician")
    form = clinician.get(f"/workspace/pathways/{pathway.id}/procedure").text
    assert 'value="lidocaine" selected' in form  # from the consented plan
    fields = _procedure_fields(form)
    bad = clinician.post_form(
        f"/workspace/pathways/{pathway.id}/procedure",
        fields | {"anesthetic.concentration_percent": "0", "baseline_pain": "seven"},
    )
    assert bad.status_code == 422
    # The field the form could not read and the core's problem, in one answer.
    assert 'id="error-baseline_pain"' in bad.text
    assert 'id="error-anesthetic.concentration_percent"' in bad.text
    assert _count(db, ProcedureRecord) == 0
    several = clinician.post_form(
        f"/workspace/pathways/{pathway.id}/procedure",
        fields
        | {
            "side": "right",  # the patient agreed to the left
            "anesthetic.volume_ml": "80",
            "steroid.agent": "triamcinolone",
            "contrast.used": "no",
            "discharged_at": "2026-03-02T12:30",
            "driver_present": "no",
        },
    )
    assert several.status_code == 422
    wrong = (
        "side",  # against the consent, in the same answer as the rest
        "anesthetic.volume_ml",  # above the plausible bound
        "steroid.agent",  # a diagnostic block has none
        "contrast.reason_not_used",
        "discharged_at",  # before the end of observation
        "driver_present",
    )
    for field in wrong:
        assert f'id="error-{field}"' in several.text, field
    # The summary lists them in the form's order.
    summary = several.text[several.text.index('class="error-summary"') :]
    links = [summary.index(f'href="#field-{field}"') for field in wrong]
    assert links == sorted(links)
    assert "The discharge time is before the end of observation." in several.text
    assert "The patient agreed to the left side, not this one." in several.text
    # An injection before the patient agreed, and a discharge with no word on the driver.
    early = clinician.post_form(
        f"/workspace/pathways/{pathway.id}/procedure", fields | {"performed_at": "2026-02-27T09:00"}
    )
    assert early.status_code == 422 and "before the patient agreed" in early.text
    unanswered = {k: v for k, v in fields.items() if k != "driver_present"}
    silent = clinician.post_form(f"/workspace/pathways/{pathway.id}/procedure", unanswered)
    assert silent.status_code == 422 and 'id="error-driver_present"' in silent.text
    assert _count(db, ProcedureRecord) == 0
    core = clinician.post_form(
        f"/workspace/pathways/{pathway.id}/procedure",
        fields | {"anesthetic.concentration_percent": "0"},
    )
    assert core.status_code == 422 and 'id="error-anesthetic.concentration_percent"' in core.text
    done = clinician.post_form(f"/workspace/pathways/{pathway.id}/procedure", fields)
    assert done.status_code == 303
    again = clinician.post_form(f"/workspace/pathways/{pathway.id}/procedure", fields)
    assert again.headers["location"] == done.headers["location"]
    page = _follow(clinician, done)
    assert "The procedure is documented." in page and "iohexol" in page
    assert _count(db, ProcedureRecord) == 1
    # The form now leads to the documented procedure.
    assert clinician.get(f"/workspace/pathways/{pathway.id}/procedure").status_code == 303


def test_diary_review_has_the_chart_the_table_and_a_sign_off(
    web: Web, story: Story, db: Session, clock: FrozenClock
) -> None:
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    story.scores(view.id, PROCEDURE_AT, POSITIVE_BLOCK)
    clock.advance(hours=12)
    clinician = web.as_("clinician")
    page = clinician.get(f"/workspace/procedures/{view.id}/diary").text
    assert "<svg" in page and 'role="img"' in page
    assert "Positive" in page and "85.7" in page
    assert "<caption>Diary entries (4)</caption>" in page
    interpretation = re.search(r'name="interpretation_id" value="(\d+)"', page)
    assert interpretation is not None
    done = clinician.post_form(
        f"/workspace/procedures/{view.id}/diary/sign-off",
        {"interpretation_id": interpretation.group(1)},
    )
    assert done.status_code == 303
    assert "Signed off by Dr. Casey Clinician" in _follow(clinician, done)
    stale = clinician.post_form(
        f"/workspace/procedures/{view.id}/diary/sign-off", {"interpretation_id": "1"}
    )
    assert stale.status_code == 409 and "The reading changed" in stale.text
    with db.begin():
        signed = db.scalar(
            sa.select(sa.func.count(Interpretation.id)).where(
                Interpretation.signed_off_at.is_not(None)
            )
        )
    assert signed == 1


def test_red_flags_are_counted_and_acknowledged_with_a_note(
    web: Web, story: Story, db: Session, clock: FrozenClock
) -> None:
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    report_id = story.report(view.id, PROCEDURE_AT + timedelta(hours=8), temperature_c=38.6)
    clock.advance(hours=12)
    clinician = web.as_("clinician")
    inbox = clinician.get("/workspace/inbox").text
    assert '(1<span class="visually-hidden"> waiting' in inbox and "Call now" in inbox
    assert f"/workspace/reports/{report_id}" in inbox
    url = f"/workspace/reports/{report_id}/acknowledge"
    empty = clinician.post_form(url, {"note": " "})
    assert empty.status_code == 422 and 'id="error-note"' in empty.text
    done = clinician.post_form(url, {"note": "Called; advised urgent care."})
    assert done.status_code == 303
    after = _follow(clinician, done)
    assert "The report is acknowledged." in after
    assert '(0<span class="visually-hidden"> waiting' in after
    assert "Called; advised urgent care." in after
    with db.begin():
        assert db.scalar(sa.select(sa.func.count(SymptomReport.id))) == 1


def test_patient_search_summary_timeline_and_plan(web: Web, story: Story) -> None:
    pathway = story.ready(story.pathway())
    view = story.document(pathway)
    story.scores(view.id, PROCEDURE_AT, POSITIVE_BLOCK)
    clinician = web.as_("clinician")
    found = clinician.get("/workspace/patients?search=pat").text
    patient = web.personas.patient.patient
    assert patient is not None
    assert f"/workspace/patients/{patient.public_id}" in found and "Olive" not in found
    summary = clinician.get(f"/workspace/patients/{patient.public_id}").text
    for link in ("/timeline", "/plan", f"/workspace/procedures/{view.id}/diary"):
        assert link in summary
    timeline = clinician.get(f"/workspace/patients/{patient.public_id}/timeline").text
    assert "Procedure performed" in timeline and "4 diary entries on this day" in timeline
    plan = clinician.get(f"/workspace/patients/{patient.public_id}/plan?payer=evicore").text
    assert "Recommended:" in plan and 'value="evicore" selected' in plan
    unknown = clinician.get(f"/workspace/patients/{patient.public_id}/plan?payer=acme")
    assert unknown.status_code == 200 and 'value="medicare" selected' in unknown.text
    assert web.as_("scheduler").get("/workspace/patients").status_code == 403


def test_a_clinician_plans_the_injection(web: Web, story: Story) -> None:
    pathway = story.pathway()
    clinician = web.as_("clinician")
    url = f"/workspace/pathways/{pathway.id}/plan"
    page = clinician.get(url).text
    assert "Plan the injection" in page and "Only a therapeutic injection has a steroid." in page
    missing = clinician.post_form(url, {"guidance": "fluoroscopy", "sedation": "none"})
    assert missing.status_code == 422 and 'id="error-anesthetic_agent"' in missing.text
    steroid = clinician.post_form(
        url,
        {
            "anesthetic_agent": "lidocaine",
            "steroid_agent": "triamcinolone",
            "guidance": "ct",
            "sedation": "none",
        },
    )
    assert steroid.status_code == 422 and 'id="error-steroid_agent"' in steroid.text
    done = clinician.post_form(
        url, {"anesthetic_agent": "lidocaine", "guidance": "ct", "sedation": "none"}
    )
    assert done.status_code == 303
    assert "The injection is planned." in _follow(clinician, done)
    assert 'value="ct" selected' in clinician.get(url).text
