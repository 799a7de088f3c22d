"""A patient corrects the pain score they saved last (a slip of the finger: 8 for 2).

One 30-minute score can decide whether a diagnostic block reads positive or negative, so
a wrong tap must be fixable, and the record must still show what was changed. The rules:
- only the patient, and only the entry they saved last in this diary;
- only within `diary.correction_window_minutes` of saving it (after that, they tell the
  clinic, who can see the diary as it was read);
- the values only (pain, activity, note), never the time: the time decides which diary
  time the score answers.
The diary is read again in the same transaction, and the audit event keeps the pain
before and after (the trail of what was changed, and by whom).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from sijcare.db.models import AuditEvent, DiaryEntry
from sijcare.domain.knowledge import Knowledge
from sijcare.services import audit, diary_reading
from sijcare.services.actor import Actor
from sijcare.services.diary import load_record, require_own
from sijcare.services.errors import Conflict, FieldError, Invalid, msg, plural_msg
from sijcare.services.pain_scores import NOTE_MAX_LENGTH, NewEntry

WINDOW_RULE = "diary.correction_window_minutes"


@dataclass(frozen=True)
class Corrected:
    """The entry after a correction, and whether anything in it changed (a correction
    that changes nothing is neither stored nor audited)."""

    entry: DiaryEntry
    changed: bool


@dataclass(frozen=True)
class Correctable:
    """The entry the patient may still correct, and until when."""

    entry: DiaryEntry
    until: datetime


def correctable(
    entries: Sequence[DiaryEntry], actor: Actor, knowledge: Knowledge, now: datetime
) -> Correctable | None:
    """The entry `actor` saved last among `entries` (a diary's), while it may be corrected."""
    if not entries:
        return None
    newest = max(entries, key=lambda e: (e.created_at, e.id))
    until = newest.created_at + timedelta(minutes=knowledge.number(WINDOW_RULE))
    if newest.created_by != actor.user_id or now > until:
        return None
    return Correctable(newest, until)


_TOO_LATE = plural_msg(
    "This score can no longer be changed: only the score you saved last can be, and only "
    "for {minutes} minute. If a score is wrong, tell the clinic.",
    "This score can no longer be changed: only the score you saved last can be, and only "
    "for {minutes} minutes. If a score is wrong, tell the clinic.",
    "minutes",
)


def correct_entry(
    db: Session,
    *,
    actor: Actor,
    procedure_id: int,
    entry_id: int,
    correction: NewEntry,
    knowledge: Knowledge,
    now: datetime,
    form_errors: Sequence[FieldError] = (),
) -> Corrected:
    """Correct the patient's last score (`entry_id`, the one the page showed). Its time
    stays; `correction.recorded_at` must be None. `Conflict` once it may not be changed.
    `form_errors` (fields a form could not read) are reported with the checks' own, after
    the access check; a field the form names is not checked again."""
    named = {e.field for e in form_errors}
    errors = list(form_errors)
    if "pain" not in named and (
        isinstance(correction.pain, bool) or not 0 <= correction.pain <= 10
    ):
        errors.append(FieldError("pain", msg("Choose a number from 0 to 10.")))
    if "note" not in named and len(correction.note.strip()) > NOTE_MAX_LENGTH:
        errors.append(
            FieldError("note", msg("Use at most {count} characters.", count=NOTE_MAX_LENGTH))
        )
    if correction.recorded_at is not None:
        errors.append(FieldError("recorded_at", msg("The time of a score cannot be changed.")))
    with db.begin():
        record, _pathway, patient = load_record(db, actor, procedure_id)
        require_own(actor, patient)
        # Locks the diary's entries (PostgreSQL) so that two corrections, or a correction
        # and a new score, do not interleave; SQLite has one writer anyway.
        entries = tuple(
            db.scalars(
                sa.select(DiaryEntry)
                .where(DiaryEntry.procedure_id == record.id)
                .order_by(DiaryEntry.recorded_at, DiaryEntry.id)
                .with_for_update()
            )
        )
        found = correctable(entries, actor, knowledge, now)
        if found is None or found.entry.id != entry_id:
            minutes = int(knowledge.number(WINDOW_RULE))
            raise Conflict(_TOO_LATE.filled(minutes=minutes))
        if errors:
            raise Invalid(errors)
        entry = found.entry
        before = entry.pain
        after = (
            correction.pain,
            None if correction.activity is None else correction.activity.done,
            correction.note.strip(),
        )
        if after == (entry.pain, entry.activity_done, entry.note):
            # Nothing to store; the access is still on the record.
            audit.record(
                db,
                actor=actor,
                action="diary.correct_unchanged",
                at=now,
                target_type="diary_entry",
                target_id=entry.id,
                patient_id=patient.id,
                detail={"procedure_id": record.id},
            )
            return Corrected(entry, changed=False)
        entry.pain, entry.activity_done, entry.note = after
        db.flush()
        reading = diary_reading.reinterpret(db, record, knowledge, now)
        audit.record(
            db,
            actor=actor,
            action="diary.correct",
            at=now,
            target_type="diary_entry",
            target_id=entry.id,
            patient_id=patient.id,
            detail={
                "procedure_id": record.id,
                "pain_before": before,
                "pain_after": entry.pain,
                "interpretation_id": reading.id,
            },
        )
    return Corrected(entry, changed=True)


def first_saved(db: Session, patient_id: int, entries: Sequence[DiaryEntry]) -> dict[int, int]:
    """The pain each corrected entry had when it was first saved, by entry id (from the
    audit's `diary.correct` events: the earliest one's value before). Entries never
    corrected are left out."""
    ids = {str(e.id) for e in entries}
    if not ids:
        return {}
    found: dict[int, int] = {}
    rows = db.execute(
        sa.select(AuditEvent.target_id, AuditEvent.detail)
        .where(
            AuditEvent.patient_id == patient_id,
            AuditEvent.action == "diary.correct",
            AuditEvent.target_type == "diary_entry",
            AuditEvent.target_id.in_(ids),
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    for target_id, detail in rows:
        found.setdefault(int(target_id), int(detail["pain_before"]))
    return found
