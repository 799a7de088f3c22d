"""Therapeutic injection (anesthetic + steroid): milestones, flare, onset, sustained relief.

Rules (knowledge diary.toml):
- days are calendar days in the clinic's time zone (America/Los_Angeles); day 0 is the
  injection day;
- milestones 2w (days 10-18, target 14), 6w (35-49, target 42), 3m (76-104, target 90):
  relief from the entry closest to the target day, range ends included; ties go to the
  later entry; none in range gives None;
- responder at a milestone: relief >= 50 %; clinically meaningful: relief >= 30 % or a
  drop of >= 2 points (Farrar 2001);
- steroid flare: a score above baseline from 6 h to 72 h after the injection, both
  ends included; no score in that time: not known (None);
- onset: the day of the first entry (days 1-14) from which every entry through day 14
  has relief >= 30 %; the diary must reach day 14;
- sustained relief >= 50 %: the first unbroken run after the anesthetic window and the
  flare time (72 h), measured from the injection, also in weeks.

The default injection is 2026-03-02 09:00 PST, so days 1-14 cross the spring-forward
change of 2026-03-08.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.therapeutic import interpret_therapeutic

LA = ZoneInfo("America/Los_Angeles")

MILESTONE_ROWS = [
    pytest.param("2w", [(14, "18:00", 4)], 14, 50.0, id="2w-on-target-day"),
    pytest.param("2w", [(13, "18:00", 4), (15, "18:00", 2)], 15, 75.0, id="2w-tie-later-wins"),
    pytest.param("2w", [(12, "18:00", 4), (15, "18:00", 2)], 15, 75.0, id="2w-closest-day"),
    pytest.param("2w", [(14, "08:00", 4), (14, "20:00", 2)], 14, 75.0, id="2w-same-day-later"),
    pytest.param("2w", [(10, "18:00", 4)], 10, 50.0, id="2w-first-day-included"),
    pytest.param("2w", [(9, "18:00", 4)], None, None, id="2w-day-9-outside"),
    pytest.param("2w", [(18, "23:59", 4)], 18, 50.0, id="2w-last-day-included"),
    pytest.param("2w", [(19, "00:00", 4)], None, None, id="2w-day-19-outside"),
    pytest.param("6w", [(35, "18:00", 6)], 35, 25.0, id="6w-first-day"),
    pytest.param("6w", [(49, "18:00", 6)], 49, 25.0, id="6w-last-day"),
    pytest.param("6w", [(34, "18:00", 6), (50, "18:00", 6)], None, None, id="6w-outside"),
    pytest.param("3m", [(76, "18:00", 2)], 76, 75.0, id="3m-first-day"),
    pytest.param("3m", [(104, "18:00", 2)], 104, 75.0, id="3m-last-day"),
    pytest.param("3m", [(84, "18:00", 2), (97, "18:00", 5)], 84, 75.0, id="3m-closest"),
    pytest.param("3m", [(75, "18:00", 2), (105, "18:00", 2)], None, None, id="3m-outside"),
]


@pytest.mark.parametrize(("name", "rows", "day", "relief"), MILESTONE_ROWS)
def test_milestone_relief(
    knowledge: Knowledge,
    build_procedure,
    scores_on_days,
    name: str,
    rows: list[tuple[int, str, int]],
    day: int | None,
    relief: float | None,
) -> None:
    procedure = build_procedure(kind="therapeutic", baseline=8)
    result = interpret_therapeutic(procedure, scores_on_days(procedure, rows), knowledge)
    assert result.milestones[name] == relief
    (milestone,) = [m for m in result.milestone_details if m.name == name]
    assert milestone.day == day
    if relief is None:
        assert f"milestone_{name}_not_recorded" in {w.code for w in result.warnings}


RESPONDER_ROWS = [
    pytest.param(8, 4, True, True, id="exactly-50-responder"),
    pytest.param(8, 5, False, True, id="37.5-meaningful-not-responder"),
    pytest.param(8, 6, False, True, id="25-but-2-points-meaningful"),
    pytest.param(10, 8, False, True, id="20-but-2-points-meaningful"),
    pytest.param(10, 7, False, True, id="exactly-30-meaningful"),
    pytest.param(10, 9, False, False, id="1-point-10-not-meaningful"),
    pytest.param(3, 2, False, True, id="33-percent-1-point-meaningful"),
    pytest.param(6, 7, False, False, id="worse-than-baseline"),
]


@pytest.mark.parametrize(("baseline", "pain", "responder", "meaningful"), RESPONDER_ROWS)
def test_responder_and_meaningful(
    knowledge: Knowledge,
    build_procedure,
    scores_on_days,
    baseline: int,
    pain: int,
    responder: bool,
    meaningful: bool,
) -> None:
    procedure = build_procedure(kind="therapeutic", baseline=baseline)
    result = interpret_therapeutic(
        procedure, scores_on_days(procedure, [(14, "18:00", pain)]), knowledge
    )
    assert result.responders["2w"] is responder
    assert result.milestone_details[0].clinically_meaningful is meaningful


FLARE_ROWS = [
    pytest.param([(5 * 60, 7), (24 * 60, 6)], False, id="above-at-5h-too-early"),
    pytest.param([(7 * 60, 7)], True, id="above-at-7h"),
    pytest.param([(6 * 60, 7)], True, id="above-at-exactly-6h"),
    pytest.param([(6 * 60 - 1, 7), (24 * 60, 6)], False, id="above-a-minute-before-6h"),
    pytest.param([(72 * 60, 7)], True, id="above-at-exactly-72h"),
    pytest.param([(72 * 60 + 1, 7), (24 * 60, 6)], False, id="above-a-minute-after-72h"),
    pytest.param([(24 * 60, 6)], False, id="at-baseline-is-no-flare"),
    pytest.param([(5 * 60, 7), (80 * 60, 7)], None, id="no-score-in-flare-time"),
]


@pytest.mark.parametrize(("rows", "flare"), FLARE_ROWS)
def test_steroid_flare(
    knowledge: Knowledge,
    build_procedure,
    scores_after,
    rows: list[tuple[int, int]],
    flare: bool | None,
) -> None:
    procedure = build_procedure(kind="therapeutic", baseline=6)
    result = interpret_therapeutic(procedure, scores_after(procedure, rows), knowledge)
    assert result.flare_detected is flare
    assert ("flare_not_assessable" in {w.code for w in result.warnings}) is (flare is None)


def daily(pains: list[int]) -> list[tuple[int, str, int]]:
    """Rows for days 1, 2, ... at 18:00 with these pains."""
    return [(day, "18:00", pain) for day, pain in enumerate(pains, start=1)]


# Baseline 10: pain 7 is exactly 30 % relief.
ONSET_ROWS = [
    pytest.param(daily([9, 8, 7, 7, 6, 5, 5, 5, 5, 5, 5, 5, 5, 5]), 3, id="from-day-3"),
    pytest.param(daily([7] * 14), 1, id="from-day-1"),
    pytest.param(daily([7, 7, 7, 7, 7, 7, 7, 8, 7, 7, 7, 7, 7, 7]), 9, id="dip-on-day-8"),
    pytest.param(daily([9] * 13 + [7]), 14, id="only-day-14"),
    pytest.param(daily([9] * 14), None, id="never"),
    pytest.param(daily([7] * 13 + [8]), None, id="lost-on-day-14"),
    pytest.param(daily([7] * 10), None, id="diary-stops-at-day-10"),
    pytest.param(
        daily([9] * 4) + [(5, "08:00", 9), (5, "20:00", 6)] + daily([6] * 14)[5:],
        5,
        id="good-evening-starts-day-5",
    ),
    pytest.param(
        daily([6] * 5) + [(6, "08:00", 6), (6, "20:00", 8)] + daily([6] * 14)[6:],
        7,
        id="bad-evening-breaks-day-6",
    ),
    pytest.param([(0, "12:00", 0)] + daily([6] * 14), 1, id="day-0-does-not-count"),
    pytest.param(daily([9] * 14) + [(21, "18:00", 6)], None, id="after-day-14-does-not-count"),
]


@pytest.mark.parametrize(("rows", "onset"), ONSET_ROWS)
def test_steroid_onset(
    knowledge: Knowledge,
    build_procedure,
    scores_on_days,
    rows: list[tuple[int, str, int]],
    onset: int | None,
) -> None:
    procedure = build_procedure(kind="therapeutic", baseline=10)
    result = interpret_therapeutic(procedure, scores_on_days(procedure, rows), knowledge)
    assert result.onset_day == onset


def test_onset_not_assessable_before_day_14_is_warned(
    knowledge: Knowledge, build_procedure, scores_on_days
) -> None:
    procedure = build_procedure(kind="therapeutic", baseline=10)
    result = interpret_therapeutic(procedure, scores_on_days(procedure, daily([7] * 10)), knowledge)
    assert "onset_not_assessable" in {w.code for w in result.warnings}


SUSTAINED_ROWS = [
    pytest.param(
        [
            (0, "09:30", 0),
            (1, "18:00", 9),
            (3, "18:00", 4),
            (30, "18:00", 3),
            (60, "18:00", 4),
            (67, "18:00", 5),
        ],
        (60, 67),
        id="window-relief-and-flare-left-out",
    ),
    pytest.param(
        [(0, "15:00", 2), (1, "18:00", 9), (3, "18:00", 4), (60, "18:00", 4), (67, "18:00", 5)],
        (60, 67),
        id="early-relief-after-window-then-flare-does-not-cut-the-run",
    ),
    pytest.param([(3, "18:00", 4), (90, "18:00", 2)], (90, None), id="open-ended"),
    pytest.param([(0, "09:30", 0), (1, "18:00", 6)], None, id="only-anesthetic-relief"),
    pytest.param([(3, "18:00", 4), (10, "18:00", 6), (20, "18:00", 2)], (3, 10), id="first-run"),
]


@pytest.mark.parametrize(("rows", "days"), SUSTAINED_ROWS)
def test_sustained_relief(
    knowledge: Knowledge,
    build_procedure,
    scores_on_days,
    rows: list[tuple[int, str, int]],
    days: tuple[int, int | None] | None,
) -> None:
    procedure = build_procedure(kind="therapeutic", baseline=8)
    scores = scores_on_days(procedure, rows)
    result = interpret_therapeutic(procedure, scores, knowledge)
    if days is None:
        assert result.sustained_relief is None and result.sustained_relief_weeks is None
        return
    span = result.sustained_relief
    assert span is not None and result.sustained_relief_weeks is not None
    by_day = {d: s.recorded_at for (d, _, _), s in zip(rows, scores, strict=True)}
    first, last = days
    assert span.last_at == by_day[first]
    assert span.ended_before == (None if last is None else by_day[last])
    expected = span.since_injection.at_least / timedelta(weeks=1)
    assert result.sustained_relief_weeks.at_least == pytest.approx(expected, abs=0.01)
    assert (result.sustained_relief_weeks.less_than is None) is (last is None)


def test_calendar_day_follows_the_clinic_time_zone(
    knowledge: Knowledge, build_procedure, scores_on_days
) -> None:
    # Injected at 20:00: the next morning, 12 h later, is already day 1.
    procedure = build_procedure(
        kind="therapeutic", baseline=10, at=datetime(2026, 4, 6, 20, 0, tzinfo=LA)
    )
    rows = [(1, "08:00", 7)] + daily([7] * 14)[1:]
    result = interpret_therapeutic(procedure, scores_on_days(procedure, rows), knowledge)
    assert result.onset_day == 1


def test_a_time_zone_can_be_given(knowledge: Knowledge, build_procedure, scores_on_days) -> None:
    procedure = build_procedure(kind="therapeutic", baseline=8)
    scores = scores_on_days(procedure, [(14, "01:00", 4)])
    assert interpret_therapeutic(procedure, scores, knowledge).milestone_details[0].day == 14
    # In Tokyo the injection (17:00 UTC) was already on 3 March: the same entry is day 13.
    in_tokyo = interpret_therapeutic(procedure, scores, knowledge, time_zone="Asia/Tokyo")
    assert in_tokyo.milestone_details[0].day == 13
    assert in_tokyo.provenance.inputs["time_zone"] == "Asia/Tokyo"


def test_empty_diary_gives_nulls_and_warnings(knowledge: Knowledge, build_procedure) -> None:
    result = interpret_therapeutic(build_procedure(kind="therapeutic"), [], knowledge)
    assert result.milestones == {"2w": None, "6w": None, "3m": None}
    assert result.flare_detected is None and result.onset_day is None
    assert {w.code for w in result.warnings} >= {"no_scores", "onset_not_assessable"}


def test_low_baseline_is_warned(knowledge: Knowledge, build_procedure) -> None:
    result = interpret_therapeutic(build_procedure(kind="therapeutic", baseline=3), [], knowledge)
    assert "low_baseline" in {w.code for w in result.warnings}


REFUSED = [
    pytest.param(dict(kind="diagnostic"), "kind", id="diagnostic-procedure"),
    pytest.param(dict(baseline=0), "baseline_pain", id="baseline-zero"),
    pytest.param(dict(steroid="cortisone"), "steroid.agent", id="unknown-steroid"),
    pytest.param(dict(agent="procaine"), "anesthetic.agent", id="unknown-anesthetic"),
]


@pytest.mark.parametrize(("change", "where"), REFUSED)
def test_refused(knowledge: Knowledge, build_procedure, change: dict, where: str) -> None:
    with pytest.raises(InputError) as exc:
        interpret_therapeutic(build_procedure(**{"kind": "therapeutic"} | change), [], knowledge)
    assert exc.value.where == where


def test_unknown_time_zone_is_refused(knowledge: Knowledge, build_procedure) -> None:
    with pytest.raises(InputError) as exc:
        interpret_therapeutic(build_procedure(kind="therapeutic"), [], knowledge, time_zone="Mars")
    assert exc.value.where == "time_zone"
