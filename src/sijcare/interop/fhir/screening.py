"""What the screening answers and their result say, as FHIR resources.

From the patient's newest answers on a pathway (INTAKE.json): AllergyIntolerance per
allergy and per past reaction to contrast, anesthetic or steroid; MedicationStatement
per listed medicine; Condition per health answer that is yes (diabetes, a weak immune
system, kidneys that do not work well, an infection now, a recent illness, a possible
pregnancy). All are patient-reported, so unconfirmed, asserted by the patient and
derived from the screening QuestionnaireResponse.

From the core's result: a DetectedIssue per finding (implicating the planned injection;
the clinicians' review notes and hold-or-continue decisions are its mitigations), and a
Flag per finding that needs a clinician, active until one reviewed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.detectedissue import DetectedIssue
from fhir.resources.R4B.flag import Flag
from fhir.resources.R4B.medicationstatement import MedicationStatement

from sijcare.interop.fhir import codes
from sijcare.interop.fhir.common import Ids, Json, build, extension, instant, local_cc, named
from sijcare.interop.fhir.questionnaires import ALLERGY_KINDS, REACTION_TO
from sijcare.interop.fhir.records import PathwayRecord, ScreeningRecord

_MEDICATION_KINDS = frozenset({"contrast", "anesthetic", "steroid", "medicine"})
_SEVERITY = {"stop": "high", "review": "moderate", "action": "low", "info": "low"}
NEEDS_CLINICIAN = frozenset({"review", "stop"})
_FLAG_WORDS = {
    "review": "Needs a clinician's review",
    "stop": "The procedure cannot go ahead as planned",
}


def response_ref(ids: Ids, screening: ScreeningRecord) -> Json:
    return ids.ref("QuestionnaireResponse", f"screening/{screening.key}")


def allergy_resources(ids: Ids, screening: ScreeningRecord) -> list[AllergyIntolerance]:
    answers = screening.answers
    out = [
        _allergy(ids, screening, f"allergies/{i}", a["substance"], a["kind"], a.get("reaction"))
        for i, a in enumerate(answers.get("allergies") or ())
    ]
    for i, reaction in enumerate(answers.get("past_reactions") or ()):
        kind = reaction["to"]
        if kind in ("contrast", "anesthetic", "steroid"):
            key = f"past_reactions/{i}"
            out.append(
                _allergy(ids, screening, key, REACTION_TO[kind], kind, reaction["description"])
            )
    return out


def _allergy(
    ids: Ids, screening: ScreeningRecord, key: str, substance: str, kind: str, reaction: Any
) -> AllergyIntolerance:
    category = "medication" if kind in _MEDICATION_KINDS else ("food" if kind == "food" else None)
    return build(
        AllergyIntolerance,
        {
            "id": ids.id("AllergyIntolerance", f"{screening.key}/{key}"),
            "extension": [_kind_extension(kind)],
            "clinicalStatus": named("allergy-active"),
            "verificationStatus": named("allergy-unconfirmed"),
            "category": [category],
            "code": {"text": substance},
            "patient": ids.patient,
            "recordedDate": instant(screening.submitted_at),
            "asserter": ids.patient,
            "reaction": [{"manifestation": [{"text": reaction}], "description": reaction}]
            if reaction
            else [],
        },
    )


def _kind_extension(kind: str) -> Json:
    """What kind of allergy the patient said it is (sijcare's own extension)."""
    return extension(
        "allergy-kind", valueCoding=codes.local("allergy-kind", kind, ALLERGY_KINDS[kind])
    )


def medication_statements(ids: Ids, screening: ScreeningRecord) -> list[MedicationStatement]:
    """What the patient said they take; the dose and how often in their own words."""
    return [
        build(
            MedicationStatement,
            {
                "id": ids.id("MedicationStatement", f"{screening.key}/{i}"),
                "status": "active",
                "medicationCodeableConcept": {"text": medicine["name"]},
                "subject": ids.patient,
                "dateAsserted": instant(screening.submitted_at),
                "informationSource": ids.patient,
                "derivedFrom": [response_ref(ids, screening)],
                "dosage": [
                    {
                        "text": medicine.get("dose"),
                        "timing": {"code": {"text": medicine.get("frequency")}},
                    }
                ],
            },
        )
        for i, medicine in enumerate(screening.answers.get("medicines") or ())
    ]


def condition_resources(ids: Ids, screening: ScreeningRecord) -> list[Condition]:
    answers = screening.answers
    found: list[tuple[str, Json, str | None]] = []  # (key, code, date it ended)
    diabetes = answers.get("diabetes") or {}
    if diabetes.get("has"):
        insulin = " (uses insulin)" if diabetes.get("uses_insulin") else ""
        found.append(("diabetes", named("diabetes", text=f"Diabetes{insulin}"), None))
    if answers.get("immunocompromised"):
        found.append(("immune", named("immunocompromised", text="Weak immune system"), None))
    if answers.get("kidney_function_impaired"):
        text = "Kidneys do not work well (as a doctor told the patient)"
        found.append(("kidney", local_cc("condition", "kidney-function-impaired", text), None))
    if answers.get("current_infection"):
        found.append(
            ("infection", local_cc("condition", "current-infection", "An infection now"), None)
        )
    if answers.get("possibly_pregnant"):
        found.append(
            ("pregnancy", local_cc("condition", "possible-pregnancy", "Could be pregnant"), None)
        )
    illness = answers.get("recent_illness")
    if illness:
        text = f"Recent illness: {illness['description']}"
        found.append(
            (
                "illness",
                local_cc("condition", "recent-illness", text),
                illness.get("last_symptoms_on"),
            )
        )
    return [_condition(ids, screening, key, code, ended) for key, code, ended in found]


def _condition(
    ids: Ids, screening: ScreeningRecord, key: str, code: Json, ended: str | None
) -> Condition:
    return build(
        Condition,
        {
            "id": ids.id("Condition", f"{screening.key}/{key}"),
            "clinicalStatus": named("condition-resolved" if ended else "condition-active"),
            "verificationStatus": named("condition-unconfirmed"),
            "category": [named("problem-list-item")],
            "code": code,
            "subject": ids.patient,
            "abatementDateTime": ended,
            "recordedDate": instant(screening.submitted_at),
            "asserter": ids.patient,
            "evidence": [{"detail": [response_ref(ids, screening)]}],
        },
    )


def finding_resources(
    ids: Ids, pathway: PathwayRecord, screening: ScreeningRecord, *, for_patient: bool = False
) -> list[DetectedIssue | Flag]:
    """A DetectedIssue per finding of the result, and a Flag per one needing a clinician.

    The issue's detail is the clinician's rationale, or the patient's sentence `for_patient`.
    """
    out: list[DetectedIssue | Flag] = []
    findings = (screening.result or {}).get("findings", ())
    for i, finding in enumerate(findings):
        mitigations = _mitigations(ids, pathway, finding)
        detail = finding["patient_message" if for_patient else "clinician_rationale"]
        out.append(_issue(ids, pathway, screening, i, finding, mitigations, detail))
        if finding["severity"] in NEEDS_CLINICIAN:
            out.append(_flag(ids, screening, i, finding, reviewed=_reviewed(pathway, finding)))
    return out


def _issue(
    ids: Ids,
    pathway: PathwayRecord,
    screening: ScreeningRecord,
    index: int,
    finding: Mapping[str, Any],
    mitigations: list[Json],
    detail: str,
) -> DetectedIssue:
    return build(
        DetectedIssue,
        {
            "id": ids.id("DetectedIssue", f"{screening.key}/{index}"),
            "status": "final",
            "code": local_cc("screening-finding", finding["code"], text=finding["about"]),
            "severity": _SEVERITY[finding["severity"]],
            "patient": ids.patient,
            "identifiedDateTime": instant(screening.submitted_at),
            "implicated": [ids.ref("ServiceRequest", pathway.key)],
            "evidence": [{"detail": [response_ref(ids, screening)]}],
            "detail": detail,
            "mitigation": mitigations,
        },
    )


def _flag(
    ids: Ids, screening: ScreeningRecord, index: int, finding: Mapping[str, Any], *, reviewed: bool
) -> Flag:
    words = _FLAG_WORDS[finding["severity"]]
    return build(
        Flag,
        {
            "id": ids.id("Flag", f"{screening.key}/{index}"),
            "status": "inactive" if reviewed else "active",
            "category": [named("flag-clinical")],
            "code": local_cc(
                "screening-finding", finding["code"], text=f"{words}: {finding['about']}"
            ),
            "subject": ids.patient,
            "period": {"start": instant(screening.submitted_at)},
        },
    )


def _reviewed(pathway: PathwayRecord, finding: Mapping[str, Any]) -> bool:
    return any(
        (n.code, n.about) == (finding["code"], finding["about"]) for n in pathway.review_notes
    )


def _mitigations(ids: Ids, pathway: PathwayRecord, finding: Mapping[str, Any]) -> list[Json]:
    out = [
        {
            "action": local_cc("mitigation", "reviewed", text=note.note or "Reviewed"),
            "date": instant(note.decided_at),
            "author": ids.agent(note.decided_by),
        }
        for note in pathway.review_notes
        if (note.code, note.about) == (finding["code"], finding["about"])
    ]
    about = str(finding["about"]).strip().casefold()
    for decision in pathway.decisions:
        if decision.medicine.strip().casefold() == about:
            confirmed = (
                " (confirmed with the prescriber)" if decision.confirmed_with_prescriber else ""
            )
            out.append(
                {
                    "action": local_cc(
                        "mitigation",
                        decision.decision,
                        text=f"{decision.decision.capitalize()}{confirmed}",
                    ),
                    "date": instant(decision.decided_at),
                    "author": ids.agent(decision.decided_by),
                }
            )
    return out
