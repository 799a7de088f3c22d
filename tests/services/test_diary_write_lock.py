"""Recording a score reads the diary outside the write lock, yet the stored interpretation
is always the core's reading of the committed diary, also when another score of the
same diary is committed in between (`diary.record_entry`)."""

from __future__ import annotations

import threading
from datetime import timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from factories.clinical import PERFORMED, make_documented
from fixtures_db import Personas
from sijcare.db.engine import session_factory
from sijcare.db.models import DiaryEntry, Interpretation, ProcedureRecord
from sijcare.domain.knowledge import Knowledge
from sijcare.services import diary, diary_scores
from sijcare.services.actor import Actor, Origin, load_actor
from sijcare.services.diary import NewEntry

NOW = PERFORMED + timedelta(hours=6)
PACIFIC = timezone(timedelta(hours=-8))


@pytest.fixture
def record(db: Session, personas: Personas) -> ProcedureRecord:
    assert personas.patient.patient is not None
    return make_documented(db, patient=personas.patient.patient, clinician=personas.clinician.user)


@pytest.fixture
def patient(db: Session, personas: Personas) -> Actor:
    with db.begin():
        found = load_actor(db, personas.patient.user.id, Origin(ip="127.0.0.1"))
    assert found is not None
    return found


def record_at(
    db: Session, who: Actor, record: ProcedureRecord, knowledge: Knowledge, minutes: int, pain: int
) -> DiaryEntry:
    # A time with the patient's own offset: the reading must use the stored (UTC) time.
    at = (PERFORMED + timedelta(minutes=minutes)).astimezone(PACIFIC)
    return diary.record_entry(
        db,
        actor=who,
        procedure_id=record.id,
        entry=NewEntry(pain=pain, recorded_at=at),
        knowledge=knowledge,
        now=NOW,
    )


def stored_and_recomputed(
    db: Session, record: ProcedureRecord, knowledge: Knowledge
) -> tuple[list[Interpretation], dict[str, Any]]:
    """Every stored interpretation (newest last) and the core's reading of the committed
    diary, read afresh."""
    db.expunge_all()
    with db.begin():
        rows = list(
            db.scalars(
                sa.select(Interpretation)
                .where(Interpretation.procedure_id == record.id)
                .order_by(Interpretation.id)
            )
        )
        fresh = db.get_one(ProcedureRecord, record.id)
        scores = diary.scores_of(diary.entries_of(db, record.id))
        computed = diary.interpretation_of(fresh, scores, knowledge)
    return rows, {"result": computed.result, "classification": computed.classification}


def test_the_stored_reading_is_the_cores_reading_of_the_committed_diary(
    db: Session, patient: Actor, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    for minutes, pain in ((30, 3), (60, 2), (15, 4)):  # the last one is earlier than the others
        record_at(db, patient, record, knowledge, minutes, pain)
    rows, expected = stored_and_recomputed(db, record, knowledge)
    assert len(rows) == 3
    latest = rows[-1]
    assert {"result": latest.result, "classification": latest.classification} == expected
    assert latest.result["peak_relief_percent"] == pytest.approx(500 / 7)


def test_a_score_committed_in_between_is_in_the_stored_reading(
    db: Session,
    engine: Engine,
    patient: Actor,
    record: ProcedureRecord,
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another request of the same diary records its score after this one's reading was
    computed. SQLite: it commits before this one's write transaction, which must see it
    and read the diary again. PostgreSQL: this one holds the procedure's row lock, so the
    other waits and then reads the diary with this one's score."""
    plan = diary_scores._plan
    others: list[DiaryEntry] = []
    calls: list[int] = []

    def another_writer() -> None:
        with session_factory(engine)() as other:
            others.append(record_at(other, patient, record, knowledge, 45, 1))

    def plan_then_another_writer(*args: Any, **kwargs: Any) -> Any:
        planned = plan(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            thread = threading.Thread(target=another_writer)
            thread.start()
            if engine.dialect.name == "sqlite":
                thread.join()
            else:
                thread.join(timeout=1.0)  # it waits for this transaction's row lock
                assert thread.is_alive()
                threads.append(thread)
        return planned

    threads: list[threading.Thread] = []
    monkeypatch.setattr(diary_scores, "_plan", plan_then_another_writer)
    mine = record_at(db, patient, record, knowledge, 30, 5)
    for thread in threads:
        thread.join()
    assert len(others) == 1
    rows, expected = stored_and_recomputed(db, record, knowledge)
    assert len(rows) == 2
    latest = rows[-1]
    # The reading stored last includes both scores: pain 1 from 7 is 86 % relief, which
    # a reading of only pain 5 would not show; on PostgreSQL the other one was stored
    # last and its reading has this one's score too (both are in `expected`).
    assert {"result": latest.result, "classification": latest.classification} == expected
    assert latest.result["peak_relief_percent"] == pytest.approx(600 / 7)
    assert latest.result["provenance"]["inputs"]["scores"] == 2
    last = mine if engine.dialect.name == "sqlite" else others[0]
    assert last.id == max(mine.id, others[0].id)
    with db.begin():
        current = db.scalars(
            sa.select(Interpretation).where(
                Interpretation.procedure_id == record.id, Interpretation.current
            )
        ).one()
    assert current.id == latest.id
