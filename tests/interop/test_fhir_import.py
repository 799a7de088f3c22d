"""Reading a FHIR Bundle into a pre-fill of the screening answers, with its report.

Each row is one rule: what is taken (and into which field), what is skipped on purpose,
what is not understood, and which bundles are refused outright (with where and why).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from sijcare.interop.fhir.fhir_import import MAX_ENTRIES, BundleRefused, read_bundle
from sijcare.interop.fhir.records import PatientRecord

PATIENT = PatientRecord("pa1", "María José Núñez", date(1961, 5, 17))
SNOMED = "http://snomed.info/sct"
ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
ME = {"reference": "Patient/p1"}


def person(**changes: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": "p1",
        "name": [{"family": "Nunez", "given": ["Maria"]}],
        "birthDate": "1961-05-17",
    } | changes


def text(*resources: dict[str, Any], patient: dict[str, Any] | None = None) -> str:
    entries = [
        {
            "fullUrl": "urn:uuid:11111111-1111-1111-1111-111111111111",
            "resource": patient or person(),
        }
    ]
    entries += [{"resource": r} for r in resources]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries})


def medicine(
    name: str | None = "Warfarin 5 mg", status: str = "active", **more: Any
) -> dict[str, Any]:
    concept = (
        {"text": name}
        if name
        else {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "855332"}]
        }
    )
    return {
        "resourceType": "MedicationStatement",
        "status": status,
        "medicationCodeableConcept": concept,
        "subject": ME,
    } | more


def allergy(name: str = "Penicillin", **more: Any) -> dict[str, Any]:
    return {"resourceType": "AllergyIntolerance", "code": {"text": name}, "patient": ME} | more


def condition(system: str, code: str, **more: Any) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "code": {"coding": [{"system": system, "code": code, "display": f"code {code}"}]},
        "subject": ME,
    } | more


def status(code: str) -> dict[str, Any]:
    return {"coding": [{"code": code}]}


# -- taken ---------------------------------------------------------------------------------

TAKEN = [
    pytest.param(
        medicine(dosage=[{"text": "5 mg", "timing": {"code": {"text": "daily"}}}]),
        {"medicines": [{"name": "Warfarin 5 mg", "dose": "5 mg", "frequency": "daily"}]},
        "medicines[0]",
        id="medicine-with-dose",
    ),
    pytest.param(
        medicine(status="intended"),
        {"medicines": [{"name": "Warfarin 5 mg", "dose": None, "frequency": None}]},
        "medicines[0]",
        id="medicine-intended",
    ),
    pytest.param(
        allergy(reaction=[{"manifestation": [{"text": "rash"}]}], category=["medication"]),
        {"allergies": [{"substance": "Penicillin", "kind": "medicine", "reaction": "rash"}]},
        "allergies[0]",
        id="medicine-allergy",
    ),
    pytest.param(
        allergy("Peanuts", category=["food"]),
        {"allergies": [{"substance": "Peanuts", "kind": "food", "reaction": None}]},
        "allergies[0]",
        id="food-allergy",
    ),
    pytest.param(
        allergy("Latex"),
        {"allergies": [{"substance": "Latex", "kind": "other", "reaction": None}]},
        "allergies[0]",
        id="allergy-without-category",
    ),
    pytest.param(
        condition(SNOMED, "44054006"),
        {"diabetes": {"has": True, "uses_insulin": None}},
        "diabetes.has",
        id="type-2-diabetes-snomed",
    ),
    pytest.param(
        condition(ICD10, "E10.9"),
        {"diabetes": {"has": True, "uses_insulin": None}},
        "diabetes.has",
        id="type-1-diabetes-icd10",
    ),
    pytest.param(
        condition(ICD10, "N18.3"),
        {"kidney_function_impaired": True},
        "kidney_function_impaired",
        id="chronic-kidney-disease",
    ),
    pytest.param(
        condition(SNOMED, "370388006"),
        {"immunocompromised": True},
        "immunocompromised",
        id="immunocompromised",
    ),
    pytest.param(
        condition(ICD10, "D84.9", clinicalStatus=status("active")),
        {"immunocompromised": True},
        "immunocompromised",
        id="immunodeficiency-active",
    ),
]


@pytest.mark.parametrize(("resource", "prefill", "field"), TAKEN)
def test_taken(resource: dict[str, Any], prefill: dict[str, Any], field: str) -> None:
    result = read_bundle(text(resource), PATIENT)
    assert result.prefill == prefill
    assert [n.field for n in result.taken] == ["", field]
    assert result.skipped == () and result.not_understood == ()


def test_a_medicine_named_in_its_medication_resource() -> None:
    bundle = json.loads(text())
    bundle["entry"] += [
        {"fullUrl": "urn:uuid:22222222-2222-2222-2222-222222222222",
         "resource": {"resourceType": "Medication", "code": {"coding": [{"system": "x", "code": "1", "display": "Apixaban"}]}}},
        {"resource": {"resourceType": "MedicationStatement", "status": "active", "subject": ME,
                      "medicationReference": {"reference": "urn:uuid:22222222-2222-2222-2222-222222222222"}}},
    ]  # fmt: skip
    result = read_bundle(json.dumps(bundle), PATIENT)
    assert result.prefill == {"medicines": [{"name": "Apixaban", "dose": None, "frequency": None}]}
    assert result.not_understood == ()


def test_the_same_medicine_twice_is_listed_once() -> None:
    result = read_bundle(text(medicine(), medicine("warfarin  5 MG")), PATIENT)
    assert len(result.prefill["medicines"]) == 1
    assert [n.text for n in result.skipped] == ["warfarin  5 MG: already listed."]


def test_sijcares_own_allergy_kind_is_kept() -> None:
    kind = {
        "url": "https://sijcare.example/fhir/StructureDefinition/allergy-kind",
        "valueCoding": {"code": "contrast"},
    }
    result = read_bundle(
        text(allergy("iohexol", extension=[kind], category=["medication"])), PATIENT
    )
    assert result.prefill["allergies"][0]["kind"] == "contrast"


# -- skipped and not understood --------------------------------------------------------------

LEFT_OUT = [
    pytest.param(medicine(status="stopped"), "skipped", "not taken now (status stopped)", id="stopped-medicine"),
    pytest.param(medicine(status="completed"), "skipped", "not taken now", id="completed-medicine"),
    pytest.param(allergy(clinicalStatus=status("resolved")), "skipped", "Penicillin: resolved", id="resolved-allergy"),
    pytest.param(allergy(verificationStatus=status("refuted")), "skipped", "refuted", id="refuted-allergy"),
    pytest.param(condition(SNOMED, "73211009", clinicalStatus=status("inactive")), "skipped", "inactive", id="old-diabetes"),
    pytest.param(condition(SNOMED, "38341003"), "not_understood", "not one the health questions ask about", id="other-condition"),
    pytest.param(condition(ICD10, "M46.1"), "not_understood", "not one the health questions ask about", id="sacroiliitis"),
    pytest.param(medicine(name=None), "not_understood", "codes but no name", id="medicine-codes-only"),
    pytest.param(medicine("x" * 201), "not_understood", "longer than 200", id="medicine-name-too-long"),
    pytest.param({"resourceType": "Observation", "status": "final", "code": {"text": "BP"}}, "not_understood", "Observation is not read", id="other-resource"),
    pytest.param({"resourceType": "MedicationStatement", "status": "active", "medicationCodeableConcept": {"text": "X"}, "subject": {"display": "me"}}, "not_understood", "whom it is about", id="no-subject-reference"),
    pytest.param({"resourceType": "Medication", "code": {"text": "Apixaban"}}, "not_understood", "No MedicationStatement", id="lone-medication"),
]  # fmt: skip


@pytest.mark.parametrize(("resource", "where", "says"), LEFT_OUT)
def test_left_out(resource: dict[str, Any], where: str, says: str) -> None:
    result = read_bundle(text(resource), PATIENT)
    assert result.prefill == {}
    [note] = getattr(result, where)
    assert says in note.text
    assert note.entry.startswith("entry[1] ")


# -- refused --------------------------------------------------------------------------------------

REFUSED = [
    pytest.param("{oops", "bundle:1", "not valid JSON", id="not-json"),
    pytest.param(json.dumps([1]), "bundle", "not a FHIR Bundle", id="not-an-object"),
    pytest.param(json.dumps(person()), "bundle", "not a FHIR Bundle", id="a-patient-not-a-bundle"),
    pytest.param(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Nonsense"}}]}), "bundle.", "", id="fails-the-r4b-models"),
    pytest.param(text(medicine(status=None)), "bundle.entry", "status", id="misses-a-required-element"),
    pytest.param(text(patient=person(contained=[{"resourceType": "Nonsense"}])), "bundle", "not FHIR R4", id="contains-an-unknown-type"),
    pytest.param(json.dumps({"resourceType": "Bundle", "type": "collection"}), "bundle", "has no Patient", id="no-patient"),
    pytest.param(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": person()}, {"resource": person(id="p2")}]}), "bundle", "has 2 Patients", id="two-patients"),
    pytest.param(text(patient=person(birthDate=None)), "entry[0].resource.birthDate", "is missing", id="no-birth-date"),
    pytest.param(text(patient=person(birthDate="1961-05-18")), "entry[0].resource.birthDate", "someone else", id="another-birth-date"),
    pytest.param(text(patient=person(name=[{"text": "John Smith"}])), "entry[0].resource.name", "someone else", id="another-name"),
    pytest.param(text(medicine(subject={"reference": "Patient/other"})), "entry[1].resource.subject", "not to the bundle's Patient", id="another-patients-medicine"),
    pytest.param(text(allergy(patient={"reference": "urn:uuid:99999999-9999-9999-9999-999999999999"})), "entry[1].resource.patient", "not to the bundle's Patient", id="another-patients-allergy"),
]  # fmt: skip


@pytest.mark.parametrize(("bundle", "where", "says"), REFUSED)
def test_refused(bundle: str, where: str, says: str) -> None:
    with pytest.raises(BundleRefused) as refused:
        read_bundle(bundle, PATIENT)
    assert refused.value.where.startswith(where)
    assert says in refused.value.message


def test_too_many_entries_are_refused() -> None:
    bundle = json.loads(text())
    bundle["entry"] += [{"resource": allergy(f"a{i}")} for i in range(MAX_ENTRIES)]
    with pytest.raises(BundleRefused) as refused:
        read_bundle(json.dumps(bundle), PATIENT)
    assert refused.value.where == "bundle.entry"


def test_names_match_without_accents_or_case() -> None:
    for name in ({"text": "MARIA NUNEZ"}, {"family": "Núñez"}, {"given": ["José"]}):
        result = read_bundle(text(patient=person(name=[name])), PATIENT)
        assert result.taken[0].text.startswith("Matched")


def test_a_patient_without_names_matches_on_the_birth_date() -> None:
    patient = person()
    del patient["name"]
    assert read_bundle(text(patient=patient), PATIENT).taken
