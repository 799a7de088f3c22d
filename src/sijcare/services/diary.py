"""The pain diary after the injection: entries, due and missed times, and its interpretation.

A documented procedure (`ProcedureRecord`) has a diary. The patient records pain scores
(0-10), each with an optional note and whether they could do the activity that usually
hurts. After every change the diary is read again by the core (diagnostic or therapeutic)
and a new `Interpretation` row is stored in the same transaction (`reinterpret`).

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
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sijcare.db.enums import Role
from sijcare.db.models import DiaryEntry, Interpretation, Pathway, Patient, ProcedureRecord
from sijcare.domain.diagnostic import DiagnosticResult, interpret_diagnostic
from sijcare.domain.diary_schedule import DiaryPrompt, diary_schedule
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, Procedure
from sijcare.domain.relief import PainScore
from sijcare.domain.therapeutic import TherapeuticResult, interpret_therapeutic
from sijcare.formats.jsonout import to_jsonable
from sijcare.formats.procedure import procedure_from_dict
from sijcare.services import audit, patients
from sijcare.services.actor import Actor
from sijcare.services.errors import Conflict, FieldError, Forbidden, Invalid, NotFound, msg

NOTE_MAX_LENGTH = 1000
NOT_ASSESSABLE = "not_assessable"

Reading = DiagnosticResult | TherapeuticResult


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


def procedure_of(record: ProcedureRecord, knowledge: Knowledge) -> Procedure:
    """The core's `Procedure` of a stored PROCEDURE.json document."""
    return procedure_from_dict(record.data, knowledge)


def scores_of(entries: Sequence[DiaryEntry]) -> tuple[PainScore, ...]:
    return tuple(PainScore(e.recorded_at, e.pain, e.note or None, e.activity_done) for e in entries)


def read(procedure: Procedure, scores: Sequence[PainScore], knowledge: Knowledge) -> Reading:
    """The core's reading of the diary: diagnostic or therapeutic by the procedure's kind."""
    if procedure.kind is Kind.DIAGNOSTIC:
        return interpret_diagnostic(procedure, scores, knowledge)
    return interpret_therapeutic(procedure, scores, knowledge)


def entries_of(db: Session, record_id: int) -> tuple[DiaryEntry, ...]:
    return tuple(
        db.scalars(
            sa.select(DiaryEntry)
            .where(DiaryEntry.procedure_id == record_id)
            .order_by(DiaryEntry.recorded_at, DiaryEntry.id)
        )
    )


def latest_interpretation(db: Session, record_id: int) -> Interpretation | None:
    return db.scalar(
        sa.select(Interpretation)
        .where(Interpretation.procedure_id == record_id)
        .order_by(Interpretation.computed_at.desc(), Interpretation.id.desc())
        .limit(1)
    )


# -- the interpretation -----------------------------------------------------------------


def reinterpret(
    db: Session, procedure_record: ProcedureRecord, knowledge: Knowledge, now: datetime
) -> Interpretation:
    """Read the procedure's diary again and store the result as a new `Interpretation`.

    Call inside the caller's open transaction (after a diary change, a sign-off, or in a
    bulk job); the caller writes the audit event. `kind` is the procedure's kind;
    `classification` is the diagnostic class, or for a therapeutic injection the latest
    milestone with a known result ("6w:responder", "2w:non_responder",
    "not_yet_assessable"). A diary the core cannot read (a baseline of 0) is stored as
    `not_assessable` with `result = {"error": {"where", "message"}}`.
    """
    procedure = procedure_of(procedure_record, knowledge)
    scores = scores_of(entries_of(db, procedure_record.id))
    try:
        reading = read(procedure, scores, knowledge)
    except InputError as exc:
        result = {"error": {"where": exc.where, "message": exc.message}}
        classification = NOT_ASSESSABLE
    else:
        result, classification = to_jsonable(reading), classify(reading)
    row = Interpretation(
        procedure_id=procedure_record.id,
        kind=procedure.kind.value,
        result=result,
        classification=classification,
        knowledge_version=knowledge.version,
        computed_at=now,
    )
    db.add(row)
    db.flush()
    return row


def classify(reading: Reading) -> str:
    """The short label of a reading stored in `Interpretation.classification`."""
    if isinstance(reading, DiagnosticResult):
        return reading.classification.value
    known = [(name, r) for name, r in reading.responders.items() if r is not None]
    if not known:
        return "not_yet_assessable"
    name, responder = known[-1]
    return f"{name}:{'responder' if responder else 'non_responder'}"


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
    """
    try:
        with db.begin():
            record, _pathway, patient = load_record(db, actor, procedure_id)
            require_own(actor, patient)
            replay = _replay(db, record, actor, entry.idempotency_key)
            if replay is not None:
                return replay
            row = _add(db, record, actor, entry, knowledge, now)
            interpretation = reinterpret(db, record, knowledge, now)
            audit.record(
                db,
                actor=actor,
                action="diary.record",
                at=now,
                target_type="diary_entry",
                target_id=row.id,
                patient_id=patient.id,
                detail={
                    "procedure_id": record.id,
                    "fields": ["recorded_at", "pain", "note", "activity_done"],
                    "interpretation_id": interpretation.id,
                },
            )
    except IntegrityError:
        return _after_race(db, actor, procedure_id, entry)
    return row


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


def _add(
    db: Session,
    record: ProcedureRecord,
    actor: Actor,
    entry: NewEntry,
    knowledge: Knowledge,
    now: datetime,
) -> DiaryEntry:
    at = entry.recorded_at or now
    _check(db, record, entry, at, now)
    row = DiaryEntry(
        procedure_id=record.id,
        recorded_at=at,
        pain=entry.pain,
        note=entry.note.strip(),
        activity_done=None if entry.activity is None else entry.activity.done,
        created_at=now,
        created_by=actor.user_id,
        idempotency_key=entry.idempotency_key or None,
    )
    db.add(row)
    db.flush()
    return row


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
