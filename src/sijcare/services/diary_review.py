"""Diary review: a clinician reads a procedure's diary as the core interprets it, and signs off.

The reading is the core's (diagnostic or therapeutic, `sijcare.services.diary.read`), and
the stored `Interpretation` rows are what a clinician signs: every new diary entry
stores a new one (`diary.reinterpret`), so a reading signed before new entries came in
is never taken for the current one and needs a new sign-off. When the newest stored
reading is not current (none yet, or computed with another knowledge version), opening
the review stores a fresh one first.

When the patient has another diagnostic block of the same joint, the two are read
together with the core's `compare_blocks` (comparative blocks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.enums import Kind
from sijcare.db.models import DiaryEntry, Interpretation, Pathway, Patient, ProcedureRecord, User
from sijcare.domain.comparative import ComparativeResult, compare_blocks
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Procedure
from sijcare.domain.relief import PainScore, relief_percent
from sijcare.services import access, audit, diary, diary_corrections
from sijcare.services.actor import Actor
from sijcare.services.errors import Conflict, msg


@dataclass(frozen=True)
class EntryRow:
    """One diary entry with its relief from baseline (None when the baseline is 0)."""

    id: int
    recorded_at: datetime
    pain: int
    relief_percent: float | None
    note: str
    activity_done: bool | None
    # The pain first saved, when the patient corrected it (`diary_corrections`).
    first_saved_pain: int | None = None


def entry_rows(
    db: Session, patient_id: int, entries: Sequence[DiaryEntry], baseline: int
) -> tuple[EntryRow, ...]:
    """The entries as a clinician reads them, each corrected one with its first value."""
    first = diary_corrections.first_saved(db, patient_id, entries)
    return tuple(
        EntryRow(
            id=entry.id,
            recorded_at=entry.recorded_at,
            pain=entry.pain,
            relief_percent=relief_percent(baseline, entry.pain) if baseline > 0 else None,
            note=entry.note,
            activity_done=entry.activity_done,
            first_saved_pain=first.get(entry.id),
        )
        for entry in entries
    )


@dataclass(frozen=True)
class SignOff:
    interpretation_id: int
    computed_at: datetime
    classification: str
    knowledge_version: str
    signed_off_at: datetime | None
    signed_off_by: str


@dataclass(frozen=True)
class Comparison:
    """This block read with the patient's other block of the same joint."""

    other_procedure_id: int
    result: ComparativeResult | None
    problem: str  # the core's reason the two cannot be read as a pair


@dataclass(frozen=True)
class DiaryReview:
    procedure_id: int
    pathway_id: int
    patient_public_id: str
    patient_name: str
    procedure: Procedure
    entries: tuple[EntryRow, ...]
    scores: tuple[PainScore, ...]
    reading: diary.Reading | None
    reading_problem: str  # the core's reason the diary cannot be read
    current: SignOff | None  # the newest stored reading (what a sign-off signs)
    earlier: tuple[SignOff, ...]  # older stored readings, newest first
    comparison: Comparison | None

    @property
    def signable(self) -> bool:
        # The empty diary's reading (stored when the injection is documented) has nothing
        # to sign.
        return bool(self.entries) and self.current is not None

    @property
    def needs_sign_off(self) -> bool:
        return self.signable and self.current is not None and self.current.signed_off_at is None


def get_review(
    db: Session, *, actor: Actor, procedure_id: int, knowledge: Knowledge, now: datetime
) -> DiaryReview:
    """The diary, its reading, the sign-offs and a comparison (a clinician)."""
    with db.begin():
        record, pathway, patient = _load(db, actor, procedure_id)
        procedure = diary.procedure_of(record, knowledge)
        entries = diary.entries_of(db, record.id)
        scores = diary.scores_of(entries)
        latest = diary.latest_interpretation(db, record.id)
        if entries and not _is_current(latest, entries, knowledge):
            latest = diary.reinterpret(db, record, knowledge, now)
        try:
            reading: diary.Reading | None = diary.read(procedure, scores, knowledge)
            problem = ""
        except InputError as exc:
            reading, problem = None, str(exc)
        stored = _sign_offs(db, record.id)
        audit.record(
            db,
            actor=actor,
            action="diary.review_view",
            at=now,
            target_type="procedure_record",
            target_id=record.id,
            patient_id=patient.id,
            detail={"interpretation_id": None if latest is None else latest.id},
        )
        return DiaryReview(
            procedure_id=record.id,
            pathway_id=pathway.id,
            patient_public_id=patient.public_id,
            patient_name=patient.name,
            procedure=procedure,
            entries=entry_rows(db, patient.id, entries, procedure.baseline_pain),
            scores=scores,
            reading=reading,
            reading_problem=problem,
            current=stored[0] if stored else None,
            earlier=stored[1:],
            comparison=_comparison(db, record, patient, procedure, scores, knowledge),
        )


def sign_off(
    db: Session,
    *,
    actor: Actor,
    procedure_id: int,
    interpretation_id: int,
    knowledge: Knowledge,
    now: datetime,
) -> SignOff:
    """Sign off the newest stored reading, if it is still the current one.

    Refused (`Conflict`) when a newer reading exists or entries came in after it, so a
    clinician signs what they saw. Signing a reading twice changes nothing.
    """
    with db.begin():
        record, _pathway, patient = _load(db, actor, procedure_id)
        latest = diary.latest_interpretation(db, record.id)
        if latest is None or latest.id != interpretation_id:
            raise Conflict(msg("The reading changed since you opened it. Look at it again."))
        entries = diary.entries_of(db, record.id)
        if not _is_current(latest, entries, knowledge):
            raise Conflict(msg("The reading changed since you opened it. Look at it again."))
        if not entries:
            raise Conflict(_NOTHING_TO_SIGN)
        if latest.signed_off_at is None:
            latest.signed_off_at = now
            latest.signed_off_by = actor.user_id
            audit.record(
                db,
                actor=actor,
                action="interpretation.sign_off",
                at=now,
                target_type="interpretation",
                target_id=latest.id,
                patient_id=patient.id,
                detail={"procedure_id": record.id},
            )
        return _sign_offs(db, record.id)[0]


_NOTHING_TO_SIGN = msg("There is nothing to sign yet: the patient has not recorded any scores.")


def _load(db: Session, actor: Actor, procedure_id: int) -> tuple[ProcedureRecord, Pathway, Patient]:
    record, pathway, patient = diary.load_record(db, actor, procedure_id)
    access.require_clinician(actor, patient)
    return record, pathway, patient


def _is_current(
    latest: Interpretation | None, entries: tuple[DiaryEntry, ...], knowledge: Knowledge
) -> bool:
    """Whether the stored reading covers every entry, with the knowledge in use."""
    if latest is None or latest.knowledge_version != knowledge.version:
        return False
    return all(entry.created_at <= latest.computed_at for entry in entries)


def _sign_offs(db: Session, procedure_id: int) -> tuple[SignOff, ...]:
    rows = db.scalars(
        sa.select(Interpretation)
        .where(Interpretation.procedure_id == procedure_id)
        .order_by(Interpretation.computed_at.desc(), Interpretation.id.desc())
    ).all()
    ids = {row.signed_off_by for row in rows if row.signed_off_by is not None}
    names = dict(db.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids))).all())
    return tuple(
        SignOff(
            interpretation_id=row.id,
            computed_at=row.computed_at,
            classification=row.classification,
            knowledge_version=row.knowledge_version,
            signed_off_at=row.signed_off_at,
            signed_off_by=names.get(row.signed_off_by or 0, ""),
        )
        for row in rows
    )


def _comparison(
    db: Session,
    record: ProcedureRecord,
    patient: Patient,
    procedure: Procedure,
    scores: tuple[PainScore, ...],
    knowledge: Knowledge,
) -> Comparison | None:
    """The core's comparative reading with the patient's latest other block of this joint."""
    if procedure.kind is not Kind.DIAGNOSTIC:
        return None
    other = db.scalar(
        sa.select(ProcedureRecord)
        .join(Pathway, Pathway.id == ProcedureRecord.pathway_id)
        .where(
            Pathway.patient_id == patient.id,
            ProcedureRecord.id != record.id,
            ProcedureRecord.kind == Kind.DIAGNOSTIC,
            ProcedureRecord.side == procedure.side,
        )
        .order_by(ProcedureRecord.performed_at.desc(), ProcedureRecord.id.desc())
        .limit(1)
    )
    if other is None:
        return None
    mine = (procedure, scores)
    theirs = (diary.procedure_of(other, knowledge), diary.scores_of(diary.entries_of(db, other.id)))
    first, second = (theirs, mine) if other.performed_at < record.performed_at else (mine, theirs)
    try:
        return Comparison(other.id, compare_blocks(first, second, knowledge), "")
    except InputError as exc:
        return Comparison(other.id, None, str(exc))
