"""Care pathways: opening one for a joint and closing it (the driver home: `drivers`).

One active pathway per joint and side is kept by the database (a bilateral pathway
occupies both joints, ADR 0003); `open_pathway` checks first to give a clear message and
still turns the database's refusal into the same `Conflict` when two requests race.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijcare.db.enums import Kind, PathwayStatus, Side
from sijcare.db.models import Pathway, Patient
from sijcare.services import access, audit, patients
from sijcare.services.actor import Actor
from sijcare.services.errors import Conflict, Invalid, NotFound, msg


def load(
    db: Session, actor: Actor, pathway_id: int, *, clinical: bool = True
) -> tuple[Pathway, Patient]:
    """The pathway and its patient, if `actor` may see them. Call inside a transaction."""
    pathway = db.get(Pathway, pathway_id)
    if pathway is None:
        raise NotFound(msg("There is no such pathway."))
    return pathway, patients.load_by_id(db, actor, pathway.patient_id, clinical=clinical)


def list_pathways(db: Session, *, actor: Actor, public_id: str, now: datetime) -> list[Pathway]:
    """The patient's pathways, newest first."""
    with db.begin():
        patient = patients.load(db, actor, public_id, clinical=True)
        found = db.scalars(
            sa.select(Pathway)
            .where(Pathway.patient_id == patient.id)
            .order_by(Pathway.opened_at.desc(), Pathway.id.desc())
        ).all()
        audit.record(
            db,
            actor=actor,
            action="pathway.list",
            at=now,
            target_type="patient",
            target_id=patient.public_id,
            patient_id=patient.id,
        )
    for pathway in found:
        db.expunge(pathway)
    return list(found)


def open_pathway(
    db: Session, *, actor: Actor, public_id: str, side: Side, kind: Kind, now: datetime
) -> Pathway:
    """Open a pathway for the joint(s) of `side` (a clinician of the patient's clinic)."""
    try:
        with db.begin():
            patient = patients.load(db, actor, public_id, clinical=True)
            access.require_clinician(actor, patient)
            if _joint_busy(db, patient.id, side):
                raise Conflict(msg("This joint already has an active pathway. Close it first."))
            pathway = Pathway(
                patient_id=patient.id, side=side, kind=kind, opened_at=now, opened_by=actor.user_id
            )
            db.add(pathway)
            db.flush()
            audit.record(
                db,
                actor=actor,
                action="pathway.open",
                at=now,
                target_type="pathway",
                target_id=pathway.id,
                patient_id=patient.id,
                detail={"side": side.value, "kind": kind.value},
            )
    except IntegrityError:
        raise Conflict(msg("This joint already has an active pathway. Close it first.")) from None
    db.expunge(pathway)
    return pathway


def patient_public_id(db: Session, *, actor: Actor, pathway_id: int) -> str:
    """The public id of the pathway's patient, for a clinician of their clinic (the
    address of the patient's page; no audit event, as nothing of the record is read)."""
    with db.begin():
        _, patient = load(db, actor, pathway_id)
        access.require_clinician(actor, patient)
        return patient.public_id


def close_pathway(
    db: Session, *, actor: Actor, pathway_id: int, reason: str, now: datetime
) -> Pathway:
    """Close the pathway (a clinician of the patient's clinic) with a reason, required."""
    with db.begin():
        pathway, patient = load(db, actor, pathway_id)
        access.require_clinician(actor, patient)
        if pathway.status is PathwayStatus.CLOSED:
            raise Conflict(msg("This pathway is already closed."))
        if not reason.strip():
            raise Invalid.one("reason", msg("Enter why the pathway is closed."))
        pathway.status = PathwayStatus.CLOSED
        pathway.closed_at = now
        pathway.closed_by = actor.user_id
        pathway.close_reason = reason.strip()[:500]
        audit.record(
            db,
            actor=actor,
            action="pathway.close",
            at=now,
            target_type="pathway",
            target_id=pathway.id,
            patient_id=patient.id,
        )
    db.expunge(pathway)
    return pathway


def _joint_busy(db: Session, patient_id: int, side: Side) -> bool:
    covers = []
    if side in (Side.LEFT, Side.BILATERAL):
        covers.append(Pathway.covers_left.is_(True))
    if side in (Side.RIGHT, Side.BILATERAL):
        covers.append(Pathway.covers_right.is_(True))
    query = sa.select(Pathway.id).where(
        Pathway.patient_id == patient_id, Pathway.status == PathwayStatus.ACTIVE, sa.or_(*covers)
    )
    return db.scalar(query.limit(1)) is not None
