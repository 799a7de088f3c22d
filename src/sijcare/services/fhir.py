"""FHIR R4: a patient's whole pathway as one Bundle, and a Bundle's pre-fill of the screening.

Export (`export_patient`): everything recorded about the patient, on every pathway,
gathered into the plain records of `sijcare.interop.fhir.records` and mapped by
`sijcare.interop.fhir.bundle`. For the patient and the clinicians of their clinic (like
every clinical record); one audit event `fhir.export`. The patient's own export carries
the patient's own sentences rather than the clinicians' rationale, and no next-step plan
(the clinicians' working plan, as in the workspace). `include_audit` adds the audit log
of the patient's records as AuditEvents.

Import (`import_bundle`): a Bundle (Patient, MedicationStatement, AllergyIntolerance,
Condition) pre-fills the screening answers. Our decision: nothing is stored. The
outcome is the pre-fill (INTAKE.json fields) and the report of what was taken and what
was not understood; the patient confirms the answers in the screening form, so data
from another system never reaches the screening rules unseen. A refused bundle raises
`Invalid` (field: where in the bundle) and writes nothing, not even an audit event; an
accepted one writes one audit event `fhir.import` (counts and field names only).

The command line acts as a `SystemCaller`: an operator with the database's own
credentials, so no user's access rules apply; its audit events have the role `system`
and no user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import AuditEvent, Patient
from sijcare.domain.knowledge import Knowledge
from sijcare.interop.fhir import bundle as fhir_bundle
from sijcare.interop.fhir.fhir_import import BundleRefused, ImportNote, read_bundle
from sijcare.interop.fhir.records import PatientRecord
from sijcare.services import audit, patients, plans
from sijcare.services.actor import Actor
from sijcare.services.errors import FieldError, Invalid, NotFound, msg
from sijcare.services.fhir_records import gather

SYSTEM_ROLE = "system"
# A bundle larger than this is refused before it is read (not a clinical number).
MAX_BUNDLE_BYTES = 2_000_000


@dataclass(frozen=True)
class SystemCaller:
    """An operator's command (`sijcare fhir ...`) run with the database's own credentials."""

    command: str


Caller = Actor | SystemCaller


@dataclass(frozen=True)
class ImportOutcome:
    """What a bundle pre-fills (INTAKE.json fields) and the report; nothing is stored."""

    patient_public_id: str
    prefill: dict[str, Any]
    taken: tuple[ImportNote, ...]
    skipped: tuple[ImportNote, ...]
    not_understood: tuple[ImportNote, ...]


def export_patient(
    db: Session,
    *,
    actor: Caller,
    public_id: str,
    knowledge: Knowledge,
    now: datetime,
    include_audit: bool = False,
    payer: str | None = None,
) -> Bundle:
    """The patient's whole pathway as a FHIR R4 Bundle (see the module docstring).

    `payer` is the payer profile of the next step (default: the first one listed).
    """
    choices = [p.id for p in plans.payers(knowledge)]
    if payer is not None and payer not in choices:
        raise Invalid.one("payer", msg("Choose a payer from the list."))
    with db.begin():
        patient = _load(db, actor, public_id)
        for_patient = isinstance(actor, Actor) and actor.role is Role.PATIENT
        records = gather(
            db,
            patient,
            knowledge,
            now,
            include_audit=include_audit,
            payer=None if for_patient else (payer or choices[0]),
            for_patient=for_patient,
        )
        bundle = fhir_bundle.export_bundle(records)
        _record(
            db,
            actor,
            "fhir.export",
            patient,
            now,
            {"resources": len(bundle.entry or []), "audit_events": include_audit},
        )
    return bundle


def import_bundle(
    db: Session, *, actor: Caller, public_id: str, text: str | bytes, now: datetime
) -> ImportOutcome:
    """What the FHIR Bundle `text` (JSON; UTF-8 when bytes) pre-fills in the patient's
    screening answers.

    Refused (`Invalid`, the field saying where) for a bad bundle; nothing is stored.
    """
    size = len(text.encode("utf-8") if isinstance(text, str) else text)
    if size > MAX_BUNDLE_BYTES:
        raise Invalid.one(
            "bundle",
            msg("This file is too large: at most {size} MB.", size=MAX_BUNDLE_BYTES // 10**6),
        )
    with db.begin():
        patient = _load(db, actor, public_id)
        if isinstance(text, bytes):
            text = _decoded(text)
        record = PatientRecord(
            patient.public_id, patient.name, patient.date_of_birth, patient.phone
        )
        try:
            result = read_bundle(text, record)
        except BundleRefused as exc:
            raise Invalid(
                [
                    FieldError(
                        exc.where,
                        msg("This bundle cannot be imported: {reason}", reason=exc.message),
                    )
                ]
            ) from None
        _record(
            db,
            actor,
            "fhir.import",
            patient,
            now,
            {
                "fields": sorted(result.prefill),
                "taken": len(result.taken),
                "skipped": len(result.skipped),
                "not_understood": len(result.not_understood),
            },
        )
    return ImportOutcome(
        patient_public_id=patient.public_id,
        prefill=result.prefill,
        taken=result.taken,
        skipped=result.skipped,
        not_understood=result.not_understood,
    )


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid.one("bundle", msg("This file is not UTF-8 text.")) from None


def _load(db: Session, actor: Caller, public_id: str) -> Patient:
    """The patient, access-checked for a user (their clinical records); any for the system."""
    if isinstance(actor, Actor):
        return patients.load(db, actor, public_id, clinical=True)
    patient = db.scalar(sa.select(Patient).where(Patient.public_id == public_id))
    if patient is None:
        raise NotFound(msg("There is no such patient."))
    return patient


def _record(
    db: Session,
    actor: Caller,
    action: str,
    patient: Patient,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    if isinstance(actor, Actor):
        audit.record(
            db,
            actor=actor,
            action=action,
            at=now,
            target_type="patient",
            target_id=patient.public_id,
            patient_id=patient.id,
            detail=detail,
        )
        return
    # No user acted: the event names the command and the system role, like
    # `audit.record_anonymous` does for a visitor who is not signed in.
    db.add(
        AuditEvent(
            at=now,
            clinic_id=patient.clinic_id,
            actor_user_id=None,
            actor_role=SYSTEM_ROLE,
            action=action,
            target_type="patient",
            target_id=patient.public_id,
            patient_id=patient.id,
            detail={**detail, "command": actor.command},
        )
    )
