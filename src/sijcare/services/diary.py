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
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijcare.db.engine import one_writer, read_only
from sijcare.db.enums import Role
from sijcare.db.models import DiaryEntry, Interpretation, Pathway, Patient, ProcedureRecord
from sijcare.db.models.interpretation import physician_column, result_columns
from sijcare.domain.diary_schedule import DiaryPrompt, diary_schedule
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Procedure
from sijcare.domain.relief import PainScore
from sijcare.formats.procedure import procedure_from_dict
from sijcare.services import access, audit, patients
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
    _require_own_id(actor, patient.id)


def _require_own_id(actor: Actor, patient_id: int) -> None:
    if actor.role is not Role.PATIENT or actor.patient_id != patient_id:
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

    PostgreSQL has no such single lock: there it is one transaction that locks the
    procedure's row as it reads it, so a concurrent writer of the same diary waits for
    this one and nothing needs checking again.

    This is the busiest write of the product (every patient, several times a day), so
    it runs as a few Core statements on the session's connection, with no ORM objects
    loaded: one query for the procedure and its patient, one for the diary's scores.
    """
    try:
        if db.get_bind().dialect.name != "sqlite":
            with db.begin():
                planned = _plan(db, actor, procedure_id, entry, knowledge, now, lock=True)
                if isinstance(planned, DiaryEntry):
                    return planned
                return _store_entry(db, actor, entry, planned, knowledge, now)
        planned = _plan_entry(db, actor, procedure_id, entry, knowledge, now)
        if isinstance(planned, DiaryEntry):
            return planned
        with one_writer(db), db.begin():
            return _store_entry(db, actor, entry, planned, knowledge, now)
    except IntegrityError:
        return _after_race(db, actor, procedure_id, entry)


@dataclass(frozen=True)
class _Target:
    """The procedure a score is for, with what its interpretation row records."""

    id: int
    performed_at: datetime
    data: dict[str, Any]
    patient_id: int
    clinic_id: int
    referred_at: datetime


@dataclass(frozen=True)
class _Plan:
    """The checked entry and the core's reading of the diary with it, read without the
    write lock; `entry_ids` says which diary it was read from."""

    target: _Target
    row: dict[str, Any]
    computed: Computed
    entry_ids: tuple[int, ...]
    # Read under the procedure's row lock, in the write transaction (PostgreSQL).
    locked: bool = False


_TARGET = (
    sa.select(
        ProcedureRecord.id,
        ProcedureRecord.performed_at,
        ProcedureRecord.data,
        Patient.id,
        Patient.clinic_id,
        Pathway.opened_at,
    )
    .join(Pathway, Pathway.id == ProcedureRecord.pathway_id)
    .join(Patient, Patient.id == Pathway.patient_id)
    .where(ProcedureRecord.id == sa.bindparam("procedure_id"))
)
_TARGET_LOCKED = _TARGET.with_for_update(of=ProcedureRecord)
_SCORES = (
    sa.select(
        DiaryEntry.id,
        DiaryEntry.recorded_at,
        DiaryEntry.pain,
        DiaryEntry.note,
        DiaryEntry.activity_done,
    )
    .where(DiaryEntry.procedure_id == sa.bindparam("procedure_id"))
    .order_by(DiaryEntry.recorded_at, DiaryEntry.id)
)


def _target(
    connection: sa.Connection, actor: Actor, procedure_id: int, *, lock: bool = False
) -> _Target:
    """The procedure, if `actor` is its patient (the same refusals as `load_record`, then
    `require_own`)."""
    query = _TARGET_LOCKED if lock else _TARGET
    found = connection.execute(query, {"procedure_id": procedure_id}).first()
    if found is None:
        raise NotFound(msg("There is no such procedure."))
    target = _Target(*found)
    access.require_clinical_access_to(actor, target.patient_id, target.clinic_id)
    _require_own_id(actor, target.patient_id)
    return target


def _scores(connection: sa.Connection, procedure_id: int) -> list[tuple[int, PainScore]]:
    """The diary's scores in time order, each with its entry id."""
    return [
        (entry_id, PainScore(at, pain, note or None, done))
        for entry_id, at, pain, note, done in connection.execute(
            _SCORES, {"procedure_id": procedure_id}
        )
    ]


def _plan_entry(
    db: Session,
    actor: Actor,
    procedure_id: int,
    entry: NewEntry,
    knowledge: Knowledge,
    now: datetime,
) -> _Plan | DiaryEntry:
    """`_plan` in a read-only transaction of its own (SQLite)."""
    with db.begin():
        read_only(db)
        return _plan(db, actor, procedure_id, entry, knowledge, now)


def _plan(
    db: Session,
    actor: Actor,
    procedure_id: int,
    entry: NewEntry,
    knowledge: Knowledge,
    now: datetime,
    *,
    lock: bool = False,
) -> _Plan | DiaryEntry:
    """Check the entry and read the diary with it (a replayed form: its entry); `lock`
    locks the procedure's row as it is read (PostgreSQL)."""
    connection = db.connection()
    target = _target(connection, actor, procedure_id, lock=lock)
    replay = _replay(db, target.id, actor, entry.idempotency_key)
    if replay is not None:
        return replay
    scores = _scores(connection, target.id)
    row = _new_row(target, actor, entry, scores, now)
    computed = _reading(target, scores, row, knowledge)
    return _Plan(target, row, computed, tuple(entry_id for entry_id, _ in scores), locked=lock)


def _reading(
    target: _Target,
    scores: Sequence[tuple[int, PainScore]],
    row: dict[str, Any],
    knowledge: Knowledge,
) -> Computed:
    """The core's reading of the diary once `row` is stored."""
    return reading_of(
        procedure_from_dict(target.data, knowledge), _scores_with(scores, row), knowledge
    )


def _scores_with(scores: Sequence[tuple[int, PainScore]], row: dict[str, Any]) -> list[PainScore]:
    """The diary's scores once `row` is stored: in time order, and the new one's time in
    UTC as the database gives it back (so the reading is the one `sijcare reinterpret`
    would store). No two entries share a time (`_check`)."""
    new = PainScore(
        row["recorded_at"].astimezone(UTC), row["pain"], row["note"] or None, row["activity_done"]
    )
    return sorted([*(score for _, score in scores), new], key=lambda score: score.recorded_at)


def _store_entry(
    db: Session,
    actor: Actor,
    entry: NewEntry,
    plan: _Plan,
    knowledge: Knowledge,
    now: datetime,
) -> DiaryEntry:
    """In the write transaction: store the planned entry, its reading and the audit event;
    a plan read without the lock is first checked against the diary as it is now (and
    read again if it changed)."""
    target, row, computed = plan.target, plan.row, plan.computed
    connection = db.connection()
    if not plan.locked:
        # SQLite's BEGIN IMMEDIATE has taken the write lock: see whether a score came in
        # after the plan was read. Diary entries are only ever added, and a procedure's
        # document is written once when it is documented: the same entry ids are the
        # same diary.
        replay = _replay(db, target.id, actor, entry.idempotency_key)
        if replay is not None:
            return replay  # a concurrent replay of the same form won
        ids = tuple(connection.scalars(_ENTRY_IDS, {"procedure_id": target.id}))
        if ids != plan.entry_ids:
            # Another score came in between: check and read the diary again, under the lock.
            scores = _scores(connection, target.id)
            if _taken(scores, row["recorded_at"]):
                raise Invalid([FieldError("recorded_at", _TAKEN)])
            computed = _reading(target, scores, row, knowledge)
    entry_id = connection.execute(_INSERT_ENTRY, row).scalar_one()
    interpretation_id = _store_reading(connection, target, computed, knowledge, now)
    audit.insert(
        connection,
        actor=actor,
        action="diary.record",
        at=now,
        target_type="diary_entry",
        target_id=entry_id,
        patient_id=target.patient_id,
        detail={
            "procedure_id": target.id,
            "fields": ["recorded_at", "pain", "note", "activity_done"],
            "interpretation_id": interpretation_id,
        },
    )
    return DiaryEntry(id=entry_id, **row)


def _store_reading(
    connection: sa.Connection,
    target: _Target,
    computed: Computed,
    knowledge: Knowledge,
    now: datetime,
) -> int:
    """`store_interpretation` as one Core insert: the query columns from the result and
    from the target read before (the ORM's insert hook would read them again)."""
    values = {
        "procedure_id": target.id,
        "kind": computed.kind,
        "result": computed.result,
        "classification": computed.classification,
        "knowledge_version": knowledge.version,
        "computed_at": now,
        **result_columns(computed.result),
        "clinic_id": target.clinic_id,
        "patient_id": target.patient_id,
        "referred_at": target.referred_at,
        "physician": physician_column(target.data.get("physician")),
    }
    return int(connection.execute(_INSERT_READING, values).scalar_one())


_INSERT_READING = sa.insert(Interpretation).returning(Interpretation.id)
_ENTRY_IDS = _SCORES.with_only_columns(DiaryEntry.id)
_INSERT_ENTRY = sa.insert(DiaryEntry).returning(DiaryEntry.id)


def _replay(db: Session, record_id: int, actor: Actor, key: str | None) -> DiaryEntry | None:
    if not key:
        return None
    found = db.scalar(sa.select(DiaryEntry).where(DiaryEntry.idempotency_key == key))
    if found is None:
        return None
    if found.procedure_id != record_id or found.created_by != actor.user_id:
        raise Conflict(msg("This form was already used. Reload the page and try again."))
    return found


def _new_row(
    target: _Target,
    actor: Actor,
    entry: NewEntry,
    scores: Sequence[tuple[int, PainScore]],
    now: datetime,
) -> dict[str, Any]:
    """The checked entry's column values."""
    at = entry.recorded_at or now
    _check(target, entry, at, scores, now)
    return {
        "procedure_id": target.id,
        "recorded_at": at,
        "pain": entry.pain,
        "note": entry.note.strip(),
        "activity_done": None if entry.activity is None else entry.activity.done,
        "created_at": now,
        "created_by": actor.user_id,
        "idempotency_key": entry.idempotency_key or None,
    }


_TAKEN = msg("You already have a score at this time.")


def _taken(scores: Sequence[tuple[int, PainScore]], at: datetime) -> bool:
    return any(score.recorded_at == at for _, score in scores)


def _check(
    target: _Target,
    entry: NewEntry,
    at: datetime,
    scores: Sequence[tuple[int, PainScore]],
    now: datetime,
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
    elif at <= target.performed_at:
        errors.append(
            FieldError(
                "recorded_at",
                msg("This time is before your injection. Check the date and the time."),
            )
        )
    elif at > now:
        errors.append(FieldError("recorded_at", msg("This time is in the future.")))
    elif _taken(scores, at):
        errors.append(FieldError("recorded_at", _TAKEN))
    if errors:
        raise Invalid(errors)


def _after_race(db: Session, actor: Actor, procedure_id: int, entry: NewEntry) -> DiaryEntry:
    """A concurrent request won: the same form (return its entry) or the same time."""
    with db.begin():
        record, _pathway, _patient = load_record(db, actor, procedure_id)
        replay = _replay(db, record.id, actor, entry.idempotency_key)
    if replay is not None:
        return replay
    raise Invalid([FieldError("recorded_at", _TAKEN)])
