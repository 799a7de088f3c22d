"""Pain relief arithmetic on the 0-10 numeric rating scale (LOINC 72514-3).

relief % at t = (baseline - score(t)) / baseline x 100. A score above baseline gives
negative relief (worse than before). A baseline of 0 cannot be assessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sijcare.domain.errors import InputError


@dataclass(frozen=True)
class PainScore:
    """One diary entry: a pain score at a time, with what the patient added."""

    recorded_at: datetime
    pain: int
    note: str | None = None
    activity_done: bool | None = None  # could they do the activity that usually hurts?

    def __post_init__(self) -> None:
        if self.recorded_at.utcoffset() is None:
            raise InputError("recorded_at", "needs a UTC offset, like 2026-03-02T10:00:00-08:00")
        if isinstance(self.pain, bool) or not isinstance(self.pain, int):
            raise InputError("pain", "must be a whole number from 0 to 10")
        if not 0 <= self.pain <= 10:
            raise InputError("pain", "must be from 0 to 10")


def relief_percent(baseline: int, score: int) -> float:
    """Percent relief from `baseline`; negative when the score is above baseline."""
    if baseline <= 0:
        raise InputError(
            "baseline_pain", "a baseline of 0 cannot be assessed: there is no pain to relieve"
        )
    return (baseline - score) / baseline * 100.0
