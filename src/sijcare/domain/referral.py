"""Entry criteria worth checking at referral, before any SI joint block is booked.

Medicare LCD "Sacroiliac Joint Injections and Procedures" (summaries, secondary): pain
below L5 for at least 3 months, at least 3 of the 5 Laslett provocation tests positive
(Laslett 2005), at least 4 weeks of failed conservative care, and image guidance with
contrast (fluoroscopy or CT; ultrasound without contrast only with a contrast allergy or
a pregnancy). Every number is read from the knowledge rules `referral.*`; the tests from
the table `provocation_tests`. A fact the referral does not give is "unknown", never
assumed.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.procedure import Guidance


class Status(StrEnum):
    MET = "met"
    UNMET = "unmet"
    UNKNOWN = "unknown"  # the record does not say yet


@dataclass(frozen=True)
class Criterion:
    """One coverage or entry criterion: its `code`, status, a plain reason and its source id."""

    code: str
    status: Status
    reason: str
    source: str


def overall_status(criteria: Iterable[Criterion]) -> Status:
    """Unmet if any is unmet, else unknown if any is unknown, else met (also for none)."""
    statuses = {c.status for c in criteria}
    if Status.UNMET in statuses:
        return Status.UNMET
    return Status.UNKNOWN if Status.UNKNOWN in statuses else Status.MET


def add_months(day: date, months: int) -> date:
    """`day` moved by whole calendar months (negative: back), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_duration(day: date, amount: int, unit: str) -> date:
    """`day` plus `amount` calendar months or weeks (`unit` "months" | "weeks")."""
    if unit == "months":
        return add_months(day, amount)
    if unit == "weeks":
        return day + timedelta(weeks=amount)
    raise ValueError(f"unknown duration unit {unit!r}")


REFERRAL_RULES = (
    "referral.min_pain_months",
    "referral.min_positive_provocation_tests",
    "referral.min_conservative_care_weeks",
    "referral.guidance_with_contrast",
    "referral.ultrasound_allowed_for",
)


@dataclass(frozen=True)
class ReferralInput:
    """What the referral says. `None` means the referral does not say.

    `provocation_tests` maps a test (an id or name of the table `provocation_tests`) to
    True (reproduced the familiar pain), False (did not) or None (not done).
    `conservative_care_weeks` counts whole weeks of failed conservative care.
    """

    assessed_on: date
    pain_below_l5: bool | None = None
    pain_started_on: date | None = None
    provocation_tests: Mapping[str, bool | None] = field(
        default_factory=lambda: MappingProxyType({})
    )
    conservative_care_weeks: int | None = None
    guidance: Guidance | None = None
    contrast_planned: bool | None = None
    contrast_allergy: bool = False
    pregnant: bool = False

    def __post_init__(self) -> None:
        if self.pain_started_on is not None and self.pain_started_on > self.assessed_on:
            raise InputError("pain_started_on", "is after the day of the assessment")
        weeks = self.conservative_care_weeks
        if weeks is not None and (isinstance(weeks, bool) or not isinstance(weeks, int)):
            raise InputError("conservative_care_weeks", "must be a whole number of weeks")
        if weeks is not None and weeks < 0:
            raise InputError("conservative_care_weeks", "cannot be negative")


@dataclass(frozen=True)
class ReferralAssessment:
    """Each entry criterion met, unmet or unknown; `status` is met only when all are met."""

    status: Status
    criteria: tuple[Criterion, ...]
    positive_provocation_tests: int
    provenance: Provenance


def assess_referral(referral: ReferralInput, knowledge: Knowledge) -> ReferralAssessment:
    """Check the Medicare LCD entry criteria on `referral`.

    Pain duration is counted in calendar months from `pain_started_on`; exactly the
    minimum (same day of the month) meets it. Tests not done count neither way, so the
    provocation criterion is unknown while the untested ones could still reach the
    minimum.
    """
    tests = _provocation_results(referral.provocation_tests, knowledge)
    criteria = (
        _pain_location(referral),
        _pain_duration(referral, knowledge),
        _provocation(tests, knowledge),
        _conservative_care(referral, knowledge),
        _guidance(referral, knowledge),
    )
    inputs: dict[str, Any] = {
        "assessed_on": referral.assessed_on.isoformat(),
        "pain_below_l5": referral.pain_below_l5,
        "pain_started_on": None
        if referral.pain_started_on is None
        else referral.pain_started_on.isoformat(),
        "provocation_tests": dict(tests),
        "conservative_care_weeks": referral.conservative_care_weeks,
        "guidance": None if referral.guidance is None else referral.guidance.value,
        "contrast_planned": referral.contrast_planned,
        "contrast_allergy": referral.contrast_allergy,
        "pregnant": referral.pregnant,
    }
    return ReferralAssessment(
        status=overall_status(criteria),
        criteria=criteria,
        positive_provocation_tests=sum(1 for v in tests.values() if v),
        provenance=knowledge.provenance(REFERRAL_RULES, inputs),
    )


def _provocation_results(
    given: Mapping[str, bool | None], knowledge: Knowledge
) -> dict[str, bool | None]:
    """Every test of the cluster by id: the given result, or None when not done."""
    results: dict[str, bool | None] = {
        str(r["id"]): None for r in knowledge.table("provocation_tests")
    }
    named: dict[str, str] = {}
    for name, value in given.items():
        where = f"provocation_tests.{name}"
        test = str(knowledge.row("provocation_tests", name, where=where)["id"])
        if test in named:
            raise InputError(where, f"is the same test as {named[test]!r}")
        if value is not None and not isinstance(value, bool):
            raise InputError(where, "must be true, false or null (not done)")
        named[test] = name
        results[test] = value
    return results


def _pain_location(referral: ReferralInput) -> Criterion:
    source = "medicare-lcd-sij"
    if referral.pain_below_l5 is None:
        return Criterion("pain_below_l5", Status.UNKNOWN, "Pain location not given.", source)
    if referral.pain_below_l5:
        return Criterion(
            "pain_below_l5", Status.MET, "Pain is below L5, over the SI joint.", source
        )
    return Criterion(
        "pain_below_l5",
        Status.UNMET,
        "Pain is not below L5: the LCD does not cover SI joint injections for pain above L5.",
        source,
    )


def _pain_duration(referral: ReferralInput, knowledge: Knowledge) -> Criterion:
    months = knowledge.integer("referral.min_pain_months")
    source = knowledge.rule("referral.min_pain_months").source
    started = referral.pain_started_on
    if started is None:
        return Criterion("pain_duration", Status.UNKNOWN, "Pain start date not given.", source)
    reached = add_months(started, months)
    if reached <= referral.assessed_on:
        reason = f"Pain since {started.isoformat()}: at least {months} months."
        return Criterion("pain_duration", Status.MET, reason, source)
    reason = (
        f"Pain since {started.isoformat()}: less than {months} months; "
        f"the minimum is reached on {reached.isoformat()}."
    )
    return Criterion("pain_duration", Status.UNMET, reason, source)


def _provocation(tests: Mapping[str, bool | None], knowledge: Knowledge) -> Criterion:
    needed = knowledge.integer("referral.min_positive_provocation_tests")
    source = knowledge.rule("referral.min_positive_provocation_tests").source
    positive = sum(1 for v in tests.values() if v is True)
    untested = sum(1 for v in tests.values() if v is None)
    counted = f"{positive} of {len(tests)} provocation tests positive (at least {needed} needed)"
    if positive >= needed:
        return Criterion("provocation_tests", Status.MET, f"{counted}.", source)
    if positive + untested < needed:
        return Criterion("provocation_tests", Status.UNMET, f"{counted}.", source)
    reason = f"{counted}; {untested} not done, so the cluster is not complete."
    return Criterion("provocation_tests", Status.UNKNOWN, reason, source)


def _conservative_care(referral: ReferralInput, knowledge: Knowledge) -> Criterion:
    needed = knowledge.integer("referral.min_conservative_care_weeks")
    source = knowledge.rule("referral.min_conservative_care_weeks").source
    weeks = referral.conservative_care_weeks
    if weeks is None:
        reason = "Weeks of failed conservative care not given."
        return Criterion("conservative_care", Status.UNKNOWN, reason, source)
    status = Status.MET if weeks >= needed else Status.UNMET
    reason = f"{weeks} weeks of failed conservative care (at least {needed} needed)."
    return Criterion("conservative_care", status, reason, source)


def _guidance(referral: ReferralInput, knowledge: Knowledge) -> Criterion:
    with_contrast = _texts(knowledge, "referral.guidance_with_contrast")
    ultrasound_for = _texts(knowledge, "referral.ultrasound_allowed_for")
    source = knowledge.rule("referral.guidance_with_contrast").source
    guidance = referral.guidance
    if guidance is None:
        return Criterion("image_guidance", Status.UNKNOWN, "Planned guidance not given.", source)
    if guidance.value in with_contrast:
        return _guidance_contrast(referral, guidance, source)
    reasons = {
        "contrast_allergy": referral.contrast_allergy,
        "pregnancy": referral.pregnant,
    }
    allowed = [name for name in ultrasound_for if reasons.get(name)]
    if guidance is Guidance.ULTRASOUND and allowed:
        reason = f"Ultrasound without contrast, accepted because of: {', '.join(allowed)}."
        return Criterion("image_guidance", Status.MET, reason, source)
    reason = (
        f"{guidance.value} guidance is accepted only with {' or '.join(ultrasound_for)}; "
        f"otherwise use {' or '.join(with_contrast)} with contrast."
    )
    return Criterion("image_guidance", Status.UNMET, reason, source)


def _guidance_contrast(referral: ReferralInput, guidance: Guidance, source: str) -> Criterion:
    name = guidance.value
    if referral.contrast_planned is None:
        reason = f"{name} guidance; whether contrast is planned is not given."
        return Criterion("image_guidance", Status.UNKNOWN, reason, source)
    if referral.contrast_planned:
        return Criterion("image_guidance", Status.MET, f"{name} guidance with contrast.", source)
    reason = (
        f"{name} guidance without contrast is not accepted: "
        "use contrast, or ultrasound when there is a contrast allergy or a pregnancy."
    )
    return Criterion("image_guidance", Status.UNMET, reason, source)


def _texts(knowledge: Knowledge, key: str) -> tuple[str, ...]:
    value = knowledge.rule(key).value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"rule {key!r} is not a list of text")
    return tuple(value)
