"""Scores recorded together (`diary.record_entries`): each gets the answer it would get
alone, in the order given, and the refused ones store nothing."""

from __future__ import annotations

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
from sijcare.db.models import AuditEvent, DiaryEntry, Interpretation, ProcedureRecord
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Side
from sijcare.services import diary, diary_scores
from sijcare.services.actor import Actor
from sijcare.services.diary import NewEntry, ScoreRequest
from sijcare.services.errors import Conflict, Forbidden, Invalid, NotFound

NOW = PERFORMED + timedelta(hours=6)


@pytest.fixture
def records(db: Session, personas: Personas) -> tuple[ProcedureRecord, ProcedureRecord]:
    """A procedure of the patient and one of the other patient."""
    assert personas.patient.patient is not None and personas.other_patient.patient is not None
    clinician = personas.clinician.user
    return (
        make_documented(db, patient=personas.patient.patient, clinician=clinician),
        make_documented(db, patient=personas.other_patient.patient, clinician=clinician),
    )


@pytest.fixture
def actors(db: Session, personas: Personas) -> tuple[Actor, Actor]:
    """The patient and the other patient, signed in."""
    return actor_of(db, personas.patient.user.id), actor_of(db, personas.other_patient.user.id)


def _at(minutes: int) -> Any:
    return PERFORMED + timedelta(minutes=minutes)


def _stored(db: Session, record: ProcedureRecord) -> tuple[list[DiaryEntry], list[Interpretation]]:
    db.expunge_all()
    with db.begin():
        entries = list(
            db.scalars(
                sa.select(DiaryEntry)
                .where(DiaryEntry.procedure_id == record.id)
                .order_by(DiaryEntry.id)
            )
        )
        readings = list(
            db.scalars(
                sa.select(Interpretation)
                .where(Interpretation.procedure_id == record.id)
                .order_by(Interpretation.id)
            )
        )
    return entries, readings


def _events(db: Session) -> list[AuditEvent]:
    with db.begin():
        return list(
            db.scalars(
                sa.select(AuditEvent)
                .where(AuditEvent.action == "diary.record")
                .order_by(AuditEvent.id)
            )
        )


def test_a_batch_stores_each_score_as_if_alone_and_refuses_each_bad_one_alone(
    db: Session,
    personas: Personas,
    records: tuple[ProcedureRecord, ProcedureRecord],
    actors: tuple[Actor, Actor],
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (mine, theirs), (patient, other) = records, actors
    requests = [
        ScoreRequest(patient, mine.id, NewEntry(pain=4, recorded_at=_at(30)), NOW),
        ScoreRequest(patient, theirs.id, NewEntry(pain=1), NOW),  # not her procedure
        ScoreRequest(other, theirs.id, NewEntry(pain=5, recorded_at=_at(40)), NOW),
        ScoreRequest(patient, 999_999, NewEntry(pain=1), NOW),  # no such procedure
        ScoreRequest(patient, mine.id, NewEntry(pain=11), NOW),  # out of range
        # The same diary again, a score earlier than the first: read with the first.
        ScoreRequest(patient, mine.id, NewEntry(pain=1, recorded_at=_at(15)), NOW),
        # The same time as the first score of this batch: taken.
        ScoreRequest(patient, mine.id, NewEntry(pain=2, recorded_at=_at(30)), NOW),
    ]
    plan = diary_scores._plan
    plans: list[int] = []
    monkeypatch.setattr(diary_scores, "_plan", lambda *a, **k: plans.append(1) or plan(*a, **k))
    outcomes = diary.record_entries(db, requests, knowledge)

    assert len(plans) == 1  # planned once, stored at once: no request fell back to alone
    assert [type(o) for o in outcomes] == [
        DiaryEntry, Forbidden, DiaryEntry, NotFound, Invalid, DiaryEntry, Invalid,
    ]  # fmt: skip
    assert [e.field for e in outcomes[6].errors] == ["recorded_at"]  # type: ignore[union-attr]
    entries, readings = _stored(db, mine)
    assert [(e.pain, e.id) for e in entries] == [(4, outcomes[0].id), (1, outcomes[5].id)]  # type: ignore[union-attr]
    # One reading per stored score, each of the diary as it was once that score came.
    assert [r.result["provenance"]["inputs"]["scores"] for r in readings] == [1, 2]
    with db.begin():
        current = db.scalars(
            sa.select(Interpretation.id).where(
                Interpretation.procedure_id == mine.id, Interpretation.current
            )
        ).all()
        recomputed = diary.interpretation_of(
            db.get_one(ProcedureRecord, mine.id), diary.scores_of(entries), knowledge
        )
    assert current == [readings[-1].id]
    assert readings[-1].result == recomputed.result
    their_entries, their_readings = _stored(db, theirs)
    assert [e.pain for e in their_entries] == [5] and len(their_readings) == 1
    # One audit event per stored score, naming its entry and its reading.
    events = _events(db)
    stored = [outcomes[0], outcomes[2], outcomes[5]]
    assert [e.target_id for e in events] == [str(o.id) for o in stored]  # type: ignore[union-attr]
    assert [e.actor_user_id for e in events] == [
        personas.patient.user.id, personas.other_patient.user.id, personas.patient.user.id,
    ]  # fmt: skip
    all_readings = {r.id for r in readings + their_readings}
    assert {e.detail["interpretation_id"] for e in events} == all_readings


def test_a_form_sent_twice_in_one_batch_is_stored_once(
    db: Session,
    records: tuple[ProcedureRecord, ProcedureRecord],
    actors: tuple[Actor, Actor],
    knowledge: Knowledge,
) -> None:
    (mine, theirs), (patient, other) = records, actors
    requests = [
        ScoreRequest(patient, mine.id, NewEntry(pain=3, idempotency_key="form-1"), NOW),
        ScoreRequest(patient, mine.id, NewEntry(pain=3, idempotency_key="form-1"), NOW),
        # Someone else's request with the same token is refused, as alone.
        ScoreRequest(other, theirs.id, NewEntry(pain=3, idempotency_key="form-1"), NOW),
    ]
    first, again, refused = diary.record_entries(db, requests, knowledge)
    assert isinstance(first, DiaryEntry) and isinstance(again, DiaryEntry)
    assert again.id == first.id
    assert isinstance(refused, Conflict)
    entries, readings = _stored(db, mine)
    assert len(entries) == 1 and len(readings) == 1
    assert len(_events(db)) == 1


def test_a_batch_that_loses_a_race_records_each_score_alone(
    db: Session,
    engine: Engine,
    personas: Personas,
    records: tuple[ProcedureRecord, ProcedureRecord],
    actors: tuple[Actor, Actor],
    knowledge: Knowledge,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another request stores a score with the form token of one of the batch, in
    another diary, after the batch was planned: the whole batch rolls back, and each
    score is recorded again on its own (that one is refused, the other stored)."""
    mine, theirs = records
    assert personas.other_patient.patient is not None
    elsewhere = make_documented(
        db, patient=personas.other_patient.patient, clinician=personas.clinician.user,
        side=Side.RIGHT,
    )  # fmt: skip
    patient, other = actors
    plan = diary_scores._plan
    calls: list[int] = []

    def plan_then_the_same_form_elsewhere(*args: Any, **kwargs: Any) -> Any:
        planned = plan(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            with session_factory(engine)() as another, another.begin():
                another.add(
                    DiaryEntry(procedure_id=elsewhere.id, recorded_at=_at(50), pain=9, note="",
                               created_at=NOW, created_by=other.user_id,
                               idempotency_key="form-9")
                )  # fmt: skip
        return planned

    monkeypatch.setattr(diary_scores, "_plan", plan_then_the_same_form_elsewhere)
    # SQLite's re-check under the lock would see the token: pass it by, so that only the
    # unique index catches the race (as when the other commits between check and insert).
    monkeypatch.setattr(diary_scores, "_changed", lambda *args: False)
    outcomes = diary.record_entries(
        db,
        [
            ScoreRequest(patient, mine.id, NewEntry(pain=4, recorded_at=_at(30)), NOW),
            ScoreRequest(other, theirs.id, NewEntry(pain=5, idempotency_key="form-9"), NOW),
        ],
        knowledge,
    )
    assert isinstance(outcomes[0], DiaryEntry)
    assert isinstance(outcomes[1], Conflict)
    assert len(calls) == 3  # the batch, then each alone
    assert [e.pain for e in _stored(db, mine)[0]] == [4]
    assert _stored(db, theirs)[0] == []
    assert [e.target_id for e in _events(db)] == [str(outcomes[0].id)]


@pytest.mark.parametrize("stored", [True, False])
def test_more_writes_go_in_the_scores_transaction_or_in_their_own(
    db: Session,
    records: tuple[ProcedureRecord, ProcedureRecord],
    actors: tuple[Actor, Actor],
    knowledge: Knowledge,
    stored: bool,
) -> None:
    (mine, _), (patient, _) = records, actors
    pain = 4 if stored else 11  # out of range: nothing is stored
    written: list[bool] = []

    def also(connection: sa.Connection) -> None:
        written.append(connection.in_transaction())

    (outcome,) = diary.record_entries(
        db, [ScoreRequest(patient, mine.id, NewEntry(pain=pain), NOW)], knowledge, also=also
    )
    assert isinstance(outcome, DiaryEntry) is stored
    assert written == [True]  # once, in a write transaction
