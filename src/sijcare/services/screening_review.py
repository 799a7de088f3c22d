"""Screening review: a clinician reads a patient's screening and resolves its findings.

Stored forms: `ScreeningResponse.answers` is INTAKE.json (`sijcare.formats.intake`) and
`result` the core's `ScreeningResult` as JSON (`sijcare.formats.jsonout`), with its patient
sentences' words beside their English (`screening_results.stored_result`). A response is
never changed: a clinician's decision about a medicine (hold or continue) is added to
the answers with the core's `with_decision`, and the core screens them again into a NEW
response, so every earlier response stays as it was. That new result holds the
patient's dated last dose and restart once a hold is confirmed with the prescriber.

A finding that needs a clinician (severity review or stop) is *open* until a decision
changes it or a clinician marks it reviewed with a note. A review note holds while the
patient's answers are unchanged (clinicians' decisions aside): new answers from the
patient are reviewed afresh. A response whose findings are all resolved is `reviewed`.
What the clinician reads (the views, the review notes) is in
`sijcare.services.screening_views`; the names other services use are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentKind, AppointmentStatus, PathwayStatus
from sijcare.db.models import (
    Appointment,
    ClinicianDecision,
    Pathway,
    Patient,
    ScreeningResponse,
)
from sijcare.domain import intake as core_intake
from sijcare.domain.contact import clinic_zone
from sijcare.domain.errors import InputError
from sijcare.domain.intake import HoldDecision, Intake
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.screening import screen
from sijcare.formats.intake import intake_to_dict
from sijcare.services import access, audit, pathways
from sijcare.services.actor import Actor
from sijcare.services.errors import Conflict, FieldError, Invalid, msg
from sijcare.services.screening_results import stored_result
from sijcare.services.screening_views import (
    REVIEW_NOTE,
    FindingView,
    ScreeningReview,
    answers_fingerprint,
    decision_views,
    findings_of,
    response_view,
)

# Re-exported: other services read a pathway's screening through this module.
from sijcare.services.screening_views import ResponseView as ResponseView
from sijcare.services.screening_views import latest_response as latest_response
from sijcare.services.screening_views import open_findings as open_findings
from sijcare.services.screening_views import read_intake as read_intake
from sijcare.services.screening_views import review_notes as review_notes

MEDICINE_DECISION = "medicine"
NOTE_MAX = 1000
_CHANGED = msg("The screening changed since you opened this page. Look at the newest answers.")
_CLOSED = msg("This pathway is closed.")


@dataclass(frozen=True)
class MedicineDecision:
    """A clinician's hold-or-continue decision, as the form or API gives it.

    With `confirmed_with_prescriber`, `prescriber` and `confirmed_on` say with whom and
    when. `regimen` picks a medicine's row when it has several (enoxaparin).
    """

    response_id: int
    medicine: str
    decision: HoldDecision | None  # None: not chosen (a field error)
    confirmed_with_prescriber: bool
    prescriber: str = ""
    confirmed_on: date | None = None
    regimen: str | None = None
    note: str = ""
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What a decision or review produced: the decision row and the newest response."""

    decision_id: int
    response_id: int
    readiness: str
    repeated: bool = False


# -- use cases ------------------------------------------------------------------------------


def get_review(
    db: Session, *, actor: Actor, pathway_id: int, knowledge: Knowledge, now: datetime
) -> ScreeningReview:
    """The pathway's screening for a clinician: newest response first, with the history."""
    with db.begin():
        pathway, patient = _load(db, actor, pathway_id)
        responses = db.scalars(
            sa.select(ScreeningResponse)
            .where(ScreeningResponse.pathway_id == pathway.id, ScreeningResponse.status != "draft")
            .order_by(ScreeningResponse.submitted_at.desc(), ScreeningResponse.id.desc())
        ).all()
        history = tuple(response_view(db, pathway.id, r, knowledge) for r in responses)
        audit.record(
            db,
            actor=actor,
            action="screening.review_view",
            at=now,
            target_type="pathway",
            target_id=pathway.id,
            patient_id=patient.id,
            detail={"responses": [r.id for r in responses]},
        )
        return ScreeningReview(
            pathway_id=pathway.id,
            pathway_status=pathway.status.value,
            side=pathway.side.value,
            kind=pathway.kind.value,
            patient_public_id=patient.public_id,
            patient_name=patient.name,
            response=history[0] if history else None,
            history=history,
            decisions=decision_views(db, pathway.id),
        )


def decide_medicine(
    db: Session,
    *,
    actor: Actor,
    pathway_id: int,
    decision: MedicineDecision,
    knowledge: Knowledge,
    now: datetime,
    form_errors: Sequence[FieldError] = (),
) -> Outcome:
    """Record a hold-or-continue decision and screen the answers again with it.

    The new response's dated actions come from the core (a confirmed hold gives the
    last dose and the restart). Refused when the response is not the newest one.
    `form_errors` (fields a form could not read) are reported after the access check.
    """
    today = now.astimezone(clinic_zone(knowledge)).date()
    problems = [*form_errors, *_decision_problems(decision, today)]
    try:
        with db.begin():
            pathway, patient = _load_for_change(db, actor, pathway_id)
            repeated = _repeat(db, actor, decision.idempotency_key, pathway, patient, now)
            if repeated is not None:
                return repeated
            if problems:
                raise Invalid(problems)
            assert decision.decision is not None  # else a problem above
            source = _current(db, pathway.id, decision.response_id)
            core_decision = _core_decision(decision, decision.decision, actor, now)
            intake = core_intake.with_decision(read_intake(source, knowledge), core_decision)
            response = _rescreen(db, actor, pathway, source, intake, knowledge, now)
            row = ClinicianDecision(
                pathway_id=pathway.id,
                about=_about_code(source, decision.medicine),
                decision={
                    "kind": MEDICINE_DECISION,
                    "medicine": decision.medicine,
                    "decision": core_decision.decision.value,
                    "confirmed_with_prescriber": decision.confirmed_with_prescriber,
                    "prescriber": decision.prescriber.strip(),
                    "confirmed_on": None
                    if decision.confirmed_on is None
                    else decision.confirmed_on.isoformat(),
                    "regimen": decision.regimen,
                    "note": decision.note.strip(),
                    "by": core_decision.by,
                    "screening_response_id": source.id,
                    "new_screening_response_id": response.id,
                },
                decided_at=now,
                decided_by=actor.user_id,
                idempotency_key=decision.idempotency_key,
            )
            db.add(row)
            db.flush()
            _mark_if_resolved(db, pathway.id, response)
            audit.record(
                db,
                actor=actor,
                action="screening.decide",
                at=now,
                target_type="clinician_decision",
                target_id=row.id,
                patient_id=patient.id,
                detail={
                    "screening_response_id": source.id,
                    "new_screening_response_id": response.id,
                    "fields": ["medicine", "decision", "confirmed_with_prescriber"],
                },
            )
            return Outcome(row.id, response.id, str((response.result or {}).get("status", "")))
    except IntegrityError:
        raise Conflict(msg("This form was already used. Please start again.")) from None


def mark_reviewed(
    db: Session,
    *,
    actor: Actor,
    pathway_id: int,
    response_id: int,
    code: str,
    about: str,
    note: str,
    now: datetime,
    idempotency_key: str | None = None,
) -> Outcome:
    """Mark one finding of the newest response reviewed, with a note (required)."""
    note = note.strip()
    try:
        with db.begin():
            pathway, patient = _load_for_change(db, actor, pathway_id)
            repeated = _repeat(db, actor, idempotency_key, pathway, patient, now)
            if repeated is not None:
                return repeated
            if not note:
                raise Invalid.one("note", msg("Write what you checked or decided."))
            if len(note) > NOTE_MAX:
                raise Invalid.one("note", msg("Use at most {count} characters.", count=NOTE_MAX))
            response = _current(db, pathway.id, response_id)
            finding = _finding(response, code, about)
            row = ClinicianDecision(
                pathway_id=pathway.id,
                about=finding.code,
                decision={
                    "kind": REVIEW_NOTE,
                    "finding_about": finding.about,
                    "note": note,
                    "screening_response_id": response.id,
                    "answers": answers_fingerprint(response.answers),
                },
                decided_at=now,
                decided_by=actor.user_id,
                idempotency_key=idempotency_key,
            )
            db.add(row)
            db.flush()
            _mark_if_resolved(db, pathway.id, response)
            audit.record(
                db,
                actor=actor,
                action="screening.review_finding",
                at=now,
                target_type="clinician_decision",
                target_id=row.id,
                patient_id=patient.id,
                detail={"screening_response_id": response.id, "finding": finding.code},
            )
            return Outcome(row.id, response.id, str((response.result or {}).get("status", "")))
    except IntegrityError:
        raise Conflict(msg("This form was already used. Please start again.")) from None


# -- helpers --------------------------------------------------------------------------------


def _load(db: Session, actor: Actor, pathway_id: int) -> tuple[Pathway, Patient]:
    pathway, patient = pathways.load(db, actor, pathway_id)
    access.require_clinician(actor, patient)
    return pathway, patient


def _load_for_change(db: Session, actor: Actor, pathway_id: int) -> tuple[Pathway, Patient]:
    pathway, patient = _load(db, actor, pathway_id)
    if pathway.status is PathwayStatus.CLOSED:
        raise Conflict(_CLOSED)
    return pathway, patient


def _current(db: Session, pathway_id: int, response_id: int) -> ScreeningResponse:
    latest = latest_response(db, pathway_id)
    if latest is None:
        raise Conflict(msg("The patient has not sent their screening answers yet."))
    if latest.id != response_id:
        raise Conflict(_CHANGED)
    return latest


def _finding(response: ScreeningResponse, code: str, about: str) -> FindingView:
    for finding in findings_of(response, {}):
        if finding.code == code and finding.about == about:
            return finding
    raise Invalid.one("finding", msg("Choose a finding of this screening."))


def _about_code(response: ScreeningResponse, medicine: str) -> str:
    """The code of the finding the decision settles (the medicine's), for the record."""
    wanted = medicine.strip().casefold()
    for finding in findings_of(response, {}):
        if finding.decidable and finding.about.strip().casefold() == wanted:
            return finding.code
    return "medicine.decision"


def _decision_problems(decision: MedicineDecision, today: date) -> list[FieldError]:
    problems = []
    if not decision.medicine.strip():
        problems.append(FieldError("medicine", msg("Choose the medicine.")))
    if decision.decision is None:
        problems.append(FieldError("decision", msg("Choose hold or continue.")))
    if decision.confirmed_with_prescriber:
        if not decision.prescriber.strip():
            problems.append(
                FieldError("prescriber", msg("Name the prescriber you confirmed it with."))
            )
        if decision.confirmed_on is None:
            problems.append(
                FieldError("confirmed_on", msg("Enter the day you confirmed it with them."))
            )
        elif decision.confirmed_on > today:
            problems.append(FieldError("confirmed_on", msg("This day is in the future.")))
    if decision.decision is HoldDecision.HOLD and not decision.confirmed_with_prescriber:
        if not decision.note.strip():
            problems.append(
                FieldError(
                    "note",
                    msg("Say why the hold is not confirmed yet (the patient is not told to stop)."),
                )
            )
    if len(decision.note) > NOTE_MAX:
        problems.append(FieldError("note", msg("Use at most {count} characters.", count=NOTE_MAX)))
    return problems


def _core_decision(
    decision: MedicineDecision, choice: HoldDecision, actor: Actor, now: datetime
) -> core_intake.ClinicianDecision:
    return core_intake.ClinicianDecision(
        medicine=decision.medicine.strip(),
        decision=choice,
        confirmed_with_prescriber=decision.confirmed_with_prescriber,
        by=actor.display_name,
        at=now,
        regimen=(decision.regimen or "").strip() or None,
    )


def procedure_time(db: Session, pathway: Pathway, response: ScreeningResponse) -> datetime:
    """The booked procedure's start, else the time the response was screened for."""
    booked = db.scalar(
        sa.select(Appointment.starts_at)
        .where(
            Appointment.pathway_id == pathway.id,
            Appointment.kind == AppointmentKind.PROCEDURE,
            Appointment.status == AppointmentStatus.BOOKED,
        )
        .order_by(Appointment.starts_at.desc())
        .limit(1)
    )
    if booked is not None:
        return booked
    return datetime.fromisoformat(str((response.result or {})["procedure_time"]))


def _rescreen(
    db: Session,
    actor: Actor,
    pathway: Pathway,
    source: ScreeningResponse,
    intake: Intake,
    knowledge: Knowledge,
    now: datetime,
) -> ScreeningResponse:
    try:
        result = screen(intake, procedure_time(db, pathway, source), knowledge)
    except InputError as exc:
        raise Invalid.one(_decision_field(exc.where), _decision_message(exc)) from None
    response = ScreeningResponse(
        pathway_id=pathway.id,
        status="submitted",
        answers=intake_to_dict(intake),
        result=stored_result(result),
        knowledge_version=knowledge.version,
        created_at=now,
        submitted_at=now,
        submitted_by=actor.user_id,
    )
    keep_sender(response, source)
    db.add(response)
    db.flush()
    return response


def keep_sender(response: ScreeningResponse, source: ScreeningResponse) -> None:
    """A screening run again (a clinician's decision or a new plan) is of the answers the
    patient sent: it keeps when and by whom they were sent; `created_at` is the new run's
    time, and the clinician's action has its own audit event."""
    if source.submitted_at is not None and source.submitted_by is not None:
        response.submitted_at = source.submitted_at
        response.submitted_by = source.submitted_by


def _decision_field(where: str) -> str:
    """The form field an error of the core's decision check is about."""
    return "regimen" if where.endswith(".regimen") else "medicine"


def _decision_message(error: InputError) -> Any:
    if error.where.endswith(".regimen"):
        return msg("Choose a regimen this medicine has ({detail}).", detail=error.message)
    return msg("Choose a blood thinner or GLP-1 medicine from the patient's list.")


def _mark_if_resolved(db: Session, pathway_id: int, response: ScreeningResponse) -> None:
    if open_findings(db, pathway_id, response) == 0:
        response.status = "reviewed"


def _repeat(
    db: Session, actor: Actor, key: str | None, pathway: Pathway, patient: Patient, now: datetime
) -> Outcome | None:
    """The outcome of an earlier submission of the same form, if there was one."""
    if not key:
        return None
    row = db.scalar(sa.select(ClinicianDecision).where(ClinicianDecision.idempotency_key == key))
    if row is None:
        return None
    if row.decided_by != actor.user_id or row.pathway_id != pathway.id:
        raise Conflict(msg("This form was already used. Please start again."))
    audit.record(
        db,
        actor=actor,
        action="screening.decide_repeated",
        at=now,
        target_type="clinician_decision",
        target_id=row.id,
        patient_id=patient.id,
    )
    response_id = int(
        row.decision.get("new_screening_response_id") or row.decision["screening_response_id"]
    )
    response = db.get(ScreeningResponse, response_id)
    readiness = "" if response is None else str((response.result or {}).get("status", ""))
    return Outcome(row.id, response_id, readiness, repeated=True)
