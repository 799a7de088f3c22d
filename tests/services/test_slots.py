"""Slots from weekly hours in Los Angeles, across the 2026 daylight-saving changes.

2026-03-08 (Sunday): clocks go from 02:00 PST to 03:00 PDT. 2026-11-01 (Sunday): clocks
go back from 02:00 PDT to 01:00 PST.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from sijcare.db.models import Availability, AvailabilityException
from sijcare.services import slots

LA = ZoneInfo("America/Los_Angeles")


def rule(weekday: int, start: str, end: str, minutes: int = 30, **extra: object) -> Availability:
    return Availability(
        practitioner_id=1,
        location_id=1,
        weekday=weekday,
        start_local=time.fromisoformat(start),
        end_local=time.fromisoformat(end),
        slot_minutes=minutes,
        valid_from=extra.get("valid_from", date(2026, 1, 1)),
        valid_to=extra.get("valid_to"),
    )


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "first_start_utc"),
    [
        pytest.param(date(2026, 3, 7), "2026-03-07 17:00", id="saturday-before-spring-PST"),
        pytest.param(date(2026, 3, 8), "2026-03-08 16:00", id="spring-change-day-PDT"),
        pytest.param(date(2026, 10, 31), "2026-10-31 16:00", id="saturday-before-autumn-PDT"),
        pytest.param(date(2026, 11, 1), "2026-11-01 17:00", id="autumn-change-day-PST"),
    ],
)
def test_nine_oclock_stays_nine_oclock_local(day: date, first_start_utc: str) -> None:
    found = slots.day_slots([rule(day.weekday(), "09:00", "10:00")], day, LA)
    assert [s.starts_at for s in found] == [
        utc(first_start_utc),
        utc(first_start_utc).replace(minute=30),
    ]
    assert all(s.starts_at.astimezone(LA).hour == 9 for s in found)


def test_spring_gap_gives_no_slot_at_a_time_that_does_not_exist() -> None:
    found = slots.day_slots([rule(6, "01:00", "04:00", 60)], date(2026, 3, 8), LA)
    local = [s.starts_at.astimezone(LA).strftime("%H:%M %Z") for s in found]
    # 02:00 does not exist; 01:00 PST ends at 03:00 PDT (one real hour later).
    assert local == ["01:00 PST", "03:00 PDT"]


def test_autumn_repeated_hour_gives_one_slot_at_its_first_occurrence() -> None:
    found = slots.day_slots([rule(6, "00:00", "03:00", 60)], date(2026, 11, 1), LA)
    local = [s.starts_at.astimezone(LA).strftime("%H:%M %Z") for s in found]
    assert local == ["00:00 PDT", "01:00 PDT", "02:00 PST"]
    assert all(s.ends_at - s.starts_at == (found[0].ends_at - found[0].starts_at) for s in found)


def test_a_slot_must_end_by_the_end_of_the_hours() -> None:
    found = slots.day_slots([rule(0, "09:00", "10:15", 30)], date(2026, 3, 2), LA)
    assert len(found) == 2


def test_rules_apply_only_on_their_weekday_and_inside_their_dates() -> None:
    monday = date(2026, 3, 2)
    assert slots.day_slots([rule(1, "09:00", "10:00")], monday, LA) == []
    assert (
        slots.day_slots([rule(0, "09:00", "10:00", valid_from=date(2026, 3, 3))], monday, LA) == []
    )
    assert slots.day_slots([rule(0, "09:00", "10:00", valid_to=date(2026, 3, 1))], monday, LA) == []
    assert len(slots.day_slots([rule(0, "09:00", "10:00", valid_to=monday)], monday, LA)) == 2


def test_exceptions_remove_a_day_or_the_overlapping_slots() -> None:
    monday = date(2026, 3, 2)
    found = slots.day_slots([rule(0, "09:00", "11:00")], monday, LA)
    all_day = AvailabilityException(practitioner_id=1, on_date=monday, all_day=True)
    assert slots.without_exceptions(found, [all_day], LA) == []
    meeting = AvailabilityException(
        practitioner_id=1,
        on_date=monday,
        all_day=False,
        start_local=time(9, 45),
        end_local=time(10, 15),
    )
    left = slots.without_exceptions(found, [meeting], LA)
    assert [s.starts_at.astimezone(LA).strftime("%H:%M") for s in left] == ["09:00", "10:30"]
    other_day = AvailabilityException(practitioner_id=1, on_date=date(2026, 3, 3), all_day=True)
    assert slots.without_exceptions(found, [other_day], LA) == found


def test_free_slots_exclude_the_past_and_busy_times() -> None:
    found = slots.day_slots([rule(0, "09:00", "11:00")], date(2026, 3, 2), LA)
    busy = [slots.Busy(utc("2026-03-02 17:30"), utc("2026-03-02 18:15"))]
    left = slots.free(found, busy, now=utc("2026-03-02 17:00"))
    assert [s.starts_at for s in left] == [utc("2026-03-02 18:30")]


def test_local_day_bounds_are_23_and_25_hours_long_at_the_changes() -> None:
    start, end = slots.local_day_bounds(date(2026, 3, 8), LA)
    assert (end - start).total_seconds() == 23 * 3600
    start, end = slots.local_day_bounds(date(2026, 11, 1), LA)
    assert (end - start).total_seconds() == 25 * 3600
