"""The FHIR export and import services, on SQLite and PostgreSQL, through the real core.

A patient is taken through the pathway with the workspace `Story` (the real services);
the export at every stage validates with the R4B models and its references resolve.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import make_appointment
from factories.workspace import APIXABAN, NOW, POSITIVE_BLOCK, PROCEDURE_AT, Story
from fixtures_db import Personas
from interop.fhir_checks import by_url, checked, codes_of, of_type, types
from sijcare.db.enums import AppointmentKind
from sijcare.db.models import AuditEvent, Patient
from sijcare.domain.knowledge import Knowledge
from sijcare.formats.intake import intake_from_dict
from sijcare.interop.fhir import questionnaires, responses
from sijcare.interop.fhir.bundle import to_json
from sijcare.services import diary_review, fhir, screening_review
from sijcare.services.errors import Forbidden, Invalid, NotFound

EXPORTED_AT = PROCEDURE_AT + timedelta(days=10)
SNOMED = "http://snomed.info/sct"
ALLERGY = {"substance": "iohexol", "kind": "contrast", "reaction": "hives"}
STAGES: dict[str, set[str]] = {
    "registered": {"Patient", "Organization"},
    "pathway": {"ServiceRequest", "Appointment", "Practitioner", "Location"},
    "screened": {
        "QuestionnaireResponse",
        "MedicationStatement",
        "AllergyIntolerance",
        "Condition",
        "DetectedIssue",
        "Flag",
        "RelatedPerson",
    },
    "consented": {"Consent"},
    "documented": {"Procedure", "MedicationAdministration", "Observation", "CarePlan"},
    "diary": set(),
    "triage": {"RiskAssessment", "Task"},
    "follow_up": set(),
}


@pytest.fixture
def story(db: Session, personas: Personas, knowledge: Knowledge) -> Story:
    return Story(db, personas, knowledge)


@dataclass
class Built:
    pathway_id: int | None = None
    procedure_id: int | None = None
    report_id: int | None = None


def build_to(story: Story, stage: str) -> Built:
    """The patient taken through the pathway up to `stage` (one of `STAGES`)."""
    built = Built()
    order = list(STAGES)
    reached = order.index(stage)
    if reached < order.index("pathway"):
        return built
    pathway = story.pathway()
    built.pathway_id = pathway.id
    story.book(pathway)
    if reached >= order.index("screened"):
        story.screen(
            pathway,
            medicines=[APIXABAN],
            allergies=[ALLERGY],
            diabetes={"has": True, "uses_insulin": False},
        )
    if reached >= order.index("consented"):
        story.agree(pathway)
        story.witness(pathway)
    if reached >= order.index("documented"):
        built.procedure_id = story.document(pathway).id
    if reached >= order.index("diary"):
        story.scores(built.procedure_id, PROCEDURE_AT, POSITIVE_BLOCK)  # type: ignore[arg-type]
        _sign_off(story, built.procedure_id)  # type: ignore[arg-type]
    if reached >= order.index("triage"):
        at = PROCEDURE_AT + timedelta(hours=30)
        built.report_id = story.report(built.procedure_id, at, temperature_c=38.6)  # type: ignore[arg-type]
    if reached >= order.index("follow_up"):
        _follow_up(story, pathway.id)
    return built


def _sign_off(story: Story, procedure_id: int) -> None:
    clinician = story.actor("clinician")
    now = PROCEDURE_AT + timedelta(days=1)
    review = diary_review.get_review(
        story.db, actor=clinician, procedure_id=procedure_id, knowledge=story.knowledge, now=now
    )
    assert review.current is not None
    diary_review.sign_off(
        story.db,
        actor=clinician,
        procedure_id=procedure_id,
        interpretation_id=review.current.interpretation_id,
        knowledge=story.knowledge,
        now=now,
    )


def _follow_up(story: Story, pathway_id: int) -> None:
    personas = story.personas
    assert personas.patient.patient is not None and personas.clinician.practitioner is not None
    with story.db.begin():
        make_appointment(
            story.db,
            patient=story.db.get(Patient, personas.patient.patient.id),
            practitioner=personas.clinician.practitioner,
            location=personas.location,
            created_by=personas.scheduler.user,
            kind=AppointmentKind.FOLLOW_UP,
            starts_at=EXPORTED_AT + timedelta(days=7),
            ends_at=EXPORTED_AT + timedelta(days=7, minutes=30),
            pathway_id=pathway_id,
        )
    story.db.expunge_all()


def export(story: Story, who: str = "clinician", **options: Any) -> dict[str, Any]:
    patient = story.personas.patient.patient
    assert patient is not None
    bundle = fhir.export_patient(
        story.db,
        actor=story.actor(who),
        public_id=patient.public_id,
        knowledge=story.knowledge,
        now=EXPORTED_AT,
        **options,
    )
    return checked(to_json(bundle))


def _events(db: Session, action: str) -> list[AuditEvent]:
    with db.begin():
        return list(db.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all())


def _count_events(db: Session) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) or 0)


# -- the export at every stage --------------------------------------------------------------


@pytest.mark.parametrize("stage", list(STAGES))
def test_export_at_every_stage_validates_and_holds_what_the_stage_made(
    story: Story, stage: str
) -> None:
    build_to(story, stage)
    doc = export(story)
    order = list(STAGES)
    expected = set().union(*(STAGES[s] for s in order[: order.index(stage) + 1]))
    assert expected <= set(types(doc)), expected - set(types(doc))
    assert doc["type"] == "collection"
    assert types(doc)["Patient"] == 1


def test_export_is_audited_with_counts_only(story: Story) -> None:
    build_to(story, "screened")
    doc = export(story)
    [event] = _events(story.db, "fhir.export")
    assert event.actor_role == "clinician"
    assert event.detail == {"resources": len(doc["entry"]), "audit_events": False}


def test_same_records_give_the_same_resource_ids(story: Story) -> None:
    build_to(story, "screened")
    first, second = export(story), export(story)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


# -- what the resources say ----------------------------------------------------------------


def test_procedure_is_coded_with_category_cpt_and_the_side(story: Story) -> None:
    build_to(story, "documented")
    doc = export(story)
    [procedure] = of_type(doc, "Procedure")
    assert codes_of(procedure["category"]) == {(SNOMED, "103693007")}
    assert procedure["code"]["coding"] == [
        {"system": "http://www.ama-assn.org/go/cpt", "code": "27096"}
    ]
    [site] = procedure["bodySite"]
    assert codes_of(site) == {(SNOMED, "39723000")}
    [side] = site["extension"]
    assert codes_of(side["valueCodeableConcept"]) == {(SNOMED, "7771000")}
    given = of_type(doc, "MedicationAdministration")
    names = sorted(m["medicationCodeableConcept"]["text"] for m in given)
    assert names == ["iohexol", "lidocaine 1%"]
    url = next(e["fullUrl"] for e in doc["entry"] if e["resource"] is procedure)
    assert all(m["partOf"] == [{"reference": url}] for m in given)


def test_every_diary_score_is_an_observation_of_the_procedure(story: Story) -> None:
    build_to(story, "diary")
    doc = export(story)
    [procedure] = of_type(doc, "Procedure")
    procedure_url = f"urn:uuid:{procedure['id']}"
    pain = [
        o
        for o in of_type(doc, "Observation")
        if codes_of(o["code"]) == {("http://loinc.org", "72514-3")}
    ]
    scores = sorted(o["valueInteger"] for o in pain)
    assert scores == sorted([7, *(score for _after, score in POSITIVE_BLOCK)])  # baseline + diary
    assert all(o["partOf"] == [{"reference": procedure_url}] for o in pain)
    responses_made = [
        r
        for r in of_type(doc, "QuestionnaireResponse")
        if r["questionnaire"] == questionnaires.canonical("diary")
    ]
    assert len(responses_made) == len(POSITIVE_BLOCK)


def test_the_reading_carries_rule_version_threshold_inputs_and_its_sign_off(
    story: Story,
) -> None:
    build_to(story, "diary")
    doc = export(story)
    [reading] = [o for o in of_type(doc, "Observation") if "focus" in o]
    assert reading["status"] == "final"  # signed off
    assert reading["valueCodeableConcept"]["coding"][0]["code"] == "positive"
    assert reading["method"]["coding"][0]["code"] == "diagnostic-block/1"
    components = {c["code"]["coding"][0]["code"]: c for c in reading["component"]}
    assert components["threshold-percent"]["valueQuantity"]["value"] == 75
    assert components["diagnostic.positive_threshold_percent"]["valueInteger"] == 75
    assert components["baseline_pain"]["valueInteger"] == 7
    assert components["knowledge-version"]["valueString"] == story.knowledge.version
    urls = by_url(doc)
    used = [urls[ref["reference"]] for ref in reading["derivedFrom"]]
    assert all(codes_of(o["code"]) == {("http://loinc.org", "72514-3")} for o in used)
    assert {o["valueInteger"] for o in used} >= {1, 2}  # the scores inside the window


def test_consent_is_treatment_consent_with_the_witness_and_its_checklist(story: Story) -> None:
    build_to(story, "consented")
    doc = export(story)
    [consent] = of_type(doc, "Consent")
    assert consent["status"] == "active"
    assert codes_of(consent["scope"]) == {
        ("http://terminology.hl7.org/CodeSystem/consentscope", "treatment")
    }
    assert codes_of(consent["category"][0]) == {("http://loinc.org", "59284-0")}
    urls = by_url(doc)
    [witness] = consent["extension"]
    assert urls[witness["valueReference"]["reference"]]["resourceType"] == "Practitioner"
    checklist = urls[consent["sourceReference"]["reference"]]
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    record = responses.consent_record(QuestionnaireResponse.model_validate(checklist))
    assert len(record["confirmations"]) == 12
    assert record["agreement"]["witnessed_by"] == "Dr. Casey Clinician"


def test_screening_response_reads_back_as_the_stored_answers(story: Story) -> None:
    build_to(story, "screened")
    doc = export(story)
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    [response] = [
        r
        for r in of_type(doc, "QuestionnaireResponse")
        if r["questionnaire"] == questionnaires.canonical("screening")
    ]
    answers = responses.screening_answers(QuestionnaireResponse.model_validate(response))
    assert answers["medicines"] == [APIXABAN]
    assert answers["allergies"] == [ALLERGY]
    assert answers["diabetes"] == {"has": True, "uses_insulin": False}


def test_findings_are_issues_and_a_reviewed_one_has_an_inactive_flag(story: Story) -> None:
    built = build_to(story, "screened")
    assert built.pathway_id is not None
    review = screening_review.get_review(
        story.db,
        actor=story.actor("clinician"),
        pathway_id=built.pathway_id,
        knowledge=story.knowledge,
        now=NOW,
    )
    assert review.response is not None
    contrast = next(f for f in review.response.findings if f.code.startswith("contrast"))
    screening_review.mark_reviewed(
        story.db,
        actor=story.actor("clinician"),
        pathway_id=built.pathway_id,
        response_id=review.response.id,
        code=contrast.code,
        about=contrast.about,
        note="Ultrasound guidance planned.",
        now=NOW,
    )
    doc = export(story)
    issues = {i["code"]["coding"][0]["code"]: i for i in of_type(doc, "DetectedIssue")}
    assert (
        issues[contrast.code]["mitigation"][0]["action"]["text"] == "Ultrasound guidance planned."
    )
    assert "blood_thinner.review" in issues
    flags = {f["code"]["coding"][0]["code"]: f["status"] for f in of_type(doc, "Flag")}
    assert flags[contrast.code] == "inactive"
    assert flags["blood_thinner.review"] == "active"


def test_triage_is_a_risk_assessment_and_an_urgent_call_back(story: Story) -> None:
    build_to(story, "triage")
    doc = export(story)
    [risk] = of_type(doc, "RiskAssessment")
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "call_now"
    [task] = of_type(doc, "Task")
    assert (task["priority"], task["status"]) == ("urgent", "requested")
    assert task["reasonReference"]["reference"] == f"urn:uuid:{risk['id']}"


def test_care_plan_holds_the_next_step_and_the_follow_up_visit(story: Story) -> None:
    build_to(story, "follow_up")
    doc = export(story)
    [plan] = of_type(doc, "CarePlan")
    step, visit = plan["activity"]
    assert step["detail"]["code"]["coding"][0]["system"].endswith("/CodeSystem/next-step")
    assert by_url(doc)[visit["reference"]["reference"]]["resourceType"] == "Appointment"


# -- who may export ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_patient", "outsider", "scheduler", "admin"])
def test_export_is_refused_to_whoever_may_not_see_clinical_records(story: Story, who: str) -> None:
    build_to(story, "screened")
    with pytest.raises(Forbidden):
        export(story, who)


def test_patient_exports_own_records_with_their_own_sentences_and_no_plan(story: Story) -> None:
    build_to(story, "documented")
    doc = export(story, "patient")
    assert "CarePlan" not in types(doc)
    issue = of_type(doc, "DetectedIssue")[0]
    assert issue["detail"].startswith(("You ", "Because ", "We ", "Thank "))
    [event] = _events(story.db, "fhir.export")
    assert event.actor_role == "patient"


def test_unknown_patient_is_not_found(story: Story) -> None:
    with pytest.raises(NotFound):
        fhir.export_patient(
            story.db,
            actor=story.actor("clinician"),
            public_id="pnobody",
            knowledge=story.knowledge,
            now=EXPORTED_AT,
        )


def test_unknown_payer_is_a_field_error(story: Story) -> None:
    with pytest.raises(Invalid) as refused:
        export(story, payer="nobody")
    assert [e.field for e in refused.value.errors] == ["payer"]


def test_audit_events_come_only_on_request(story: Story) -> None:
    build_to(story, "screened")
    assert "AuditEvent" not in types(export(story))
    patient = story.personas.patient.patient
    assert patient is not None
    with story.db.begin():
        logged = story.db.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.patient_id == patient.id)
        )
    doc = export(story, include_audit=True)
    events = of_type(doc, "AuditEvent")
    assert len(events) == logged
    assert {e["action"] for e in events} <= {"C", "R", "U", "D", "E"}
    assert all("network" not in agent for e in events for agent in e["agent"])


def test_the_command_line_exports_as_the_system(story: Story) -> None:
    build_to(story, "pathway")
    patient = story.personas.patient.patient
    assert patient is not None
    caller = fhir.SystemCaller("sijcare fhir export")
    bundle = fhir.export_patient(
        story.db,
        actor=caller,
        public_id=patient.public_id,
        knowledge=story.knowledge,
        now=EXPORTED_AT,
    )
    checked(to_json(bundle))
    [event] = _events(story.db, "fhir.export")
    assert (event.actor_role, event.actor_user_id) == ("system", None)
    assert event.detail["command"] == "sijcare fhir export"
    with pytest.raises(NotFound):
        fhir.export_patient(
            story.db, actor=caller, public_id="pnobody", knowledge=story.knowledge, now=EXPORTED_AT
        )


# -- import -----------------------------------------------------------------------------------


def _bundle_for(patient: Patient, *entries: dict[str, Any], born: str | None = None) -> str:
    person = {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"text": patient.name}],
        "birthDate": born or patient.date_of_birth.isoformat(),
    }
    items = [{"fullUrl": "urn:uuid:00000000-0000-0000-0000-000000000001", "resource": person}]
    items += [{"resource": e} for e in entries]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": items})


MEDICINE = {
    "resourceType": "MedicationStatement",
    "status": "active",
    "medicationCodeableConcept": {"text": "Warfarin 5 mg"},
    "subject": {"reference": "Patient/p1"},
    "dosage": [{"text": "5 mg", "timing": {"code": {"text": "daily"}}}],
}
DIABETES = {
    "resourceType": "Condition",
    "code": {"coding": [{"system": SNOMED, "code": "44054006", "display": "Type 2 diabetes"}]},
    "subject": {"reference": "urn:uuid:00000000-0000-0000-0000-000000000001"},
}


def _import(story: Story, text: str, who: str = "clinician") -> fhir.ImportOutcome:
    patient = story.personas.patient.patient
    assert patient is not None
    return fhir.import_bundle(
        story.db, actor=story.actor(who), public_id=patient.public_id, text=text, now=NOW
    )


def test_import_prefills_the_screening_and_reports_what_it_took(story: Story) -> None:
    patient = story.personas.patient.patient
    assert patient is not None
    outcome = _import(story, _bundle_for(patient, MEDICINE, DIABETES), who="patient")
    assert outcome.prefill == {
        "medicines": [{"name": "Warfarin 5 mg", "dose": "5 mg", "frequency": "daily"}],
        "diabetes": {"has": True, "uses_insulin": None},
    }
    assert [n.field for n in outcome.taken] == ["", "medicines[0]", "diabetes.has"]
    [event] = _events(story.db, "fhir.import")
    assert event.detail["fields"] == ["diabetes", "medicines"]
    # The pre-fill is INTAKE.json: with the patient's other answers and a plan, the core reads it.
    document = {
        "procedure": {"kind": "diagnostic", "side": "left", "anesthetic_agent": "lidocaine"},
        "current_infection": False,
        "immunocompromised": False,
        "possibly_pregnant": False,
        "driver_arranged": True,
        **outcome.prefill,
    }
    assert intake_from_dict(document, story.knowledge).medicines[0].name == "Warfarin 5 mg"


def test_own_export_imports_back_as_the_same_medicines_and_allergies(story: Story) -> None:
    build_to(story, "screened")
    doc = export(story)
    outcome = _import(story, json.dumps(doc))
    assert outcome.prefill["medicines"] == [APIXABAN]
    assert outcome.prefill["allergies"] == [ALLERGY]
    assert outcome.prefill["diabetes"] == {"has": True, "uses_insulin": None}
    assert outcome.not_understood  # the export holds far more than the import reads


def test_a_bundle_about_someone_else_is_refused_and_changes_nothing(story: Story) -> None:
    patient = story.personas.patient.patient
    assert patient is not None
    before = _count_events(story.db)
    with pytest.raises(Invalid) as refused:
        _import(story, _bundle_for(patient, MEDICINE, born="1900-01-01"))
    [error] = refused.value.errors
    assert error.field == "entry[0].resource.birthDate"
    assert "someone else" in error.message.render()
    assert _count_events(story.db) == before


def test_import_is_refused_to_whoever_may_not_see_clinical_records(story: Story) -> None:
    patient = story.personas.patient.patient
    assert patient is not None
    with pytest.raises(Forbidden):
        _import(story, _bundle_for(patient), who="scheduler")


def test_a_huge_upload_is_refused_before_it_is_read(story: Story) -> None:
    with pytest.raises(Invalid) as refused:
        _import(story, " " * (fhir.MAX_BUNDLE_BYTES + 1))
    assert [e.field for e in refused.value.errors] == ["bundle"]
