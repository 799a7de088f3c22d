"""Sentences a patient reads, kept as their English text and the values that fill it.

The core writes English. A sentence kept as `Words` can be read in another language too:
the web layer looks its text up in the message catalogue (the English text is the message
id, marked for extraction by the `words(...)` call) and fills in the same values, which
may be `Words` themselves, or a `Day` or a `Clock`: a date or a time of day, which the
reader's language writes its own way ("Monday, March 2" / "lunes, 2 de marzo"). `str()`
gives the English.

A sentence with a number in it ("You recorded {count} scores") has two English texts, the
one for a count of 1 and the one for other counts, and names the value that is the
count (`plural_words`): the catalogue keeps it as a plural entry (gettext's `ngettext`),
and each language chooses its form by its own rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Protocol, cast

# The metadata of a result's field that keeps a sentence for the pages (translated there)
# beside its English: `formats.jsonout` leaves the field out of the JSON.
PAGES_ONLY: Mapping[str, bool] = MappingProxyType({"json": False})


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


class Catalogue(Protocol):
    """A language's translations, looked up as gettext does (babel's `Translations`)."""

    def gettext(self, message: str, /) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /) -> str: ...


# What translates a sentence: a catalogue, or a lookup of texts alone (which knows no
# plural entries: a sentence with a count then takes English's form, looked up as is).
Translate = Catalogue | Callable[[str], str]


def translated(
    translate: Translate | None, text: str, plural: str | None = None, count: Any = None
) -> str:
    """`text` in the language of `translate` (English without it); with a `plural`, the
    form for `count`: English's `text` for exactly 1 and `plural` for any other number,
    whole or not (1.5 hours, 0 scores), another language's by its catalogue's rule."""
    # The core writes its English this way by the thousand: no isinstance of the
    # protocol, which costs ~7 us a call (a catalogue is told by its `ngettext`).
    if translate is not None and hasattr(translate, "ngettext"):
        catalogue = cast(Catalogue, translate)
        if plural is None:
            return catalogue.gettext(text)
        return catalogue.ngettext(text, plural, plural_count(count))
    english = text if plural is None or plural_count(count) == 1 else plural
    return english if translate is None else translate(english)


def plural_count(count: Any) -> int:
    """`count` as gettext's plural forms take it: a whole number. One that is not whole
    (1.5 hours) is plural in the languages the product has, as 2 is; no count yet (a
    sentence kept to be filled in later, shown as it is) takes the form for other counts."""
    if count is None:
        return 2
    if isinstance(count, bool) or not isinstance(count, int | float | Decimal):
        raise TypeError(f"a count must be a number, not {type(count).__name__}")
    whole = int(count)
    return whole if whole == count else 2


@dataclass(frozen=True)
class Words:
    text: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    # A sentence with a count: its English for other counts than 1 (`text` is for 1),
    # and the name of the value in `params` that is the count.
    plural: str | None = None
    count: str | None = None

    def render(self, translate: Translate | None = None, spell: Spell | None = None) -> str:
        """The text translated by `translate` (a catalogue, or a gettext) when given, in
        the form for its count if it has one, then filled in, its days and times written
        by `spell` (English without it)."""
        count = None if self.count is None else self.params.get(self.count)
        text = translated(translate, self.text, self.plural, count)
        if not self.params:
            return text
        values = {name: _value(value, translate, spell) for name, value in self.params.items()}
        return text.format(**values)

    def filled(self, **values: Any) -> Words:
        """This sentence with its `{placeholders}` filled in by `values` (a sentence kept
        as a template, filled where its values are known)."""
        return replace(self, params=MappingProxyType(values))

    def __str__(self) -> str:
        return self.render()


def words(text: str, /, **params: Any) -> Words:
    """Mark `text` as a sentence to translate; `params` fill its `{placeholders}`."""
    return Words(text, MappingProxyType(params))


def plural_words(one: str, other: str, count: str, /, **params: Any) -> Words:
    """Mark a sentence with a count to translate: `one` is its English for a count of 1,
    `other` for any other count, and `count` names the value of `params` that is the
    count (which may be filled in later, by `Words.filled`)."""
    return Words(one, MappingProxyType(params), other, count)


def _value(value: Any, translate: Translate | None, spell: Spell | None) -> Any:
    if isinstance(value, Words):
        return value.render(translate, spell)
    if isinstance(value, Day | Clock):
        return value.english() if spell is None else spell(value)
    if isinstance(value, Joined):
        return value.between.join(str(_value(part, translate, spell)) for part in value.parts)
    return value
