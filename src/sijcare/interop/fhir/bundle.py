"""A patient's whole pathway as one FHIR Bundle (type `collection`).

`export_bundle` puts in, for the patient and every pathway:
- Patient, Organization (the clinic), Location, Practitioner, RelatedPerson (the driver);
- ServiceRequest (the planned injection) and Appointment (each booking);
- QuestionnaireResponse for every screening submission, consent, diary entry and symptom
  check, naming the versioned canonical of its Questionnaire;
- from the newest screening: AllergyIntolerance, MedicationStatement, Condition, and a
  DetectedIssue (and a Flag when a clinician is needed) per finding;
- Consent; Procedure with a MedicationAdministration per agent; an Observation per pain
  score (the baseline and each diary entry, LOINC 72514-3, part of the Procedure) and
  one for the diary's reading;
- RiskAssessment per symptom report, and a Task when the clinic must call back;
- CarePlan (the recommended next step) and, when asked for, AuditEvent per audit entry.

Every entry's full URL is `urn:uuid:<id>` and every reference points at another entry.
"""

from __future__ import annotations

from collections.abc import Iterator

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

from sijcare.interop.fhir import audit, careplan, observations, orders, people, procedure
from sijcare.interop.fhir import screening as findings
from sijcare.interop.fhir import triage as symptoms
from sijcare.interop.fhir.common import Ids, Json, build, instant
from sijcare.interop.fhir.records import (
    ConsentEntry,
    DiaryRecord,
    PathwayExport,
    PathwayRecord,
    ProcedureEntry,
    ScreeningRecord,
    SymptomRecord,
)
from sijcare.interop.fhir.responses import (
    Context,
    consent_response,
    diary_response,
    screening_response,
    symptoms_response,
)


def export_bundle(export: PathwayExport) -> Bundle:
    """The Bundle of `export` (see the module docstring), stamped `generated_at`."""
    ids = Ids(export.patient.public_id)
    resources = list(_resources(ids, export))
    return build(
        Bundle,
        {
            "resourceType": "Bundle",
            "id": ids.id("Bundle", instant(export.generated_at)),
            "type": "collection",
            "timestamp": instant(export.generated_at),
            "entry": [{"fullUrl": f"urn:uuid:{r.id}", "resource": r} for r in resources],
        },
    )


def _resources(ids: Ids, export: PathwayExport) -> Iterator[Resource]:
    clinic = export.clinic
    yield people.patient_resource(ids, export.patient, clinic)
    yield people.organization_resource(ids, clinic)
    for location in export.locations:
        yield people.location_resource(ids, location, clinic)
    for practitioner in export.practitioners:
        yield people.practitioner_resource(ids, practitioner)
    organization = ids.ref("Organization", clinic.key, clinic.name)
    for pathway in export.pathways:
        yield from _pathway(ids, pathway, organization, export.for_patient)
    for appointment in export.appointments:
        yield orders.appointment_resource(ids, None, appointment, [])
    if export.next_step is not None:
        yield careplan.careplan_resource(ids, export.next_step, export.pathways)
    for record in export.audit or ():
        yield audit.audit_event(ids, record, clinic)


def _pathway(
    ids: Ids, pathway: PathwayRecord, organization: Json, for_patient: bool
) -> Iterator[Resource]:
    yield orders.service_request_resource(ids, pathway)
    for driver in pathway.drivers:
        yield people.driver_resource(ids, driver)
    for screening in pathway.screenings:
        yield _screening_response(ids, screening)
    if pathway.screenings:
        yield from _screening_findings(ids, pathway, pathway.screenings[-1], for_patient)
    for consent in pathway.consents:
        yield _consent_response(ids, consent)
        yield procedure.consent_resource(ids, pathway, consent, organization)
    supporting = _supporting(ids, pathway)
    for appointment in pathway.appointments:
        yield orders.appointment_resource(ids, pathway, appointment, supporting)
    if pathway.procedure is not None:
        yield from _procedure(ids, pathway, pathway.procedure)
    for report in pathway.symptom_reports:
        yield from _symptom_report(ids, pathway, report, for_patient)


def _screening_response(ids: Ids, screening: ScreeningRecord) -> Resource:
    context = Context(
        authored=screening.submitted_at,
        id=ids.id("QuestionnaireResponse", f"screening/{screening.key}"),
        subject=ids.patient,
        author=ids.agent(screening.submitted_by),
    )
    return screening_response(screening.answers, context)


def _screening_findings(
    ids: Ids, pathway: PathwayRecord, screening: ScreeningRecord, for_patient: bool
) -> Iterator[Resource]:
    yield from findings.allergy_resources(ids, screening)
    yield from findings.medication_statements(ids, screening)
    yield from findings.condition_resources(ids, screening)
    yield from findings.finding_resources(ids, pathway, screening, for_patient=for_patient)


def _consent_response(ids: Ids, consent: ConsentEntry) -> Resource:
    confirmed = consent.confirmed
    agreement = None
    if consent.witnessed_by is not None:
        agreement = {
            "signed_by": consent.agreed_by.name,
            "signed_at": instant(consent.agreed_at),
            "witnessed_by": consent.witnessed_by.name,
        }
    record = {
        "plan_version": confirmed.get("plan_version") or consent.plan_snapshot.get("plan_version"),
        "confirmations": confirmed.get("confirmations", []),
        "agreement": agreement,
    }
    context = Context(
        authored=consent.agreed_at,
        id=ids.id("QuestionnaireResponse", f"consent/{consent.key}"),
        subject=ids.patient,
        author=ids.agent(consent.agreed_by),
    )
    return consent_response(record, context)


def _supporting(ids: Ids, pathway: PathwayRecord) -> list[Json]:
    """What a procedure booking rests on: the newest screening answers and consent."""
    out = []
    if pathway.screenings:
        out.append(findings.response_ref(ids, pathway.screenings[-1]))
    if pathway.consents:
        out.append(ids.ref("Consent", pathway.consents[-1].key))
    return out


def _procedure(ids: Ids, pathway: PathwayRecord, entry: ProcedureEntry) -> Iterator[Resource]:
    yield procedure.procedure_resource(ids, pathway, entry)
    yield from procedure.administrations(ids, entry)
    yield observations.baseline_observation(ids, entry)
    for diary in pathway.diary:
        yield _diary_response(ids, diary)
        yield observations.diary_observation(ids, entry, diary)
    if pathway.interpretation is not None:
        yield observations.interpretation_observation(
            ids, entry, pathway.interpretation, pathway.diary
        )


def _diary_response(ids: Ids, entry: DiaryRecord) -> Resource:
    document = {
        "recorded_at": instant(entry.recorded_at),
        "pain": entry.pain,
        "note": entry.note or None,
        "activity_done": entry.activity_done,
    }
    context = Context(
        authored=entry.created_at,
        id=ids.id("QuestionnaireResponse", observations.diary_response_key(entry)),
        subject=ids.patient,
        author=ids.patient,
    )
    return diary_response(document, context)


def _symptom_report(
    ids: Ids, pathway: PathwayRecord, report: SymptomRecord, for_patient: bool
) -> Iterator[Resource]:
    context = Context(
        authored=report.reported_at,
        id=ids.id("QuestionnaireResponse", symptoms.symptoms_response_key(report)),
        subject=ids.patient,
        author=ids.patient,
    )
    yield symptoms_response(report.report.get("symptoms", {}), context)
    procedure_ref = (
        None if pathway.procedure is None else procedure.procedure_ref(ids, pathway.procedure)
    )
    yield symptoms.risk_assessment(ids, report, procedure_ref, for_patient=for_patient)
    task = symptoms.call_back_task(ids, report)
    if task is not None:
        yield task


def to_json(resource: Resource, *, indent: int | None = None) -> str:
    """The FHIR JSON of `resource` (no empty elements): the `application/fhir+json` body."""
    return resource.model_dump_json(exclude_none=True, indent=indent)
