"""Correcting the pain score saved last: who, which entry, until when, and what is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import actor_of
from factories.clinical import PERFORMED, make_diary_entry, make_documented
from fixtures_db import Personas
from sijcare.db.models import AuditEvent, DiaryEntry, Interpretation, ProcedureRecord
from sijcare.domain.knowledge import Knowledge
from sijcare.services import diary, diary_corrections, diary_review
from sijcare.services.actor import Actor
from sijcare.services.diary import Activity, NewEntry
from sijcare.services.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, msg

SAVED = PERFORMED + timedelta(minutes=31)


@pytest.fixture
def record(db: Session, personas: Personas) -> ProcedureRecord:
    assert personas.patient.patient is not None
    return make_documented(db, patient=personas.patient.patient, clinician=personas.clinician.user)


def save(db: Session, who: Actor, record: ProcedureRecord, knowledge: Knowledge, pain: int) -> int:
    """A score saved now (`SAVED`) for 30 minutes after the injection; its id."""
    entry = diary.record_entry(
        db,
        actor=who,
        procedure_id=record.id,
        entry=NewEntry(pain=pain, recorded_at=PERFORMED + timedelta(minutes=30)),
        knowledge=knowledge,
        now=SAVED,
    )
    return entry.id


def correct(
    db: Session,
    who: Actor,
    record: ProcedureRecord,
    knowledge: Knowledge,
    entry_id: int,
    *,
    minutes_later: float = 5,
    **fields: object,
) -> DiaryEntry:
    return diary_corrections.correct_entry(
        db,
        actor=who,
        procedure_id=record.id,
        entry_id=entry_id,
        correction=NewEntry(**{"pain": 2, **fields}),  # type: ignore[arg-type]
        knowledge=knowledge,
        now=SAVED + timedelta(minutes=minutes_later),
    )


def _classification(db: Session, record: ProcedureRecord) -> str:
    with db.begin():
        return (
            db.scalars(
                sa.select(Interpretation.classification)
                .where(Interpretation.procedure_id == record.id)
                .order_by(Interpretation.id.desc())
            ).first()
            or ""
        )


def test_a_slip_is_corrected_and_the_diary_read_again(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    # 8 from a baseline of 7 at 30 minutes: no relief, a negative block.
    entry_id = save(db, patient, record, knowledge, pain=8)
    assert _classification(db, record) == "negative"
    done = correct(db, patient, record, knowledge, entry_id, pain=0, activity=Activity.YES)
    fixed = done.entry
    assert done.changed and (fixed.id, fixed.pain, fixed.activity_done) == (entry_id, 0, True)
    assert fixed.recorded_at == PERFORMED + timedelta(minutes=30)  # the time stays
    assert _classification(db, record) == "positive"
    with db.begin():
        event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "diary.correct")).one()
        newest = db.scalars(sa.select(Interpretation).order_by(Interpretation.id.desc())).first()
    assert newest is not None
    assert event.detail == {
        "procedure_id": record.id,
        "pain_before": 8,
        "pain_after": 0,
        "interpretation_id": newest.id,
    }
    assert (event.target_type, event.target_id) == ("diary_entry", str(entry_id))


@pytest.mark.parametrize(
    ("minutes_later", "allowed"),
    [(0, True), (59.9, True), (60, True), (60.1, False), (24 * 60, False)],
)
def test_only_within_the_window_after_saving(
    db: Session,
    personas: Personas,
    record: ProcedureRecord,
    knowledge: Knowledge,
    minutes_later: float,
    allowed: bool,
) -> None:
    assert knowledge.number("diary.correction_window_minutes") == 60
    patient = actor_of(db, personas.patient.user.id)
    entry_id = save(db, patient, record, knowledge, pain=8)
    if allowed:
        assert correct(db, patient, record, knowledge, entry_id, minutes_later=minutes_later)
        return
    with pytest.raises(Conflict, match="no longer be changed"):
        correct(db, patient, record, knowledge, entry_id, minutes_later=minutes_later)
    with db.begin():
        assert db.scalar(sa.select(DiaryEntry.pain).where(DiaryEntry.id == entry_id)) == 8


def test_only_the_score_saved_last(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    first = save(db, patient, record, knowledge, pain=8)
    later = diary.record_entry(
        db,
        actor=patient,
        procedure_id=record.id,
        # Saved after the first, for an earlier time: the one saved last is still this one.
        entry=NewEntry(pain=5, recorded_at=PERFORMED + timedelta(minutes=15)),
        knowledge=knowledge,
        now=SAVED + timedelta(minutes=1),
    )
    with pytest.raises(Conflict):
        correct(db, patient, record, knowledge, first)
    assert correct(db, patient, record, knowledge, later.id, pain=4).entry.pain == 4


def test_an_entry_someone_else_saved_is_not_the_patients_to_correct(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    # An entry a clinician imported from a paper diary, just now.
    imported = make_diary_entry(
        db, procedure=record, created_by=personas.clinician.user, created_at=SAVED
    )
    patient = actor_of(db, personas.patient.user.id)
    with pytest.raises(Conflict):
        correct(db, patient, record, knowledge, imported.id)
    assert diary_corrections.correctable((imported,), patient, knowledge, SAVED) is None


@pytest.mark.parametrize("who", ["clinician", "other_patient", "outsider", "scheduler"])
def test_no_one_but_the_patient_corrects(
    db: Session,
    personas: Personas,
    record: ProcedureRecord,
    knowledge: Knowledge,
    who: str,
) -> None:
    entry_id = save(db, actor_of(db, personas.patient.user.id), record, knowledge, pain=8)
    other = actor_of(db, getattr(personas, who).user.id)
    with pytest.raises((Forbidden, NotFound)):
        correct(db, other, record, knowledge, entry_id, pain=1)
    with db.begin():
        assert db.scalar(sa.select(DiaryEntry.pain).where(DiaryEntry.id == entry_id)) == 8


def test_bad_values_are_named_and_nothing_changes(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    entry_id = save(db, patient, record, knowledge, pain=8)
    with pytest.raises(Invalid) as refused:
        correct(db, patient, record, knowledge, entry_id, pain=11, note="x" * 1001)
    assert [e.field for e in refused.value.errors] == ["pain", "note"]
    with pytest.raises(Invalid) as moved:
        correct(db, patient, record, knowledge, entry_id, recorded_at=SAVED)
    assert [e.field for e in moved.value.errors] == ["recorded_at"]
    # A field the form could not read is named once, with the form's message.
    form = FieldError("pain", msg("Choose a number from 0 to 10."))
    with pytest.raises(Invalid) as unread:
        diary_corrections.correct_entry(
            db,
            actor=patient,
            procedure_id=record.id,
            entry_id=entry_id,
            correction=NewEntry(pain=-1),
            knowledge=knowledge,
            now=SAVED,
            form_errors=[form],
        )
    assert unread.value.errors == (form,)
    with db.begin():
        assert db.scalar(sa.select(DiaryEntry.pain).where(DiaryEntry.id == entry_id)) == 8
        assert (
            db.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "diary.correct")) == 0
        )


def test_the_clinician_sees_the_value_first_saved(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    entry_id = save(db, patient, record, knowledge, pain=8)
    correct(db, patient, record, knowledge, entry_id, pain=3, minutes_later=1)
    correct(db, patient, record, knowledge, entry_id, pain=2, minutes_later=2)
    later = diary.record_entry(
        db,
        actor=patient,
        procedure_id=record.id,
        entry=NewEntry(pain=4, recorded_at=PERFORMED + timedelta(minutes=60)),
        knowledge=knowledge,
        now=SAVED + timedelta(minutes=40),
    )
    review = diary_review.get_review(
        db,
        actor=actor_of(db, personas.clinician.user.id),
        procedure_id=record.id,
        knowledge=knowledge,
        now=SAVED + timedelta(minutes=45),
    )
    rows = {row.id: row for row in review.entries}
    # Corrected twice: the value first saved, not the one in between.
    assert (rows[entry_id].pain, rows[entry_id].first_saved_pain) == (2, 8)
    assert rows[later.id].first_saved_pain is None


def test_a_correction_that_changes_nothing_is_not_stored(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    entry_id = save(db, patient, record, knowledge, pain=8)
    with db.begin():
        readings = db.scalar(sa.select(sa.func.count()).select_from(Interpretation))
    same = correct(db, patient, record, knowledge, entry_id, pain=8)
    assert not same.changed and same.entry.pain == 8
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(Interpretation)) == readings
        assert (
            db.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "diary.correct")) == 0
        )
    with db.begin():
        unchanged = sa.select(sa.func.count()).where(AuditEvent.action == "diary.correct_unchanged")
        assert db.scalar(unchanged) == 1  # the access is on the record all the same
