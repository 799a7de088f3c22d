"""The procedure itself: consent to the planned injection, witnessing it, documenting the injection.

The plan (`injection_plan.current_plan`) is the core's `PlannedProcedure`: the injection
planned in the newest screening answers, at the time of the pathway's booked procedure,
with its physician and location. Consent is judged only by the core (`is_complete`,
`require_complete_consent`) against that plan, so moving the booking or changing the
plan means the patient confirms the questions again.

Stored forms: `ConsentRecord.plan_snapshot` is the PLAN.json plan (`formats.consent`),
`confirmed` holds `"confirmations": [{"question", "confirmed_at"}]` (CONSENT.json without
the agreement) and the `plan_version` they were answered for (or the snapshot does); the patient's agreement is `agreed_at`/`agreed_by`
and the witness `witnessed_at`/`witnessed_by`. `ProcedureRecord.data` is PROCEDURE.json
(`formats.procedure`). One procedure per pathway (a unique column); a form submitted
twice documents once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijcare.db.enums import AppointmentStatus, PathwayStatus
from sijcare.db.models import ConsentRecord, Pathway, Patient, ProcedureRecord, User
from sijcare.domain import consent as core_consent
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import PlannedProcedure, Procedure
from sijcare.formats.consent import record_from_dict
from sijcare.formats.procedure import procedure_from_dict, procedure_to_dict
from sijcare.services import access, audit, diary_reading, pathways, screening_review
from sijcare.services.actor import Actor
from sijcare.services.errors import Conflict, FieldError, Invalid, Message, NotFound, msg
from sijcare.services.injection_plan import current_plan, procedure_appointment
from sijcare.services.procedure_fields import parse_procedure, plan_problems


class ConsentState(StrEnum):
    """Where consent stands against the current plan (every state but complete blocks)."""

    NO_PLAN = "no_plan"  # not screened or no procedure booked: nothing to consent to yet
    NONE = "none"  # the patient has not agreed yet
    PLAN_CHANGED = "plan_changed"  # the plan changed after the patient agreed
    UNCONFIRMED = "unconfirmed"  # some questions were not confirmed
    NEEDS_WITNESS = "needs_witness"  # agreed, waiting for a clinician to witness
    COMPLETE = "complete"


@dataclass(frozen=True)
class ConsentStatus:
    state: ConsentState
    plan: PlannedProcedure | None
    record_id: int | None
    agreed_at: datetime | None
    agreed_by: str
    witnessed_at: datetime | None
    witnessed_by: str
    unconfirmed: tuple[str, ...]  # the questions (core ids) still to confirm
    language: str | None = None  # of the page agreed on; None: not recorded, or no record

    @property
    def complete(self) -> bool:
        return self.state is ConsentState.COMPLETE


@dataclass(frozen=True)
class ProcedureView:
    id: int
    pathway_id: int
    patient_public_id: str
    patient_name: str
    procedure: Procedure
    documented_at: datetime
    documented_by: str
    consent_record_id: int | None


# -- the consent ----------------------------------------------------------------------------


def latest_consent(db: Session, pathway_id: int) -> ConsentRecord | None:
    return db.scalar(
        sa.select(ConsentRecord)
        .where(ConsentRecord.pathway_id == pathway_id)
        .order_by(ConsentRecord.agreed_at.desc(), ConsentRecord.id.desc())
        .limit(1)
    )


def core_record(row: ConsentRecord, signer: str, witness: str | None) -> core_consent.ConsentRecord:
    """The core's consent record of a stored one; the agreement counts once witnessed."""
    version = row.confirmed.get("plan_version") or row.plan_snapshot.get("plan_version")
    record = record_from_dict(
        {"plan_version": version, "confirmations": row.confirmed.get("confirmations", [])}
    )
    if witness is None:
        return record
    agreement = core_consent.Agreement(
        signed_by=signer, signed_at=row.agreed_at, witnessed_by=witness
    )
    return dataclasses.replace(record, agreement=agreement)


def consent_status(db: Session, pathway: Pathway, knowledge: Knowledge) -> ConsentStatus:
    """Consent to the current plan, judged by the core. Call inside a transaction."""
    plan = current_plan(db, pathway, knowledge)
    row = latest_consent(db, pathway.id)
    if row is None:
        state = ConsentState.NO_PLAN if plan is None else ConsentState.NONE
        return ConsentStatus(state, plan, None, None, "", None, "", ())
    names = _names(db, [row.agreed_by, row.witnessed_by or 0])
    signer, witness = names.get(row.agreed_by, ""), names.get(row.witnessed_by or 0)
    try:
        record = core_record(row, signer, witness)
    except InputError:  # a witness renamed to the signer's name since: not a valid agreement
        record = core_record(row, signer, None)
    missing: tuple[str, ...] = ()
    if plan is None:
        state = ConsentState.NO_PLAN
    elif core_consent.is_complete(record, plan):
        state = ConsentState.COMPLETE
    elif record.plan_version != core_consent.plan_version(plan):
        state = ConsentState.PLAN_CHANGED
    else:
        missing = tuple(q.value for q in core_consent.unconfirmed(record, plan))
        state = ConsentState.UNCONFIRMED if missing else ConsentState.NEEDS_WITNESS
    return ConsentStatus(
        state,
        plan,
        row.id,
        row.agreed_at,
        signer,
        row.witnessed_at,
        witness or "",
        missing,
        row.language,
    )


@dataclass(frozen=True)
class PathwayConsent:
    """A pathway's consent status, and its procedure once documented."""

    pathway_id: int
    side: str
    kind: str
    patient_public_id: str
    patient_name: str
    consent: ConsentStatus
    procedure_id: int | None
    # The newest screening's readiness ("" before any): the form warns while it is not
    # ready, since documenting is not refused for it (the injection may have been done).
    readiness: str = ""


def get_consent(
    db: Session, *, actor: Actor, pathway_id: int, knowledge: Knowledge, now: datetime
) -> PathwayConsent:
    """The pathway's consent status, for a clinician."""
    with db.begin():
        pathway, patient = _load(db, actor, pathway_id)
        status = consent_status(db, pathway, knowledge)
        procedure = _existing(db, pathway.id)
        screened = screening_review.latest_response(db, pathway.id)
        readiness = "" if screened is None else str((screened.result or {}).get("status", ""))
        audit.record(
            db,
            actor=actor,
            action="consent.view",
            at=now,
            target_type="pathway",
            target_id=pathway.id,
            patient_id=patient.id,
            detail={"consent_record_id": status.record_id},
        )
        return PathwayConsent(
            pathway_id=pathway.id,
            side=pathway.side.value,
            kind=pathway.kind.value,
            patient_public_id=patient.public_id,
            patient_name=patient.name,
            consent=status,
            procedure_id=None if procedure is None else procedure.id,
            readiness=readiness,
        )


def witness_consent(
    db: Session,
    *,
    actor: Actor,
    pathway_id: int,
    consent_id: int,
    knowledge: Knowledge,
    now: datetime,
) -> ConsentStatus:
    """Witness the patient's agreement (a clinician, never the person who signed).

    Refused unless the core finds consent complete with this witness: every question
    confirmed by the signature, for the plan as it is now. Witnessing twice changes nothing.
    """
    with db.begin():
        pathway, patient = _load(db, actor, pathway_id)
        row = latest_consent(db, pathway.id)
        if row is None or row.id != consent_id:
            raise Conflict(msg("The patient's consent changed since you opened this page."))
        if row.witnessed_at is None:
            _witness(db, actor, pathway, row, knowledge)
            row.witnessed_at = now
            row.witnessed_by = actor.user_id
            audit.record(
                db,
                actor=actor,
                action="consent.witness",
                at=now,
                target_type="consent_record",
                target_id=row.id,
                patient_id=patient.id,
            )
        return consent_status(db, pathway, knowledge)


def _witness(
    db: Session, actor: Actor, pathway: Pathway, row: ConsentRecord, knowledge: Knowledge
) -> None:
    if row.agreed_by == actor.user_id:
        raise Invalid.one("witness", msg("The person who signed cannot witness their own consent."))
    signer = _names(db, [row.agreed_by]).get(row.agreed_by, "")
    try:
        record = core_record(row, signer, actor.display_name)
    except InputError:
        raise Invalid.one(
            "witness", msg("The person who signed cannot witness their own consent.")
        ) from None
    plan = current_plan(db, pathway, knowledge)
    if plan is None:
        raise Conflict(msg("Book the procedure and get the screening answers first."))
    try:
        core_consent.require_complete_consent(record, plan)
    except core_consent.ConsentIncomplete as exc:
        raise Conflict(incomplete_message(exc)) from None


def incomplete_message(error: core_consent.ConsentIncomplete) -> Message:
    """A clinician's sentence for the core's reason consent is not complete."""
    if error.plan_changed:
        return msg(
            "The plan changed after the patient agreed (time, side, medicines, doctor or "
            "place). The patient must confirm the questions and agree again."
        )
    if len(error.missing) == len(core_consent.Question):
        return msg("The patient has not agreed to the procedure yet.")
    if error.missing:
        return msg(
            "The patient has not confirmed {count} of the consent questions by the time "
            "they signed.",
            count=len(error.missing),
        )
    return msg("The patient agreed, but a clinician has not witnessed it yet.")


# -- documenting the procedure --------------------------------------------------------------


def document_procedure(
    db: Session,
    *,
    actor: Actor,
    pathway_id: int,
    document: Mapping[str, Any],
    knowledge: Knowledge,
    now: datetime,
    idempotency_key: str | None = None,
    form_errors: Sequence[FieldError] = (),
) -> ProcedureView:
    """Document the injection (PROCEDURE.json `document`) on the pathway.

    Refused (`Conflict`) unless the core finds consent complete for the current plan;
    the core's field errors become `Invalid` with a message per field. The kind and side
    must be the consented ones, and the injection cannot be in the future. `form_errors`
    (fields a form could not read) are reported after the access and consent checks.
    """
    try:
        with db.begin():
            pathway, patient = _load(db, actor, pathway_id)
            repeated = _repeat(db, actor, idempotency_key, pathway, patient, knowledge, now)
            if repeated is not None:
                return repeated
            if pathway.status is PathwayStatus.CLOSED:
                raise Conflict(msg("This pathway is closed."))
            if _existing(db, pathway.id) is not None:
                raise Conflict(msg("The procedure of this pathway is already documented."))
            consent = _require_consent(db, pathway, knowledge)
            # The consent's checks read the fields they need on their own, so that they
            # are reported with every other problem, not in a second round.
            assert consent.plan is not None  # checked with the consent
            against_plan = plan_problems(document, consent.plan, consent.agreed_at, now)
            procedure = parse_procedure(document, knowledge, [*form_errors, *against_plan])
            record = ProcedureRecord(
                pathway_id=pathway.id,
                consent_record_id=consent.record_id,
                data=procedure_to_dict(procedure),
                performed_at=procedure.performed_at,
                kind=procedure.kind,
                side=procedure.side,
                documented_at=now,
                documented_by=actor.user_id,
                idempotency_key=idempotency_key,
            )
            db.add(record)
            db.flush()
            # The reading of the empty diary, stored now: the quality dashboard counts
            # the injections that have a current reading (and their red flags), and
            # one with no score yet is still an injection done.
            reading = diary_reading.reinterpret(db, record, knowledge, now)
            # Its appointment is done: no longer "booked" on the lists and calendars.
            appointment = procedure_appointment(db, pathway.id)
            if appointment is not None:
                appointment.status = AppointmentStatus.COMPLETED
            audit.record(
                db,
                actor=actor,
                action="procedure.document",
                at=now,
                target_type="procedure_record",
                target_id=record.id,
                patient_id=patient.id,
                detail={
                    "fields": sorted(document),
                    "interpretation_id": reading.id,
                    "appointment_id": None if appointment is None else appointment.id,
                },
            )
            return _view(db, record, patient, procedure)
    except IntegrityError:
        raise Conflict(msg("The procedure of this pathway is already documented.")) from None


def _require_consent(db: Session, pathway: Pathway, knowledge: Knowledge) -> ConsentStatus:
    status = consent_status(db, pathway, knowledge)
    if status.plan is None:
        raise Conflict(msg("Book the procedure and get the screening answers first."))
    row = latest_consent(db, pathway.id)
    record = (
        None if row is None else core_record(row, status.agreed_by, status.witnessed_by or None)
    )
    try:
        core_consent.require_complete_consent(record, status.plan)
    except core_consent.ConsentIncomplete as exc:
        raise Conflict(incomplete_message(exc)) from None
    return status


def get_procedure(
    db: Session, *, actor: Actor, procedure_id: int, knowledge: Knowledge, now: datetime
) -> ProcedureView:
    with db.begin():
        record, patient = load_record(db, actor, procedure_id)
        audit.record(
            db,
            actor=actor,
            action="procedure.view",
            at=now,
            target_type="procedure_record",
            target_id=record.id,
            patient_id=patient.id,
        )
        return _view(db, record, patient, read_procedure(record, knowledge))


def load_record(db: Session, actor: Actor, procedure_id: int) -> tuple[ProcedureRecord, Patient]:
    """The procedure record and its patient, for a clinician of the patient's clinic."""
    record = db.get(ProcedureRecord, procedure_id)
    if record is None:
        raise NotFound(msg("There is no such procedure."))
    _pathway, patient = _load(db, actor, record.pathway_id)
    return record, patient


def read_procedure(record: ProcedureRecord, knowledge: Knowledge) -> Procedure:
    try:
        return procedure_from_dict(record.data, knowledge)
    except InputError as exc:
        raise Conflict(
            msg("The stored procedure cannot be read ({detail}).", detail=str(exc))
        ) from None


def procedure_of_pathway(db: Session, pathway_id: int) -> ProcedureRecord | None:
    return _existing(db, pathway_id)


def _existing(db: Session, pathway_id: int) -> ProcedureRecord | None:
    return db.scalar(sa.select(ProcedureRecord).where(ProcedureRecord.pathway_id == pathway_id))


def _repeat(
    db: Session,
    actor: Actor,
    key: str | None,
    pathway: Pathway,
    patient: Patient,
    knowledge: Knowledge,
    now: datetime,
) -> ProcedureView | None:
    if not key:
        return None
    record = db.scalar(sa.select(ProcedureRecord).where(ProcedureRecord.idempotency_key == key))
    if record is None:
        return None
    if record.documented_by != actor.user_id or record.pathway_id != pathway.id:
        raise Conflict(msg("This form was already used. Please start again."))
    audit.record(
        db,
        actor=actor,
        action="procedure.document_repeated",
        at=now,
        target_type="procedure_record",
        target_id=record.id,
        patient_id=patient.id,
    )
    return _view(db, record, patient, read_procedure(record, knowledge))


def _view(
    db: Session, record: ProcedureRecord, patient: Patient, procedure: Procedure
) -> ProcedureView:
    return ProcedureView(
        id=record.id,
        pathway_id=record.pathway_id,
        patient_public_id=patient.public_id,
        patient_name=patient.name,
        procedure=procedure,
        documented_at=record.documented_at,
        documented_by=_names(db, [record.documented_by]).get(record.documented_by, ""),
        consent_record_id=record.consent_record_id,
    )


def _load(db: Session, actor: Actor, pathway_id: int) -> tuple[Pathway, Patient]:
    pathway, patient = pathways.load(db, actor, pathway_id)
    access.require_clinician(actor, patient)
    return pathway, patient


def _names(db: Session, user_ids: list[int]) -> dict[int, str]:
    rows = db.execute(sa.select(User.id, User.display_name).where(User.id.in_(set(user_ids)))).all()
    return {row.id: row.display_name for row in rows}
