"""The core's reading of a procedure's pain diary, and the stored `Interpretation`.

`read` has the core read a diary (diagnostic or therapeutic, by the procedure's kind);
`reinterpret` reads the stored diary again and stores the result. `interpretation_of`
and `store_interpretation` are its two halves, so that `diary.record_entry` can compute
the reading before it takes the write lock. `sijcare.services.diary` re-exports these.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.models import DiaryEntry, Interpretation, ProcedureRecord
from sijcare.domain.diagnostic import DiagnosticResult, interpret_diagnostic
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, Procedure
from sijcare.domain.relief import PainScore
from sijcare.domain.therapeutic import TherapeuticResult, interpret_therapeutic
from sijcare.formats.jsonout import to_jsonable
from sijcare.formats.procedure import procedure_from_dict

NOT_ASSESSABLE = "not_assessable"

Reading = DiagnosticResult | TherapeuticResult


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
    reading = interpretation_of(
        procedure_record, scores_of(entries_of(db, procedure_record.id)), knowledge
    )
    return store_interpretation(db, procedure_record, reading, knowledge, now)


@dataclass(frozen=True)
class Computed:
    """What `reinterpret` stores: the core's reading of a diary, as JSON and a label."""

    kind: str
    result: dict[str, Any]
    classification: str


def interpretation_of(
    procedure_record: ProcedureRecord, scores: Sequence[PainScore], knowledge: Knowledge
) -> Computed:
    """The core's reading of `scores` (no database access)."""
    return reading_of(procedure_of(procedure_record, knowledge), scores, knowledge)


def reading_of(procedure: Procedure, scores: Sequence[PainScore], knowledge: Knowledge) -> Computed:
    """The core's reading of a procedure's `scores` as stored: JSON and a label; a diary
    the core cannot read is `not_assessable` with the error."""
    try:
        reading = read(procedure, scores, knowledge)
    except InputError as exc:
        return Computed(
            procedure.kind.value,
            {"error": {"where": exc.where, "message": exc.message}},
            NOT_ASSESSABLE,
        )
    return Computed(procedure.kind.value, to_jsonable(reading), classify(reading))


def store_interpretation(
    db: Session,
    procedure_record: ProcedureRecord,
    computed: Computed,
    knowledge: Knowledge,
    now: datetime,
) -> Interpretation:
    row = Interpretation(
        procedure_id=procedure_record.id,
        kind=computed.kind,
        result=computed.result,
        classification=computed.classification,
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
