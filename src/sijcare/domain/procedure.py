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
        _raise_first(anesthetic_problems(self.agent, self.concentration_percent, self.volume_ml))


@dataclass(frozen=True)
class Steroid:
    agent: str
    dose_mg: float

    def __post_init__(self) -> None:
        _raise_first(steroid_problems(self.agent, self.dose_mg))


@dataclass(frozen=True)
class Contrast:
    """Contrast dye to confirm the needle is in the joint, or why none was used."""

    used: bool
    agent: str | None = None
    reason_not_used: str | None = None

    def __post_init__(self) -> None:
        _raise_first(contrast_problems(self.used, self.reason_not_used))


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
        _raise_first(
            procedure_problems(
                performed_at=self.performed_at,
                kind=self.kind,
                has_steroid=self.steroid is not None,
                baseline_pain=self.baseline_pain,
                observation_end=self.observation_end,
                discharged_at=self.discharged_at,
                driver_present=self.driver_present,
            )
        )

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
    anesthetic, steroid = procedure.anesthetic, procedure.steroid
    _raise_first(
        agent_problems(
            knowledge,
            anesthetic_agent=anesthetic.agent,
            concentration_percent=anesthetic.concentration_percent,
            volume_ml=anesthetic.volume_ml,
            steroid_agent=None if steroid is None else steroid.agent,
            dose_mg=None if steroid is None else steroid.dose_mg,
        )
    )


# -- every problem at once ------------------------------------------------------------------
# The checks behind the classes above, as lists: the classes raise the first problem, and a
# form that documents an injection shows them all in one go. A value given as None was not
# read (or not given) and is not checked; the baseline score, which None could be, uses
# NOT_READ.

NOT_READ = object()


def anesthetic_problems(
    agent: str | None, concentration_percent: float | None, volume_ml: float | None
) -> list[InputError]:
    found = []
    if agent is not None and not agent.strip():
        found.append(InputError("anesthetic.agent", "is required"))
    if concentration_percent is not None and concentration_percent <= 0:
        found.append(InputError("anesthetic.concentration_percent", "must be above 0"))
    if volume_ml is not None and volume_ml <= 0:
        found.append(InputError("anesthetic.volume_ml", "must be above 0 mL"))
    return found


def steroid_problems(agent: str | None, dose_mg: float | None) -> list[InputError]:
    found = []
    if agent is not None and not agent.strip():
        found.append(InputError("steroid.agent", "is required"))
    if dose_mg is not None and dose_mg <= 0:
        found.append(InputError("steroid.dose_mg", "must be above 0 mg"))
    return found


def contrast_problems(used: bool | None, reason_not_used: str | None) -> list[InputError]:
    if used is False and not (reason_not_used or "").strip():
        return [InputError("contrast.reason_not_used", "say why no contrast was used")]
    return []


def procedure_problems(
    *,
    performed_at: datetime | None,
    kind: Kind | None,
    has_steroid: bool | None,
    baseline_pain: object,
    observation_end: datetime | None,
    discharged_at: datetime | None,
    driver_present: bool | None,
) -> list[InputError]:
    """The checks of the injection as a whole: the baseline score, the steroid against the
    kind, and the times of observation and discharge against the injection and each other."""
    found = []
    if performed_at is not None and performed_at.utcoffset() is None:
        found.append(
            InputError("performed_at", "needs a UTC offset, like 2026-03-02T09:00:00-08:00")
        )
        performed_at = None
    if baseline_pain is not NOT_READ:
        if isinstance(baseline_pain, bool) or not isinstance(baseline_pain, int):
            found.append(InputError("baseline_pain", "must be a whole number from 0 to 10"))
        elif not 0 <= baseline_pain <= 10:
            found.append(InputError("baseline_pain", "must be from 0 to 10"))
    if kind is Kind.DIAGNOSTIC and has_steroid is True:
        found.append(
            InputError("steroid", "a diagnostic block has no steroid (use kind therapeutic)")
        )
    if kind is Kind.THERAPEUTIC and has_steroid is False:
        found.append(InputError("steroid", "a therapeutic injection needs a steroid"))
    after: dict[str, datetime] = {}  # the times that can be compared, as UTC instants
    for name, at in (("observation_end", observation_end), ("discharged_at", discharged_at)):
        if at is None:
            continue
        if at.utcoffset() is None:
            found.append(InputError(name, "needs a UTC offset"))
        elif performed_at is not None and at.astimezone(UTC) < performed_at.astimezone(UTC):
            found.append(InputError(name, "is before the injection"))
        else:
            after[name] = at.astimezone(UTC)
    if len(after) == 2 and after["discharged_at"] < after["observation_end"]:
        found.append(InputError("discharged_at", "is before the end of observation"))
    if discharged_at is not None and driver_present is False:
        found.append(InputError("driver_present", "discharge needs the driver present"))
    return found


def agent_problems(
    knowledge: Knowledge,
    *,
    anesthetic_agent: str | None,
    concentration_percent: float | None,
    volume_ml: float | None,
    steroid_agent: str | None,
    dose_mg: float | None,
) -> list[InputError]:
    """The agents against the knowledge base, and the amounts against the plausibility
    bounds of the `procedure.*` rules."""
    found: list[InputError] = []
    if anesthetic_agent and anesthetic_agent.strip():
        found += _known(knowledge, "anesthetics", anesthetic_agent, "anesthetic.agent")
    found += _at_most(
        concentration_percent,
        knowledge.number("procedure.anesthetic_concentration_max_percent"),
        "anesthetic.concentration_percent",
        "%",
    )
    found += _at_most(
        volume_ml,
        knowledge.number("procedure.anesthetic_volume_max_ml"),
        "anesthetic.volume_ml",
        " mL",
    )
    if steroid_agent and steroid_agent.strip():
        found += _known(knowledge, "steroids", steroid_agent, "steroid.agent")
    found += _at_most(
        dose_mg, knowledge.number("procedure.steroid_dose_max_mg"), "steroid.dose_mg", " mg"
    )
    return found


def _known(knowledge: Knowledge, table: str, agent: str, where: str) -> list[InputError]:
    try:
        knowledge.row(table, agent, where=where)
    except InputError as exc:
        return [exc]
    return []


def _at_most(value: float | None, bound: float, where: str, unit: str) -> list[InputError]:
    if value is not None and value > bound:
        return [InputError(where, f"{value:g}{unit} is above the plausible {bound:g}{unit}")]
    return []


def _raise_first(problems: list[InputError]) -> None:
    if problems:
        raise problems[0]


def anesthetic_window(procedure: Procedure, knowledge: Knowledge) -> timedelta:
    """How long after the injection the anesthetic's relief is expected (its window)."""
    row = knowledge.row("anesthetics", procedure.anesthetic.agent, where="anesthetic.agent")
    return timedelta(hours=float(row["window_hours"]))
