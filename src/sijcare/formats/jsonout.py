"""Turning result dataclasses into plain JSON-ready values."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any

# Exact types returned as they are (a str-valued Enum is not one of them: it is an Enum).
_PLAIN = frozenset({str, int, float, bool, type(None)})
# The field names of each dataclass seen, None for a class that is not one. Readings are
# serialised by the hundred thousand, and `dataclasses.fields` is slow to ask each time.
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, date-times and mappings as JSON-ready values.

    Date-times keep their offset (ISO 8601); durations become hours as a number.
    """
    kind = type(value)
    if kind in _PLAIN:
        return value
    try:
        names = _FIELDS[kind]
    except KeyError:
        names = (
            tuple(f.name for f in dataclasses.fields(kind))
            if dataclasses.is_dataclass(kind)
            else None
        )
        _FIELDS[kind] = names
    if names is not None:
        return {name: to_jsonable(getattr(value, name)) for name in names}
    if kind is tuple or kind is list:
        return [to_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 3600, 4)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)
