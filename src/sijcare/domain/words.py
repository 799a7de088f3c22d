"""Sentences a patient reads, kept as their English text and the values that fill it.

The core writes English. A sentence kept as `Words` can be read in another language too:
the web layer looks its text up in the message catalogue (the English text is the message
id, marked for extraction by the `words(...)` call) and fills in the same values, which
may be `Words` themselves. `str()` gives the English.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Words:
    text: str
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def render(self, translate: Callable[[str], str] | None = None) -> str:
        """The text translated by `translate` (a gettext) when given, then filled in."""
        text = self.text if translate is None else translate(self.text)
        if not self.params:
            return text
        values = {
            name: value.render(translate) if isinstance(value, Words) else value
            for name, value in self.params.items()
        }
        return text.format(**values)

    def __str__(self) -> str:
        return self.render()


def words(text: str, /, **params: Any) -> Words:
    """Mark `text` as a sentence to translate; `params` fill its `{placeholders}`."""
    return Words(text, MappingProxyType(params))
