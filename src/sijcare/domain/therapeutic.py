"""Reading the pain diary of a therapeutic SI joint injection (anesthetic + steroid).

Sources: Medicare LCD (responder: >= 50 % relief; repeat needs it for >= 3 months),
Farrar 2001 (clinically meaningful: >= 30 % or >= 2 points), commonly cited steroid
onset (2-7 days) and flare (within hours, up to a few days). Every number is a
knowledge rule (`therapeutic.*`, `relief.sustained_percent`).

Decisions:
- Days are calendar days in the clinic's time zone: day 0 is the injection day, day 1
  the next day. An entry belongs to the day on which it was recorded.
- Milestone (2w, 6w, 3m): the entry whose day is closest to the target day among the
  entries on the first to last day of its range (both included). Ties go to the later
  entry (across days and within a day): it shows whether the relief held. No entry in
  the range: the milestone's relief is None.
- Flare: a score above baseline from flare_from_hours to flare_until_hours after the
  injection, both ends included. No score in that time: `flare_detected` is None.
- Onset: the day of the first entry (on onset_first_day .. onset_last_day) from which
  every entry through onset_last_day has relief >= onset_relief_percent. Each entry
  counts, so a bad evening breaks the run and a good evening can start it. The diary
  must reach onset_last_day (an entry on that day or later), else onset is None.
- Sustained relief (>= relief.sustained_percent): the first unbroken run of entries at
  or above it after both the anesthetic window (relief inside it is the numbing
  medicine's) and the flare time (a flare must not cut the steroid's relief short),
  measured from the injection, also given in weeks.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from operator import attrgetter, le
from types import MappingProxyType

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge, Provenance, per_knowledge
from sijcare.domain.procedure import Kind, Procedure, anesthetic_window
from sijcare.domain.relief import (
    DiaryWarning,
    DurationInWeeks,
    PainScore,
    ReliefPoint,
    ReliefSpan,
    check_baseline,
    local_zone,
    percent_text,
    relief_points,
    relief_span,
)

RULE_VERSION = "therapeutic-injection/1"

MILESTONES = ("2w", "6w", "3m")

RULES = (
    *(f"therapeutic.milestone_{name}_days" for name in MILESTONES),
    "therapeutic.responder_percent",
    "therapeutic.meaningful_percent",
    "therapeutic.meaningful_points",
    "therapeutic.flare_from_hours",
    "therapeutic.flare_until_hours",
    "therapeutic.onset_first_day",
    "therapeutic.onset_last_day",
    "therapeutic.onset_relief_percent",
    "relief.sustained_percent",
    "relief.low_baseline_warning_below",
    "clinic.time_zone",
)


@dataclass(frozen=True)
class DayRange:
    """A milestone's days after the injection: first <= target <= last, all included."""

    first: int
    target: int
    last: int


@dataclass(frozen=True)
class Milestone:
    """Relief at one milestone, from the entry closest to its target day."""

    name: str
    days: DayRange
    score: ReliefPoint | None
    day: int | None
    relief_percent: float | None
    responder: bool | None
    clinically_meaningful: bool | None


@dataclass(frozen=True)
class TherapeuticResult:
    """What a therapeutic injection's diary shows. Percentages are % relief from baseline."""

    milestones: Mapping[str, float | None]
    responders: Mapping[str, bool | None]
    milestone_details: tuple[Milestone, ...]
    flare_detected: bool | None
    flare_scores: tuple[ReliefPoint, ...]
    onset_day: int | None
    sustained_relief: ReliefSpan | None
    sustained_relief_weeks: DurationInWeeks | None
    anesthetic_peak_relief_percent: float | None
    performed_at: datetime
    anesthetic: str
    steroid: str
    baseline_pain: int
    scores_used: tuple[ReliefPoint, ...]
    warnings: tuple[DiaryWarning, ...]
    rationale: str
    rule_version: str
    provenance: Provenance


def milestone_days(knowledge: Knowledge, name: str) -> DayRange:
    """The day range of milestone `name` ("2w", "6w" or "3m") from the knowledge base."""
    key = f"therapeutic.milestone_{name}_days"
    values = knowledge.numbers(key)
    if len(values) != 3 or not values[0] <= values[1] <= values[2] or min(values) < 0:
        raise InputError(key, "must be [first, target, last] days with first <= target <= last")
    first, target, last = (int(v) for v in values)
    return DayRange(first, target, last)


@dataclass(frozen=True)
class _Rules:
    """The knowledge rules a therapeutic reading uses, read and checked once per Knowledge."""

    milestones: tuple[tuple[str, DayRange], ...]
    responder_percent: float
    meaningful_percent: float
    meaningful_points: int
    flare_from: timedelta
    flare_until: timedelta
    sustained_percent: float
    onset_first_day: int
    onset_last_day: int
    onset_relief_percent: float


@per_knowledge
def _rules(knowledge: Knowledge) -> _Rules:
    # Checked in the order a reading has always checked them, so a clinic's bad value
    # (milestone days, flare hours, onset days) is reported as before.
    milestones = tuple((name, milestone_days(knowledge, name)) for name in MILESTONES)
    responder = knowledge.number("therapeutic.responder_percent")
    meaningful = knowledge.number("therapeutic.meaningful_percent")
    meaningful_points = knowledge.integer("therapeutic.meaningful_points")
    flare_from = timedelta(hours=knowledge.number("therapeutic.flare_from_hours"))
    flare_until = timedelta(hours=knowledge.number("therapeutic.flare_until_hours"))
    if flare_until <= flare_from:
        raise InputError("therapeutic.flare_until_hours", "must be after flare_from_hours")
    sustained = knowledge.number("relief.sustained_percent")
    first = knowledge.integer("therapeutic.onset_first_day")
    last = knowledge.integer("therapeutic.onset_last_day")
    if last < first:
        raise InputError("therapeutic.onset_last_day", "must not be before onset_first_day")
    return _Rules(
        milestones=milestones,
        responder_percent=responder,
        meaningful_percent=meaningful,
        meaningful_points=meaningful_points,
        flare_from=flare_from,
        flare_until=flare_until,
        sustained_percent=sustained,
        onset_first_day=first,
        onset_last_day=last,
        onset_relief_percent=knowledge.number("therapeutic.onset_relief_percent"),
    )


def interpret_therapeutic(
    procedure: Procedure,
    scores: Sequence[PainScore],
    knowledge: Knowledge,
    *,
    time_zone: str | None = None,
) -> TherapeuticResult:
    """Milestones, flare, onset and sustained relief of a therapeutic injection's diary.

    `time_zone` (default: knowledge rule clinic.time_zone) sets the calendar days.
    Raises `InputError` for a diagnostic procedure, an unknown agent, a baseline of 0
    or an entry before the injection.
    """
    if procedure.kind is not Kind.THERAPEUTIC or procedure.steroid is None:
        raise InputError("kind", "this is a diagnostic block: read it as diagnostic")
    anesthetic = knowledge.row("anesthetics", procedure.anesthetic.agent, where="anesthetic.agent")
    steroid = knowledge.row("steroids", procedure.steroid.agent, where="steroid.agent")
    tz = local_zone(time_zone or knowledge.text("clinic.time_zone"), where="time_zone")
    warnings = check_baseline(procedure.baseline_pain, knowledge)
    points = relief_points(scores, procedure.baseline_pain, procedure.performed_at)
    rules = _rules(knowledge)
    # A day number is a difference of local calendar dates (date ordinals).
    injection_day = procedure.performed_at.astimezone(tz).toordinal()
    days = [p.recorded_at.astimezone(tz).toordinal() - injection_day for p in points]
    # The points are in time order, so their days are too, unless a clock turned back
    # across midnight: then the days are looked at one by one.
    ascending = all(map(le, days, islice(days, 1, None)))
    milestones = tuple(
        _milestone(name, span, points, days, ascending, procedure.baseline_pain, rules)
        for name, span in rules.milestones
    )
    flare = _flare_scores(points, procedure.baseline_pain, rules)
    # Relief inside the anesthetic window is the numbing medicine's, and a flare may
    # interrupt early steroid relief: the sustained run is read after both have passed.
    window = anesthetic_window(procedure, knowledge)
    settled = max(window, rules.flare_until)
    sustained = relief_span(
        points[bisect_right(points, settled, key=_elapsed) :],
        rules.sustained_percent,
        procedure.performed_at,
    )
    onset = _onset_day(points, days, ascending, rules)
    in_window = _after_through(points, timedelta(0), window)
    warnings += _warnings(points, milestones, flare, onset, days, rules)
    return TherapeuticResult(
        milestones=MappingProxyType({m.name: m.relief_percent for m in milestones}),
        responders=MappingProxyType({m.name: m.responder for m in milestones}),
        milestone_details=milestones,
        flare_detected=None if flare is None else bool(flare),
        flare_scores=tuple(flare or ()),
        onset_day=onset,
        sustained_relief=sustained,
        sustained_relief_weeks=None if sustained is None else sustained.since_injection.in_weeks(),
        anesthetic_peak_relief_percent=max((p.relief_percent for p in in_window), default=None),
        performed_at=procedure.performed_at,
        anesthetic=str(anesthetic["id"]),
        steroid=str(steroid["id"]),
        baseline_pain=procedure.baseline_pain,
        scores_used=points,
        warnings=warnings,
        rationale=_rationale(milestones, flare, onset),
        rule_version=RULE_VERSION,
        provenance=knowledge.provenance(
            RULES,
            {
                "performed_at": procedure.performed_at.isoformat(),
                "side": procedure.side.value,
                "anesthetic": anesthetic["id"],
                "steroid": steroid["id"],
                "baseline_pain": procedure.baseline_pain,
                "time_zone": tz.key,
                "scores": len(points),
            },
        ),
    )


def _milestone(
    name: str,
    span: DayRange,
    points: Sequence[ReliefPoint],
    days: Sequence[int],
    ascending: bool,
    baseline: int,
    rules: _Rules,
) -> Milestone:
    found = _closest_entry(days, span, ascending)
    if found is None:
        return Milestone(name, span, None, None, None, None, None)
    point = points[found]
    meaningful = point.relief_percent >= rules.meaningful_percent or (
        baseline - point.pain >= rules.meaningful_points
    )
    return Milestone(
        name=name,
        days=span,
        score=point,
        day=days[found],
        relief_percent=point.relief_percent,
        responder=point.relief_percent >= rules.responder_percent,
        clinically_meaningful=meaningful,
    )


def _closest_entry(days: Sequence[int], span: DayRange, ascending: bool) -> int | None:
    """The index of the entry on the span's days closest to its target day; on a tie the
    later entry (across days and within a day). None: no entry on those days."""
    first, target, last = span.first, span.target, span.last
    if not ascending:
        # Closest day first; on a tie the later entry (points are in time order, hence `<=`).
        found: int | None = None
        distance = 0
        for i, day in enumerate(days):
            if first <= day <= last and (found is None or abs(day - target) <= distance):
                found, distance = i, abs(day - target)
        return found
    start, end = bisect_left(days, first), bisect_right(days, last)
    if start == end:
        return None
    # The closest day is that of the first entry on or after the target day, or of the
    # entry just before it; the later of the two on a tie, and that day's last entry.
    after = bisect_left(days, target, start, end)
    if after == end:
        return end - 1
    if after == start or days[after] - target <= target - days[after - 1]:
        return bisect_right(days, days[after], after, end) - 1
    return after - 1


# The points are in time order, so their elapsed times increase: a time slice of them is
# found by bisection (diaries are read by the hundred thousand).
_elapsed = attrgetter("elapsed")


def _after_through(
    points: Sequence[ReliefPoint], after: timedelta, through: timedelta
) -> Sequence[ReliefPoint]:
    """The points with after < elapsed <= through."""
    return points[
        bisect_right(points, after, key=_elapsed) : bisect_right(points, through, key=_elapsed)
    ]


def _flare_scores(
    points: Sequence[ReliefPoint], baseline: int, rules: _Rules
) -> list[ReliefPoint] | None:
    """Scores above baseline in the flare time; None when no score falls in that time."""
    start = bisect_left(points, rules.flare_from, key=_elapsed)
    inside = points[start : bisect_right(points, rules.flare_until, key=_elapsed)]
    return [p for p in inside if p.pain > baseline] if inside else None


def _onset_day(
    points: Sequence[ReliefPoint], days: Sequence[int], ascending: bool, rules: _Rules
) -> int | None:
    first, last = rules.onset_first_day, rules.onset_last_day
    if not days or days[-1] < last:
        return None
    level = rules.onset_relief_percent
    onset = None
    # Days in order: only the entries on first .. last need a look.
    start, end = (bisect_left(days, first), bisect_right(days, last)) if ascending else (0, None)
    for day, point in zip(days[start:end], points[start:end], strict=True):
        if not first <= day <= last:
            continue
        if point.relief_percent < level:
            onset = None
        elif onset is None:
            onset = day
    return onset


def _warnings(
    points: Sequence[ReliefPoint],
    milestones: Sequence[Milestone],
    flare: Sequence[ReliefPoint] | None,
    onset: int | None,
    days: Sequence[int],
    rules: _Rules,
) -> tuple[DiaryWarning, ...]:
    out = [
        DiaryWarning(
            f"milestone_{m.name}_not_recorded",
            f"No entry on days {m.days.first}-{m.days.last}: the {m.name} relief is not known.",
        )
        for m in milestones
        if m.score is None
    ]
    if flare is None:
        out.append(
            DiaryWarning(
                "flare_not_assessable",
                "No score in the flare time after the injection: a flare cannot be ruled out.",
            )
        )
    last = rules.onset_last_day
    if onset is None and (not days or days[-1] < last):
        out.append(
            DiaryWarning(
                "onset_not_assessable",
                f"The diary does not reach day {last}: the steroid's onset cannot be read.",
            )
        )
    if not points:
        out.append(DiaryWarning("no_scores", "The diary has no entries."))
    return tuple(out)


def _rationale(
    milestones: Sequence[Milestone], flare: Sequence[ReliefPoint] | None, onset: int | None
) -> str:
    parts = [_milestone_text(m) for m in milestones]
    if flare:
        parts.append("steroid flare (score above baseline in the flare time)")
    parts.append(f"onset day {onset}" if onset is not None else "no onset found")
    return "; ".join(parts) + "."


def _milestone_text(m: Milestone) -> str:
    if m.relief_percent is None:
        return f"{m.name}: not recorded"
    status = "responder" if m.responder else "not a responder"
    return f"{m.name}: {percent_text(m.relief_percent)} ({status})"
