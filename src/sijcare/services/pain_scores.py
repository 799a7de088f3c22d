"""A new pain score as the patient sends it, and the checks it must pass to be stored.

`NewEntry` is what the patient records, `ScoreRequest` who records it, for which
procedure and when. `new_row` checks an entry against the procedure it is for
(`ScoreTarget`) and the diary's scores so far (`Scores`), and gives its column values.

They are apart from the batched write (`sijcare.services.diary_scores`) because they
say what a score is, not how it is stored: a correction
(`sijcare.services.diary_corrections`) uses the same entry and note limit. The write
calls them in its per-score loop, imported by name (no extra call layer on its hot path).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sijcare.db.enums import Role
from sijcare.domain.relief import PainScore
from sijcare.services.actor import Actor
from sijcare.services.errors import FieldError, Forbidden, Invalid, msg

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


@dataclass(frozen=True)
class NewEntry:
    """What the patient records. `recorded_at` None means now."""

    pain: int
    activity: Activity | None = None
    note: str = ""
    recorded_at: datetime | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ScoreRequest:
    """One score to record: who records it, for which procedure, and when the request
    came (the entry's time if it gives none)."""

    actor: Actor
    procedure_id: int
    entry: NewEntry
    now: datetime


def require_own_id(actor: Actor, patient_id: int) -> None:
    """Only the patient themself records their own answers, scores and symptoms."""
    if actor.role is not Role.PATIENT or actor.patient_id != patient_id:
        raise Forbidden(msg("Only the patient can add to their own records."))


@dataclass(frozen=True)
class ScoreTarget:
    """The procedure a score is for, with what its interpretation row records."""

    id: int
    performed_at: datetime
    data: dict[str, Any]
    patient_id: int
    clinic_id: int
    referred_at: datetime


Scores = list[tuple[int, PainScore]]


def new_row(
    target: ScoreTarget, actor: Actor, entry: NewEntry, scores: Scores, now: datetime
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


SCORE_TAKEN = msg("You already have a score at this time.")


def _check(
    target: ScoreTarget, entry: NewEntry, at: datetime, scores: Scores, now: datetime
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
    elif any(score.recorded_at == at for _, score in scores):
        errors.append(FieldError("recorded_at", SCORE_TAKEN))
    if errors:
        raise Invalid(errors)
