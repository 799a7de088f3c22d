"""Bookable slots from weekly availability, in the location's time zone, across DST.

Availability is kept in wall-clock time at the location (09:00-12:00 on Mondays), so
opening hours stay put when the clocks change. Each slot is computed in local time and
then converted to UTC:
- a local time that does not exist (the spring change, 02:00-02:59 in Los Angeles) gives
  no slot;
- a local time that happens twice (the autumn change, 01:00-01:59) gives one slot, at its
  first occurrence;
- a slot lasts `slot_minutes` of real time and must end by the rule's end time.
Exceptions remove the whole day or the slots that overlap their hours; booked
appointments remove the slots they overlap; slots that start before `now` are left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sijcare.db.models import Availability, AvailabilityException


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    location_id: int


@dataclass(frozen=True)
class Busy:
    starts_at: datetime
    ends_at: datetime


def exists(local: datetime) -> bool:
    """Whether the wall-clock time `local` (with its zone) happens at all."""
    round_trip = local.astimezone(UTC).astimezone(local.tzinfo)
    return round_trip.replace(tzinfo=None) == local.replace(tzinfo=None)


def day_slots(rules: Iterable[Availability], day: date, zone: ZoneInfo) -> list[Slot]:
    """Every slot the rules give on `day` (a date at the location), before exceptions."""
    out = []
    for rule in rules:
        if rule.weekday != day.weekday() or day < rule.valid_from:
            continue
        if rule.valid_to is not None and day > rule.valid_to:
            continue
        out.extend(_rule_slots(rule, day, zone))
    return sorted(set(out))


def _rule_slots(rule: Availability, day: date, zone: ZoneInfo) -> list[Slot]:
    step = timedelta(minutes=rule.slot_minutes)
    end_wall = datetime.combine(day, rule.end_local)
    wall = datetime.combine(day, rule.start_local)
    out = []
    while wall + step <= end_wall:
        local = wall.replace(tzinfo=zone, fold=0)
        if exists(local):
            starts_at = local.astimezone(UTC)
            ends_at = starts_at + step
            if ends_at.astimezone(zone).replace(tzinfo=None) <= end_wall:
                out.append(Slot(starts_at, ends_at, rule.location_id))
        wall += step
    return out


def without_exceptions(
    slots: Iterable[Slot], exceptions: Sequence[AvailabilityException], zone: ZoneInfo
) -> list[Slot]:
    """`slots` less those an exception covers (exception hours are wall-clock at the slot)."""
    out = []
    for slot in slots:
        local_start = slot.starts_at.astimezone(zone)
        if not any(_covers(e, local_start, slot.ends_at.astimezone(zone)) for e in exceptions):
            out.append(slot)
    return out


def _covers(exception: AvailabilityException, start: datetime, end: datetime) -> bool:
    if exception.on_date != start.date():
        return False
    if exception.all_day:
        return True
    assert exception.start_local is not None and exception.end_local is not None
    block_start = datetime.combine(exception.on_date, exception.start_local, tzinfo=start.tzinfo)
    block_end = datetime.combine(exception.on_date, exception.end_local, tzinfo=start.tzinfo)
    return start < block_end and end > block_start


def free(slots: Iterable[Slot], busy: Iterable[Busy], now: datetime) -> list[Slot]:
    """`slots` that start after `now` and overlap no busy interval."""
    taken = list(busy)
    return [
        slot
        for slot in slots
        if slot.starts_at > now
        and not any(b.starts_at < slot.ends_at and b.ends_at > slot.starts_at for b in taken)
    ]


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which `day` starts and ends in `zone` (23 or 25 hours at DST)."""
    start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return start, end
