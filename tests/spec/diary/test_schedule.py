"""Diary schedule: when the patient is asked for a pain score, in local time.

Rules (knowledge diary.toml):
- window prompts at 15, 30, 60, 120, 240, 360 and 480 minutes after the injection,
  kept while at or before the anesthetic window's end (lidocaine 4 h, bupivacaine 8 h);
  they are true elapsed times, so the local clock jumps on a DST day;
- daily and weekly prompts at 18:00 local time on calendar days after the injection day;
  a local time missing on a spring-forward day moves forward by the gap, an ambiguous
  one on a fall-back day is its first occurrence; a daily prompt inside the anesthetic
  window is left out;
- diagnostic: window prompts, then days 1-3;
- therapeutic: window prompts, days 1-14 daily, then weekly (21, 28, ... 84) and the
  milestone target days 14, 42 and 90 (marked with their milestone).

US DST 2026: spring forward Sunday 8 March 02:00 -> 03:00; fall back Sunday 1 November
02:00 -> 01:00 (America/Los_Angeles).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sijcare import knowledge as loader
from sijcare.domain.diary_schedule import (
    DiaryPrompt,
    PromptPurpose,
    diary_schedule,
    schedule_prompts,
)
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Kind, PlannedProcedure, Side

LA = ZoneInfo("America/Los_Angeles")
TZ = "America/Los_Angeles"


def plan(knowledge: Knowledge, at: datetime, kind: str, agent: str) -> tuple[DiaryPrompt, ...]:
    return schedule_prompts(
        injected_at=at, kind=Kind(kind), anesthetic_agent=agent, knowledge=knowledge, time_zone=TZ
    )


def local(prompt: DiaryPrompt) -> str:
    return prompt.due_at.strftime("%Y-%m-%d %H:%M %Z")


WINDOW_ROWS = [
    pytest.param("lidocaine", [15, 30, 60, 120, 240], id="lidocaine-stops-at-4h"),
    pytest.param("bupivacaine", [15, 30, 60, 120, 240, 360, 480], id="bupivacaine-to-8h"),
    pytest.param("Naropin", [15, 30, 60, 120, 240, 360, 480], id="ropivacaine-to-8h"),
]


@pytest.mark.parametrize(("agent", "minutes"), WINDOW_ROWS)
def test_window_prompts_stop_at_the_window_end(
    knowledge: Knowledge, agent: str, minutes: list[int]
) -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=LA)
    prompts = plan(knowledge, at, "diagnostic", agent)
    window = [p for p in prompts if p.purpose is PromptPurpose.ANESTHETIC_WINDOW]
    assert [p.after_minutes for p in window] == minutes
    assert all(
        p.due_at.astimezone(UTC) - at.astimezone(UTC) == timedelta(minutes=p.after_minutes or 0)
        for p in window
    )


def test_diagnostic_daily_days(knowledge: Knowledge) -> None:
    prompts = plan(knowledge, datetime(2026, 3, 2, 9, 0, tzinfo=LA), "diagnostic", "lidocaine")
    daily = [p for p in prompts if p.purpose is PromptPurpose.DAILY]
    assert [local(p) for p in daily] == [
        "2026-03-03 18:00 PST",
        "2026-03-04 18:00 PST",
        "2026-03-05 18:00 PST",
    ]
    assert [p.day for p in daily] == [1, 2, 3]


def test_therapeutic_schedule(knowledge: Knowledge) -> None:
    prompts = plan(knowledge, datetime(2026, 4, 6, 10, 0, tzinfo=LA), "therapeutic", "lidocaine")
    later = [p for p in prompts if p.purpose is not PromptPurpose.ANESTHETIC_WINDOW]
    assert [p.day for p in later] == [*range(1, 15), 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, 90]
    assert {p.day: p.milestone for p in later if p.milestone} == {14: "2w", 42: "6w", 90: "3m"}
    assert all(p.purpose is PromptPurpose.MILESTONE for p in later if p.milestone)
    assert {p.purpose for p in later if p.day in (21, 84)} == {PromptPurpose.WEEKLY}
    assert {p.purpose for p in later if p.day <= 13} == {PromptPurpose.DAILY}
    assert all(p.due_at.strftime("%H:%M") == "18:00" for p in later)
    assert [p.due_at for p in prompts] == sorted(p.due_at for p in prompts)


def test_spring_forward_day(knowledge: Knowledge) -> None:
    at = datetime(2026, 3, 8, 1, 30, tzinfo=LA)  # 01:30 PST, half an hour before the change
    prompts = plan(knowledge, at, "diagnostic", "bupivacaine")
    assert [local(p) for p in prompts] == [
        "2026-03-08 01:45 PST",
        "2026-03-08 03:00 PDT",  # 30 min after 01:30 PST
        "2026-03-08 03:30 PDT",
        "2026-03-08 04:30 PDT",
        "2026-03-08 06:30 PDT",
        "2026-03-08 08:30 PDT",
        "2026-03-08 10:30 PDT",  # 8 h of real time after the injection
        "2026-03-09 18:00 PDT",
        "2026-03-10 18:00 PDT",
        "2026-03-11 18:00 PDT",
    ]


def test_fall_back_day(knowledge: Knowledge) -> None:
    at = datetime(2026, 11, 1, 0, 30, tzinfo=LA)  # 00:30 PDT
    prompts = plan(knowledge, at, "diagnostic", "lidocaine")
    assert [local(p) for p in prompts] == [
        "2026-11-01 00:45 PDT",
        "2026-11-01 01:00 PDT",
        "2026-11-01 01:30 PDT",  # 1 h: the first 01:30
        "2026-11-01 01:30 PST",  # 2 h: the second 01:30
        "2026-11-01 03:30 PST",
        "2026-11-02 18:00 PST",
        "2026-11-03 18:00 PST",
        "2026-11-04 18:00 PST",
    ]
    utc = [p.due_at.astimezone(UTC) - at.astimezone(UTC) for p in prompts[:5]]
    assert utc == [timedelta(minutes=m) for m in (15, 30, 60, 120, 240)]


LOCAL_TIME_ROWS = [
    pytest.param("02:30", datetime(2026, 3, 7, 10, 0), "2026-03-08 03:30 PDT", id="in-spring-gap"),
    pytest.param("01:30", datetime(2026, 10, 31, 10, 0), "2026-11-01 01:30 PDT", id="ambiguous"),
    pytest.param("18:00", datetime(2026, 3, 7, 10, 0), "2026-03-08 18:00 PDT", id="after-change"),
]


@pytest.mark.parametrize(("clock", "injected", "day_1"), LOCAL_TIME_ROWS)
def test_daily_prompt_on_a_dst_day(
    knowledge: Knowledge, clock: str, injected: datetime, day_1: str
) -> None:
    clinic = loader.apply_overrides(knowledge, {"diary.daily_prompt_time": clock})
    prompts = plan(clinic, injected.replace(tzinfo=LA), "diagnostic", "lidocaine")
    assert local([p for p in prompts if p.day == 1][0]) == day_1


def test_daily_prompt_inside_the_window_is_left_out(knowledge: Knowledge) -> None:
    clinic = loader.apply_overrides(knowledge, {"diary.daily_prompt_time": "06:00"})
    at = datetime(2026, 5, 4, 23, 0, tzinfo=LA)  # bupivacaine window ends 07:00 next day
    prompts = plan(clinic, at, "diagnostic", "bupivacaine")
    assert [p.day for p in prompts if p.purpose is PromptPurpose.DAILY] == [2, 3]
    assert [p.day for p in prompts if p.after_minutes and p.after_minutes >= 120] == [1, 1, 1, 1]


def test_milestone_off_the_weekly_grid_still_has_a_prompt(knowledge: Knowledge) -> None:
    clinic = loader.apply_overrides(knowledge, {"therapeutic.milestone_6w_days": [38, 45, 52]})
    prompts = plan(clinic, datetime(2026, 4, 6, 10, 0, tzinfo=LA), "therapeutic", "lidocaine")
    assert {p.day for p in prompts if p.milestone == "6w"} == {45}
    assert 42 in {p.day for p in prompts if p.purpose is PromptPurpose.WEEKLY}


def test_planned_and_done_procedures_give_the_same_schedule(
    knowledge: Knowledge, build_procedure
) -> None:
    at = datetime(2026, 4, 6, 10, 0, tzinfo=LA)
    done = build_procedure(kind="therapeutic", agent="Xylocaine", at=at)
    planned = PlannedProcedure(at, Kind.THERAPEUTIC, Side.LEFT, "lidocaine", "triamcinolone")
    assert diary_schedule(done, knowledge) == diary_schedule(planned, knowledge)
    assert diary_schedule(done, knowledge, TZ) == plan(knowledge, at, "therapeutic", "lidocaine")


def test_schedule_in_another_time_zone(knowledge: Knowledge) -> None:
    at = datetime(2026, 3, 2, 9, 0, tzinfo=LA)
    prompts = schedule_prompts(
        injected_at=at,
        kind=Kind.DIAGNOSTIC,
        anesthetic_agent="lidocaine",
        knowledge=knowledge,
        time_zone="America/New_York",
    )
    assert local(prompts[0]) == "2026-03-02 12:15 EST"
    assert local(prompts[-1]) == "2026-03-05 18:00 EST"


REFUSED = [
    pytest.param({}, "Mars/Olympus", "lidocaine", "time_zone", id="unknown-time-zone"),
    pytest.param({}, "America", "lidocaine", "time_zone", id="time-zone-folder"),
    pytest.param({}, TZ, "procaine", "anesthetic_agent", id="unknown-anesthetic"),
    pytest.param(
        {"diary.daily_prompt_time": "6pm"}, TZ, "lidocaine", "diary.daily_prompt_time", id="6pm"
    ),
    pytest.param(
        {"therapeutic.milestone_2w_days": [18, 14, 10]},
        TZ,
        "lidocaine",
        "therapeutic.milestone_2w_days",
        id="milestone-out-of-order",
    ),
]


@pytest.mark.parametrize(("overrides", "zone", "agent", "where"), REFUSED)
def test_refused(knowledge: Knowledge, overrides: dict, zone: str, agent: str, where: str) -> None:
    clinic = loader.apply_overrides(knowledge, overrides)
    with pytest.raises(InputError) as exc:
        schedule_prompts(
            injected_at=datetime(2026, 3, 2, 9, 0, tzinfo=LA),
            kind=Kind.THERAPEUTIC,
            anesthetic_agent=agent,
            knowledge=clinic,
            time_zone=zone,
        )
    assert exc.value.where == where


def test_naive_injection_time_is_refused(knowledge: Knowledge) -> None:
    with pytest.raises(InputError) as exc:
        plan(knowledge, datetime(2026, 3, 2, 9, 0), "diagnostic", "lidocaine")
    assert exc.value.where == "injected_at"
