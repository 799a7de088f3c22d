"""The pain diary after the injection: entries, due and missed times, and its interpretation.

A documented procedure (`ProcedureRecord`) has a diary. The patient records pain scores
(0-10), each with an optional note and whether they could do the activity that usually
hurts. After every change the diary is read again by the core (diagnostic or therapeutic)
and a new `Interpretation` row is stored in the same transaction (`reinterpret`, in
`sijcare.services.diary_reading`, re-exported here with the other reading helpers).
Scores are recorded by `record_entry` and `record_entries` (several patients' scores in
one transaction), in `sijcare.services.diary_scores`, re-exported here.

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

from sqlalchemy.orm import Session

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
from sijcare.services.diary_scores import record_entries as record_entries
from sijcare.services.diary_scores import record_entry as record_entry
from sijcare.services.errors import NotFound, msg
from sijcare.services.pain_scores import NOTE_MAX_LENGTH as NOTE_MAX_LENGTH
from sijcare.services.pain_scores import Activity as Activity
from sijcare.services.pain_scores import NewEntry as NewEntry
from sijcare.services.pain_scores import ScoreRequest as ScoreRequest
from sijcare.services.pain_scores import require_own_id


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
    require_own_id(actor, patient.id)


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
