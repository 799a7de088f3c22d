"""The outbox status lists: staff see their clinic's messages, a patient their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import make_patient
from factories.reminders import make_outbox_message
from factories.workspace import Story
from fixtures_db import Personas
from sijcare.db.models import AuditEvent, Patient
from sijcare.db.models.outbox_message import OutboxStatus
from sijcare.domain.knowledge import Knowledge
from sijcare.services import outbox_status
from sijcare.services.errors import Forbidden

NOW = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)


def the(personas: Personas, name: str) -> Patient:
    patient = personas[name].patient
    assert patient is not None
    return patient


def fill(db: Session, personas: Personas) -> None:
    patient = the(personas, "patient")
    make_outbox_message(
        db,
        patient=patient,
        due_at=NOW - timedelta(days=2),
        status=OutboxStatus.SENT,
        attempts=1,
        sent_at=NOW - timedelta(days=2),
        result="250 Ok",
    )
    make_outbox_message(
        db,
        patient=patient,
        due_at=NOW - timedelta(days=1),
        status=OutboxStatus.FAILED,
        attempts=5,
        last_error="451 Try again later",
    )
    make_outbox_message(
        db, patient=patient, due_at=NOW, status=OutboxStatus.CANCELLED, reason="opted_out"
    )
    make_outbox_message(db, patient=the(personas, "other_patient"), due_at=NOW - timedelta(hours=1))
    with db.begin():
        elsewhere = make_patient(db, clinic=personas.other_clinic)
        make_outbox_message(db, patient=elsewhere, due_at=NOW)


@pytest.mark.parametrize("who", ["clinician", "scheduler", "admin"])
def test_staff_see_their_clinics_messages_newest_first(
    db: Session, personas: Personas, knowledge: Knowledge, who: str
) -> None:
    fill(db, personas)
    story = Story(db, personas, knowledge)
    rows = outbox_status.list_outbox(db, actor=story.actor(who), now=NOW)
    assert [(r.patient_name, r.status) for r in rows] == [
        ("Olive Other", OutboxStatus.QUEUED),
        ("Pat Patient", OutboxStatus.FAILED),
        ("Pat Patient", OutboxStatus.SENT),
    ]
    assert (rows[1].attempts, rows[1].last_error) == (5, "451 Try again later")
    failed = outbox_status.list_outbox(
        db, actor=story.actor(who), now=NOW, status=OutboxStatus.FAILED
    )
    assert [r.status for r in failed] == [OutboxStatus.FAILED]
    cancelled = outbox_status.list_outbox(
        db, actor=story.actor(who), now=NOW, status=OutboxStatus.CANCELLED
    )
    assert [r.reason for r in cancelled] == ["opted_out"]
    with db.begin():
        viewed = db.scalars(
            sa.select(AuditEvent.patient_id).where(AuditEvent.action == "outbox.list")
        ).all()
    assert sorted(set(viewed)) == sorted(
        {the(personas, "patient").id, the(personas, "other_patient").id}
    )


def test_a_patient_sees_only_their_own_messages(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    fill(db, personas)
    story = Story(db, personas, knowledge)
    patient = the(personas, "patient")
    with pytest.raises(Forbidden):
        outbox_status.list_outbox(db, actor=story.actor("patient"), now=NOW)
    own = outbox_status.list_for_patient(
        db, actor=story.actor("patient"), public_id=patient.public_id, now=NOW
    )
    assert [r.status for r in own] == [OutboxStatus.FAILED, OutboxStatus.SENT]
    for who in ("other_patient", "outsider"):
        with pytest.raises(Forbidden):
            outbox_status.list_for_patient(
                db, actor=story.actor(who), public_id=patient.public_id, now=NOW
            )
