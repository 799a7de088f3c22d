"""A patient sentence kept as `Words` (`domain.words`), as JSON and back.

Stored beside a sentence's English (a triage answer's reasons and steps), so that a page
can show it later in the reader's language (ADR 0007). The form:

    {"text": "Your pain is {pain} out of 10.", "params": {"pain": 9}}

A sentence with a count has also its English for other counts than 1 and the name of
the value that is the count (`domain.words.plural_words`):

    {"text": "... for up to {days:g} day.", "params": {"days": 3},
     "plural": "... for up to {days:g} days.", "count": "days"}

A value in `params` is a JSON string, number, boolean or null as it is, or an object
tagged with its type:

    {"type": "words", "text": "...", "params": {...}}
    {"type": "day", "day": "2026-03-02", "style": "full"}
    {"type": "clock", "at": "13:00:00"}
    {"type": "joined", "parts": [...], "between": ", "}

`words_from_json` raises `ValueError` for anything else, so a reader can fall back to the
English it has: `words_or_english` does.
"""

from __future__ import annotations

from datetime import date, time
from types import MappingProxyType
from typing import Any

from sijcare.domain.words import Clock, Day, DayStyle, Joined, Words

_PLAIN = (str, int, float, bool, type(None))


def words_to_json(said: Words) -> dict[str, Any]:
    """`said` as JSON-ready values; `TypeError` for a value no page could write."""
    data: dict[str, Any] = {
        "text": said.text,
        "params": {name: _value_json(v) for name, v in said.params.items()},
    }
    if said.plural is not None:
        data.update(plural=said.plural, count=said.count)
    return data


def words_from_json(data: Any) -> Words:
    """The `Words` of `words_to_json`; `ValueError` saying what is wrong otherwise."""
    if not isinstance(data, dict):
        raise ValueError("words: not an object")
    return _words(data)


def words_or_english(english: str, stored: Any) -> Words | str:
    """The sentence's stored words when they read as its English, else the English: a
    record from before the words were kept (`stored` None), or words that cannot be read
    or filled in any more."""
    if stored is None:
        return english
    try:
        said = words_from_json(stored)
        same = str(said) == english
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return english
    return said if same else english


def _value_json(value: Any) -> Any:
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, Words):
        return {"type": "words", **words_to_json(value)}
    if isinstance(value, Day):
        return {"type": "day", "day": value.day.isoformat(), "style": value.style.value}
    if isinstance(value, Clock):
        return {"type": "clock", "at": value.at.isoformat()}
    if isinstance(value, Joined):
        parts = [_value_json(part) for part in value.parts]
        return {"type": "joined", "parts": parts, "between": value.between}
    raise TypeError(f"a {type(value).__name__} cannot be kept in words")


def _words(data: dict[str, Any]) -> Words:
    text, params = data.get("text"), data.get("params", {})
    if not isinstance(text, str):
        raise ValueError("words: text is not a string")
    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        raise ValueError("words: params is not an object")
    plural, count = data.get("plural"), data.get("count")
    if plural is not None and not (isinstance(plural, str) and isinstance(count, str)):
        raise ValueError("words: a plural needs its text and the name of its count")
    values = MappingProxyType({name: _value(v) for name, v in params.items()})
    return Words(text, values, plural, count if plural is not None else None)


def _value(data: Any) -> Any:
    if isinstance(data, _PLAIN):
        return data
    if not isinstance(data, dict):
        raise ValueError(f"words: a {type(data).__name__} is not a value")
    kind = data.get("type")
    if kind == "words":
        return _words(data)
    if kind == "joined":
        parts, between = data.get("parts"), data.get("between")
        if not isinstance(parts, list) or not isinstance(between, str):
            raise ValueError("words: joined needs a list of parts and a separator")
        return Joined(tuple(_value(part) for part in parts), between)
    try:
        if kind == "day":
            return Day(date.fromisoformat(data["day"]), DayStyle(data["style"]))
        if kind == "clock":
            return Clock(time.fromisoformat(data["at"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"words: a {kind} value is not valid ({exc})") from None
    raise ValueError(f"words: unknown value type {kind!r}")
