"""Sustained relief after a therapeutic injection: did it stay at a level for long enough?

Sustained relief (`assess_sustained_relief`) is read from the diary after the anesthetic
window and the flare time; its unbroken run must start by the end of the steroid's
onset period and its last entry fall on or after the needed day (included). A diary
that ends while the relief still holds gives "unknown", never a guess.

Payers ask for it before a repeat injection (`domain.eligibility`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sijcare.domain.contact import clinic_zone
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Procedure, anesthetic_window
from sijcare.domain.referral import Status, add_duration
from sijcare.domain.relief import PainScore, ReliefSpan, relief_points, relief_span


@dataclass(frozen=True)
class SustainedRelief:
    """Whether a therapeutic injection's relief stayed at `level_percent` through `needed_through`.

    `span` is the run of diary entries the decision rests on (None: no entry reached the
    level after the flare time).
    """

    status: Status
    level_percent: float
    needed_through: date
    span: ReliefSpan | None
    reason: str


def assess_sustained_relief(
    procedure: Procedure,
    diary: tuple[PainScore, ...],
    knowledge: Knowledge,
    *,
    level_percent: float,
    lasting: int,
    unit: str,
) -> SustainedRelief:
    """Whether relief >= `level_percent` lasted `lasting` `unit` (months | weeks) after `procedure`.

    Entries count from after both the anesthetic window (that relief is the numbing
    medicine's) and the flare time (`therapeutic.flare_until_hours`, included: a flare may
    interrupt the relief before the steroid works). The first unbroken run at or above the
    level among them must start by day `therapeutic.onset_last_day` and its last entry
    must fall on or after the day `lasting` `unit` after the injection day (local days).
    met: so. unknown: the diary ends with the relief still holding, or no run yet while
    the onset period is not over. unmet: otherwise; one entry below the level ends the
    run, and a diary that passes the needed day without an entry at the level there
    does not show it.
    """
    zone = clinic_zone(knowledge)
    day0 = procedure.performed_at.astimezone(zone).date()
    needed = add_duration(day0, lasting, unit)
    onset_by = day0 + timedelta(days=knowledge.integer("therapeutic.onset_last_day"))
    after = max(
        anesthetic_window(procedure, knowledge),
        timedelta(hours=knowledge.number("therapeutic.flare_until_hours")),
    )
    points = relief_points(diary, procedure.baseline_pain, procedure.performed_at)
    counted = tuple(p for p in points if p.elapsed > after)
    span = relief_span(counted, level_percent, procedure.performed_at)
    last_day = counted[-1].recorded_at.astimezone(zone).date() if counted else None

    def result(status: Status, reason: str) -> SustainedRelief:
        return SustainedRelief(status, level_percent, needed, span, reason)

    level = f"{level_percent:g}%"
    if span is None or span.first_at.astimezone(zone).date() > onset_by:
        if span is None and (last_day is None or last_day < onset_by):
            return result(
                Status.UNKNOWN,
                f"Relief has not reached {level} yet; the diary is still in the onset period (through {onset_by.isoformat()}).",
            )
        return result(
            Status.UNMET,
            f"Relief did not reach {level} by {onset_by.isoformat()} (the end of the onset period).",
        )
    held_to = span.last_at.astimezone(zone).date()
    if held_to >= needed:
        return result(
            Status.MET,
            f"Relief stayed at {level} or more through {held_to.isoformat()} (needed through {needed.isoformat()}).",
        )
    if span.ended_before is None:
        return result(
            Status.UNKNOWN,
            f"Relief at {level} or more so far, through {held_to.isoformat()}; it must last through {needed.isoformat()}.",
        )
    fell = span.ended_before.astimezone(zone).date()
    if fell < needed:
        return result(
            Status.UNMET,
            f"Relief fell below {level} on {fell.isoformat()}, before {needed.isoformat()}.",
        )
    return result(
        Status.UNMET,
        f"The diary does not show relief of {level} through {needed.isoformat()}: last at that level on {held_to.isoformat()}, below it on {fell.isoformat()}.",
    )
