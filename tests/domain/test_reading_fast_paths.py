"""The quick paths of a diary reading give what the plain definitions give.

`relief_points` fills each `ReliefPoint`'s slots directly, and a therapeutic milestone
and onset are found by bisection when the local days are in order (a clock turned back
across midnight is the exception: then every day is looked at).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from random import Random
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Anesthetic, Kind, Procedure, Side, Steroid
from sijcare.domain.relief import PainScore, ReliefPoint, relief_percent, relief_points
from sijcare.domain.therapeutic import DayRange, _closest_entry, interpret_therapeutic

START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)

pains = st.integers(min_value=0, max_value=10)
entries = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=200 * 24 * 60),  # minutes after the injection
        pains,
        st.none() | st.text(max_size=5),
        st.none() | st.booleans(),
        st.sampled_from([0, -8, 5, 14]),  # the entry's UTC offset in hours
    ),
    max_size=40,
    unique_by=lambda e: e[0],
)


def _scores(rows: list[tuple[int, int, str | None, bool | None, int]]) -> list[PainScore]:
    return [
        PainScore(
            (START + timedelta(minutes=m)).astimezone(timezone(timedelta(hours=hours))),
            pain,
            note,
            done,
        )
        for m, pain, note, done, hours in rows
    ]


@given(entries, st.integers(min_value=1, max_value=10), st.randoms())
def test_relief_points_are_the_dataclass_built_plainly(
    rows: list[tuple[int, int, str | None, bool | None, int]], baseline: int, random: Random
) -> None:
    scores = _scores(rows)
    random.shuffle(scores)
    points = relief_points(scores, baseline, START)
    expected = tuple(
        ReliefPoint(
            s.recorded_at,
            s.recorded_at - START,
            s.pain,
            relief_percent(baseline, s.pain),
            s.note,
            s.activity_done,
        )
        for s in sorted(scores, key=lambda s: s.recorded_at)
    )
    assert points == expected
    for got, want in zip(points, expected, strict=True):
        assert type(got) is ReliefPoint
        assert dataclasses.astuple(got) == dataclasses.astuple(want)
        assert hash(got) == hash(want)


def test_a_relief_point_stays_frozen() -> None:
    (point,) = relief_points([PainScore(START + timedelta(hours=1), 3)], 6, START)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.pain = 4  # type: ignore[misc]


def test_a_baseline_of_0_is_an_error_only_with_entries_and_after_the_order_checks() -> None:
    assert relief_points([], 0, START) == ()
    with pytest.raises(InputError) as exc:
        relief_points([PainScore(START + timedelta(hours=1), 3)], 0, START)
    assert exc.value.where == "baseline_pain"
    twice = [PainScore(START + timedelta(hours=1), 3), PainScore(START + timedelta(hours=1), 4)]
    with pytest.raises(InputError) as exc:
        relief_points(twice, 0, START)
    assert exc.value.message.startswith("two entries at the same time")


def _closest_by_definition(days: list[int], span: DayRange) -> int | None:
    """The entry on the span's days closest to the target day; on a tie the later one."""
    inside = [i for i, day in enumerate(days) if span.first <= day <= span.last]
    if not inside:
        return None
    return min(inside, key=lambda i: (abs(days[i] - span.target), -i))


spans = st.tuples(*(st.integers(min_value=0, max_value=40) for _ in range(3))).map(
    lambda t: DayRange(*sorted(t))
)


@given(st.lists(st.integers(min_value=-2, max_value=45), max_size=40), spans)
def test_the_closest_entry_by_bisection_is_the_closest_by_definition(
    days: list[int], span: DayRange
) -> None:
    days.sort()
    assert _closest_entry(days, span, True) == _closest_by_definition(days, span)
    assert _closest_entry(days, span, False) == _closest_by_definition(days, span)


@given(st.lists(st.integers(min_value=-2, max_value=45), max_size=40), spans)
def test_the_closest_entry_of_days_out_of_order_is_the_closest_by_definition(
    days: list[int], span: DayRange
) -> None:
    assert _closest_entry(days, span, False) == _closest_by_definition(days, span)


def test_days_out_of_order_are_read_one_by_one(knowledge: Knowledge) -> None:
    # Sitka, October 1867: Alaska moved from Russian to American time, and the local
    # date went back a day. Entries in time order then have days 14, 13, 15: the 2w
    # milestone (days 10-18, target 14) is the first entry, not the last.
    sitka = ZoneInfo("America/Sitka")
    before, after = datetime(1867, 10, 18, 20, tzinfo=UTC), datetime(1867, 10, 19, 6, tzinfo=UTC)
    if before.astimezone(sitka).date() <= after.astimezone(sitka).date():
        pytest.skip("this tz database has no 1867 history for America/Sitka")
    injected = datetime(1867, 10, 5, 10, tzinfo=sitka)
    procedure = Procedure(
        performed_at=injected, kind=Kind.THERAPEUTIC, side=Side.LEFT,
        anesthetic=Anesthetic("lidocaine", 1.0, 2.0), steroid=Steroid("triamcinolone", 40.0),
        baseline_pain=8,
    )  # fmt: skip
    scores = [
        PainScore(before, 2),
        PainScore(after, 6),
        PainScore(datetime(1867, 10, 20, 10, tzinfo=UTC), 4),
    ]
    reading = interpret_therapeutic(procedure, scores, knowledge, time_zone="America/Sitka")
    (two_weeks,) = (m for m in reading.milestone_details if m.name == "2w")
    assert two_weeks.day == 14
    assert two_weeks.relief_percent == 75.0
