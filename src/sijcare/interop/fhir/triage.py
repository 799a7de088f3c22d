"""Symptom triage after the injection: RiskAssessment, and a call-back Task when needed.

The RiskAssessment's qualitative risk is the core's disposition (emergency, call_now,
call_soon, expected), its basis the symptom check QuestionnaireResponse, each reason a
reason code with the clinician's rationale, and what the patient was told to do its
mitigation. Every disposition but `expected` asks the clinic to call the patient back:
a Task for the patient, urgent or stat by the disposition, completed once a clinician
acknowledged the report.
"""

from __future__ import annotations

from fhir.resources.R4B.riskassessment import RiskAssessment
from fhir.resources.R4B.task import Task

from sijcare.interop.fhir.common import Ids, Json, build, instant, local_cc
from sijcare.interop.fhir.records import SymptomRecord

# How soon the clinic must call back, as a FHIR request priority (the product's choice).
CALL_BACK_PRIORITY = {"emergency": "stat", "call_now": "urgent", "call_soon": "asap"}


def symptoms_response_key(report: SymptomRecord) -> str:
    return f"symptoms/{report.key}"


def risk_assessment(
    ids: Ids, report: SymptomRecord, procedure: Json | None, *, for_patient: bool = False
) -> RiskAssessment:
    """The disposition; each reason's text is the clinician's rationale, or the patient's
    sentence `for_patient`."""
    result = report.result
    reasons = result.get("reasons", ())
    why = "message" if for_patient else "rationale"
    return build(
        RiskAssessment,
        {
            "id": ids.id("RiskAssessment", report.key),
            "status": "final",
            "method": local_cc(
                "rule",
                "symptom-triage",
                f"sijcare symptom triage, knowledge {report.knowledge_version}",
            ),
            "subject": ids.patient,
            "occurrenceDateTime": instant(report.reported_at),
            "parent": procedure,
            "basis": [ids.ref("QuestionnaireResponse", symptoms_response_key(report))],
            "reasonCode": [local_cc("triage-reason", str(r["code"]), str(r[why])) for r in reasons],
            "prediction": [
                {
                    "qualitativeRisk": local_cc(
                        "triage-disposition",
                        report.disposition,
                        report.disposition.replace("_", " "),
                    ),
                    "rationale": " ".join(str(r[why]) for r in reasons),
                }
            ],
            "mitigation": " ".join(str(step) for step in result.get("what_to_do", ())),
        },
    )


def call_back_task(ids: Ids, report: SymptomRecord) -> Task | None:
    """The clinic's call-back for a report that needs one; None for `expected`."""
    priority = CALL_BACK_PRIORITY.get(report.disposition)
    if priority is None:
        return None
    done = report.acknowledged_at is not None
    return build(
        Task,
        {
            "id": ids.id("Task", report.key),
            "status": "completed" if done else "requested",
            "intent": "order",
            "priority": priority,
            "code": local_cc("task", "call-back", "Call the patient back about their symptoms"),
            "focus": ids.ref("QuestionnaireResponse", symptoms_response_key(report)),
            "for": ids.patient,
            "authoredOn": instant(report.reported_at),
            "lastModified": instant(report.acknowledged_at or report.reported_at),
            "owner": ids.agent(report.acknowledged_by) if done else None,
            "reasonReference": ids.ref("RiskAssessment", report.key),
            "executionPeriod": {
                "start": instant(report.reported_at),
                "end": instant(report.acknowledged_at) if report.acknowledged_at else None,
            },
            "note": [{"text": report.acknowledged_note}] if report.acknowledged_note else [],
        },
    )
