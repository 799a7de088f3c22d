"""The pain diary service: recording, due and missed prompts, and the stored interpretation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from factories import actor_of
from factories.clinical import PERFORMED, make_diary_entry, make_documented
from fixtures_db import Personas
from sijcare.db.enums import Kind
from sijcare.db.models import AuditEvent, DiaryEntry, Interpretation, ProcedureRecord
from sijcare.domain.diary_schedule import DiaryPrompt, PromptPurpose
from sijcare.domain.knowledge import Knowledge
from sijcare.services import diary
from sijcare.services.actor import Actor
from sijcare.services.diary import Activity, NewEntry, PromptState
from sijcare.services.errors import Conflict, Forbidden, Invalid

NOW = PERFORMED + timedelta(hours=2)


@pytest.fixture
def record(db: Session, personas: Personas) -> ProcedureRecord:
    assert personas.patient.patient is not None
    return make_documented(db, patient=personas.patient.patient, clinician=personas.clinician.user)


def record_entry(
    db: Session, who: Actor, record: ProcedureRecord, knowledge: Knowledge, **fields: object
) -> DiaryEntry:
    entry = NewEntry(**{"pain": 2, **fields})  # type: ignore[arg-type]
    return diary.record_entry(
        db, actor=who, procedure_id=record.id, entry=entry, knowledge=knowledge, now=NOW
    )


def test_recording_stores_the_entry_a_new_interpretation_and_an_audit_event(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    entry = record_entry(db, patient, record, knowledge, activity=Activity.YES, note=" better ")
    assert (entry.pain, entry.activity_done, entry.note, entry.recorded_at) == (
        2,
        True,
        "better",
        NOW,
    )
    with db.begin():
        interpretation = db.scalars(sa.select(Interpretation)).one()
        event = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "diary.record")).one()
    assert interpretation.kind == "diagnostic"
    assert interpretation.classification == "indeterminate"  # pain 2 from 7: 71 % relief
    assert interpretation.knowledge_version == knowledge.version
    assert interpretation.result["peak_relief_percent"] == pytest.approx(500 / 7)
    assert event.detail["interpretation_id"] == interpretation.id
    assert "better" not in str(event.detail)


def test_not_tried_is_stored_as_unknown(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    entry = record_entry(db, patient, record, knowledge, activity=Activity.NOT_TRIED)
    assert entry.activity_done is None


def test_the_same_form_token_records_once(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    first = record_entry(db, patient, record, knowledge, idempotency_key="token-1")
    again = record_entry(db, patient, record, knowledge, idempotency_key="token-1", pain=9)
    assert again.id == first.id
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(DiaryEntry)) == 1
        assert db.scalar(sa.select(sa.func.count()).select_from(Interpretation)) == 1


def test_a_token_used_by_someone_else_is_refused(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    make_diary_entry(
        db, procedure=record, created_by=personas.clinician.user, idempotency_key="token-2"
    )
    with pytest.raises(Conflict):
        record_entry(db, patient, record, knowledge, idempotency_key="token-2")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"pain": 11}, "pain", id="pain-above-10"),
        pytest.param({"pain": -1}, "pain", id="pain-below-0"),
        pytest.param({"note": "x" * 1001}, "note", id="note-too-long"),
        pytest.param({"recorded_at": PERFORMED}, "recorded_at", id="at-the-injection"),
        pytest.param({"recorded_at": PERFORMED - timedelta(days=1)}, "recorded_at", id="before"),
        pytest.param({"recorded_at": NOW + timedelta(minutes=1)}, "recorded_at", id="future"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_saved(
    db: Session,
    personas: Personas,
    record: ProcedureRecord,
    knowledge: Knowledge,
    fields: dict[str, object],
    field: str,
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    with pytest.raises(Invalid) as refused:
        record_entry(db, patient, record, knowledge, **fields)
    assert [e.field for e in refused.value.errors] == [field]
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(DiaryEntry)) == 0
        assert db.scalar(sa.select(sa.func.count()).select_from(Interpretation)) == 0


def test_two_scores_at_the_same_time_are_refused(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    patient = actor_of(db, personas.patient.user.id)
    at = PERFORMED + timedelta(minutes=30)
    record_entry(db, patient, record, knowledge, recorded_at=at)
    with pytest.raises(Invalid) as refused:
        record_entry(db, patient, record, knowledge, recorded_at=at)
    assert refused.value.errors[0].field == "recorded_at"


@pytest.mark.parametrize("who", ["clinician", "other_patient", "outsider", "scheduler"])
def test_only_the_patient_records(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge, who: str
) -> None:
    with pytest.raises(Forbidden):
        record_entry(db, actor_of(db, personas[who].user.id), record, knowledge)


def test_clinicians_read_the_diary_and_others_do_not(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    for who in ("patient", "clinician"):
        view = diary.view_diary(
            db,
            actor=actor_of(db, personas[who].user.id),
            procedure_id=record.id,
            knowledge=knowledge,
            now=NOW,
        )
        assert view.record.id == record.id
    for who in ("other_patient", "outsider", "scheduler", "admin"):
        with pytest.raises(Forbidden):
            diary.view_diary(
                db,
                actor=actor_of(db, personas[who].user.id),
                procedure_id=record.id,
                knowledge=knowledge,
                now=NOW,
            )


def test_reinterpret_appends_a_row_and_a_signed_one_stays(
    db: Session, personas: Personas, record: ProcedureRecord, knowledge: Knowledge
) -> None:
    make_diary_entry(db, procedure=record, created_by=personas.patient.user, pain=1)
    with db.begin():
        first = diary.reinterpret(db, record, knowledge, NOW)
        first.signed_off_at, first.signed_off_by = NOW, personas.clinician.user.id
    make_diary_entry(
        db,
        procedure=record,
        created_by=personas.patient.user,
        pain=6,
        recorded_at=PERFORMED + timedelta(minutes=60),
    )
    with db.begin():
        second = diary.reinterpret(db, record, knowledge, NOW + timedelta(minutes=1))
        latest = diary.latest_interpretation(db, record.id)
    assert second.id != first.id and latest is not None and latest.id == second.id
    assert (first.classification, second.classification) == ("positive", "positive")


def test_a_diary_the_core_cannot_read_is_stored_as_not_assessable(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    assert personas.patient.patient is not None
    record = make_documented(
        db, patient=personas.patient.patient, clinician=personas.clinician.user, baseline_pain=0
    )
    with db.begin():
        row = diary.reinterpret(db, record, knowledge, NOW)
    assert row.classification == diary.NOT_ASSESSABLE
    assert row.result["error"]["where"] == "baseline_pain"


def test_a_therapeutic_diary_is_labelled_by_its_latest_known_milestone(
    db: Session, personas: Personas, knowledge: Knowledge
) -> None:
    assert personas.patient.patient is not None
    record = make_documented(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        kind=Kind.THERAPEUTIC,
    )
    with db.begin():
        assert diary.reinterpret(db, record, knowledge, NOW).classification == (
            "not_yet_assessable"
        )
    make_diary_entry(
        db,
        procedure=record,
        created_by=personas.patient.user,
        pain=2,
        recorded_at=PERFORMED + timedelta(days=14),
    )
    with db.begin():
        row = diary.reinterpret(db, record, knowledge, NOW)
    assert (row.kind, row.classification) == ("therapeutic", "2w:responder")


# -- due and missed ------------------------------------------------------------------------

T0 = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def prompt(minutes: int) -> DiaryPrompt:
    return DiaryPrompt(
        T0 + timedelta(minutes=minutes), PromptPurpose.ANESTHETIC_WINDOW, f"{minutes}", 0, minutes
    )


PROMPTS = [prompt(15), prompt(30), prompt(60)]


def states(entries: list[int], now_minutes: int) -> list[str]:
    found = diary.prompt_states(
        PROMPTS,
        [T0 + timedelta(minutes=m) for m in entries],
        T0,
        T0 + timedelta(minutes=now_minutes),
    )
    return [p.state.value for p in found]


@pytest.mark.parametrize(
    ("entries", "now", "expected"),
    [
        pytest.param([], 10, ["upcoming", "upcoming", "upcoming"], id="before-the-first"),
        pytest.param([], 15, ["due", "upcoming", "upcoming"], id="first-due-at-its-time"),
        pytest.param([], 22, ["due", "upcoming", "upcoming"], id="due-until-halfway"),
        pytest.param([], 23, ["missed", "upcoming", "upcoming"], id="missed-after-halfway"),
        pytest.param([14], 20, ["done", "upcoming", "upcoming"], id="early-entry-counts"),
        pytest.param([22], 30, ["done", "due", "upcoming"], id="halfway-counts-for-earlier"),
        pytest.param([23], 30, ["missed", "done", "upcoming"], id="after-halfway-counts-later"),
        pytest.param([0], 20, ["due", "upcoming", "upcoming"], id="at-injection-not-counted"),
        pytest.param([], 500, ["missed", "missed", "due"], id="last-stays-due"),
        pytest.param([400], 500, ["missed", "missed", "done"], id="last-window-open-ended"),
    ],
)
def test_prompt_states(entries: list[int], now: int, expected: list[str]) -> None:
    assert states(entries, now) == expected


def test_one_entry_counts_for_one_prompt_only() -> None:
    assert states([20], 60).count("done") == 1
    assert PromptState.DONE.value == "done"
