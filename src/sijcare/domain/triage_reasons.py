"""What the triage rules find: a `Reason`, with its `Disposition`.

Shared by `domain.triage` (which runs the rules and lets the most urgent reason decide)
and the rule modules (`triage_red_flags`, `triage_legs`, `triage_pain`,
`triage_steroid`). A reason's patient sentence is in `domain.triage_words`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sijcare.domain.triage_words import reason_words
from sijcare.domain.words import PAGES_ONLY, Words


class Disposition(StrEnum):
    EMERGENCY = "emergency"
    CALL_NOW = "call_now"
    CALL_SOON = "call_soon"
    EXPECTED = "expected"


@dataclass(frozen=True)
class Reason:
    """One finding: a patient sentence (English, and as `words` for a page in the reader's
    language), the clinician's rationale and its source."""

    disposition: Disposition
    code: str
    message: str
    rationale: str
    source: str
    words: Words = field(compare=False, repr=False, metadata=PAGES_ONLY)

    @classmethod
    def of(
        cls, disposition: Disposition, code: str, rationale: str, source: str, **values: Any
    ) -> Reason:
        """The reason `code`, its sentence from `triage_words.REASONS` filled in with
        `values`."""
        said = reason_words(code, **values)
        return cls(disposition, code, str(said), rationale, source, said)
