"""Turning result dataclasses into plain JSON-ready values."""

from __future__ import annotations

import dataclasses
import json
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from operator import attrgetter
from typing import Any

import orjson

# Exact types returned as they are (a str-valued Enum is not one of them: it is an Enum).
_PLAIN = frozenset({str, int, float, bool, type(None)})

Convert = Callable[[Any], Any]

# How each type seen is converted, decided once per type: readings are serialised by the
# hundred thousand, and asking `dataclasses.fields` or `isinstance` each time is slow.
_CONVERT: dict[type, Convert] = {}


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, date-times and mappings as JSON-ready values.

    Date-times keep their offset (ISO 8601); durations become hours as a number.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    convert = _CONVERT.get(kind)
    if convert is None:
        convert = _CONVERT[kind] = _converter(kind)
    return convert(value)


def _converter(kind: type) -> Convert:
    if dataclasses.is_dataclass(kind):
        # A field marked `metadata=PAGES_ONLY` ({"json": False}, `domain.words`) is for the
        # pages only (a sentence kept for translation beside its English): the JSON keeps
        # its shape without it.
        names = tuple(f.name for f in dataclasses.fields(kind) if f.metadata.get("json", True))
        return _dataclass_converter(names)
    if kind is tuple or kind is list:
        return _sequence
    if issubclass(kind, Enum):
        return _enum_value
    if kind is datetime:
        return _datetime_text
    if issubclass(kind, datetime | date | time):
        return kind.isoformat
    if issubclass(kind, timedelta):
        return _hours
    if issubclass(kind, Mapping):
        return _mapping
    if issubclass(kind, list | tuple | set | frozenset):
        return _items
    return _as_is


def _dataclass_converter(names: tuple[str, ...]) -> Convert:
    # Generated once per dataclass, as `dataclasses` makes its `__init__`: one dict
    # display with each field read once, and no call for a plain value (most fields).
    # A reading holds ~40 `ReliefPoint`s: ~86 -> ~68 us a reading (identical output).
    values = [f"v{i}" for i in range(len(names))]
    reads = "".join(f"    {v} = value.{name}\n" for v, name in zip(values, names, strict=True))
    items = ", ".join(
        f"{name!r}: {v} if type({v}) in plain else (known.get(type({v})) or convert)({v})"
        for v, name in zip(values, names, strict=True)
    )
    source = f"def convert_dataclass(value):\n{reads}    return {{{items}}}\n"
    scope: dict[str, Any] = {"plain": _PLAIN, "known": _CONVERT, "convert": to_jsonable}
    exec(source, scope)  # noqa: S102 (the source is made here, from field names)
    converter: Convert = scope["convert_dataclass"]
    return converter


def _items(value: Any) -> list[Any]:
    return [item if type(item) in _PLAIN else to_jsonable(item) for item in value]


# How a list or tuple of one dataclass converts, decided once per dataclass: None for
# any other type.
_MANY: dict[type, Callable[[Any], list[Any] | None] | None] = {}


def _sequence(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    # A reading's scores are ~30 `ReliefPoint`s in a tuple: converted together, with
    # their date-times written by one orjson call (`_many_converter`).
    if len(value) > 1:
        kind = type(value[0])
        try:
            many = _MANY[kind]
        except KeyError:
            many = _MANY[kind] = _many_converter(kind)
        if many is not None:
            out = many(value)
            if out is not None:
                return out
    return [item if type(item) in _PLAIN else to_jsonable(item) for item in value]


def _many_converter(kind: type) -> Callable[[Any], list[Any] | None] | None:
    """A converter of a sequence of `kind` dataclasses, or None for another type. It
    gives what converting each item gives (None when an item is of another type): the
    fields declared `datetime` are written for all items at once (`_times`), the others
    as `_dataclass_converter` writes them, without a call for each item."""
    if not dataclasses.is_dataclass(kind):
        return None
    names = [f.name for f in dataclasses.fields(kind) if f.metadata.get("json", True)]
    try:
        hints = typing.get_type_hints(kind)
    except Exception:  # noqa: BLE001 (a hint that cannot be resolved: no field at once)
        hints = {}
    times = [name for name in names if hints.get(name) is datetime]
    columns = "".join(
        f"    t{n} = times([item.{name} for item in items])\n" for n, name in enumerate(times)
    )
    values = []
    for name in names:
        if name in times:
            values.append(f"{name!r}: t{times.index(name)}[n]")
        else:
            v = f"v_{name}"
            values.append(
                f"{name!r}: {v} if type({v} := item.{name}) in plain "
                f"else (known.get(type({v})) or convert)({v})"
            )
    source = (
        "def convert_many(items):\n"
        "    for item in items:\n"
        "        if type(item) is not kind:\n"
        "            return None\n"
        f"{columns}"
        f"    return [{{{', '.join(values)}}} for n, item in enumerate(items)]\n"
    )
    scope: dict[str, Any] = {
        "kind": kind, "plain": _PLAIN, "known": _CONVERT, "convert": to_jsonable, "times": _times,
    }  # fmt: skip
    exec(source, scope)  # noqa: S102 (the source is made here, from field names)
    converter: Callable[[Any], list[Any] | None] = scope["convert_many"]
    return converter


def _times(values: list[Any]) -> list[Any]:
    # orjson writes a UTC or naive date-time as `isoformat` does (`_datetime_text`);
    # a list of them in one call, split at the quotes between them, costs a fifth of
    # a call each. Anything else (None, another zone) converts one by one.
    for value in values:
        if type(value) is not datetime or (value.tzinfo is not UTC and value.tzinfo is not None):
            return [v if type(v) in _PLAIN else to_jsonable(v) for v in values]
    return _dumps(values)[2:-2].decode().split('","')


def _mapping(value: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(k): v if type(v) in _PLAIN else to_jsonable(v) for k, v in value.items()}


_enum_value = attrgetter("value")
_dumps = orjson.dumps


def _datetime_text(value: datetime) -> str:
    # orjson writes a UTC or naive date-time as `isoformat` does, about 3x faster (a
    # reading holds ~40 of them); it drops the seconds of an offset such as the
    # historical -07:52:58, so any other zone goes through `isoformat`.
    if value.tzinfo is UTC or value.tzinfo is None:
        return _dumps(value)[1:-1].decode()
    return value.isoformat()


_MICROSECOND = timedelta(microseconds=1)
_TENTH_MILLIHOUR = 360_000  # microseconds in 0.0001 h
_HALF = _TENTH_MILLIHOUR // 2
# Below this many microseconds (about 3 years) the integer rounding in `_hours` gives what
# `round` gives: the float error of `total_seconds() / 3600` (under 2e-7 of 0.0001 h
# there) cannot move a value across a rounding point unless it lies exactly halfway.
_EXACT_BELOW = 10**14


def _hours(value: timedelta) -> float:
    """`round(value.total_seconds() / 3600, 4)`, the same float, mostly without `round`
    (py-spy put a thirtieth of a diary score's samples in it: a reading holds ~40
    durations, and a time recorded now has microseconds, which took `round`'s decimal
    conversion)."""
    if not value.microseconds:
        seconds = value.days * 86_400 + value.seconds
        if seconds % 9 == 0:  # 9 s = 25 x 0.0001 h: a diary prompt's time, exact at once
            return seconds * 25 // 9 / 10_000
    micro = value // _MICROSECOND
    if 0 <= micro < _EXACT_BELOW:
        whole, rest = divmod(micro, _TENTH_MILLIHOUR)
        if rest != _HALF:  # exactly halfway: left to `round` (ties, float)
            # The nearest whole number of 0.0001 h, divided exactly once: the float that
            # `round` gives for that decimal.
            return (whole + (rest > _HALF)) / 10_000
    return round(value.total_seconds() / 3600, 4)


def _as_is(value: Any) -> Any:
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)
