"""The sentences a module of the core keeps (`domain.words.Words`), and those a value says:
for the tests that check every sentence of a module is said by their table's rows."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from sijcare.domain.words import Joined, Words


def texts_in(value: Any) -> set[str]:
    """The text of `value` and of every sentence in it."""
    if isinstance(value, Words):
        return {value.text}.union(*(texts_in(v) for v in value.params.values()))
    if isinstance(value, Joined):
        return set().union(*(texts_in(part) for part in value.parts))
    return set()


def sentences_of(module: ModuleType) -> set[str]:
    """The text of each sentence `module` keeps, alone or in a dict of sentences."""
    found: set[str] = set()
    for value in vars(module).values():
        for said in value.values() if isinstance(value, dict) else (value,):
            if isinstance(said, Words):
                found.add(said.text)
    return found
