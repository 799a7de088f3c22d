"""Properties of the relief arithmetic and of bounded durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sijcare.domain.errors import InputError
from sijcare.domain.relief import (
    NRS_MAX,
    NRS_MIN,
    BoundedDuration,
    PainScore,
    ReliefPoint,
    percent_text,
    relief_percent,
    relief_span,
    stored_score,
)

baselines = st.integers(min_value=1, max_value=NRS_MAX)
scores = st.integers(min_value=NRS_MIN, max_value=NRS_MAX)


@given(baselines, scores)
def test_relief_is_at_most_100_and_bounded_below(baseline: int, score: int) -> None:
    relief = relief_percent(baseline, score)
    assert relief <= 100
    assert relief >= (baseline - NRS_MAX) * 100 / baseline


@given(baselines, scores, scores)
def test_relief_falls_as_the_score_rises(baseline: int, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert relief_percent(baseline, low) >= relief_percent(baseline, high)
    if low < high:
        assert relief_percent(baseline, low) > relief_percent(baseline, high)


@given(baselines)
def test_no_pain_is_full_relief_and_baseline_is_none(baseline: int) -> None:
    assert relief_percent(baseline, 0) == 100
    assert relief_percent(baseline, baseline) == 0


@given(baselines, scores)
def test_above_baseline_is_negative_relief(baseline: int, score: int) -> None:
    assert (relief_percent(baseline, score) < 0) is (score > baseline)


@given(scores)
def test_baseline_zero_cannot_be_assessed(score: int) -> None:
    with pytest.raises(InputError) as exc:
        relief_percent(0, score)
    assert exc.value.where == "baseline_pain"


@given(baselines, scores, st.sampled_from([30, 50, 75, 80, 100]))
def test_relief_at_a_threshold_is_exact(baseline: int, score: int, threshold: int) -> None:
    # Exact fraction: (b - s) / b >= t / 100  <=>  100 (b - s) >= t b.
    exact = 100 * (baseline - score) >= threshold * baseline
    assert (relief_percent(baseline, score) >= threshold) is exact


@given(baselines, scores)
def test_a_whole_percentage_is_exact(baseline: int, score: int) -> None:
    # A score exactly at a threshold must never read as a hair below (or above) it.
    if 100 * (baseline - score) % baseline == 0:
        assert relief_percent(baseline, score) == 100 * (baseline - score) // baseline


@given(st.floats(min_value=-1000, max_value=100, allow_nan=False))
def test_percent_text_never_rounds_up_to_a_whole_threshold(value: float) -> None:
    shown = float(percent_text(value).rstrip("%"))
    assert abs(shown - value) <= 0.05 + 1e-9


@given(st.lists(st.tuples(st.integers(1, 10_000), scores), max_size=30), baselines, scores)
def test_relief_span_bounds_what_the_entries_show(
    rows: list[tuple[int, int]], baseline: int, level_score: int
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    minutes = sorted({m for m, _ in rows})
    points = [
        ReliefPoint(
            start + timedelta(minutes=m), timedelta(minutes=m), p, relief_percent(baseline, p)
        )
        for m, (_, p) in zip(minutes, rows, strict=False)
    ]
    level = relief_percent(baseline, level_score)
    span = relief_span(points, level, start)
    qualifying = [p for p in points if p.relief_percent >= level]
    if span is None:
        assert not qualifying
        return
    assert span.first_at == qualifying[0].recorded_at
    run = [p for p in points if span.first_at <= p.recorded_at <= span.last_at]
    assert all(p.relief_percent >= level for p in run)
    later = [p for p in points if p.recorded_at > span.last_at]
    assert (span.ended_before is None) is (not later)
    assert later == [] or later[0].relief_percent < level


@given(st.integers(0, 10**6), st.one_of(st.none(), st.integers(0, 10**6)))
def test_bounded_duration_is_a_real_interval(low: int, high: int | None) -> None:
    less_than = None if high is None else timedelta(minutes=high)
    if less_than is not None and high is not None and high <= low:
        with pytest.raises(InputError):
            BoundedDuration(timedelta(minutes=low), less_than)
        return
    weeks = BoundedDuration(timedelta(minutes=low), less_than).in_weeks()
    assert weeks.at_least == round(low / (7 * 24 * 60), 2)
    assert (weeks.less_than is None) is (high is None)


@given(
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-8))])),
    scores,
    st.one_of(st.none(), st.text(max_size=20)),
    st.one_of(st.none(), st.booleans()),
)
def test_a_stored_score_is_the_score_that_was_checked(
    at: datetime, pain: int, note: str | None, done: bool | None
) -> None:
    checked = PainScore(at, pain, note, done)
    stored = stored_score(at, pain, note, done)
    assert type(stored) is PainScore
    assert stored == checked and hash(stored) == hash(checked) and repr(stored) == repr(checked)
