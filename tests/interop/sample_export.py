"""A patient's pathway as export records, with results computed by the real core.

`sample(knowledge, kind=..., side=...)` gives a `PathwayExport` with every kind of record:
booking, driver, screening (answers and the core's result), a review note and a medicine
decision, a witnessed consent, the procedure, a diary and its reading, a symptom report,
the next step and an audit entry. Tests change what they are about with
`dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sijcare.domain.diagnostic import interpret_diagnostic
from sijcare.domain.eligibility import History, RecordedProcedure
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.next_steps import recommend_next_step
from sijcare.domain.procedure import Kind
from sijcare.domain.relief import PainScore
from sijcare.domain.screening import screen
from sijcare.domain.therapeutic import interpret_therapeutic
from sijcare.domain.triage import triage
from sijcare.formats.intake import intake_from_dict
from sijcare.formats.jsonout import to_jsonable
from sijcare.formats.procedure import procedure_from_dict
from sijcare.formats.report import report_from_dict, report_to_dict
from sijcare.interop.fhir import records as r

INJECTED = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
EXPORTED = INJECTED + timedelta(days=60)
DOCTOR = r.Agent(r.AgentKind.PRACTITIONER, "Dr. Casey Clinician", "11")
PATIENT = r.Agent(r.AgentKind.PATIENT, "Pat Patient")
FRONT_DESK = r.Agent(r.AgentKind.OTHER, "Sam Scheduler")
APIXABAN = {"name": "Eliquis 5 mg", "dose": "5 mg", "frequency": "twice a day"}
CONTRAST_ALLERGY = {"substance": "iohexol", "kind": "contrast", "reaction": "hives"}
ANSWERS: dict[str, Any] = {
    "current_infection": False,
    "fever_recent": None,
    "recent_illness": {"description": "a cold", "last_symptoms_on": "2026-02-20"},
    "immunocompromised": False,
    "possibly_pregnant": False,
    "diabetes": {"has": True, "uses_insulin": True},
    "kidney_function_impaired": None,
    "medicines": [APIXABAN],
    "allergies": [CONTRAST_ALLERGY],
    "past_reactions": [{"to": "steroid", "description": "face went red for a day"}],
    "driver_arranged": True,
}
# Minutes after the injection and the pain then.
DIARY = ((30, 2), (60, 1), (120, 2), (240, 5))
THERAPEUTIC_DIARY = ((60 * 24 * 14, 2), (60 * 24 * 42, 3))


def plan(kind: Kind, side: str) -> dict[str, Any]:
    therapeutic = kind is Kind.THERAPEUTIC
    return {
        "kind": kind.value,
        "side": side,
        "anesthetic_agent": "bupivacaine" if therapeutic else "lidocaine",
        "steroid_agent": "triamcinolone" if therapeutic else None,
        "guidance": "fluoroscopy",
        "contrast_planned": True,
        "sedation": "none",
    }


def procedure_document(kind: Kind, side: str, baseline: int = 7) -> dict[str, Any]:
    therapeutic = kind is Kind.THERAPEUTIC
    return {
        "performed_at": INJECTED.isoformat(),
        "kind": kind.value,
        "side": side,
        "anesthetic": {
            "agent": "bupivacaine" if therapeutic else "lidocaine",
            "concentration_percent": 0.25 if therapeutic else 1.0,
            "volume_ml": 2.0,
        },
        "steroid": {"agent": "triamcinolone", "dose_mg": 40.0} if therapeutic else None,
        "baseline_pain": baseline,
        "guidance": "fluoroscopy",
        "contrast": {"used": True, "agent": "iohexol", "reason_not_used": None},
        "sedation": "none",
        "physician": "Dr. Casey Clinician",
        "observation_end": (INJECTED + timedelta(minutes=30)).isoformat(),
        "discharged_at": (INJECTED + timedelta(minutes=40)).isoformat(),
        "driver_present": True,
    }


_MADE: dict[tuple[str, Kind, str, int], r.PathwayExport] = {}


def sample(
    knowledge: Knowledge, *, kind: Kind = Kind.DIAGNOSTIC, side: str = "left", baseline: int = 7
) -> r.PathwayExport:
    """The whole pathway of one patient (see the module docstring); made once per variant."""
    key = (knowledge.version, kind, side, baseline)
    if key not in _MADE:
        _MADE[key] = _sample(knowledge, kind, side, baseline)
    return _MADE[key]


def _sample(knowledge: Knowledge, kind: Kind, side: str, baseline: int) -> r.PathwayExport:
    document = procedure_document(kind, side, baseline)
    minutes = THERAPEUTIC_DIARY if kind is Kind.THERAPEUTIC else DIARY
    diary = tuple(
        r.DiaryRecord(
            key=str(20 + i),
            recorded_at=INJECTED + timedelta(minutes=m),
            pain=pain,
            note="walked to the car" if i == 1 else "",
            activity_done=True if i == 1 else None,
            created_at=INJECTED + timedelta(minutes=m + 1),
        )
        for i, (m, pain) in enumerate(minutes)
    )
    screened = INJECTED - timedelta(days=5)
    pathway = r.PathwayRecord(
        key="1",
        side=side,
        kind=kind.value,
        status="active",
        opened_at=INJECTED - timedelta(days=20),
        opened_by=DOCTOR,
        plan=plan(kind, side),
        appointments=(
            r.AppointmentRecord(
                "31",
                "procedure",
                "in_person",
                "completed",
                INJECTED,
                INJECTED + timedelta(minutes=45),
                INJECTED - timedelta(days=19),
                "11",
                "41",
            ),
            r.AppointmentRecord(
                "32",
                "follow_up",
                "virtual",
                "booked",
                INJECTED + timedelta(days=21),
                INJECTED + timedelta(days=21, minutes=20),
                INJECTED,
                "11",
                "41",
            ),
        ),
        drivers=(r.DriverRecord("51", "Robin Patient", "+1 310-555-0199", "partner", screened),),
        screenings=(
            r.ScreeningRecord(
                "61",
                {**ANSWERS, "procedure": plan(kind, side)},
                _screening_result(knowledge, kind, side),
                screened,
                PATIENT,
            ),
        ),
        review_notes=(
            r.ReviewNote(
                "contrast.prior_reaction",
                "contrast dye",
                "Premedication prescribed.",
                screened + timedelta(days=1),
                DOCTOR,
            ),
        ),
        decisions=(
            r.MedicineDecision(
                "71", "Eliquis 5 mg", "continue", True, screened + timedelta(days=1), DOCTOR
            ),
        ),
        consents=(_consent(),),
        procedure=r.ProcedureEntry(
            "81", document, INJECTED + timedelta(hours=1), DOCTOR, "11", "41", "91"
        ),
        diary=diary,
        interpretation=_reading(knowledge, document, diary),
        symptom_reports=(_report(knowledge, document),),
    )
    return r.PathwayExport(
        patient=r.PatientRecord("pa1b2c3d4", "Pat Patient", date(1961, 5, 17), "+1 310-555-0142"),
        clinic=r.ClinicRecord("1", "Westside Spine Clinic"),
        generated_at=EXPORTED,
        locations=(r.LocationRecord("41", "Westside Main", "1 Ocean Ave, Santa Monica"),),
        practitioners=(
            r.PractitionerRecord(
                "11",
                "Dr. Casey Clinician",
                "physician",
                "Pain medicine",
                ("Board certified in Anesthesiology", "Fellowship in Pain Medicine"),
            ),
        ),
        pathways=(pathway,),
        next_step=_next_step(knowledge, document, diary),
        audit=(
            r.AuditRecord(
                "1", screened, "screening.submit", PATIENT, "patient", "screening_response", "61"
            ),
            r.AuditRecord(
                "2", INJECTED, "procedure.view", DOCTOR, "clinician", "procedure_record", "81"
            ),
            r.AuditRecord(
                "3", INJECTED, "appointment.book", FRONT_DESK, "scheduler", "appointment", "31"
            ),
        ),
    )


def _screening_result(knowledge: Knowledge, kind: Kind, side: str) -> dict[str, Any]:
    intake = intake_from_dict({**ANSWERS, "procedure": plan(kind, side)}, knowledge)
    result: dict[str, Any] = to_jsonable(screen(intake, INJECTED, knowledge))
    return result


def _consent() -> r.ConsentEntry:
    agreed = INJECTED - timedelta(days=2)
    questions = (
        "name",
        "reason",
        "results",
        "risks_and_benefits",
        "side_effects",
        "when_and_where",
        "who",
        "without_it",
        "alternatives",
        "getting_results",
        "who_to_call",
        "cost",
    )
    confirmed = {
        "plan_version": "0123456789abcdef",
        "confirmations": [{"question": q, "confirmed_at": agreed.isoformat()} for q in questions],
    }
    return r.ConsentEntry(
        "91",
        {"plan_version": "0123456789abcdef"},
        confirmed,
        agreed,
        PATIENT,
        agreed + timedelta(minutes=5),
        DOCTOR,
        complete=True,
    )


def _scores(diary: tuple[r.DiaryRecord, ...]) -> tuple[PainScore, ...]:
    return tuple(PainScore(e.recorded_at, e.pain, e.note or None, e.activity_done) for e in diary)


def _reading(
    knowledge: Knowledge, document: dict[str, Any], diary: tuple[r.DiaryRecord, ...]
) -> r.InterpretationRecord:
    procedure = procedure_from_dict(document, knowledge)
    computed = diary[-1].created_at
    if procedure.kind is Kind.DIAGNOSTIC:
        reading: Any = interpret_diagnostic(procedure, _scores(diary), knowledge)
        label = reading.classification.value
    else:
        reading = interpret_therapeutic(procedure, _scores(diary), knowledge)
        known = [(n, v) for n, v in reading.responders.items() if v is not None]
        label = f"{known[-1][0]}:{'responder' if known[-1][1] else 'non_responder'}"
    return r.InterpretationRecord(
        "101", procedure.kind.value, to_jsonable(reading), label, knowledge.version, computed
    )


def _report(knowledge: Knowledge, document: dict[str, Any]) -> r.SymptomRecord:
    at = INJECTED + timedelta(hours=30)
    doc = {
        "procedure": document,
        "reported_at": at.isoformat(),
        "symptoms": {"temperature_c": 38.6, "pain": 4},
    }
    procedure, report = report_from_dict(doc, knowledge)
    result = triage(procedure, report, knowledge)
    return r.SymptomRecord(
        "111",
        at,
        report_to_dict(document, report),
        result.disposition.value,
        to_jsonable(result),
        knowledge.version,
    )


def _next_step(
    knowledge: Knowledge, document: dict[str, Any], diary: tuple[r.DiaryRecord, ...]
) -> r.NextStep:
    history = History(
        (RecordedProcedure(procedure_from_dict(document, knowledge), _scores(diary)),)
    )
    today = EXPORTED.date()
    plan_ = recommend_next_step(history, "medicare", today, knowledge)
    return r.NextStep(plan_, "medicare", EXPORTED)


def with_pathway(export: r.PathwayExport, **changes: Any) -> r.PathwayExport:
    """`export` with its one pathway changed."""
    pathway = dataclasses.replace(export.pathways[0], **changes)
    return dataclasses.replace(export, pathways=(pathway,))
