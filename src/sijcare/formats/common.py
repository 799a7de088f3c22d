"""Shared helpers for parsing the JSON and CSV file formats."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from sijcare.domain.errors import InputError

E = TypeVar("E", bound=Enum)

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,6}")


def load_json_object(text: str, *, what: str) -> Mapping[str, Any]:
    """The JSON object in `text`; `what` names the file for error messages."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what}:{exc.lineno}", f"not valid JSON ({exc.msg})") from None
    if not isinstance(doc, dict):
        raise InputError(what, "must hold a JSON object")
    return doc


def require(doc: Mapping[str, Any], key: str, *, prefix: str = "") -> Any:
    if key not in doc or doc[key] is None:
        raise InputError(prefix + key, "is required")
    return doc[key]


def parse_datetime(value: Any, *, where: str) -> datetime:
    """An ISO 8601 date-time with a UTC offset; naive times are refused."""
    if not isinstance(value, str):
        raise InputError(where, "must be an ISO 8601 date-time text with an offset")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(where, f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.utcoffset() is None:
        raise InputError(where, f"{value!r} has no UTC offset (add one, like -08:00 or Z)")
    return parsed


def parse_int(value: Any, *, where: str, low: int, high: int) -> int:
    """A whole number from `low` to `high`; text like "7" from CSV is accepted."""
    if isinstance(value, str):
        text = value.strip()
        # ASCII digits only: str.isdigit() accepts "²", which int() then refuses.
        if not _WHOLE_NUMBER.fullmatch(text):
            raise InputError(where, f"{value!r} is not a whole number from {low} to {high}")
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(where, f"{value!r} is not a whole number from {low} to {high}")
    if not low <= value <= high:
        raise InputError(where, f"{value} is outside {low} to {high}")
    return value


def parse_number(value: Any, *, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(where, f"{value!r} is not a number")
    return float(value)


def parse_enum(enum: type[E], value: Any, *, where: str) -> E:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum)
        raise InputError(where, f"{value!r} is not one of: {allowed}") from None


def parse_bool(value: Any, *, where: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(where, f"{value!r} must be true or false")
    return value


def parse_text(value: Any, *, where: str, max_length: int = 500) -> str:
    if not isinstance(value, str):
        raise InputError(where, "must be text")
    if len(value) > max_length:
        raise InputError(where, f"is longer than {max_length} characters")
    return value
