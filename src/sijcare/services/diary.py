"""The pain diary after the injection: entries, due and missed times, and its interpretation.

A documented procedure (`ProcedureRecord`) has a diary. The patient records pain scores
(0-10), each with an optional note and whether they could do the activity that usually
hurts. After every change the diary is read again by the core (diagnostic or therapeutic)
and a new `Interpretation` row is stored in the same transaction (`reinterpret`, in
`sijcare.services.diary_reading`, re-exported here with the other reading helpers).

Due and missed times (our decision). The core's schedule (`diary_schedule`, in the
clinic's time zone) gives the prompt times. Each diary entry counts for the prompt
nearest in time: a prompt's answer window runs from halfway after the previous prompt
(exclusive; the injection time for the first) to halfway before the next one (included;
open-ended for the last). So an entry a little early or late still counts, and one entry
never counts twice. A prompt is
- done: an entry falls in its window (even before the prompt's time);
- due: its time has passed, its window is still open and it has no entry;
- missed: its window has closed with no entry;
- upcoming: its time has not come and it has no entry.

Entries are the patient's own: only the patient records them (clinicians read them).
A form submitted twice records once: its `idempotency_key` is stored with the entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijcare.db.engine import read_only
from sijcare.db.enums import Role
from sijcare.db.models import DiaryEntry, Interpretation, Pathway, Patient, ProcedureRecord
from sijcare.domain.diary_schedule import DiaryPrompt, diary_schedule
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Procedure
from sijcare.domain.relief import PainScore
from sijcare.services import audit, patients
from sijcare.services.actor import Actor
from sijcare.services.diary_reading import NOT_ASSESSABLE as NOT_ASSESSABLE
from sijcare.services.diary_reading import Computed as Computed
from sijcare.services.diary_reading import Reading as Reading
from sijcare.services.diary_reading import classify as classify
from sijcare.services.diary_reading import entries_of as entries_of
from sijcare.services.diary_reading import interpretation_of as interpretation_of
from sijcare.services.diary_reading import latest_interpretation as latest_interpretation
from sijcare.services.diary_reading import procedure_of as procedure_of
from sijcare.services.diary_reading import read as read
from sijcare.services.diary_reading import reading_of as reading_of
from sijcare.services.diary_reading import reinterpret as reinterpret
from sijcare.services.diary_reading import scores_of as scores_of
from sijcare.services.diary_reading import store_interpretation as store_interpretation
from sijcare.services.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, msg

NOTE_MAX_LENGTH = 1000


class Activity(StrEnum):
    """Could the patient do the activity that usually hurts? `not_tried` is stored as unknown."""

    YES = "yes"
    NO = "no"
    NOT_TRIED = "not_tried"

    @property
    def done(self) -> bool | None:
        return {Activity.YES: True, Activity.NO: False}.get(self)

    @classmethod
    def of(cls, done: bool | None) -> Activity | None:
        return None if done is None else (cls.YES if done else cls.NO)


class PromptState(StrEnum):
    DONE = "done"
    DUE = "due"
    MISSED = "missed"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class PromptView:
    """A prompt of the schedule and its state; the window is (`opens`, `closes`]."""

    prompt: DiaryPrompt
    state: PromptState
    opens: datetime
    closes: datetime | None


@dataclass(frozen=True)
class NewEntry:
    """What the patient records. `recorded_at` None means now."""

    pain: int
    activity: Activity | None = None
    note: str = ""
    recorded_at: datetime | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class DiaryView:
    """A procedure's diary as a page shows it; entries oldest first."""

    record: ProcedureRecord
    pathway: Pathway
    procedure: Procedure
    entries: tuple[DiaryEntry, ...]
    prompts: tuple[PromptView, ...]
    interpretation: Interpretation | None
    reading: Reading | None

    @property
    def due(self) -> tuple[PromptView, ...]:
        return tuple(p for p in self.prompts if p.state is PromptState.DUE)

    @property
    def missed(self) -> tuple[PromptView, ...]:
        return tuple(p for p in self.prompts if p.state is PromptState.MISSED)

    @property
    def scores(self) -> tuple[PainScore, ...]:
        return scores_of(self.entries)


# -- reading a procedure ----------------------------------------------------------------


def load_record(
    db: Session, actor: Actor, procedure_id: int
) -> tuple[ProcedureRecord, Pathway, Patient]:
    """The procedure record, its pathway and patient, if `actor` may see their clinical
    records. Call inside a transaction."""
    record = db.get(ProcedureRecord, procedure_id)
    if record is None:
        raise NotFound(msg("There is no such procedure."))
    pathway = db.get(Pathway, record.pathway_id)
    assert pathway is not None  # a foreign key
    patient = patients.load_by_id(db, actor, pathway.patient_id, clinical=True)
    return record, pathway, patient


def require_own(actor: Actor, patient: Patient) -> None:
    """Only the patient themself records their own answers, scores and symptoms."""
    if actor.role is not Role.PATIENT or actor.patient_id != patient.id:
        raise Forbidden(msg("Only the patient can add to their own records."))


# -- due and missed ---------------------------------------------------------------------


def prompt_states(
    prompts: Sequence[DiaryPrompt],
    entries: Sequence[datetime],
    injected_at: datetime,
    now: datetime,
) -> tuple[PromptView, ...]:
    """Each prompt with its state at `now` (see the module docstring for the rule)."""
    times = [p.due_at for p in prompts]
    out = []
    for i, prompt in enumerate(prompts):
        opens = injected_at if i == 0 else _halfway(times[i - 1], times[i])
        closes = None if i + 1 == len(times) else _halfway(times[i], times[i + 1])
        answered = any(opens < at and (closes is None or at <= closes) for at in entries)
        out.append(PromptView(prompt, _state(prompt, answered, closes, now), opens, closes))
    return tuple(out)


def _halfway(first: datetime, second: datetime) -> datetime:
    return first + (second - first) / 2


def _state(
    prompt: DiaryPrompt, answered: bool, closes: datetime | None, now: datetime
) -> PromptState:
    if answered:
        return PromptState.DONE
    if prompt.due_at > now:
        return PromptState.UPCOMING
    if closes is not None and closes < now:
        return PromptState.MISSED
    return PromptState.DUE


# -- use cases ----------------------------------------------------------------------------


def view_diary(
    db: Session,
    *,
    actor: Actor,
    procedure_id: int,
    knowledge: Knowledge,
    now: datetime,
    action: str = "diary.view",
) -> DiaryView:
    """The diary of a procedure with its prompts' states (the patient or a clinician).

    `action` names the audit event (the chart page reads the same data).
    """
    # The read and its audit event share one transaction (ADR 0004), so no read is
    # ever shown without its event.
    with db.begin():
        record, pathway, patient = load_record(db, actor, procedure_id)
        view = _view(db, record, pathway, knowledge, now)
        audit.record(
            db,
            actor=actor,
            action=action,
            at=now,
            target_type="procedure_record",
            target_id=record.id,
            patient_id=patient.id,
        )
    return view


def _view(
    db: Session, record: ProcedureRecord, pathway: Pathway, knowledge: Knowledge, now: datetime
) -> DiaryView:
    procedure = procedure_of(record, knowledge)
    entries = entries_of(db, record.id)
    prompts = diary_schedule(procedure, knowledge)
    try:
        reading: Reading | None = read(procedure, scores_of(entries), knowledge)
    except InputError:
        reading = None
    return DiaryView(
        record=record,
        pathway=pathway,
        procedure=procedure,
        entries=entries,
        prompts=prompt_states(
            prompts, [e.recorded_at for e in entries], procedure.performed_at, now
        ),
        interpretation=latest_interpretation(db, record.id),
        reading=reading,
    )


def record_entry(
    db: Session,
    *,
    actor: Actor,
    procedure_id: int,
    entry: NewEntry,
    knowledge: Knowledge,
    now: datetime,
) -> DiaryEntry:
    """Add the patient's score and store the diary's new interpretation, in one transaction.

    A repeat of the same `idempotency_key` returns the entry already recorded.

    Two steps, so that SQLite's single write lock is held only for the inserts (a long
    diary's reading held it for the whole core run before, and under heavy writing a
    writer could wait past the lock timeout). First a read-only transaction (no write
    lock) checks the access and the entry and has the core read the diary with the new
    score. Then the write transaction locks the procedure (PostgreSQL: its row; SQLite:
    the write lock), checks again that no other score came in between (the same entry
    ids; entries are only ever added, never changed) and stores the entry, the reading
    and the audit event together; when one did, it reads the diary again under the lock,
    as before. Either way the stored interpretation is the core's reading of the
    committed diary with this score, and a concurrent writer of the same diary waits
    for the lock and then sees this score.
    """
    try:
        planned = _plan_entry(db, actor, procedure_id, entry, knowledge, now)
        if isinstance(planned, DiaryEntry):
            return planned
        with db.begin():
            row, interpretation = _store_entry(db, actor, entry, planned, knowledge, now)
            if interpretation is None:
                return row  # a concurrent replay of the same form won
            audit.record(
                db,
                actor=actor,
                action="diary.record",
                at=now,
                target_type="diary_entry",
                target_id=row.id,
                patient_id=planned.patient_id,
                detail={
                    "procedure_id": procedure_id,
                    "fields": ["recorded_at", "pain", "note", "activity_done"],
                    "interpretation_id": interpretation.id,
                },
            )
    except IntegrityError:
        return _after_race(db, actor, procedure_id, entry)
    return row


@dataclass(frozen=True)
class _Plan:
    """The checked entry and the core's reading of the diary with it, read without the
    write lock; `entry_ids` says which diary it was read from."""

    record: ProcedureRecord
    patient_id: int
    row: DiaryEntry
    computed: Computed
    entry_ids: tuple[int, ...]


def _plan_entry(
    db: Session,
    actor: Actor,
    procedure_id: int,
    entry: NewEntry,
    knowledge: Knowledge,
    now: datetime,
) -> _Plan | DiaryEntry:
    """Check the entry and read the diary with it (a replayed form: its entry)."""
    with db.begin():
        read_only(db)
        record, _pathway, patient = load_record(db, actor, procedure_id)
        require_own(actor, patient)
        replay = _replay(db, record, actor, entry.idempotency_key)
        if replay is not None:
            return replay
        row = _new_row(db, record, actor, entry, now)
        entries = entries_of(db, record.id)
        computed = interpretation_of(record, _scores_with(entries, row), knowledge)
        return _Plan(record, patient.id, row, computed, tuple(e.id for e in entries))


def _scores_with(entries: Sequence[DiaryEntry], row: DiaryEntry) -> tuple[PainScore, ...]:
    """The diary's scores once `row` is stored: in time order, and the new one's time in
    UTC as the database gives it back (so the reading is the one `sijcare reinterpret`
    would store). No two entries share a time (`_check`)."""
    new = PainScore(row.recorded_at.astimezone(UTC), row.pain, row.note or None, row.activity_done)
    return tuple(sorted([*scores_of(entries), new], key=lambda score: score.recorded_at))


def _store_entry(
    db: Session,
    actor: Actor,
    entry: NewEntry,
    plan: _Plan,
    knowledge: Knowledge,
    now: datetime,
) -> tuple[DiaryEntry, Interpretation | None]:
    """In the write transaction: store the planned entry and its reading, after checking
    that the diary did not change since it was read (else read it again)."""
    record = plan.record
    # Lock the procedure first: a concurrent writer of this diary on PostgreSQL waits
    # here, then sees this transaction's entry. SQLite: BEGIN IMMEDIATE already did.
    db.execute(
        sa.select(ProcedureRecord.id).where(ProcedureRecord.id == record.id).with_for_update()
    )
    replay = _replay(db, record, actor, entry.idempotency_key)
    if replay is not None:
        return replay, None
    row = plan.row
    if _taken(db, record.id, row.recorded_at):
        raise Invalid([FieldError("recorded_at", msg("You already have a score at this time."))])
    computed = plan.computed
    # Diary entries are only ever added, and a procedure's document is written once when
    # it is documented: the same entry ids are the same diary.
    if tuple(db.scalars(_entry_ids(record.id))) != plan.entry_ids:
        # Another score came in between: read the diary again, under the lock.
        computed = interpretation_of(
            record, _scores_with(entries_of(db, record.id), row), knowledge
        )
    db.add(row)
    db.flush()
    return row, store_interpretation(db, record, computed, knowledge, now)


def _entry_ids(record_id: int) -> sa.Select[int]:
    return (
        sa.select(DiaryEntry.id)
        .where(DiaryEntry.procedure_id == record_id)
        .order_by(DiaryEntry.recorded_at, DiaryEntry.id)
    )


def _replay(
    db: Session, record: ProcedureRecord, actor: Actor, key: str | None
) -> DiaryEntry | None:
    if not key:
        return None
    found = db.scalar(sa.select(DiaryEntry).where(DiaryEntry.idempotency_key == key))
    if found is None:
        return None
    if found.procedure_id != record.id or found.created_by != actor.user_id:
        raise Conflict(msg("This form was already used. Reload the page and try again."))
    return found


def _new_row(
    db: Session, record: ProcedureRecord, actor: Actor, entry: NewEntry, now: datetime
) -> DiaryEntry:
    """The checked entry, not yet added to the session."""
    at = entry.recorded_at or now
    _check(db, record, entry, at, now)
    return DiaryEntry(
        procedure_id=record.id,
        recorded_at=at,
        pain=entry.pain,
        note=entry.note.strip(),
        activity_done=None if entry.activity is None else entry.activity.done,
        created_at=now,
        created_by=actor.user_id,
        idempotency_key=entry.idempotency_key or None,
    )


def _check(
    db: Session, record: ProcedureRecord, entry: NewEntry, at: datetime, now: datetime
) -> None:
    errors = []
    if isinstance(entry.pain, bool) or not 0 <= entry.pain <= 10:
        errors.append(FieldError("pain", msg("Choose a number from 0 to 10.")))
    if len(entry.note.strip()) > NOTE_MAX_LENGTH:
        errors.append(
            FieldError("note", msg("Use at most {count} characters.", count=NOTE_MAX_LENGTH))
        )
    if at.utcoffset() is None:
        errors.append(FieldError("recorded_at", msg("Add a time zone offset, like -08:00.")))
    elif at <= record.performed_at:
        errors.append(
            FieldError(
                "recorded_at",
                msg("This time is before your injection. Check the date and the time."),
            )
        )
    elif at > now:
        errors.append(FieldError("recorded_at", msg("This time is in the future.")))
    elif _taken(db, record.id, at):
        errors.append(FieldError("recorded_at", msg("You already have a score at this time.")))
    if errors:
        raise Invalid(errors)


def _taken(db: Session, record_id: int, at: datetime) -> bool:
    query = sa.select(DiaryEntry.id).where(
        DiaryEntry.procedure_id == record_id, DiaryEntry.recorded_at == at
    )
    return db.scalar(query.limit(1)) is not None


def _after_race(db: Session, actor: Actor, procedure_id: int, entry: NewEntry) -> DiaryEntry:
    """A concurrent request won: the same form (return its entry) or the same time."""
    with db.begin():
        record, _pathway, _patient = load_record(db, actor, procedure_id)
        replay = _replay(db, record, actor, entry.idempotency_key)
    if replay is not None:
        return replay
    raise Invalid([FieldError("recorded_at", msg("You already have a score at this time."))])
