"""The screening intake: what the patient told the clinic before the injection.

It holds the planned injection (without its time: the booking gives that), the health
questions (infection, fever, recent illness, immune system, pregnancy, diabetes, kidney
function), the medicines, allergies and past reactions, whether a driver is arranged,
and the clinicians' decisions about holding medicines. Unanswerable combinations are
refused here; everything that needs the knowledge base is checked by `check_intake`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sijcare.domain.errors import InputError
from sijcare.domain.procedure import Guidance, Kind, PlannedProcedure, Sedation, Side

# Unit conversion, not a clinical threshold.
_F_PER_C = 9 / 5
_F_AT_0_C = 32.0


class TemperatureUnit(StrEnum):
    CELSIUS = "C"
    FAHRENHEIT = "F"


class AllergyKind(StrEnum):
    CONTRAST = "contrast"
    ANESTHETIC = "anesthetic"
    STEROID = "steroid"
    MEDICINE = "medicine"
    FOOD = "food"
    OTHER = "other"


class ReactionTo(StrEnum):
    """What a past reaction was to."""

    CONTRAST = "contrast"
    ANESTHETIC = "anesthetic"
    STEROID = "steroid"
    INJECTION = "injection"  # an earlier injection procedure (fainting, a flare, ...)
    OTHER = "other"


class HoldDecision(StrEnum):
    HOLD = "hold"
    CONTINUE = "continue"


def celsius_to_fahrenheit(celsius: float) -> float:
    return celsius * _F_PER_C + _F_AT_0_C


@dataclass(frozen=True)
class Temperature:
    value: float
    unit: TemperatureUnit

    def celsius(self) -> float:
        """The temperature in °C, rounded to 0.01 so 100.4 °F is exactly 38.0 °C."""
        if self.unit is TemperatureUnit.CELSIUS:
            return self.value
        return round((self.value - _F_AT_0_C) / _F_PER_C, 2)


@dataclass(frozen=True)
class FeverReport:
    """The highest temperature the patient measured recently, and the day they did."""

    max_temperature: Temperature
    on: date


@dataclass(frozen=True)
class RecentIllness:
    """An illness before the procedure; `last_symptoms_on` None means still unwell."""

    description: str
    last_symptoms_on: date | None = None


@dataclass(frozen=True)
class Diabetes:
    has: bool
    uses_insulin: bool | None = None

    def __post_init__(self) -> None:
        if not self.has and self.uses_insulin:
            raise InputError("uses_insulin", "is true but diabetes.has is false")


@dataclass(frozen=True)
class MedicineEntry:
    """A medicine as the patient wrote it: the name may carry the dose ("Eliquis 5 mg")."""

    name: str
    dose: str | None = None
    frequency: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputError("name", "is required")

    def words(self) -> str:
        """Everything the patient wrote about it, for finding a regimen ("weekly")."""
        return " ".join(t for t in (self.name, self.dose, self.frequency) if t)


@dataclass(frozen=True)
class Allergy:
    substance: str
    kind: AllergyKind
    reaction: str | None = None

    def __post_init__(self) -> None:
        if not self.substance.strip():
            raise InputError("substance", "is required")


@dataclass(frozen=True)
class PastReaction:
    to: ReactionTo
    description: str

    def __post_init__(self) -> None:
        if not self.description.strip():
            raise InputError("description", "say what happened")


@dataclass(frozen=True)
class ClinicianDecision:
    """A clinician's decision to hold or continue one listed medicine.

    `medicine` names a listed medicine (as written, or its generic name). A hold becomes
    dates for the patient only once `confirmed_with_prescriber` is true. `regimen` picks
    the row of a medicine with several (enoxaparin "prophylactic" or "treatment").
    """

    medicine: str
    decision: HoldDecision
    confirmed_with_prescriber: bool
    by: str
    at: datetime
    regimen: str | None = None

    def __post_init__(self) -> None:
        if not self.medicine.strip():
            raise InputError("medicine", "is required")
        if not self.by.strip():
            raise InputError("by", "name the clinician who decided")
        if self.at.utcoffset() is None:
            raise InputError("at", "needs a UTC offset, like 2026-03-02T09:00:00-08:00")


@dataclass(frozen=True)
class ProcedurePlan:
    """The planned injection without its time (`PlannedProcedure` has the time)."""

    kind: Kind
    side: Side
    anesthetic_agent: str
    steroid_agent: str | None = None
    guidance: Guidance = Guidance.FLUOROSCOPY
    contrast_planned: bool = True
    sedation: Sedation = Sedation.NONE

    def __post_init__(self) -> None:
        if not self.anesthetic_agent.strip():
            raise InputError("anesthetic_agent", "is required")
        if self.kind is Kind.DIAGNOSTIC and self.steroid_agent is not None:
            raise InputError("steroid_agent", "a diagnostic block has no steroid")
        if self.kind is Kind.THERAPEUTIC and not self.steroid_agent:
            raise InputError("steroid_agent", "a therapeutic injection needs a steroid")

    def scheduled(self, at: datetime) -> PlannedProcedure:
        """This plan booked at `at` (timezone-aware)."""
        return PlannedProcedure(
            scheduled_at=at,
            kind=self.kind,
            side=self.side,
            anesthetic_agent=self.anesthetic_agent,
            steroid_agent=self.steroid_agent,
            guidance=self.guidance,
            contrast_planned=self.contrast_planned,
            sedation=self.sedation,
        )


@dataclass(frozen=True)
class Intake:
    """The answers screening works from. `kidney_function_impaired` None means unknown."""

    procedure: ProcedurePlan
    current_infection: bool
    immunocompromised: bool
    possibly_pregnant: bool
    diabetes: Diabetes
    driver_arranged: bool
    medicines: tuple[MedicineEntry, ...] = ()
    allergies: tuple[Allergy, ...] = ()
    past_reactions: tuple[PastReaction, ...] = ()
    fever_recent: FeverReport | None = None
    recent_illness: RecentIllness | None = None
    kidney_function_impaired: bool | None = None
    clinician_decisions: tuple[ClinicianDecision, ...] = ()


def with_decision(intake: Intake, decision: ClinicianDecision) -> Intake:
    """`intake` with `decision` added; the latest decision about a medicine counts."""
    return dataclasses.replace(intake, clinician_decisions=(*intake.clinician_decisions, decision))
