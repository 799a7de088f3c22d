"""Sentences a patient reads, kept as their English text and the values that fill it.

The core writes English. A sentence kept as `Words` can be read in another language too:
the web layer looks its text up in the message catalogue (the English text is the message
id, marked for extraction by the `words(...)` call) and fills in the same values, which
may be `Words` themselves, or a `Day` or a `Clock`: a date or a time of day, which the
reader's language writes its own way ("Monday, March 2" / "lunes, 2 de marzo"). `str()`
gives the English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class DayStyle(StrEnum):
    FULL = "full"  # Monday, March 2
    WEEKDAY = "weekday"  # Monday
    MONTH_DAY = "month_day"  # March 2


@dataclass(frozen=True)
class Day:
    """A calendar day, written in the reader's language."""

    day: date
    style: DayStyle = DayStyle.FULL

    def english(self) -> str:
        d = self.day
        if self.style is DayStyle.WEEKDAY:
            return f"{d:%A}"
        if self.style is DayStyle.MONTH_DAY:
            return f"{d:%B} {d.day}"
        return f"{d:%A}, {d:%B} {d.day}"


@dataclass(frozen=True)
class Clock:
    """A time of day, written in the reader's language ("9:05 pm" in English)."""

    at: time

    def english(self) -> str:
        hour = self.at.hour % 12 or 12
        return f"{hour}:{self.at.minute:02d} {'am' if self.at.hour < 12 else 'pm'}"


def day_of(at: date | datetime, style: DayStyle = DayStyle.FULL) -> Day:
    return Day(at.date() if isinstance(at, datetime) else at, style)


def clock_of(at: datetime | time) -> Clock:
    return Clock(at.time() if isinstance(at, datetime) else at)


@dataclass(frozen=True)
class Joined:
    """Values written one after another with `between`, like "15 minutes, 30 minutes"."""

    parts: tuple[Any, ...]
    between: str = ", "


# Writes a `Day` or a `Clock` in the reader's language; None: in English.
Spell = Callable[[Day | Clock], str]


@dataclass(frozen=True)
class Words:
    text: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def render(
        self, translate: Callable[[str], str] | None = None, spell: Spell | None = None
    ) -> str:
        """The text translated by `translate` (a gettext) when given, then filled in, its
        days and times written by `spell` (English without it)."""
        text = self.text if translate is None else translate(self.text)
        if not self.params:
            return text
        values = {name: _value(value, translate, spell) for name, value in self.params.items()}
        return text.format(**values)

    def filled(self, **values: Any) -> Words:
        """This sentence with its `{placeholders}` filled in by `values` (a sentence kept
        as a template, filled where its values are known)."""
        return Words(self.text, MappingProxyType(values))

    def __str__(self) -> str:
        return self.render()


def words(text: str, /, **params: Any) -> Words:
    """Mark `text` as a sentence to translate; `params` fill its `{placeholders}`."""
    return Words(text, MappingProxyType(params))


def _value(value: Any, translate: Callable[[str], str] | None, spell: Spell | None) -> Any:
    if isinstance(value, Words):
        return value.render(translate, spell)
    if isinstance(value, Day | Clock):
        return value.english() if spell is None else spell(value)
    if isinstance(value, Joined):
        return value.between.join(str(_value(part, translate, spell)) for part in value.parts)
    return value
