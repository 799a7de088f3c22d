"""What screening returns: findings with dated actions, and the case they are about.

A finding's severity sets the readiness: stop -> postpone, review -> needs_review,
action -> ready_with_actions, info -> ready; the worst finding wins. `actions` are
instructions for the patient, each at an absolute time. `options` are for clinicians
only: choices they may make (a blood-thinner hold, a premedication regimen), with the
dates each would give; the patient is shown none of them until a clinician decides.

A finding's patient message and an action's text are English; each keeps its sentence
as `words` too (`domain.screening_words`), for a page in the reader's language (ADR
0007). The JSON of a result keeps its shape without them (`formats.jsonout`). The
clinicians' rationale and options are English only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sijcare.domain.errors import InputError
from sijcare.domain.intake import Intake, MedicineEntry
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.medicines import Medicine, MedicineIndex
from sijcare.domain.screening_rules import timeline
from sijcare.domain.words import PAGES_ONLY, Words


class Severity(StrEnum):
    INFO = "info"
    ACTION = "action"
    REVIEW = "review"
    STOP = "stop"


class Readiness(StrEnum):
    READY = "ready"
    READY_WITH_ACTIONS = "ready_with_actions"
    NEEDS_REVIEW = "needs_review"
    POSTPONE = "postpone"


RANK = {Severity.INFO: 0, Severity.ACTION: 1, Severity.REVIEW: 2, Severity.STOP: 3}
READINESS = {
    Severity.INFO: Readiness.READY,
    Severity.ACTION: Readiness.READY_WITH_ACTIONS,
    Severity.REVIEW: Readiness.NEEDS_REVIEW,
    Severity.STOP: Readiness.POSTPONE,
}


@dataclass(frozen=True)
class Action:
    """Something to do at (or by) an absolute time, in plain language: `what` in English
    and as `words` (None for a clinicians' option step, or an action read back from a
    result stored without its words)."""

    at: datetime
    what: str
    code: str
    about: str
    words: Words | None = field(default=None, compare=False, repr=False, metadata=PAGES_ONLY)

    def __post_init__(self) -> None:
        if self.at.utcoffset() is None:
            raise ValueError(f"action {self.code} needs a timezone-aware time")

    @classmethod
    def of(cls, at: datetime, said: Words, code: str, about: str) -> Action:
        return cls(at, str(said), code, about, said)

    @property
    def said(self) -> Words | str:
        """The sentence for a page: its words, else its English."""
        return self.what if self.words is None else self.words


@dataclass(frozen=True)
class Option:
    """A choice for the clinician, with the dated steps it would give (clinicians only)."""

    code: str
    summary: str
    steps: tuple[Action, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One screening observation about a medicine, allergy or condition (`about`).

    `source` is the id of the citation behind it; `rule_keys` are the rules it read.
    `words` is `patient_message` as `Words`, for a page in the reader's language; build
    a finding with `Finding.of(words, ...)` so that the two always agree.
    """

    code: str
    about: str
    severity: Severity
    patient_message: str
    clinician_rationale: str
    source: str
    rule_keys: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    options: tuple[Option, ...] = ()
    words: Words | None = field(default=None, compare=False, repr=False, metadata=PAGES_ONLY)

    @classmethod
    def of(
        cls,
        said: Words,
        *,
        code: str,
        about: str,
        severity: Severity,
        clinician_rationale: str,
        source: str,
        rule_keys: tuple[str, ...] = (),
        actions: tuple[Action, ...] = (),
        options: tuple[Option, ...] = (),
    ) -> Finding:
        """The finding that says `said`: its English is `str(said)`, so the two agree."""
        return cls(
            code=code,
            about=about,
            severity=severity,
            patient_message=str(said),
            clinician_rationale=clinician_rationale,
            source=source,
            rule_keys=rule_keys,
            actions=actions,
            options=options,
            words=said,
        )

    @property
    def said(self) -> Words | str:
        """The patient's sentence for a page: its words, else its English."""
        return self.patient_message if self.words is None else self.words


def readiness(findings: list[Finding]) -> Readiness:
    """The worst finding's readiness; ready when there is no finding."""
    worst = max((f.severity for f in findings), key=RANK.__getitem__, default=Severity.INFO)
    return READINESS[worst]


@dataclass(frozen=True)
class Listed:
    """One entry of the patient's medicine list with the known medicines it names."""

    position: int
    entry: MedicineEntry
    medicines: tuple[Medicine, ...]
    unrecognised: tuple[str, ...]  # words that may name a medicine the knowledge lacks

    @property
    def where(self) -> str:
        return f"medicines[{self.position}]"


@dataclass(frozen=True)
class Case:
    """The intake in context: the procedure time in the clinic's zone and the knowledge."""

    intake: Intake
    at: datetime
    zone: ZoneInfo
    knowledge: Knowledge
    index: MedicineIndex
    listed: tuple[Listed, ...]

    @property
    def day(self) -> date:
        """The procedure's local calendar day."""
        return self.at.date()

    @property
    def arrival(self) -> datetime:
        """Arrival: `instructions.arrive_minutes_before` before the procedure time."""
        lead = self.knowledge.number("instructions.arrive_minutes_before")
        return self.before(timedelta(minutes=lead))

    def before(self, delta: timedelta) -> datetime:
        """`delta` of elapsed time before the procedure, on the clinic's clock."""
        return timeline.shifted(self.at, -delta, self.zone)

    def after(self, delta: timedelta) -> datetime:
        return timeline.shifted(self.at, delta, self.zone)

    def days_before(self, day: date, where: str) -> int:
        """Whole calendar days from `day` to the procedure day; a later day is an error."""
        days = (self.day - day).days
        if days < 0:
            raise InputError(where, f"{day.isoformat()} is after the procedure day")
        return days
