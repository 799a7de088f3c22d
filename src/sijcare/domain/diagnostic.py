"""Reading the pain diary of a diagnostic SI joint block (anesthetic only).

Source: Medicare LCD "Sacroiliac Joint Injections and Procedures" (>= 75 % relief on the
same scale before and after; knowledge rule `diagnostic.positive_threshold_percent`, a
clinic may choose 50, 80 or 100). The anesthetic's window comes from the `anesthetics`
table (commonly cited durations).

Decisions:
- A score counts when 0 < time since the injection <= the window: a score exactly at
  the window's end is inside, one at the injection moment is not.
- positive: peak >= threshold; indeterminate: floor <= peak < threshold (empty when the
  threshold is not above the floor); negative: peak < floor; insufficient_data: no
  score in the window.
- The peak's time is its first occurrence.
- The duration of relief at or above the threshold starts at the first qualifying score
  in the window and runs through later entries (also after the window) until one falls
  below; it is measured from the injection (`ReliefSpan.since_injection`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.procedure import Kind, Procedure, Side
from sijcare.domain.relief import (
    DiaryWarning,
    PainScore,
    ReliefPoint,
    ReliefSpan,
    check_baseline,
    later_by,
    percent_text,
    relief_points,
    relief_span,
)

RULE_VERSION = "diagnostic-block/1"

RULES = (
    "diagnostic.positive_threshold_percent",
    "diagnostic.indeterminate_floor_percent",
    "diagnostic.min_scores_in_window",
    "relief.low_baseline_warning_below",
)


class Classification(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    INDETERMINATE = "indeterminate"
    INSUFFICIENT_DATA = "insufficient_data"


@dataclass(frozen=True)
class DiagnosticResult:
    """What a diagnostic block's diary shows. Percentages are % relief from baseline."""

    classification: Classification
    peak_relief_percent: float | None
    peak_at: datetime | None
    peak_elapsed: timedelta | None
    threshold_percent: float
    indeterminate_floor_percent: float
    performed_at: datetime
    side: Side
    anesthetic: str
    anesthetic_action: str
    window: timedelta
    window_end: datetime
    expected_relief_hours: tuple[float, float]
    baseline_pain: int
    relief_duration: ReliefSpan | None
    scores_used: tuple[ReliefPoint, ...]
    scores_after_window: tuple[ReliefPoint, ...]
    warnings: tuple[DiaryWarning, ...]
    rationale: str
    rule_version: str
    provenance: Provenance


def classify_peak(
    peak_percent: float | None, *, threshold_percent: float, floor_percent: float
) -> Classification:
    """The class of a block whose peak relief in the window is `peak_percent` (None: no score)."""
    if peak_percent is None:
        return Classification.INSUFFICIENT_DATA
    if peak_percent >= threshold_percent:
        return Classification.POSITIVE
    if peak_percent >= floor_percent:
        return Classification.INDETERMINATE
    return Classification.NEGATIVE


def interpret_diagnostic(
    procedure: Procedure, scores: Sequence[PainScore], knowledge: Knowledge
) -> DiagnosticResult:
    """Classify a diagnostic block from its diary (see the module docstring for the rules).

    Raises `InputError` for a therapeutic procedure, an anesthetic not in the knowledge
    base, a baseline of 0, or an entry before the injection.
    """
    if procedure.kind is not Kind.DIAGNOSTIC:
        raise InputError("kind", "this is a therapeutic injection: read it as therapeutic")
    row = knowledge.row("anesthetics", procedure.anesthetic.agent, where="anesthetic.agent")
    window = timedelta(hours=float(row["window_hours"]))
    warnings = check_baseline(procedure.baseline_pain, knowledge)
    points = relief_points(scores, procedure.baseline_pain, procedure.performed_at)
    inside = tuple(p for p in points if timedelta(0) < p.elapsed <= window)
    after = tuple(p for p in points if p.elapsed > window)
    threshold = knowledge.number("diagnostic.positive_threshold_percent")
    floor = knowledge.number("diagnostic.indeterminate_floor_percent")
    peak = max(inside, key=lambda p: p.relief_percent, default=None)
    classification = classify_peak(
        None if peak is None else peak.relief_percent,
        threshold_percent=threshold,
        floor_percent=floor,
    )
    duration = (
        relief_span((*inside, *after), threshold, procedure.performed_at)
        if classification is Classification.POSITIVE
        else None
    )
    return DiagnosticResult(
        classification=classification,
        peak_relief_percent=None if peak is None else peak.relief_percent,
        peak_at=None if peak is None else peak.recorded_at,
        peak_elapsed=None if peak is None else peak.elapsed,
        threshold_percent=threshold,
        indeterminate_floor_percent=floor,
        performed_at=procedure.performed_at,
        side=procedure.side,
        anesthetic=str(row["id"]),
        anesthetic_action=str(row["action"]),
        window=window,
        window_end=later_by(procedure.performed_at, window),
        expected_relief_hours=_pair(row["typical_relief_hours"]),
        baseline_pain=procedure.baseline_pain,
        relief_duration=duration,
        scores_used=inside,
        scores_after_window=after,
        warnings=warnings + _window_warnings(points, inside, window, knowledge),
        rationale=_rationale(classification, peak, threshold, floor, str(row["id"]), window),
        rule_version=RULE_VERSION,
        provenance=knowledge.provenance(
            RULES,
            {
                "performed_at": procedure.performed_at.isoformat(),
                "side": procedure.side.value,
                "anesthetic": row["id"],
                "window_hours": row["window_hours"],
                "baseline_pain": procedure.baseline_pain,
                "scores": len(points),
            },
        ),
    )


def _window_warnings(
    points: Sequence[ReliefPoint],
    inside: Sequence[ReliefPoint],
    window: timedelta,
    knowledge: Knowledge,
) -> tuple[DiaryWarning, ...]:
    hours = f"{window / timedelta(hours=1):g} h"
    needed = knowledge.integer("diagnostic.min_scores_in_window")
    out = []
    if not inside:
        out.append(
            DiaryWarning(
                "no_scores_in_window",
                f"No score in the {hours} after the injection: the block cannot be read.",
            )
        )
    elif len(inside) < needed:
        out.append(
            DiaryWarning(
                "few_scores_in_window",
                f"Only {len(inside)} score(s) in the {hours} after the injection "
                f"(at least {needed} expected): the peak may have been missed.",
            )
        )
    at_injection = sum(1 for p in points if p.elapsed == timedelta(0))
    if at_injection:
        out.append(
            DiaryWarning(
                "scores_at_injection_time",
                f"{at_injection} score(s) recorded at the injection moment were not used.",
            )
        )
    return tuple(out)


def _rationale(
    classification: Classification,
    peak: ReliefPoint | None,
    threshold: float,
    floor: float,
    agent: str,
    window: timedelta,
) -> str:
    within = f"within the {agent} window ({window / timedelta(hours=1):g} h)"
    if peak is None:
        return f"No score {within}; classification needs at least one."
    seen = f"Peak relief {percent_text(peak.relief_percent)} (pain {peak.pain}) {within}"
    if classification is Classification.POSITIVE:
        return f"{seen}, at or above the {threshold:g}% threshold."
    if classification is Classification.INDETERMINATE:
        return f"{seen}: at least {floor:g}% but below the {threshold:g}% threshold."
    return f"{seen}, below {min(floor, threshold):g}%."


def _pair(value: object) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InputError("anesthetics.typical_relief_hours", "must be [from, to] hours")
    return (float(value[0]), float(value[1]))
