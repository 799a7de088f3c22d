"""`to_jsonable` decides once per type how to convert it: each kind still converts as documented."""

from __future__ import annotations

import json
import random
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import Enum, StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

from sijcare.formats.jsonout import to_jsonable


class Colour(StrEnum):
    RED = "red"


class Size(Enum):
    SMALL = 1


class Stamp(datetime):
    """A datetime subclass: still an ISO 8601 text."""


class Count(int):
    """An int subclass that is not an Enum: returned as it is."""


Pair = namedtuple("Pair", "a b")


@dataclass(frozen=True)
class Empty:
    pass


@dataclass(frozen=True)
class One:
    only: object


@dataclass(frozen=True, slots=True)
class Point:
    at: datetime
    elapsed: timedelta
    pain: int
    relief: float
    note: str | None = None
    flag: bool | None = None


@dataclass
class Outer:
    points: tuple[Point, ...]
    names: list[object]
    extra: dict[object, object] = field(default_factory=dict)


AT = datetime(2026, 3, 8, 9, 30, tzinfo=timezone(timedelta(hours=-8)))


def test_plain_values_are_returned_as_they_are() -> None:
    for value in ("text", 3, 2.5, True, None):
        assert to_jsonable(value) is value


def test_each_kind_converts_as_documented() -> None:
    assert to_jsonable(Colour.RED) == "red"
    assert to_jsonable(Size.SMALL) == 1
    assert to_jsonable(AT) == "2026-03-08T09:30:00-08:00"
    assert to_jsonable(Stamp(2026, 1, 2, tzinfo=UTC)) == "2026-01-02T00:00:00+00:00"
    assert to_jsonable(date(2026, 1, 2)) == "2026-01-02"
    assert to_jsonable(time(6, 5)) == "06:05:00"
    assert to_jsonable(timedelta(minutes=20)) == 0.3333
    assert to_jsonable(MappingProxyType({1: Colour.RED})) == {"1": "red"}
    assert to_jsonable({Colour.RED: (1, 2)}) == {"red": [1, 2]}
    assert to_jsonable(frozenset({4})) == [4]
    assert to_jsonable(Pair(1, AT)) == [1, "2026-03-08T09:30:00-08:00"]
    assert type(to_jsonable(Count(5))) is Count
    assert to_jsonable(Empty()) == {}
    assert to_jsonable(One(Size.SMALL)) == {"only": 1}


def test_nested_dataclasses_keep_field_order_and_convert_each_field() -> None:
    point = Point(AT, timedelta(hours=1, minutes=30), 3, 62.5, None, False)
    value = Outer((point, point), [Colour.RED, None], {"when": AT})
    expected_point = {
        "at": "2026-03-08T09:30:00-08:00",
        "elapsed": 1.5,
        "pain": 3,
        "relief": 62.5,
        "note": None,
        "flag": False,
    }
    out = to_jsonable(value)
    assert out == {
        "points": [expected_point, expected_point],
        "names": ["red", None],
        "extra": {"when": "2026-03-08T09:30:00-08:00"},
    }
    assert list(out["points"][0]) == list(expected_point)
    # The two copies of one point are separate dicts: a caller may change one.
    assert out["points"][0] is not out["points"][1]
    json.dumps(out)


@dataclass(frozen=True)
class Names:
    """Field names that are also the names the generated converter uses."""

    value: object
    plain: object
    known: object
    convert: object
    v0: object


def test_a_dataclass_converter_reads_each_field_whatever_its_name() -> None:
    out = to_jsonable(Names(Size.SMALL, AT, 1, None, (Colour.RED,)))
    assert out == {
        "value": 1,
        "plain": "2026-03-08T09:30:00-08:00",
        "known": 1,
        "convert": None,
        "v0": ["red"],
    }


def test_date_times_are_written_as_isoformat_writes_them_whatever_their_zone() -> None:
    # UTC and naive ones take a faster path (orjson); the others keep `isoformat`, which
    # alone keeps the seconds of an offset such as Los Angeles' of 1850 (-07:52:58).
    los_angeles = ZoneInfo("America/Los_Angeles")
    cases = [
        datetime(2026, 3, 8, 9, 30, tzinfo=UTC),
        datetime(2026, 3, 8, 9, 30, 0, 5, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(999, 5, 6, 7, 8, 9, 10),
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=los_angeles),
        datetime(1850, 1, 1, tzinfo=los_angeles),
        datetime(2026, 1, 1, tzinfo=timezone(timedelta(seconds=3661))),
        datetime(2026, 1, 1, 12, 0, 0, 500_000, tzinfo=ZoneInfo("Asia/Kathmandu")),
    ]
    for value in cases:
        assert to_jsonable(value) == value.isoformat()
    assert to_jsonable(datetime(1850, 1, 1, tzinfo=los_angeles)).endswith("-07:52:58")


def test_durations_are_hours_rounded_to_4_places_exactly_as_round_gives_them() -> None:
    # A whole number of 0.0001 h takes a shortcut (one division): the same float.
    rng = random.Random(5)
    micros = [0, 1, -1, 359_999, 360_000, 360_001, -360_000, 180_000, 10**13]
    micros += [rng.randint(-(10**12), 10**13) // 360_000 * 360_000 for _ in range(20_000)]
    micros += [rng.randint(-(10**6), 10**13) for _ in range(20_000)]
    # Whole seconds (a diary time at its prompt) take a shorter way still.
    micros += [s * 1_000_000 for s in range(-100_000, 400_000, 7)]
    # Any other time (one recorded now has microseconds) is rounded with integers: around
    # each halfway point, and up to the limit of that way and past it.
    micros += [
        rng.randint(0, 10**10) * 360_000 + half + offset
        for half in (180_000,) for offset in (-2, -1, 0, 1, 2) for _ in range(4_000)
    ]  # fmt: skip
    micros += [10**14 + offset for offset in range(-50, 50)]
    micros += [rng.randint(0, 2 * 10**14) for _ in range(100_000)]
    for micro in micros:
        value = timedelta(microseconds=micro)
        assert repr(to_jsonable(value)) == repr(round(value.total_seconds() / 3600, 4)), micro


@dataclass(frozen=True, slots=True)
class Stop:
    at: datetime | None
    then: datetime
    label: object


@dataclass(frozen=True, slots=True)
class LaterPoint(Point):
    """A subclass with a field more: a sequence holding it converts item by item."""

    extra: int = 7


def test_a_sequence_of_one_dataclass_converts_as_each_item_alone() -> None:
    # Sequences of one dataclass are converted together (their declared date-times in one
    # orjson call); whatever the values, each item must read as it reads alone.
    los_angeles = ZoneInfo("America/Los_Angeles")
    utc = [datetime(2026, 3, 8, 9, 30, tzinfo=UTC), datetime(2026, 3, 8, 9, 30, 0, 5, tzinfo=UTC)]
    mixed = [
        *utc,
        datetime(1850, 1, 1, tzinfo=los_angeles),
        datetime(2026, 1, 1),
        Stamp(2026, 1, 2),
    ]
    hours = [timedelta(minutes=20), timedelta(hours=1)]

    def alone(items: list[object] | tuple[object, ...]) -> list[object]:
        return [to_jsonable(item) for item in items]

    cases: list[list[object] | tuple[object, ...]] = [
        tuple(Point(at, hours[n % 2], n, 12.5) for n, at in enumerate(utc)),
        [Point(at, hours[n % 2], n, 1.0, "note", True) for n, at in enumerate(mixed)],
        [Point(at, hours[0], 1, 1.0) for at in [*utc, datetime(1850, 1, 1, tzinfo=los_angeles)]],
        [Point(at, hours[0], 1, 1.0) for at in [*utc, datetime(2026, 1, 1)]],
        (Point(utc[0], hours[0], 1, 2.0), LaterPoint(utc[1], hours[1], 2, 3.0)),
        (LaterPoint(utc[0], hours[0], 1, 2.0), LaterPoint(utc[1], hours[1], 2, 3.0)),
        (Point(utc[0], hours[0], 1, 2.0), Stop(None, utc[1], Colour.RED)),
        [Stop(None, at, (Size.SMALL, at)) for at in mixed],
        [Stop(at, at, None) for at in utc],
        [One(at) for at in mixed],
        [Point(utc[0], hours[0], 1, 2.0)],
    ]
    for items in cases:
        out = to_jsonable(items)
        assert out == alone(items)
        assert [list(item) for item in out] == [list(item) for item in alone(items)]
    out = to_jsonable([Stop(None, at, 1) for at in mixed])
    assert [item["then"] for item in out] == [at.isoformat() for at in mixed]
