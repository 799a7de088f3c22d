"""DIARY.csv export and import for a documented procedure (services.diary_csv).

The diagnostic block was at 08:00 PST on Monday 2 March 2026; "now" is that evening.
An import is all or nothing: every bad row is reported with its line.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories.clinical import make_diary_entry, make_documented
from factories.workspace import Story
from fixtures_db import Personas
from sijcare.db.models import AuditEvent, DiaryEntry, Interpretation, ProcedureRecord
from sijcare.domain.knowledge import Knowledge
from sijcare.formats.diary import parse_diary_text
from sijcare.services import diary_csv
from sijcare.services.errors import Forbidden, Invalid

INJECTED = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)  # 20:00 PST the same day

GOOD = (
    "recorded_at,pain,note,activity_done\r\n"
    "2026-03-02T08:30:00-08:00,2,,yes\r\n"
    '2026-03-02T09:00:00-08:00,1,"walked, then\r\nsat down",no\r\n'
    "2026-03-02T10:00:00-08:00,3,,\r\n"
)


def procedure(db: Session, personas: Personas) -> ProcedureRecord:
    patient = personas.patient.patient
    assert patient is not None
    return make_documented(
        db, patient=patient, clinician=personas.clinician.user, performed_at=INJECTED
    )


def run_import(
    db: Session, story: Story, record: ProcedureRecord, text: str, who: str = "clinician"
) -> diary_csv.ImportResult:
    return diary_csv.import_diary(
        db,
        actor=story.actor(who),
        procedure_id=record.id,
        text=text,
        what="diary.csv",
        knowledge=story.knowledge,
        now=NOW,
    )


def stored(db: Session) -> list[DiaryEntry]:
    with db.begin():
        rows = list(db.scalars(sa.select(DiaryEntry).order_by(DiaryEntry.recorded_at)))
    db.expunge_all()
    return rows


def test_a_good_file_is_imported_and_the_diary_read_again(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    record = procedure(db, personas)
    result = run_import(db, story, record, GOOD)
    assert (result.added, result.unchanged) == (3, 0)
    rows = stored(db)
    assert [(r.pain, r.activity_done) for r in rows] == [(2, True), (1, False), (3, None)]
    assert rows[1].note == "walked, then\r\nsat down"
    assert {r.created_by for r in rows} == {personas.clinician.user.id}
    with db.begin():
        reading = db.get(Interpretation, result.interpretation_id)
        assert reading is not None and reading.procedure_id == record.id
        detail = db.scalar(sa.select(AuditEvent.detail).where(AuditEvent.action == "diary.import"))
    assert detail == {"added": 3, "unchanged": 0, "interpretation_id": result.interpretation_id}


def test_importing_the_same_rows_again_adds_nothing(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    record = procedure(db, personas)
    run_import(db, story, record, GOOD)
    again = run_import(db, story, record, GOOD)
    assert (again.added, again.unchanged, again.interpretation_id) == (0, 3, None)
    assert len(stored(db)) == 3


def test_export_writes_the_clinics_wall_clock_and_reads_back_unchanged(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    record = procedure(db, personas)
    make_diary_entry(
        db,
        procedure=record,
        created_by=personas.patient.user,
        recorded_at=INJECTED + timedelta(minutes=30),
        note='sore, "a bit"',
        activity_done=True,
    )
    for who in ("patient", "clinician"):
        export = diary_csv.export_diary(
            db, actor=story.actor(who), procedure_id=record.id, knowledge=knowledge, now=NOW
        )
        assert export.filename == f"diary-procedure-{record.id}.csv" and export.entries == 1
        (score,) = parse_diary_text(export.text, what="export.csv")
        assert score.recorded_at.isoformat() == "2026-03-02T08:30:00-08:00"
        assert (score.pain, score.note, score.activity_done) == (3, 'sore, "a bit"', True)
    again = run_import(db, story, record, export.text)
    assert (again.added, again.unchanged) == (0, 1)


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    record = procedure(db, personas)
    text = (
        "recorded_at,pain,note\n"  # 1
        "2026-03-02T08:30:00-08:00,2,\n"  # 2: fine
        "2026-03-02T08:45:00-08:00,11,\n"  # 3: pain out of range
        '2026-03-02T09:00:00-08:00,1,"two\nlines"\n'  # 4-5: fine
        "2026-03-02T09:30:00,2,\n"  # 6: no offset
        "2026-03-02T08:30:00-08:00,4,\n"  # 7: same time as line 2
        "2026-03-02T07:00:00-08:00,5,\n"  # 8: before the injection
        "2026-03-03T09:00:00-08:00,1,\n"  # 9: in the future
        "2026-03-02T08:00:00-08:00,6,\n"  # 10: the injection's own time
        "2026-03-02T11:00:00-08:00,1\n"  # 11: too few values
    )
    with pytest.raises(Invalid) as caught:
        run_import(db, story, record, text)
    problems = {e.field: e.message.render() for e in caught.value.errors}
    assert list(problems) == [f"diary.csv:{n}" for n in (3, 6, 7, 8, 9, 10, 11)]
    assert "pain: 11 is outside 0 to 10" in problems["diary.csv:3"]
    assert "has no UTC offset" in problems["diary.csv:6"]
    assert "the same time as line 2" in problems["diary.csv:7"]
    assert "before the injection" in problems["diary.csv:8"]
    assert "in the future" in problems["diary.csv:9"]
    assert "after the injection" in problems["diary.csv:10"]
    assert "expected 3 values, found 2" in problems["diary.csv:11"]
    assert stored(db) == []
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(Interpretation)) == 0


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        pytest.param("", "diary.csv:1", "missing the header line", id="empty"),
        pytest.param("when,pain\n", "diary.csv:1", "unknown column 'when'", id="header"),
        pytest.param(
            'recorded_at,pain\n2026-03-02T08:30:00-08:00,"2\n',
            "diary.csv:2",
            "not valid CSV",
            id="csv",
        ),
    ],
)
def test_a_file_that_cannot_be_read_names_its_line(
    db: Session, personas: Personas, knowledge: Knowledge, text: str, where: str, words: str
) -> None:
    story = Story(db, personas, knowledge)
    record = procedure(db, personas)
    with pytest.raises(Invalid) as caught:
        run_import(db, story, record, text)
    (error,) = caught.value.errors
    assert error.field == where and words in error.message.render()


def test_a_row_that_contradicts_the_diary_is_refused(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    record = procedure(db, personas)
    make_diary_entry(
        db,
        procedure=record,
        created_by=personas.patient.user,
        recorded_at=INJECTED + timedelta(minutes=30),
        pain=5,
    )
    with pytest.raises(Invalid) as caught:
        run_import(db, story, record, GOOD)
    (error,) = caught.value.errors
    assert error.field == "diary.csv:2"
    assert "already has a different entry" in error.message.render()
    assert len(stored(db)) == 1


def test_a_header_only_file_imports_nothing(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    story = Story(db, personas, knowledge)
    record = procedure(db, personas)
    result = run_import(db, story, record, "\ufeffrecorded_at,pain\r\n\r\n")
    assert (result.added, result.unchanged) == (0, 0)


@pytest.mark.parametrize("who", ["patient", "scheduler", "admin", "outsider", "other_patient"])
def test_only_a_clinician_of_the_clinic_imports(
    db: Session, personas: Personas, knowledge: Knowledge, who: str
) -> None:
    story = Story(db, personas, knowledge)
    record = procedure(db, personas)
    with pytest.raises(Forbidden):
        run_import(db, story, record, GOOD, who=who)
    assert stored(db) == []


@pytest.mark.parametrize("who", ["scheduler", "admin", "outsider", "other_patient"])
def test_only_the_patient_and_clinicians_export(
    db: Session, personas: Personas, knowledge: Knowledge, who: str
) -> None:
    story = Story(db, personas, knowledge)
    record = procedure(db, personas)
    with pytest.raises(Forbidden):
        diary_csv.export_diary(
            db, actor=story.actor(who), procedure_id=record.id, knowledge=knowledge, now=NOW
        )
