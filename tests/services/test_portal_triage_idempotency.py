"""A symptom report sent twice with one key is stored once (both engines).

A phone that retries after no answer, or a double tap, must not put two red flags in the
clinicians' inbox; a key is the sender's own, for one injection.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from factories import actor_of
from factories.clinical import PERFORMED, make_documented
from fixtures_db import Personas
from sijcare.db.engine import session_factory
from sijcare.db.enums import Side
from sijcare.db.models import AuditEvent, SymptomReport
from sijcare.domain.knowledge import Knowledge
from sijcare.services import escalation, inbox, triage
from sijcare.services.actor import Actor
from sijcare.services.errors import Conflict, Invalid

NOW = PERFORMED + timedelta(hours=2)
KEY = "phone-7f3a-0001"


@pytest.fixture
def procedure_id(db: Session, personas: Personas) -> int:
    assert personas.patient.patient is not None
    record = make_documented(
        db, patient=personas.patient.patient, clinician=personas.clinician.user
    )
    return record.id


def send(
    db: Session,
    actor: Actor,
    procedure_id: int,
    knowledge: Knowledge,
    key: str | None,
    now: Any = NOW,
    **symptoms: Any,
) -> triage.TriageOutcome:
    return triage.report_symptoms(
        db,
        actor=actor,
        procedure_id=procedure_id,
        symptoms=symptoms or {"site_redness": True},
        knowledge=knowledge,
        now=now,
        idempotency_key=key,
    )


def counts(db: Session) -> tuple[int, int, int]:
    """Stored reports, `create` events and `create_repeated` events."""
    with db.begin():
        reports = db.scalar(sa.select(sa.func.count()).select_from(SymptomReport))
        created = db.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "symptom_report.create")
        )
        repeated = db.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "symptom_report.create_repeated")
        )
    return int(reports or 0), int(created or 0), int(repeated or 0)


def test_the_same_key_twice_stores_one_report_and_answers_the_same(
    db: Session, personas: Personas, procedure_id: int, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    first = send(db, patient, procedure_id, knowledge, KEY, trouble_breathing=True)
    # The retry comes a minute later; the answer is still the first one's.
    again = send(
        db,
        patient,
        procedure_id,
        knowledge,
        KEY,
        NOW + timedelta(minutes=1),
        trouble_breathing=True,
    )
    assert first.stored and not first.replayed and first.result is not None
    assert again.replayed and again.report_id == first.report_id
    assert again.advice == first.advice and again.advice.reported_at == NOW
    assert counts(db) == (1, 1, 1)
    with db.begin():
        row = db.scalars(sa.select(SymptomReport)).one()
        event = db.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "symptom_report.create_repeated")
        ).one()
    assert personas.patient.patient is not None
    assert row.idempotency_key == KEY and row.disposition == "emergency"
    assert event.target_id == str(row.id) and event.patient_id == personas.patient.patient.id


def test_a_retry_makes_one_inbox_item_and_one_escalation(
    db: Session, personas: Personas, procedure_id: int, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    for _ in range(3):
        send(db, patient, procedure_id, knowledge, KEY, temperature_f=101.5)
    clinician = actor_of(db, personas.clinician.user.id)
    assert inbox.count_open(db, actor=clinician) == 1
    assert len(inbox.list_inbox(db, actor=clinician, now=NOW)) == 1
    # Unacknowledged long enough: one report to escalate (one round of staff e-mails).
    done = escalation.escalate_due(db, now=NOW + timedelta(hours=2), knowledge=knowledge)
    assert (done.overdue, done.escalated) == (1, 1)


def test_different_keys_store_different_reports(
    db: Session, personas: Personas, procedure_id: int, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    first = send(db, patient, procedure_id, knowledge, "key-a")
    second = send(db, patient, procedure_id, knowledge, "key-b")
    unkeyed = send(db, patient, procedure_id, knowledge, None)
    ids = {first.report_id, second.report_id, unkeyed.report_id}
    assert None not in ids and len(ids) == 3
    assert counts(db) == (3, 3, 0)


def test_a_key_of_another_patient_is_refused(
    db: Session, personas: Personas, procedure_id: int, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    send(db, patient, procedure_id, knowledge, KEY)
    assert personas.other_patient.patient is not None
    theirs = make_documented(
        db, patient=personas.other_patient.patient, clinician=personas.clinician.user
    ).id
    other = actor_of(db, personas.other_patient.user.id)
    with pytest.raises(Conflict) as refused:
        send(db, other, theirs, knowledge, KEY)
    assert "already used" in refused.value.message.text
    assert counts(db) == (1, 1, 0)


def test_a_key_used_for_another_injection_is_refused(
    db: Session, personas: Personas, procedure_id: int, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    send(db, patient, procedure_id, knowledge, KEY)
    assert personas.patient.patient is not None
    other_side = make_documented(
        db, patient=personas.patient.patient, clinician=personas.clinician.user, side=Side.RIGHT
    ).id
    with pytest.raises(Conflict):
        send(db, patient, other_side, knowledge, KEY)
    assert counts(db) == (1, 1, 0)


@pytest.mark.parametrize("key", ["x" * 65, "has space", "semi;colon", "é"])
def test_a_malformed_key_is_refused_with_the_field(
    db: Session, personas: Personas, procedure_id: int, knowledge: Knowledge, key: str
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    with pytest.raises(Invalid) as refused:
        send(db, patient, procedure_id, knowledge, key)
    assert [e.field for e in refused.value.errors] == ["idempotency_key"]
    assert counts(db) == (0, 0, 0)


def test_after_a_failed_store_the_retry_with_the_key_is_stored(
    db: Session,
    personas: Personas,
    procedure_id: int,
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    with monkeypatch.context() as patch:

        def broken(*_args: object, **_kwargs: object) -> None:
            raise sa.exc.OperationalError("INSERT", {}, Exception("disk full"))

        patch.setattr(triage.audit, "record", broken)
        failed = send(db, patient, procedure_id, knowledge, KEY)
    assert not failed.stored
    retried = send(db, patient, procedure_id, knowledge, KEY)
    assert retried.stored and not retried.replayed
    assert counts(db) == (1, 1, 0)


def test_two_requests_racing_with_one_key_store_one_report(
    engine: Engine, db: Session, personas: Personas, procedure_id: int, knowledge: Knowledge
) -> None:
    """Both pass the look-up of the key before either stores: the unique key lets one row
    in and the other request answers with it."""
    patient = actor_of(db, personas.patient.user.id)
    looked = threading.Barrier(2, timeout=10)
    original = triage.triage

    def triage_then_wait(*args: Any, **kwargs: Any) -> Any:
        # Called between the look-up and the store, outside any transaction.
        looked.wait()
        return original(*args, **kwargs)

    outcomes: list[triage.TriageOutcome] = []
    failures: list[BaseException] = []

    def racer() -> None:
        try:
            with session_factory(engine)() as session:
                outcomes.append(send(session, patient, procedure_id, knowledge, KEY))
        except BaseException as exc:  # reported below, with the test's failure
            failures.append(exc)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(triage, "triage", triage_then_wait)
        threads = [threading.Thread(target=racer, name=f"racer-{n}") for n in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not failures, failures
    assert len(outcomes) == 2 and all(o.stored for o in outcomes)
    assert outcomes[0].report_id == outcomes[1].report_id
    assert sorted(o.replayed for o in outcomes) == [False, True]
    assert counts(db) == (1, 1, 1)
