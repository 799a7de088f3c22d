"""Symptom reports after the injection: the core's triage answer, stored for the clinicians.

The patient answers plain questions; `report_symptoms` turns the answers into the core's
`SymptomReport` (through the REPORT.json format, which converts °F and mmol/L and checks
the readings), asks the core for the disposition and who to call at this hour, and
stores the report, the disposition (a queryable column: the clinicians' red-flag inbox
lists every report whose disposition is not `expected`) and the full result.

The triage answer is computed before anything is stored, so the patient always gets it.
If storing fails, the outcome says so (`report_id` is None) and carries the clinic's
number at this hour: the page then tells the patient to phone instead of pretending the
clinic received the report. What the patient is shown comes from the result's patient
sentences only; the clinicians' rationale stays in the stored result.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from sijcare.db.models import SymptomReport
from sijcare.domain.contact import Contact, who_to_call
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Procedure
from sijcare.domain.symptoms import SymptomReport as CoreReport
from sijcare.domain.triage import TriageResult, triage
from sijcare.formats.jsonout import to_jsonable
from sijcare.formats.report import SYMPTOM_KEYS, report_from_dict, report_to_dict
from sijcare.services import audit, diary, pathways
from sijcare.services.actor import Actor
from sijcare.services.errors import Conflict, FieldError, Invalid, Message, NotFound, msg

log = logging.getLogger(__name__)

# What each REPORT.json reading's range error means for the patient.
_MESSAGES = {
    "temperature_c": msg(
        "This does not look like a body temperature. Check the number and the unit (°C or °F)."
    ),
    "temperature_f": msg(
        "This does not look like a body temperature. Check the number and the unit (°C or °F)."
    ),
    "blood_sugar_mg_dl": msg(
        "This does not look like a blood sugar reading. Check the number and the unit."
    ),
    "blood_sugar_mmol_l": msg(
        "This does not look like a blood sugar reading. Check the number and the unit."
    ),
    "pain": msg("Choose a number from 0 to 10."),
    "note": msg("Use at most {count} characters.", count=2000),
}
_CHECK = msg("Please check this answer.")


@dataclass(frozen=True)
class Advice:
    """What the patient is told: from a fresh result or a stored one (patient text only)."""

    disposition: str
    contact_kind: str
    contact_number: str
    contact_label: str
    contact_message: str
    what_to_do: tuple[str, ...]
    reasons: tuple[str, ...]
    reported_at: datetime

    @classmethod
    def of(cls, result: Mapping[str, Any], reported_at: datetime) -> Advice:
        """From the JSON form of a `TriageResult` (as stored in `SymptomReport.result`)."""
        contact = result["contact"]
        return cls(
            disposition=str(result["disposition"]),
            contact_kind=str(contact["kind"]),
            contact_number=str(contact["number"]),
            contact_label=str(contact["label"]),
            contact_message=str(contact["message"]),
            what_to_do=tuple(str(step) for step in result["what_to_do"]),
            reasons=tuple(str(reason["message"]) for reason in result["reasons"]),
            reported_at=reported_at,
        )

    @property
    def is_emergency(self) -> bool:
        return self.disposition == "emergency"


@dataclass(frozen=True)
class TriageOutcome:
    """The triage answer; `report_id` is None when the report could not be stored."""

    advice: Advice
    result: TriageResult
    report_id: int | None
    clinic: Contact  # the clinic's number at this hour, for "please phone us"

    @property
    def stored(self) -> bool:
        return self.report_id is not None


@dataclass(frozen=True)
class StoredReport:
    id: int
    pathway_id: int
    procedure_id: int | None
    advice: Advice
    acknowledged: bool


@dataclass(frozen=True)
class ReportForm:
    """What the symptom form needs: the injection, and who to call now."""

    procedure_id: int
    pathway_id: int
    performed_at: datetime
    contact: Contact  # the clinic's number at this hour
    emergency_number: str


def view_form(
    db: Session, *, actor: Actor, procedure_id: int, knowledge: Knowledge, now: datetime
) -> ReportForm:
    """The symptom form of a documented injection (the patient only)."""
    with db.begin():
        record, pathway, patient = diary.load_record(db, actor, procedure_id)
        diary.require_own(actor, patient)
        audit.record(
            db,
            actor=actor,
            action="symptom_report.form",
            at=now,
            target_type="procedure_record",
            target_id=record.id,
            patient_id=patient.id,
        )
        return ReportForm(
            procedure_id=record.id,
            pathway_id=pathway.id,
            performed_at=record.performed_at,
            contact=who_to_call(now, knowledge, emergency=False),
            emergency_number=knowledge.text("clinic.emergency_phone"),
        )


def report_symptoms(
    db: Session,
    *,
    actor: Actor,
    procedure_id: int,
    symptoms: Mapping[str, Any],
    knowledge: Knowledge,
    now: datetime,
) -> TriageOutcome:
    """Triage the patient's `symptoms` (the `symptoms` object of REPORT.json) at `now`.

    Only the patient reports. Bad answers raise `Invalid` with the REPORT.json key as the
    field (`temperature_f`); nothing is stored then.
    """
    with db.begin():
        record, pathway, patient = diary.load_record(db, actor, procedure_id)
        diary.require_own(actor, patient)
        document, pathway_id, patient_id = dict(record.data), pathway.id, patient.id
    unknown = sorted(set(symptoms) - SYMPTOM_KEYS)
    if unknown:
        raise Invalid([FieldError(name, msg("This is not a question we ask.")) for name in unknown])
    procedure, report = _parse(document, symptoms, knowledge, now)
    result = triage(procedure, report, knowledge)
    advice = Advice.of(to_jsonable(result), now)
    clinic = who_to_call(now, knowledge, emergency=False)
    try:
        with db.begin():
            row = SymptomReport(
                pathway_id=pathway_id,
                procedure_id=procedure_id,
                reported_at=now,
                reported_by=actor.user_id,
                report=report_to_dict(document, report),
                disposition=result.disposition.value,
                result=to_jsonable(result),
                knowledge_version=knowledge.version,
            )
            db.add(row)
            db.flush()
            audit.record(
                db,
                actor=actor,
                action="symptom_report.create",
                at=now,
                target_type="symptom_report",
                target_id=row.id,
                patient_id=patient_id,
                detail={"procedure_id": procedure_id, "fields": sorted(symptoms)},
            )
    except SQLAlchemyError as exc:
        # No patient values in the log: the exception's text may hold the report.
        log.error("A symptom report could not be stored (%s).", type(exc).__name__)
        return TriageOutcome(advice, result, None, clinic)
    return TriageOutcome(advice, result, row.id, clinic)


def _parse(
    document: Mapping[str, Any], symptoms: Mapping[str, Any], knowledge: Knowledge, now: datetime
) -> tuple[Procedure, CoreReport]:
    doc = {"procedure": document, "reported_at": now.isoformat(), "symptoms": dict(symptoms)}
    try:
        return report_from_dict(doc, knowledge)
    except InputError as exc:
        if exc.where == "reported_at":
            raise Conflict(
                msg("Your injection has not happened yet. For questions, call the clinic.")
            ) from None
        if exc.where.startswith("symptoms."):
            field = exc.where.removeprefix("symptoms.").split(".")[0]
            raise Invalid([FieldError(field, _message(field))]) from None
        raise


def _message(field: str) -> Message:
    return _MESSAGES.get(field, _CHECK)


def get_report(db: Session, *, actor: Actor, report_id: int, now: datetime) -> StoredReport:
    """A stored report's advice (the patient or a clinician of their clinic)."""
    with db.begin():
        row = db.get(SymptomReport, report_id)
        if row is None:
            raise NotFound(msg("There is no such report."))
        pathway_patient = _patient_of(db, actor, row)
        audit.record(
            db,
            actor=actor,
            action="symptom_report.view",
            at=now,
            target_type="symptom_report",
            target_id=row.id,
            patient_id=pathway_patient,
        )
        return _stored(row)


def latest_report(db: Session, pathway_id: int) -> StoredReport | None:
    """The pathway's latest report, for a caller that checked access inside its transaction."""
    row = db.scalar(
        sa.select(SymptomReport)
        .where(SymptomReport.pathway_id == pathway_id)
        .order_by(SymptomReport.reported_at.desc(), SymptomReport.id.desc())
        .limit(1)
    )
    return None if row is None else _stored(row)


def _patient_of(db: Session, actor: Actor, row: SymptomReport) -> int:
    _pathway, patient = pathways.load(db, actor, row.pathway_id)
    return patient.id


def _stored(row: SymptomReport) -> StoredReport:
    return StoredReport(
        id=row.id,
        pathway_id=row.pathway_id,
        procedure_id=row.procedure_id,
        advice=Advice.of(row.result, row.reported_at),
        acknowledged=row.acknowledged_at is not None,
    )
