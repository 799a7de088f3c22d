"""Times for screening: elapsed-time arithmetic and local wall-clock times.

Holds and fasting windows are durations of elapsed time ("3 days" = 72 hours), so they
are computed in UTC and never come out shorter across a change of the clocks (DST): the
local clock time may then differ by an hour from the procedure's. Calendar rules (the
day of the procedure, midnight) use the clinic's wall clock (zoneinfo).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sijcare.domain.errors import InputError
from sijcare.domain.words import Words, clock_of, day_of, words


def shifted(at: datetime, delta: timedelta, zone: ZoneInfo) -> datetime:
    """`at` moved by `delta` of elapsed time, as a time in `zone`."""
    return (at.astimezone(UTC) + delta).astimezone(zone)


def start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """Local midnight at the start of `day` (the first moment of the day if midnight is skipped)."""
    return wall_clock(day, time(0), zone)


def wall_clock(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """`clock` on `day` in `zone`; a time skipped by a clock change moves forward."""
    naive = datetime.combine(day, clock)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def last_clock_time(clock: time, not_after: datetime, zone: ZoneInfo) -> datetime:
    """The latest moment showing `clock` on the local wall clock at or before `not_after`."""
    local = not_after.astimezone(zone)
    candidate = wall_clock(local.date(), clock, zone)
    if candidate > local:
        candidate = wall_clock(local.date() - timedelta(days=1), clock, zone)
    return candidate


def parse_clock(value: str, key: str) -> time:
    """A rule's "HH:MM" value; anything else is an error in the clinic's settings."""
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InputError(key, f"{value!r} is not a time like 00:00") from None


def spoken(at: datetime) -> str:
    """A moment as patients read it, like "Tuesday, March 10 at 8:00 am" (the English of
    `spoken_words`)."""
    return str(spoken_words(at))


def spoken_words(at: datetime) -> Words:
    """A moment as patients read it, in their language: like "Tuesday, March 10 at 8:00
    am". Midnight names both days ("midnight between Monday, March 9 and Tuesday, March
    10"): "12:00 am" alone is often misread."""
    if (at.hour, at.minute) == (0, 0):
        before = at - timedelta(days=1)
        return words("midnight between {before} and {day}", before=day_of(before), day=day_of(at))
    return words("{day} at {clock}", day=day_of(at), clock=clock_of(at))
