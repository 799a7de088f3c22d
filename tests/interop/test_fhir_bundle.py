"""The export mapping, record by record: every resource validates with the R4B models,
every reference resolves inside the bundle, and the codes are the shipped ones."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from interop.fhir_checks import by_url, checked, codes_of, of_type, types
from interop.sample_export import DIARY, INJECTED, sample, with_pathway
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind
from sijcare.interop.fhir import questionnaires
from sijcare.interop.fhir.audit import action_code
from sijcare.interop.fhir.bundle import export_bundle, to_json
from sijcare.interop.fhir.records import PathwayExport

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
CPT = "http://www.ama-assn.org/go/cpt"
PAIN = (LOINC, "72514-3")


def bundle(export: PathwayExport) -> dict[str, Any]:
    return checked(to_json(export_bundle(export)))


def the(doc: dict[str, Any], resource_type: str) -> dict[str, Any]:
    [one] = of_type(doc, resource_type)
    return one


def codings(value: Any) -> list[dict[str, Any]]:
    """Every Coding anywhere in `value`."""
    if isinstance(value, dict):
        found = [value] if "system" in value and "code" in value else []
        return found + [c for v in value.values() for c in codings(v)]
    if isinstance(value, list):
        return [c for v in value for c in codings(v)]
    return []


@pytest.mark.parametrize("side", ["left", "right", "bilateral"])
@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
def test_every_resource_validates_and_every_reference_resolves(
    knowledge: Knowledge, kind: Kind, side: str
) -> None:
    doc = bundle(sample(knowledge, kind=kind, side=side))
    assert set(types(doc)) == {
        "Patient", "Organization", "Location", "Practitioner", "RelatedPerson",
        "ServiceRequest", "Appointment", "QuestionnaireResponse", "AllergyIntolerance",
        "MedicationStatement", "Condition", "DetectedIssue", "Flag", "Consent", "Procedure",
        "MedicationAdministration", "Observation", "RiskAssessment", "Task", "CarePlan",
        "AuditEvent",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("side", "laterality"),
    [
        pytest.param("left", "7771000", id="left"),
        pytest.param("right", "24028007", id="right"),
        pytest.param("bilateral", "51440002", id="bilateral"),
    ],
)
def test_body_site_is_the_si_joint_with_the_side(
    knowledge: Knowledge, side: str, laterality: str
) -> None:
    doc = bundle(sample(knowledge, side=side))
    for resource in (the(doc, "Procedure"), the(doc, "ServiceRequest")):
        [site] = resource["bodySite"]
        assert codes_of(site) == {(SNOMED, "39723000")}
        [qualifier] = site["extension"]
        assert qualifier["url"].endswith("mcode-laterality-qualifier")
        assert codes_of(qualifier["valueCodeableConcept"]) == {(SNOMED, laterality)}


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        pytest.param(Kind.DIAGNOSTIC, "103693007", id="diagnostic"),
        pytest.param(Kind.THERAPEUTIC, "277132007", id="therapeutic"),
    ],
)
def test_procedure_category_and_cpt_code(knowledge: Knowledge, kind: Kind, category: str) -> None:
    doc = bundle(sample(knowledge, kind=kind))
    procedure, order = the(doc, "Procedure"), the(doc, "ServiceRequest")
    assert codes_of(procedure["category"]) == {(SNOMED, category)}
    assert codes_of(procedure["code"]) == codes_of(order["code"]) == {(CPT, "27096")}
    assert order["status"] == "completed"
    assert procedure["basedOn"] == [{"reference": f"urn:uuid:{order['id']}"}]


def test_no_cpt_descriptor_is_shipped(knowledge: Knowledge) -> None:
    doc = bundle(sample(knowledge, kind=Kind.THERAPEUTIC))
    cpt = [c for c in codings(doc) if c["system"] == CPT]
    assert cpt and all(set(c) == {"system", "code"} for c in cpt)


def test_each_agent_is_a_medication_administration_of_the_procedure(knowledge: Knowledge) -> None:
    doc = bundle(sample(knowledge, kind=Kind.THERAPEUTIC))
    procedure = f"urn:uuid:{the(doc, 'Procedure')['id']}"
    given = {
        m["medicationCodeableConcept"]["text"]: m for m in of_type(doc, "MedicationAdministration")
    }
    assert set(given) == {"bupivacaine 0.25%", "triamcinolone", "iohexol"}
    assert given["triamcinolone"]["dosage"]["dose"]["value"] == 40
    assert given["triamcinolone"]["dosage"]["dose"]["code"] == "mg"
    assert given["bupivacaine 0.25%"]["dosage"]["dose"]["code"] == "mL"
    assert all(m["partOf"] == [{"reference": procedure}] for m in given.values())
    assert all(m["status"] == "completed" for m in given.values())


def test_contrast_not_used_is_not_done_with_the_reason(knowledge: Knowledge) -> None:
    export = sample(knowledge)
    entry = export.pathways[0].procedure
    assert entry is not None
    data = {**entry.data, "contrast": {"used": False, "agent": None, "reason_not_used": "Allergy"}}
    doc = bundle(with_pathway(export, procedure=dataclasses.replace(entry, data=data)))
    [contrast] = [m for m in of_type(doc, "MedicationAdministration") if m["status"] == "not-done"]
    assert contrast["statusReason"] == [{"text": "Allergy"}]


def test_every_pain_score_is_an_observation_part_of_the_procedure(knowledge: Knowledge) -> None:
    doc = bundle(sample(knowledge))
    procedure = f"urn:uuid:{the(doc, 'Procedure')['id']}"
    pain = [o for o in of_type(doc, "Observation") if codes_of(o["code"]) == {PAIN}]
    assert sorted(o["valueInteger"] for o in pain) == sorted([7, *(p for _m, p in DIARY)])
    assert all(o["partOf"] == [{"reference": procedure}] for o in pain)
    baseline = [o for o in pain if o["method"]["coding"][0]["code"] == "baseline"]
    assert [o["effectiveDateTime"] for o in baseline] == ["2026-03-02T20:00:00Z"]
    diary = [o for o in pain if o["method"]["coding"][0]["code"] == "diary"]
    urls = by_url(doc)
    for observation in diary:
        [source] = observation["derivedFrom"]
        response = urls[source["reference"]]
        assert response["questionnaire"] == questionnaires.canonical("diary")


def test_a_diary_score_carries_its_relief_and_the_painful_activity(knowledge: Knowledge) -> None:
    doc = bundle(sample(knowledge))
    [score] = [
        o for o in of_type(doc, "Observation") if codes_of(o["code"]) == {PAIN} and o.get("note")
    ]
    components = {c["code"]["coding"][0]["code"]: c for c in score["component"]}
    assert score["valueInteger"] == 1
    assert components["relief-percent"]["valueQuantity"]["value"] == 85.7
    assert components["usual-activity-done"]["valueBoolean"] is True
    assert score["note"] == [{"text": "walked to the car"}]


def _reading(doc: dict[str, Any]) -> dict[str, Any]:
    [reading] = [o for o in of_type(doc, "Observation") if "focus" in o]
    return reading


def _components(reading: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["code"]["coding"][0]["code"]: c for c in reading["component"]}


def test_block_reading_has_rule_version_threshold_and_inputs(knowledge: Knowledge) -> None:
    doc = bundle(sample(knowledge))
    reading = _reading(doc)
    procedure = f"urn:uuid:{the(doc, 'Procedure')['id']}"
    assert reading["focus"] == reading["partOf"] == [{"reference": procedure}]
    assert reading["status"] == "preliminary"  # nobody signed it off
    assert codes_of(reading["valueCodeableConcept"]) == {
        (reading["valueCodeableConcept"]["coding"][0]["system"], "positive")
    }
    assert reading["method"]["coding"][0]["code"] == "diagnostic-block/1"
    parts = _components(reading)
    assert parts["threshold-percent"]["valueQuantity"]["value"] == 75
    assert parts["peak-relief-percent"]["valueQuantity"]["value"] == 85.7
    assert parts["diagnostic.positive_threshold_percent"]["valueInteger"] == 75
    assert parts["anesthetic"]["valueString"] == "lidocaine"
    assert parts["window_hours"]["valueInteger"] == 4
    assert parts["knowledge-version"]["valueString"] == knowledge.version
    urls = by_url(doc)
    used = sorted(urls[d["reference"]]["valueInteger"] for d in reading["derivedFrom"])
    assert used == [1, 2, 2, 5, 7]  # the baseline and the scores inside the 4 h window


def test_therapeutic_reading_is_the_latest_milestone(knowledge: Knowledge) -> None:
    reading = _reading(bundle(sample(knowledge, kind=Kind.THERAPEUTIC)))
    assert reading["valueCodeableConcept"]["coding"][0]["code"] == "responder"
    assert reading["valueCodeableConcept"]["text"] == "responder at 6w"
    assert reading["method"]["coding"][0]["code"] == "therapeutic-injection/1"
    parts = _components(reading)
    assert parts["relief-2w"]["valueQuantity"]["value"] == 71.4
    assert parts["therapeutic.milestone_2w_days"]["valueString"] == "[10, 14, 18]"


def test_a_signed_off_reading_is_final_and_names_who(knowledge: Knowledge) -> None:
    export = sample(knowledge)
    pathway = export.pathways[0]
    assert pathway.interpretation is not None
    signed = dataclasses.replace(
        pathway.interpretation, signed_off_at=INJECTED, signed_off_by=pathway.opened_by
    )
    reading = _reading(bundle(with_pathway(export, interpretation=signed)))
    assert reading["status"] == "final"
    assert reading["performer"][0]["display"] == "Dr. Casey Clinician"


def test_a_diary_that_cannot_be_read_says_why(knowledge: Knowledge) -> None:
    export = sample(knowledge)
    pathway = export.pathways[0]
    assert pathway.interpretation is not None
    error = {"error": {"where": "baseline_pain", "message": "a baseline of 0 cannot be assessed"}}
    unread = dataclasses.replace(
        pathway.interpretation, result=error, classification="not_assessable"
    )
    reading = _reading(bundle(with_pathway(export, interpretation=unread)))
    assert reading["valueCodeableConcept"]["coding"][0]["code"] == "not_assessable"
    assert "a baseline of 0 cannot be assessed" in reading["note"][0]["text"]
    assert "method" not in reading


def test_screening_answers_become_allergies_medicines_and_conditions(knowledge: Knowledge) -> None:
    doc = bundle(sample(knowledge))
    allergies = {a["code"]["text"]: a for a in of_type(doc, "AllergyIntolerance")}
    assert set(allergies) == {"iohexol", "Steroid"}  # an allergy and a past reaction
    assert allergies["iohexol"]["category"] == ["medication"]
    assert allergies["iohexol"]["reaction"][0]["manifestation"] == [{"text": "hives"}]
    medicine = the(doc, "MedicationStatement")
    assert medicine["medicationCodeableConcept"] == {"text": "Eliquis 5 mg"}
    assert medicine["dosage"][0]["text"] == "5 mg"
    conditions = {c["code"]["text"]: c for c in of_type(doc, "Condition")}
    assert codes_of(conditions["Diabetes (uses insulin)"]["code"]) == {(SNOMED, "73211009")}
    illness = conditions["Recent illness: a cold"]
    assert illness["abatementDateTime"] == "2026-02-20"
    assert illness["clinicalStatus"]["coding"][0]["code"] == "resolved"


def test_findings_are_detected_issues_with_flags_and_mitigations(knowledge: Knowledge) -> None:
    doc = bundle(sample(knowledge))
    issues = {i["code"]["coding"][0]["code"]: i for i in of_type(doc, "DetectedIssue")}
    order = f"urn:uuid:{the(doc, 'ServiceRequest')['id']}"
    contrast = issues["contrast.prior_reaction"]
    assert contrast["severity"] == "moderate"
    assert contrast["implicated"] == [{"reference": order}]
    assert contrast["mitigation"][0]["action"]["text"] == "Premedication prescribed."
    thinner = next(i for code, i in issues.items() if code.startswith("blood_thinner"))
    assert thinner["mitigation"][0]["action"]["coding"][0]["code"] == "continue"
    flags = {f["code"]["coding"][0]["code"]: f["status"] for f in of_type(doc, "Flag")}
    assert flags["contrast.prior_reaction"] == "inactive"  # reviewed
    assert "active" in flags.values()  # the blood thinner still needs a review note


def test_the_patients_own_export_carries_their_sentences(knowledge: Knowledge) -> None:
    clinician = bundle(sample(knowledge))
    patient = bundle(dataclasses.replace(sample(knowledge), for_patient=True))
    findings = sample(knowledge).pathways[0].screenings[0].result
    assert findings is not None
    messages = {f["patient_message"] for f in findings["findings"]}
    rationales = {f["clinician_rationale"] for f in findings["findings"]}
    assert {i["detail"] for i in of_type(patient, "DetectedIssue")} == messages
    assert {i["detail"] for i in of_type(clinician, "DetectedIssue")} == rationales
    assert (
        the(patient, "RiskAssessment")["reasonCode"]
        != the(clinician, "RiskAssessment")["reasonCode"]
    )


def test_consent_is_active_with_witness_and_checklist(knowledge: Knowledge) -> None:
    doc = bundle(sample(knowledge))
    consent = the(doc, "Consent")
    assert consent["status"] == "active"
    assert codes_of(consent["category"][0]) == {(LOINC, "59284-0")}
    urls = by_url(doc)
    checklist = urls[consent["sourceReference"]["reference"]]
    assert checklist["questionnaire"] == questionnaires.canonical("consent")
    assert urls[consent["extension"][0]["valueReference"]["reference"]]["resourceType"] == (
        "Practitioner"
    )


@pytest.mark.parametrize(
    ("witnessed", "complete", "status"),
    [
        pytest.param(False, False, "proposed", id="waiting-for-the-witness"),
        pytest.param(True, False, "inactive", id="plan-changed-since"),
        pytest.param(True, True, "active", id="complete"),
    ],
)
def test_consent_status(knowledge: Knowledge, witnessed: bool, complete: bool, status: str) -> None:
    export = sample(knowledge)
    consent = export.pathways[0].consents[0]
    changed = dataclasses.replace(
        consent,
        witnessed_at=consent.witnessed_at if witnessed else None,
        witnessed_by=consent.witnessed_by if witnessed else None,
        complete=complete,
    )
    doc = bundle(with_pathway(export, consents=(changed,)))
    assert the(doc, "Consent")["status"] == status
    assert ("extension" in the(doc, "Consent")) is witnessed


def test_triage_is_a_risk_assessment_and_a_call_back_task(knowledge: Knowledge) -> None:
    doc = bundle(sample(knowledge))
    risk, task = the(doc, "RiskAssessment"), the(doc, "Task")
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "call_now"
    assert risk["parent"] == {"reference": f"urn:uuid:{the(doc, 'Procedure')['id']}"}
    response = by_url(doc)[risk["basis"][0]["reference"]]
    assert response["questionnaire"] == questionnaires.canonical("symptoms")
    assert (task["priority"], task["status"], task["intent"]) == ("urgent", "requested", "order")


def test_an_expected_report_needs_no_call_back(knowledge: Knowledge) -> None:
    export = sample(knowledge)
    report = dataclasses.replace(export.pathways[0].symptom_reports[0], disposition="expected")
    doc = bundle(with_pathway(export, symptom_reports=(report,)))
    assert "Task" not in types(doc)


def test_appointments_on_and_off_a_pathway(knowledge: Knowledge) -> None:
    export = sample(knowledge)
    visit = export.pathways[0].appointments[1]
    doc = bundle(dataclasses.replace(export, appointments=(dataclasses.replace(visit, key="33"),)))
    by_start = {}
    for appointment in of_type(doc, "Appointment"):
        by_start.setdefault(appointment["appointmentType"]["coding"][0]["code"], []).append(
            appointment
        )
    [procedure] = by_start["procedure"]
    assert procedure["status"] == "fulfilled"
    assert len(procedure["supportingInformation"]) == 2  # the screening and the consent
    assert all("basedOn" not in a for a in by_start["follow_up"])
    virtual = by_start["follow_up"][0]
    assert len(virtual["participant"]) == 2  # no room or place for a video visit


@pytest.mark.parametrize(
    ("status", "fhir"),
    [
        pytest.param("booked", "booked", id="booked"),
        pytest.param("cancelled", "cancelled", id="cancelled"),
        pytest.param("completed", "fulfilled", id="attended"),
        pytest.param("no_show", "noshow", id="did-not-come"),
    ],
)
def test_appointment_status_maps_to_fhir(knowledge: Knowledge, status: str, fhir: str) -> None:
    export = sample(knowledge)
    procedure, visit = export.pathways[0].appointments
    changed = dataclasses.replace(visit, status=status)
    doc = bundle(with_pathway(export, appointments=(procedure, changed)))
    [follow_up] = [
        a
        for a in of_type(doc, "Appointment")
        if a["appointmentType"]["coding"][0]["code"] == "follow_up"
    ]
    assert follow_up["status"] == fhir


def test_a_missed_injection_is_not_the_orders_planned_time(knowledge: Knowledge) -> None:
    export = sample(knowledge)
    procedure, visit = export.pathways[0].appointments
    missed = dataclasses.replace(procedure, status="no_show")
    doc = bundle(with_pathway(export, appointments=(missed, visit)))
    assert "occurrenceDateTime" not in the(doc, "ServiceRequest")
    assert the(bundle(export), "ServiceRequest")["occurrenceDateTime"]


def test_care_plan_holds_the_next_step_and_the_booked_visit(knowledge: Knowledge) -> None:
    doc = bundle(sample(knowledge))
    plan = the(doc, "CarePlan")
    step, visit = plan["activity"]
    assert step["detail"]["code"]["coding"][0]["code"] == "comparative_confirmatory_block"
    assert (CPT, "27096") in codes_of(step["detail"]["code"])
    assert step["detail"]["status"] in ("not-started", "on-hold")
    assert by_url(doc)[visit["reference"]["reference"]]["resourceType"] == "Appointment"


def test_no_plan_no_care_plan_and_no_audit_unless_asked(knowledge: Knowledge) -> None:
    doc = bundle(dataclasses.replace(sample(knowledge), next_step=None, audit=None))
    assert "CarePlan" not in types(doc) and "AuditEvent" not in types(doc)


@pytest.mark.parametrize(
    ("action", "code"),
    [
        pytest.param("diary.record", "C", id="record"),
        pytest.param("screening.submit", "C", id="submit"),
        pytest.param("patient.view", "R", id="view"),
        pytest.param("diary.review_view", "R", id="review-view"),
        pytest.param("consent.witness", "U", id="witness"),
        pytest.param("appointment.cancel", "U", id="cancel"),
        pytest.param("appointment.attendance", "U", id="attendance"),
        pytest.param("diary.correct", "U", id="diary-correction"),
        pytest.param("diary.correct_unchanged", "R", id="diary-correction-unchanged"),
        pytest.param("auth.login", "E", id="other"),
    ],
)
def test_audit_action_codes(action: str, code: str) -> None:
    assert action_code(action) == code


def test_audit_events_name_who_acted_and_what(knowledge: Knowledge) -> None:
    doc = bundle(sample(knowledge))
    events = of_type(doc, "AuditEvent")
    urls = by_url(doc)
    who = [e["agent"][0]["who"] for e in events]
    assert urls[who[0]["reference"]]["resourceType"] == "Patient"
    assert urls[who[1]["reference"]]["resourceType"] == "Practitioner"
    assert who[2] == {"display": "Sam Scheduler"}  # no practitioner record
    assert events[0]["entity"][1]["what"]["display"] == "screening_response/61"
    assert all(
        codes_of({"coding": [e["type"]]})
        == {("http://dicom.nema.org/resources/ontology/DCM", "110110")}
        for e in events
    )


def test_ids_are_stable_and_belong_to_the_patient(knowledge: Knowledge) -> None:
    export = sample(knowledge)
    first = [e["fullUrl"] for e in bundle(export)["entry"]]
    assert first == [e["fullUrl"] for e in bundle(export)["entry"]]
    other = dataclasses.replace(
        export, patient=dataclasses.replace(export.patient, public_id="pzz")
    )
    assert set(first).isdisjoint(e["fullUrl"] for e in bundle(other)["entry"])
