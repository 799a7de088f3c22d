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

The stored result is the JSON of the core's `TriageResult` (`formats.jsonout`, the shape
the CLI writes) with each patient sentence's `Words` beside its English, so that a page
shows it in the reader's language (ADR 0007): `reasons[i].words`, `contact.words` and
`what_to_do_words` (one per step of `what_to_do`), in the form of `formats.words`. A
report stored before they were kept, or whose words cannot be read, shows its English.

A phone may send the same report twice (a retry after no answer, a double tap). A report
sent with an `idempotency_key` is stored once: a repeat with the same key by the same
patient for the same injection returns the stored report and its stored advice (no second
row, so no second red flag in the inbox and no second escalation e-mail), audited as
`symptom_report.create_repeated`. The same key from another patient or for another
injection is refused. Two requests racing with one key: the unique constraint lets one
row in and the other request returns it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from sijcare.db.models import ProcedureRecord, SymptomReport
from sijcare.domain.contact import Contact, who_to_call
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Procedure
from sijcare.domain.symptoms import SymptomReport as CoreReport
from sijcare.domain.triage import TriageResult, triage
from sijcare.domain.words import Words
from sijcare.formats.jsonout import to_jsonable
from sijcare.formats.report import SYMPTOM_KEYS, report_from_dict, report_to_dict
from sijcare.formats.words import words_or_english, words_to_json
from sijcare.services import audit, diary, pathways
from sijcare.services.actor import Actor
from sijcare.services.errors import Conflict, FieldError, Invalid, Message, NotFound, msg

log = logging.getLogger(__name__)

# A client's key for one report: the form's token (`secrets.token_urlsafe`), a UUID, or
# the like; the column holds 64 characters.
IDEMPOTENCY_KEY_MAX_LENGTH = 64
IDEMPOTENCY_KEY_PATTERN = r"^[A-Za-z0-9._~:-]{1,64}$"

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


# A patient sentence for a page: its `Words`, or its English when it has none.
Said = Words | str


@dataclass(frozen=True)
class Advice:
    """What the patient is told: from a fresh result or a stored one (patient text only).

    Each sentence is here in English (`contact_message`, `what_to_do`, `reasons`: the
    API's), and as `Words` for a page in the reader's language (`said_contact`,
    `said_steps`, `said_reasons`), or its English where the stored result has no words.
    """

    disposition: str
    contact_kind: str
    contact_number: str
    contact_label: str
    contact_message: str
    what_to_do: tuple[str, ...]
    reasons: tuple[str, ...]
    reported_at: datetime
    said_contact: Said
    said_steps: tuple[Said, ...]
    said_reasons: tuple[Said, ...]

    @classmethod
    def of(cls, result: Mapping[str, Any], reported_at: datetime) -> Advice:
        """From the JSON form of a `TriageResult` (as stored in `SymptomReport.result`,
        with its words or without them)."""
        contact = result["contact"]
        steps = tuple(str(step) for step in result["what_to_do"])
        step_words = result.get("what_to_do_words")
        if not isinstance(step_words, list) or len(step_words) != len(steps):
            step_words = [None] * len(steps)
        reasons = result["reasons"]
        return cls(
            disposition=str(result["disposition"]),
            contact_kind=str(contact["kind"]),
            contact_number=str(contact["number"]),
            contact_label=str(contact["label"]),
            contact_message=str(contact["message"]),
            what_to_do=steps,
            reasons=tuple(str(reason["message"]) for reason in reasons),
            reported_at=reported_at,
            said_contact=words_or_english(str(contact["message"]), contact.get("words")),
            said_steps=tuple(
                words_or_english(s, w) for s, w in zip(steps, step_words, strict=True)
            ),
            said_reasons=tuple(
                words_or_english(str(r["message"]), r.get("words")) for r in reasons
            ),
        )

    @property
    def is_emergency(self) -> bool:
        return self.disposition == "emergency"

    @property
    def sentences(self) -> tuple[Said, ...]:
        """Every sentence for the page: a str is one stored without its words (English)."""
        return (self.said_contact, *self.said_steps, *self.said_reasons)

    @property
    def said_steps_but_the_contact(self) -> tuple[Said, ...]:
        """The steps without the contact's own sentence (the page shows it in its box)."""
        steps = zip(self.said_steps, self.what_to_do, strict=True)
        return tuple(said for said, english in steps if english != self.contact_message)


def stored_result(result: TriageResult) -> dict[str, Any]:
    """`result` as stored in `SymptomReport.result`: its JSON (`formats.jsonout`) and each
    patient sentence's words beside its English."""
    stored: dict[str, Any] = to_jsonable(result)
    for reason, kept in zip(result.reasons, stored["reasons"], strict=True):
        kept["words"] = words_to_json(reason.words)
    stored["contact"]["words"] = words_to_json(result.contact.words)
    stored["what_to_do_words"] = [words_to_json(step) for step in result.what_to_do_words]
    return stored


@dataclass(frozen=True)
class TriageOutcome:
    """The triage answer; `report_id` is None when the report could not be stored.

    A repeat of an earlier report (`replayed`) carries the stored advice, and `result` is
    None: the core's full result of the first report is in `SymptomReport.result`.
    """

    advice: Advice
    result: TriageResult | None
    report_id: int | None
    clinic: Contact  # the clinic's number at this hour, for "please phone us"
    replayed: bool = False

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
    idempotency_key: str | None = None,
) -> TriageOutcome:
    """Triage the patient's `symptoms` (the `symptoms` object of REPORT.json) at `now`.

    Only the patient reports. Bad answers raise `Invalid` with the REPORT.json key as the
    field (`temperature_f`); nothing is stored then. A repeat of `idempotency_key` returns
    the report already stored with it (see the module docstring).
    """
    with db.begin():
        record, pathway, patient = diary.load_record(db, actor, procedure_id)
        diary.require_own(actor, patient)
        key = _checked_key(idempotency_key)
        replay = _replay(db, actor, record, patient.id, key, knowledge, now)
        if replay is not None:
            return replay
        document, pathway_id, patient_id = dict(record.data), pathway.id, patient.id
    unknown = sorted(set(symptoms) - SYMPTOM_KEYS)
    if unknown:
        raise Invalid([FieldError(name, msg("This is not a question we ask.")) for name in unknown])
    if not symptoms:
        # An empty report would reach the clinic as "expected" while saying nothing.
        raise Invalid([FieldError("pain", _NOTHING_TOLD)])
    procedure, report = _parse(document, symptoms, knowledge, now)
    result = triage(procedure, report, knowledge)
    stored = stored_result(result)
    advice = Advice.of(stored, now)
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
                result=stored,
                knowledge_version=knowledge.version,
                idempotency_key=key,
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
    except IntegrityError as exc:
        raced = _after_race(db, actor, procedure_id, key, knowledge, now) if key else None
        if raced is not None:
            return raced
        return _not_stored(exc, advice, result, clinic)
    except SQLAlchemyError as exc:
        return _not_stored(exc, advice, result, clinic)
    return TriageOutcome(advice, result, row.id, clinic)


def _not_stored(
    exc: SQLAlchemyError, advice: Advice, result: TriageResult, clinic: Contact
) -> TriageOutcome:
    # No patient values in the log: the exception's text may hold the report.
    log.error("A symptom report could not be stored (%s).", type(exc).__name__)
    return TriageOutcome(advice, result, None, clinic)


def _checked_key(key: str | None) -> str | None:
    """The report's key, or None; a malformed one (not ours or a client's) is refused."""
    if not key:
        return None
    if re.fullmatch(IDEMPOTENCY_KEY_PATTERN, key) is None:
        expired = msg("This form has expired. Go back, reload the page and try again.")
        raise Invalid([FieldError("idempotency_key", expired)])
    return key


def _replay(
    db: Session,
    actor: Actor,
    record: ProcedureRecord,
    patient_id: int,
    key: str | None,
    knowledge: Knowledge,
    now: datetime,
) -> TriageOutcome | None:
    """The outcome of the report already stored with `key`, if this patient sent it for
    this injection; call inside a transaction, after the access check."""
    if not key:
        return None
    found = db.scalar(sa.select(SymptomReport).where(SymptomReport.idempotency_key == key))
    if found is None:
        return None
    if found.procedure_id != record.id or found.reported_by != actor.user_id:
        raise Conflict(msg("This form was already used. Reload the page and try again."))
    audit.record(
        db,
        actor=actor,
        action="symptom_report.create_repeated",
        at=now,
        target_type="symptom_report",
        target_id=found.id,
        patient_id=patient_id,
        detail={"procedure_id": record.id},
    )
    return TriageOutcome(
        advice=Advice.of(found.result, found.reported_at),
        result=None,
        report_id=found.id,
        clinic=who_to_call(now, knowledge, emergency=False),
        replayed=True,
    )


def _after_race(
    db: Session, actor: Actor, procedure_id: int, key: str, knowledge: Knowledge, now: datetime
) -> TriageOutcome | None:
    """A concurrent request with the same key stored its report first: return that one.

    None when no report holds the key (the insert failed for another reason)."""
    try:
        with db.begin():
            record, _pathway, patient = diary.load_record(db, actor, procedure_id)
            return _replay(db, actor, record, patient.id, key, knowledge, now)
    except SQLAlchemyError:
        return None


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


_NOTHING_TOLD = msg("Tell us your pain score, or tick what you feel.")


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
