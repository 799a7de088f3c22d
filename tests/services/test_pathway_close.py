"""Closing a care pathway needs a reason; the address of a pathway's patient is for the
clinicians of the patient's clinic (`pathways.close_pathway`, `pathways.patient_public_id`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import actor_of
from fixtures_db import Personas
from sijcare.db.enums import Kind, PathwayStatus, Side
from sijcare.db.models import AuditEvent, Pathway
from sijcare.services import pathways
from sijcare.services.errors import Conflict, Forbidden, Invalid, NotFound

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def opened(db: Session, personas: Personas, side: Side = Side.LEFT) -> Pathway:
    patient = personas.patient.patient
    assert patient is not None
    return pathways.open_pathway(
        db,
        actor=actor_of(db, personas.clinician.user.id),
        public_id=patient.public_id,
        side=side,
        kind=Kind.DIAGNOSTIC,
        now=NOW,
    )


def status(db: Session, pathway_id: int) -> PathwayStatus:
    with db.begin():
        return db.get_one(Pathway, pathway_id).status


@pytest.mark.parametrize("reason", ["", "   "])
def test_closing_without_a_reason_names_the_field_and_changes_nothing(
    db: Session, personas: Personas, reason: str
) -> None:
    pathway = opened(db, personas)
    with pytest.raises(Invalid) as caught:
        pathways.close_pathway(
            db,
            actor=actor_of(db, personas.clinician.user.id),
            pathway_id=pathway.id,
            reason=reason,
            now=NOW,
        )
    assert [e.field for e in caught.value.errors] == ["reason"]
    assert status(db, pathway.id) is PathwayStatus.ACTIVE
    with db.begin():
        assert not db.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "pathway.close"))


def test_a_closed_pathway_frees_its_joint_and_keeps_its_reason(
    db: Session, personas: Personas
) -> None:
    pathway = opened(db, personas, Side.BILATERAL)
    with pytest.raises(Conflict):
        opened(db, personas, Side.RIGHT)
    closed = pathways.close_pathway(
        db,
        actor=actor_of(db, personas.clinician.user.id),
        pathway_id=pathway.id,
        reason="  The patient chose physical therapy.  ",
        now=NOW,
    )
    assert (closed.status, closed.close_reason) == (
        PathwayStatus.CLOSED,
        "The patient chose physical therapy.",
    )
    assert opened(db, personas, Side.RIGHT).side is Side.RIGHT


def test_closing_a_closed_pathway_is_a_conflict_before_its_reason_is_read(
    db: Session, personas: Personas
) -> None:
    pathway = opened(db, personas)
    clinician = actor_of(db, personas.clinician.user.id)
    pathways.close_pathway(db, actor=clinician, pathway_id=pathway.id, reason="done", now=NOW)
    with pytest.raises(Conflict):
        pathways.close_pathway(db, actor=clinician, pathway_id=pathway.id, reason="", now=NOW)


@pytest.mark.parametrize("who", ["patient", "other_patient", "scheduler", "admin", "outsider"])
def test_only_a_clinician_of_the_clinic_closes_a_pathway_or_finds_its_patient(
    db: Session, personas: Personas, who: str
) -> None:
    pathway = opened(db, personas)
    someone = actor_of(db, personas[who].user.id)
    with pytest.raises(Forbidden):
        pathways.close_pathway(db, actor=someone, pathway_id=pathway.id, reason="x", now=NOW)
    with pytest.raises(Forbidden):
        pathways.patient_public_id(db, actor=someone, pathway_id=pathway.id)
    assert status(db, pathway.id) is PathwayStatus.ACTIVE


def test_the_clinician_finds_the_patient_of_a_pathway(db: Session, personas: Personas) -> None:
    pathway = opened(db, personas)
    clinician = actor_of(db, personas.clinician.user.id)
    assert personas.patient.patient is not None
    assert (
        pathways.patient_public_id(db, actor=clinician, pathway_id=pathway.id)
        == personas.patient.patient.public_id
    )
    with pytest.raises(NotFound):
        pathways.patient_public_id(db, actor=clinician, pathway_id=pathway.id + 1000)
