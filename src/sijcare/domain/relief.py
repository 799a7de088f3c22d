"""Pain relief arithmetic on the 0-10 numeric rating scale (LOINC 72514-3).

relief % at t = (baseline - score(t)) / baseline x 100. A score above baseline gives
negative relief (worse than before). A baseline of 0 cannot be assessed; a baseline
below the knowledge rule `relief.low_baseline_warning_below` gives a result with a
warning, because payer criteria ask for moderate-to-severe pain.

Also here: what the diary interpretations share. Every time difference is taken
between UTC instants, so a diary that crosses a daylight-saving change (or mixes
offsets) measures true elapsed time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge

# The instrument's definition, not a clinical threshold: the NRS runs from 0 (no pain)
# to 10 (worst pain imaginable), in whole points.
NRS_MIN = 0
NRS_MAX = 10


@dataclass(frozen=True, slots=True)  # slots: made once per stored score, for each write
class PainScore:
    """One diary entry: a pain score at a time, with what the patient added."""

    recorded_at: datetime
    pain: int
    note: str | None = None
    activity_done: bool | None = None  # could they do the activity that usually hurts?

    def __post_init__(self) -> None:
        if self.recorded_at.utcoffset() is None:
            raise InputError("recorded_at", "needs a UTC offset, like 2026-03-02T10:00:00-08:00")
        pain = self.pain
        # A plain int (nearly always) needs no isinstance; a bool is an int, not a score.
        if type(pain) is not int and (isinstance(pain, bool) or not isinstance(pain, int)):
            raise InputError("pain", f"must be a whole number from {NRS_MIN} to {NRS_MAX}")
        if not NRS_MIN <= pain <= NRS_MAX:
            raise InputError("pain", f"must be from {NRS_MIN} to {NRS_MAX}")


# Each diary write reads the diary's stored scores back (~30): they were checked as
# `PainScore`s when recorded, and the database keeps what was checked (a CHECK on the
# pain, times with their offset), so `stored_score` fills the slots without checking
# again (py-spy put about a twentieth of a write's samples in making them; the CPU a
# write fell by about 1 %). Unpacking fails at import if a field is added without being
# set here.
_new = object.__new__
_set_score_at, _set_score_pain, _set_score_note, _set_score_done = (
    getattr(PainScore, f.name).__set__ for f in fields(PainScore)
)


def stored_score(
    recorded_at: datetime, pain: int, note: str | None, activity_done: bool | None
) -> PainScore:
    """The `PainScore` of a stored diary entry, made without running its checks again:
    only for values that passed them when stored."""
    score: PainScore = _new(PainScore)
    _set_score_at(score, recorded_at)
    _set_score_pain(score, pain)
    _set_score_note(score, note)
    _set_score_done(score, activity_done)
    return score


def relief_percent(baseline: int, score: int) -> float:
    """Percent relief from `baseline`; negative when the score is above baseline."""
    _check_assessable(baseline)
    # Multiply before dividing: an exact percentage (75, 50, 30) stays exact in floating
    # point, so a score exactly at a threshold is never read as just below it.
    return (baseline - score) * 100 / baseline


def _check_assessable(baseline: int) -> None:
    if baseline <= 0:
        raise InputError(
            "baseline_pain", "a baseline of 0 cannot be assessed: there is no pain to relieve"
        )


def percent_text(value: float) -> str:
    """`value` as "77.8%": one decimal at most, so a value just below a whole-number
    threshold is never shown as the threshold itself."""
    return f"{value:.1f}".rstrip("0").rstrip(".") + "%"


@dataclass(frozen=True)
class DiaryWarning:
    """Something a reader of the result must know; `code` is stable, `message` is for clinicians."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)  # slots: made once per score, by the hundred thousand
class ReliefPoint:
    """A diary score with its time since the injection and its relief (% of baseline)."""

    recorded_at: datetime
    elapsed: timedelta
    pain: int
    relief_percent: float
    note: str | None = None
    activity_done: bool | None = None


# `relief_points` makes one `ReliefPoint` per diary score, by the hundred thousand, and a
# frozen dataclass's `__init__` sets each field through `object.__setattr__`: it fills
# the slots directly instead (the same object, in half the time). Unpacking fails at
# import if a field is added without being set here.
(
    _set_recorded_at,
    _set_elapsed,
    _set_pain,
    _set_relief_percent,
    _set_note,
    _set_activity_done,
) = (getattr(ReliefPoint, f.name).__set__ for f in fields(ReliefPoint))


@dataclass(frozen=True)
class DurationInWeeks:
    at_least: float
    less_than: float | None


@dataclass(frozen=True)
class BoundedDuration:
    """A duration known only between diary entries: at_least <= true value < less_than.

    `less_than` is None when no later entry shows the end (the interval is open).
    """

    at_least: timedelta
    less_than: timedelta | None

    def __post_init__(self) -> None:
        if self.at_least < timedelta(0):
            raise InputError("at_least", "a duration cannot be negative")
        if self.less_than is not None and self.less_than <= self.at_least:
            raise InputError("less_than", "must be longer than at_least")

    def in_weeks(self) -> DurationInWeeks:
        week = timedelta(weeks=1)
        return DurationInWeeks(
            at_least=round(self.at_least / week, 2),
            less_than=None if self.less_than is None else round(self.less_than / week, 2),
        )


@dataclass(frozen=True)
class ReliefSpan:
    """An unbroken run of diary entries with relief at or above `level_percent`.

    `first_at` and `last_at` are the run's first and last entries; `ended_before` is the
    first later entry below the level (None: no such entry yet). `since_injection`
    bounds how long after the injection the relief lasted: at least until `last_at`,
    less than until `ended_before`.
    """

    level_percent: float
    first_at: datetime
    last_at: datetime
    ended_before: datetime | None
    since_injection: BoundedDuration


def check_baseline(baseline: int, knowledge: Knowledge) -> tuple[DiaryWarning, ...]:
    """Warnings about the baseline score; a baseline of 0 is an `InputError`."""
    relief_percent(baseline, baseline)  # raises for a baseline of 0
    below = knowledge.integer("relief.low_baseline_warning_below")
    if baseline >= below:
        return ()
    return (
        DiaryWarning(
            "low_baseline",
            f"Baseline pain {baseline}/10 is below {below}: payer criteria ask for "
            "moderate-to-severe pain, and a small baseline makes each point a large percentage.",
        ),
    )


def in_order(scores: Iterable[PainScore], injected_at: datetime) -> tuple[PainScore, ...]:
    """`scores` in time order; an entry before the injection or two at one instant is an error."""
    return tuple(score for _, score in _timed(scores, _utc(injected_at)))


def _timed(scores: Iterable[PainScore], start: datetime) -> list[tuple[datetime, PainScore]]:
    """(UTC instant, score) in time order, checked against `start` (a UTC instant)."""
    # Each instant is converted to UTC once (as `_utc`, inline): diaries are read by the
    # hundred thousand.
    keyed = [(s.recorded_at.astimezone(UTC), s) for s in scores]
    keyed.sort(key=_instant)
    previous: datetime | None = None
    for at, score in keyed:
        if at < start:
            raise InputError(
                "scores", f"the entry at {score.recorded_at.isoformat()} is before the injection"
            )
        if at == previous:
            raise InputError(
                "scores", f"two entries at the same time {score.recorded_at.isoformat()}"
            )
        previous = at
    return keyed


_instant = itemgetter(0)  # of a (UTC instant, score) pair


def relief_points(
    scores: Iterable[PainScore], baseline: int, injected_at: datetime
) -> tuple[ReliefPoint, ...]:
    """Each score with its elapsed time and relief from `baseline`, in time order: the
    elapsed times strictly increase (two entries at one instant are an error)."""
    start = _utc(injected_at)
    timed = _timed(scores, start)
    if timed:
        _check_assessable(baseline)
    points = []
    for at, s in timed:
        point = _new(ReliefPoint)
        _set_recorded_at(point, s.recorded_at)
        _set_elapsed(point, at - start)
        _set_pain(point, s.pain)
        # `relief_percent`, inline (the baseline is checked above): the same arithmetic.
        _set_relief_percent(point, (baseline - s.pain) * 100 / baseline)
        _set_note(point, s.note)
        _set_activity_done(point, s.activity_done)
        points.append(point)
    return tuple(points)


def relief_span(
    points: Sequence[ReliefPoint], level_percent: float, injected_at: datetime
) -> ReliefSpan | None:
    """The first unbroken run of `points` at or above `level_percent`; None if none reaches it.

    The run starts at the first qualifying point and ends at the last point before one
    below the level. Missing entries between points are not guessed: the bounds say
    only what the entries show.
    """
    start = next((i for i, p in enumerate(points) if p.relief_percent >= level_percent), None)
    if start is None:
        return None
    end = start
    while end + 1 < len(points) and points[end + 1].relief_percent >= level_percent:
        end += 1
    after = points[end + 1] if end + 1 < len(points) else None
    return ReliefSpan(
        level_percent=level_percent,
        first_at=points[start].recorded_at,
        last_at=points[end].recorded_at,
        ended_before=None if after is None else after.recorded_at,
        since_injection=BoundedDuration(
            at_least=points[end].elapsed, less_than=None if after is None else after.elapsed
        ),
    )


def elapsed_since(start: datetime, at: datetime) -> timedelta:
    """True elapsed time from `start` to `at`, whatever their offsets or time zones."""
    return _utc(at) - _utc(start)


def local_zone(name: str, *, where: str) -> ZoneInfo:
    """The IANA time zone `name` (like America/Los_Angeles); unknown names are input errors."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder like "America"
        raise InputError(
            where, f"{name!r} is not a known time zone (like America/Los_Angeles)"
        ) from None


def later_by(start: datetime, delta: timedelta) -> datetime:
    """The instant `delta` after `start`, in `start`'s time zone (DST-correct)."""
    tz = start.tzinfo
    return (_utc(start) + delta).astimezone(tz)


def _utc(at: datetime) -> datetime:
    # Two datetimes sharing one zoneinfo compare and subtract as wall-clock times, which
    # is wrong across a DST change; UTC instants are always right.
    return at.astimezone(UTC)
