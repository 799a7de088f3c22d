"""Audit events share their change's transaction; pathways open, close and record a driver."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fixtures_db import Personas
from sijcare.db.enums import Kind, PathwayStatus, Side
from sijcare.db.models import AuditEvent, Driver, Pathway
from sijcare.services import audit, drivers, pathways
from sijcare.services.actor import Actor, Origin, load_actor
from sijcare.services.drivers import DriverDetails
from sijcare.services.errors import Conflict, Forbidden, Invalid

NOW = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def actor(db: Session, user_id: int) -> Actor:
    with db.begin():
        found = load_actor(db, user_id, Origin(ip="10.0.0.7", user_agent="test browser"))
    assert found is not None
    return found


def count(db: Session, model: type) -> int:
    with db.begin():
        return int(db.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def test_a_failing_write_leaves_neither_data_nor_audit_event(
    db: Session, personas: Personas
) -> None:
    clinician = actor(db, personas.clinician.user.id)
    with pytest.raises(IntegrityError), db.begin():
        db.add(
            Driver(
                pathway_id=999_999, name="Nobody", recorded_at=NOW, recorded_by=clinician.user_id
            )
        )
        audit.record(db, actor=clinician, action="driver.record", at=NOW, patient_id=1)
        db.flush()
    assert count(db, Driver) == 0
    assert count(db, AuditEvent) == 0


def test_audit_event_says_who_what_which_patient_when_and_from_where(
    db: Session, personas: Personas
) -> None:
    clinician = actor(db, personas.clinician.user.id)
    patient = personas.patient.patient
    assert patient
    opened = pathways.open_pathway(
        db,
        actor=clinician,
        public_id=patient.public_id,
        side=Side.LEFT,
        kind=Kind.DIAGNOSTIC,
        now=NOW,
    )
    with db.begin():
        event = db.scalars(sa.select(AuditEvent)).one()
    assert (event.actor_user_id, event.actor_role, event.action) == (
        clinician.user_id,
        "clinician",
        "pathway.open",
    )
    assert (event.target_type, event.target_id, event.patient_id) == (
        "pathway",
        str(opened.id),
        patient.id,
    )
    assert (event.at, event.ip, event.clinic_id) == (NOW, "10.0.0.7", personas.clinic.id)
    assert len(event.user_agent_hash) == 64 and "test browser" not in event.user_agent_hash
    assert event.detail == {"side": "left", "kind": "diagnostic"}


def test_only_a_clinician_of_the_clinic_opens_a_pathway(db: Session, personas: Personas) -> None:
    patient = personas.patient.patient
    assert patient
    for who in ("patient", "scheduler", "outsider"):
        with pytest.raises(Forbidden):
            pathways.open_pathway(
                db,
                actor=actor(db, personas[who].user.id),
                public_id=patient.public_id,
                side=Side.LEFT,
                kind=Kind.DIAGNOSTIC,
                now=NOW,
            )
    assert count(db, Pathway) == 0


def test_a_second_active_pathway_on_a_joint_is_a_conflict(db: Session, personas: Personas) -> None:
    clinician = actor(db, personas.clinician.user.id)
    patient = personas.patient.patient
    assert patient
    pathways.open_pathway(
        db,
        actor=clinician,
        public_id=patient.public_id,
        side=Side.BILATERAL,
        kind=Kind.THERAPEUTIC,
        now=NOW,
    )
    with pytest.raises(Conflict):
        pathways.open_pathway(
            db,
            actor=clinician,
            public_id=patient.public_id,
            side=Side.RIGHT,
            kind=Kind.DIAGNOSTIC,
            now=NOW,
        )


def test_close_then_reopen_and_list(db: Session, personas: Personas) -> None:
    clinician = actor(db, personas.clinician.user.id)
    patient = personas.patient.patient
    assert patient
    first = pathways.open_pathway(
        db,
        actor=clinician,
        public_id=patient.public_id,
        side=Side.LEFT,
        kind=Kind.DIAGNOSTIC,
        now=NOW,
    )
    closed = pathways.close_pathway(
        db, actor=clinician, pathway_id=first.id, reason="done", now=NOW
    )
    assert (closed.status, closed.closed_by) == (PathwayStatus.CLOSED, clinician.user_id)
    with pytest.raises(Conflict):
        pathways.close_pathway(db, actor=clinician, pathway_id=first.id, reason="", now=NOW)
    pathways.open_pathway(
        db,
        actor=clinician,
        public_id=patient.public_id,
        side=Side.LEFT,
        kind=Kind.THERAPEUTIC,
        now=NOW,
    )
    own = pathways.list_pathways(
        db, actor=actor(db, personas.patient.user.id), public_id=patient.public_id, now=NOW
    )
    assert len(own) == 2
    with pytest.raises(Forbidden):
        pathways.list_pathways(
            db, actor=actor(db, personas.scheduler.user.id), public_id=patient.public_id, now=NOW
        )


def test_the_patient_records_their_driver_without_an_account(
    db: Session, personas: Personas
) -> None:
    clinician = actor(db, personas.clinician.user.id)
    patient = personas.patient.patient
    assert patient
    opened = pathways.open_pathway(
        db,
        actor=clinician,
        public_id=patient.public_id,
        side=Side.LEFT,
        kind=Kind.DIAGNOSTIC,
        now=NOW,
    )
    me = actor(db, personas.patient.user.id)
    for name, phone in (("", ""), ("Robin", "call me")):
        with pytest.raises(Invalid) as caught:
            drivers.record_driver(
                db, actor=me, pathway_id=opened.id, driver=DriverDetails(name, phone), now=NOW
            )
        assert {e.field for e in caught.value.errors} == (
            {"name", "phone"} if not name else {"phone"}
        )
    driver = drivers.record_driver(
        db,
        actor=me,
        pathway_id=opened.id,
        driver=DriverDetails("Robin", "+1 310-555-0101", "friend"),
        now=NOW,
    )
    assert driver.recorded_by == me.user_id
    with pytest.raises(Forbidden):
        drivers.record_driver(
            db,
            actor=actor(db, personas.other_patient.user.id),
            pathway_id=opened.id,
            driver=DriverDetails("Eve", "1"),
            now=NOW,
        )
