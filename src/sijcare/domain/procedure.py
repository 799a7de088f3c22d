"""The SI joint injection as performed or planned.

Diagnostic = numbing medicine (local anesthetic) only; therapeutic = anesthetic plus a
steroid. The agents must be in the knowledge base (tables `anesthetics`, `steroids`),
checked by `check_agents`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge


class Kind(StrEnum):
    DIAGNOSTIC = "diagnostic"
    THERAPEUTIC = "therapeutic"


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"


class Guidance(StrEnum):
    FLUOROSCOPY = "fluoroscopy"
    CT = "ct"
    ULTRASOUND = "ultrasound"


class Sedation(StrEnum):
    NONE = "none"
    MINIMAL = "minimal"  # oral anxiolytic; patient stays fully responsive
    MODERATE = "moderate"  # IV "conscious" sedation: fasting rules apply


@dataclass(frozen=True)
class Anesthetic:
    agent: str
    concentration_percent: float
    volume_ml: float

    def __post_init__(self) -> None:
        if not self.agent.strip():
            raise InputError("anesthetic.agent", "is required")
        if self.concentration_percent <= 0:
            raise InputError("anesthetic.concentration_percent", "must be above 0")
        if self.volume_ml <= 0:
            raise InputError("anesthetic.volume_ml", "must be above 0 mL")


@dataclass(frozen=True)
class Steroid:
    agent: str
    dose_mg: float

    def __post_init__(self) -> None:
        if not self.agent.strip():
            raise InputError("steroid.agent", "is required")
        if self.dose_mg <= 0:
            raise InputError("steroid.dose_mg", "must be above 0 mg")


@dataclass(frozen=True)
class Contrast:
    """Contrast dye to confirm the needle is in the joint, or why none was used."""

    used: bool
    agent: str | None = None
    reason_not_used: str | None = None

    def __post_init__(self) -> None:
        if not self.used and not (self.reason_not_used or "").strip():
            raise InputError("contrast.reason_not_used", "say why no contrast was used")


@dataclass(frozen=True)
class Procedure:
    """One injection. `performed_at` is timezone-aware (the injection time)."""

    performed_at: datetime
    kind: Kind
    side: Side
    anesthetic: Anesthetic
    steroid: Steroid | None
    baseline_pain: int
    guidance: Guidance = Guidance.FLUOROSCOPY
    contrast: Contrast | None = None
    sedation: Sedation = Sedation.NONE
    physician: str | None = None
    observation_end: datetime | None = None
    discharged_at: datetime | None = None
    driver_present: bool | None = None

    def __post_init__(self) -> None:
        if self.performed_at.utcoffset() is None:
            raise InputError("performed_at", "needs a UTC offset, like 2026-03-02T09:00:00-08:00")
        if isinstance(self.baseline_pain, bool) or not isinstance(self.baseline_pain, int):
            raise InputError("baseline_pain", "must be a whole number from 0 to 10")
        if not 0 <= self.baseline_pain <= 10:
            raise InputError("baseline_pain", "must be from 0 to 10")
        if self.kind is Kind.DIAGNOSTIC and self.steroid is not None:
            raise InputError("steroid", "a diagnostic block has no steroid (use kind therapeutic)")
        if self.kind is Kind.THERAPEUTIC and self.steroid is None:
            raise InputError("steroid", "a therapeutic injection needs a steroid")
        for name in ("observation_end", "discharged_at"):
            at = getattr(self, name)
            if at is not None and at.utcoffset() is None:
                raise InputError(name, "needs a UTC offset")
            if at is not None and self.elapsed(at) < timedelta(0):
                raise InputError(name, "is before the injection")
        if (
            self.observation_end is not None
            and self.discharged_at is not None
            and self.elapsed(self.discharged_at) < self.elapsed(self.observation_end)
        ):
            raise InputError("discharged_at", "is before the end of observation")
        if self.discharged_at is not None and self.driver_present is False:
            raise InputError("driver_present", "discharge needs the driver present")

    def elapsed(self, at: datetime) -> timedelta:
        """Time from the injection to `at`.

        Taken between UTC instants: two times in the same ZoneInfo zone would otherwise
        subtract as wall-clock times and be an hour off across a daylight-saving change.
        """
        return at.astimezone(UTC) - self.performed_at.astimezone(UTC)


@dataclass(frozen=True)
class PlannedProcedure:
    """An injection that is booked but not yet done: what screening and consent are about.

    `scheduled_at` is timezone-aware. `contrast_planned` is true unless the plan is
    ultrasound or no-contrast guidance (for example after a contrast allergy).
    """

    scheduled_at: datetime
    kind: Kind
    side: Side
    anesthetic_agent: str
    steroid_agent: str | None = None
    guidance: Guidance = Guidance.FLUOROSCOPY
    contrast_planned: bool = True
    sedation: Sedation = Sedation.NONE
    physician: str | None = None
    location: str | None = None

    def __post_init__(self) -> None:
        if self.scheduled_at.utcoffset() is None:
            raise InputError("scheduled_at", "needs a UTC offset")
        if self.kind is Kind.DIAGNOSTIC and self.steroid_agent is not None:
            raise InputError("steroid_agent", "a diagnostic block has no steroid")
        if self.kind is Kind.THERAPEUTIC and not self.steroid_agent:
            raise InputError("steroid_agent", "a therapeutic injection needs a steroid")


def check_agents(procedure: Procedure, knowledge: Knowledge) -> None:
    """Raise `InputError` when an agent is not in the knowledge base, or an amount is
    beyond the plausibility bounds of the `procedure.*` rules (a typing slip, like 80 mL
    for 8 mL, must not be documented silently)."""
    knowledge.row("anesthetics", procedure.anesthetic.agent, where="anesthetic.agent")
    _check_at_most(
        procedure.anesthetic.concentration_percent,
        knowledge.number("procedure.anesthetic_concentration_max_percent"),
        "anesthetic.concentration_percent",
        "%",
    )
    _check_at_most(
        procedure.anesthetic.volume_ml,
        knowledge.number("procedure.anesthetic_volume_max_ml"),
        "anesthetic.volume_ml",
        " mL",
    )
    if procedure.steroid is not None:
        knowledge.row("steroids", procedure.steroid.agent, where="steroid.agent")
        _check_at_most(
            procedure.steroid.dose_mg,
            knowledge.number("procedure.steroid_dose_max_mg"),
            "steroid.dose_mg",
            " mg",
        )


def _check_at_most(value: float, bound: float, where: str, unit: str) -> None:
    if value > bound:
        raise InputError(where, f"{value:g}{unit} is above the plausible {bound:g}{unit}")


def anesthetic_window(procedure: Procedure, knowledge: Knowledge) -> timedelta:
    """How long after the injection the anesthetic's relief is expected (its window)."""
    row = knowledge.row("anesthetics", procedure.anesthetic.agent, where="anesthetic.agent")
    return timedelta(hours=float(row["window_hours"]))
