"""Factories of the clinical records: procedures, diary entries, screening, consent, reports.

Like the other factories, each inserts a plain, valid row (in the caller's transaction
when one is open) and takes only what a test is about as overrides.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from factories import CREATED, _save, make_appointment, make_pathway
from sijcare.db.enums import AppointmentKind, Kind, Side
from sijcare.db.models import (
    ConsentRecord,
    DiaryEntry,
    Pathway,
    ProcedureRecord,
    ScreeningResponse,
    SymptomReport,
    User,
)

# Monday 2 March 2026, 08:00 in Los Angeles: the web tests' frozen "now".
PERFORMED = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def procedure_document(
    *,
    performed_at: datetime = PERFORMED,
    kind: Kind = Kind.DIAGNOSTIC,
    side: Side = Side.LEFT,
    baseline_pain: int = 7,
    anesthetic: str = "lidocaine",
    steroid: str | None = None,
) -> dict[str, Any]:
    """A PROCEDURE.json document (see sijcare.formats.procedure)."""
    if kind is Kind.THERAPEUTIC and steroid is None:
        steroid = "triamcinolone"
    return {
        "performed_at": performed_at.isoformat(),
        "kind": kind.value,
        "side": side.value,
        "anesthetic": {"agent": anesthetic, "concentration_percent": 1.0, "volume_ml": 2.0},
        "steroid": None if steroid is None else {"agent": steroid, "dose_mg": 40.0},
        "baseline_pain": baseline_pain,
        "guidance": "fluoroscopy",
        "contrast": {"used": True, "agent": "iohexol", "reason_not_used": None},
        "sedation": "none",
        "physician": "Dr. Casey Clinician",
        "observation_end": None,
        "discharged_at": None,
        "driver_present": True,
    }


def make_procedure_record(
    db: Session, *, pathway: Pathway, documented_by: User, **overrides: Any
) -> ProcedureRecord:
    """The injection of `pathway`, documented; `data` follows `overrides` for kind and time."""
    document = overrides.pop("data", None) or procedure_document(
        performed_at=overrides.get("performed_at", PERFORMED),
        kind=overrides.get("kind", pathway.kind),
        side=overrides.get("side", pathway.side),
    )
    values: dict[str, Any] = {
        "pathway_id": pathway.id,
        "data": document,
        "performed_at": datetime.fromisoformat(document["performed_at"]),
        "kind": Kind(document["kind"]),
        "side": Side(document["side"]),
        "documented_at": datetime.fromisoformat(document["performed_at"]) + timedelta(hours=1),
        "documented_by": documented_by.id,
    }
    return _save(db, ProcedureRecord(**(values | overrides)))


def make_diary_entry(
    db: Session, *, procedure: ProcedureRecord, created_by: User, **overrides: Any
) -> DiaryEntry:
    values: dict[str, Any] = {
        "procedure_id": procedure.id,
        "recorded_at": procedure.performed_at + timedelta(minutes=30),
        "pain": 3,
        "note": "",
        "activity_done": None,
        "created_at": procedure.performed_at + timedelta(minutes=31),
        "created_by": created_by.id,
    }
    return _save(db, DiaryEntry(**(values | overrides)))


def make_screening_response(
    db: Session, *, pathway: Pathway, submitted_by: User, **overrides: Any
) -> ScreeningResponse:
    """A submitted response; pass `answers` and `result` documents for a real one."""
    values: dict[str, Any] = {
        "pathway_id": pathway.id,
        "status": "submitted",
        "answers": {},
        "result": None,
        "knowledge_version": None,
        "created_at": CREATED,
        "submitted_at": CREATED,
        "submitted_by": submitted_by.id,
    }
    return _save(db, ScreeningResponse(**(values | overrides)))


def make_consent_record(
    db: Session, *, pathway: Pathway, agreed_by: User, **overrides: Any
) -> ConsentRecord:
    values: dict[str, Any] = {
        "pathway_id": pathway.id,
        "plan_snapshot": {"plan_version": "0000000000000000"},
        "confirmed": {"confirmations": []},
        "agreed_at": CREATED,
        "agreed_by": agreed_by.id,
    }
    return _save(db, ConsentRecord(**(values | overrides)))


def triage_result(disposition: str = "expected") -> dict[str, Any]:
    """A stored triage result (the JSON of the core's `TriageResult`) for `disposition`."""
    emergency = disposition == "emergency"
    number = "911" if emergency else "+1 310-555-0100"
    message = f"Call {number} now." if emergency else f"Call the clinic help line at {number}."
    return {
        "disposition": disposition,
        "reasons": [
            {
                "disposition": disposition,
                "code": "site_soreness",
                "message": "Soreness where the needle went in is common.",
                "rationale": "Injection-site soreness.",
                "source": "plastaras-2012",
            }
        ],
        "contact": {
            "kind": "emergency" if emergency else "help_line",
            "number": number,
            "label": "Emergency services" if emergency else "Clinic help line",
            "message": message,
            "local_time": CREATED.isoformat(),
            "help_line_hours": "6:00 am to 9:00 pm",
        },
        "what_to_do": [message],
        "reported_at": CREATED.isoformat(),
        "elapsed": 1.0,
        "provenance": {"knowledge_version": "test", "overrides": {}, "rules": {}, "inputs": {}},
    }


def make_symptom_report(
    db: Session, *, pathway: Pathway, reported_by: User, **overrides: Any
) -> SymptomReport:
    disposition = overrides.get("disposition", "expected")
    values: dict[str, Any] = {
        "pathway_id": pathway.id,
        "procedure_id": None,
        "reported_at": CREATED,
        "reported_by": reported_by.id,
        "report": {},
        "disposition": disposition,
        "result": triage_result(disposition),
        "knowledge_version": "test",
    }
    return _save(db, SymptomReport(**(values | overrides)))


# -- stories: a pathway at a given stage, for the portal's tests -------------------------

# The patient's answers (INTAKE.json without the plan) of a patient with nothing to flag.
READY_ANSWERS: dict[str, Any] = {
    "current_infection": False,
    "immunocompromised": False,
    "possibly_pregnant": False,
    "diabetes": {"has": False, "uses_insulin": None},
    "driver_arranged": True,
    "kidney_function_impaired": False,
    "fever_recent": None,
    "recent_illness": None,
    "medicines": [{"name": "Lisinopril", "dose": "10 mg", "frequency": "daily"}],
    "allergies": [],
    "past_reactions": [],
}


def plan_document(
    kind: Kind = Kind.DIAGNOSTIC, side: Side = Side.LEFT, sedation: str = "none"
) -> dict[str, Any]:
    """The INTAKE.json `procedure` object of a planned injection."""
    return {
        "kind": kind.value,
        "side": side.value,
        "anesthetic_agent": "lidocaine",
        "steroid_agent": "triamcinolone" if kind is Kind.THERAPEUTIC else None,
        "guidance": "fluoroscopy",
        "contrast_planned": True,
        "sedation": sedation,
    }


def make_planned_pathway(
    db: Session,
    *,
    patient: Any,
    clinician: User,
    practitioner: Any,
    location: Any,
    room: Any,
    starts_at: datetime,
    kind: Kind = Kind.DIAGNOSTIC,
    side: Side = Side.LEFT,
    sedation: str = "none",
    booked: bool = True,
) -> Pathway:
    """A pathway whose injection the clinic planned (a draft response) and booked."""
    pathway = make_pathway(db, patient=patient, opened_by=clinician, kind=kind, side=side)
    _save(
        db,
        ScreeningResponse(
            pathway_id=pathway.id,
            status="draft",
            answers={"procedure": plan_document(kind, side, sedation)},
            created_at=CREATED,
        ),
    )
    if booked:
        make_appointment(
            db,
            patient=patient,
            practitioner=practitioner,
            location=location,
            created_by=clinician,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=30),
            kind=AppointmentKind.PROCEDURE,
            room_id=room.id,
            pathway_id=pathway.id,
        )
    return pathway


def make_documented(
    db: Session,
    *,
    patient: Any,
    clinician: User,
    kind: Kind = Kind.DIAGNOSTIC,
    performed_at: datetime = PERFORMED,
    baseline_pain: int = 7,
    side: Side = Side.LEFT,
) -> ProcedureRecord:
    """A pathway of `patient` with its injection documented."""
    pathway = make_pathway(db, patient=patient, opened_by=clinician, kind=kind, side=side)
    document = procedure_document(
        performed_at=performed_at, kind=kind, side=side, baseline_pain=baseline_pain
    )
    return make_procedure_record(db, pathway=pathway, documented_by=clinician, data=document)
