"""The knowledge base as the core sees it: versioned, sourced clinical values.

Every threshold, window and drug fact the rules use lives in the data files of
`sijcare.knowledge` with its source and the kind of evidence behind it. The core reads
values through `Knowledge` and never hard-codes a clinical number, so a clinic's
override and the knowledge version travel with every result (`Provenance`).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, TypeVar

from sijcare.domain.errors import InputError

Value = int | float | str | bool | list[Any]


class Evidence(StrEnum):
    """How firmly a value is sourced."""

    PRIMARY = "primary"  # the guideline, policy or study itself
    SECONDARY = "secondary"  # a summary, vendor page or digest of the primary source
    COMMONLY_CITED = "commonly_cited"  # no primary source confirmed
    CLINIC_DEFAULT = "clinic_default"  # an operational choice the clinic makes


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    url: str | None
    kind: Evidence


@dataclass(frozen=True)
class Rule:
    """One clinical value with its meaning and source."""

    key: str
    value: Value
    unit: str
    summary: str
    source: str
    evidence: Evidence
    topic: str
    note: str = ""
    # Bounds a clinic's override must respect: any of "min", "max", "choices".
    limits: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Table:
    """A named table of facts (anesthetics, blood thinners, ...), each row sourced."""

    name: str
    summary: str
    topic: str
    rows: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class Provenance:
    """What a result was computed from: reproducible and explainable."""

    knowledge_version: str
    overrides: Mapping[str, Value]
    rules: Mapping[str, Value]
    inputs: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "knowledge_version": self.knowledge_version,
            "overrides": dict(self.overrides),
            "rules": dict(self.rules),
            "inputs": dict(self.inputs),
        }


@dataclass(frozen=True)
class Knowledge:
    """The merged knowledge base, with a clinic's overrides already applied."""

    version: str
    rules: Mapping[str, Rule]
    tables: Mapping[str, Table]
    sources: Mapping[str, Source]
    overrides: Mapping[str, Value] = field(default_factory=lambda: MappingProxyType({}))

    def rule(self, key: str) -> Rule:
        try:
            return self.rules[key]
        except KeyError:
            raise KeyError(f"no rule {key!r} in knowledge {self.version}") from None

    def number(self, key: str) -> float:
        value = self.rule(key).value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError(f"rule {key!r} is not a number")
        return float(value)

    def integer(self, key: str) -> int:
        value = self.rule(key).value
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"rule {key!r} is not a whole number")
        return value

    def text(self, key: str) -> str:
        value = self.rule(key).value
        if not isinstance(value, str):
            raise TypeError(f"rule {key!r} is not text")
        return value

    def flag(self, key: str) -> bool:
        value = self.rule(key).value
        if not isinstance(value, bool):
            raise TypeError(f"rule {key!r} is not true/false")
        return value

    def numbers(self, key: str) -> tuple[float, ...]:
        value = self.rule(key).value
        if not isinstance(value, list) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in value
        ):
            raise TypeError(f"rule {key!r} is not a list of numbers")
        return tuple(float(v) for v in value)

    def table(self, name: str) -> tuple[Mapping[str, Any], ...]:
        try:
            return self.tables[name].rows
        except KeyError:
            raise KeyError(f"no table {name!r} in knowledge {self.version}") from None

    def row(self, table: str, id_: str, *, where: str) -> Mapping[str, Any]:
        """The row of `table` whose id or any name matches `id_` (case-insensitive).

        An unknown name is an input error located at `where`.
        """
        indexes = _row_indexes(self)
        index = indexes.get(table)
        if index is None:
            index = indexes[table] = _index_rows(self.table(table))
        found = index.get(id_.strip().casefold())
        if found is not None:
            return found
        known = ", ".join(str(r["id"]) for r in self.table(table))
        raise InputError(where, f"unknown {table.rstrip('s')} {id_!r} (known: {known})")

    def provenance(self, rule_keys: tuple[str, ...], inputs: Mapping[str, Any]) -> Provenance:
        """The provenance of a result that used `rule_keys` on `inputs`."""
        # The overrides and rule values are read-only views shared by every result of
        # this Knowledge that used the same rules: diaries are read by the hundred thousand.
        views = _provenance_views(self)
        rules = views.get(rule_keys)
        if rules is None:
            rules = MappingProxyType({k: self.rule(k).value for k in rule_keys})
            views[rule_keys] = rules
        return Provenance(
            knowledge_version=self.version,
            overrides=_overrides_view(self),
            rules=rules,
            inputs=MappingProxyType(dict(inputs)),
        )


Derived = TypeVar("Derived")


def per_knowledge(build: Callable[[Knowledge], Derived]) -> Callable[[Knowledge], Derived]:
    """`build`, run once per Knowledge object: for indexes derived from its tables.

    Keyed by identity (a Knowledge holds unhashable mappings); an entry is dropped with
    the Knowledge it was built from. A race builds twice and keeps one: no harm.
    """
    built: dict[int, tuple[weakref.ref[Knowledge], Derived]] = {}

    def derived(knowledge: Knowledge) -> Derived:
        key = id(knowledge)
        cached = built.get(key)
        if cached is not None and cached[0]() is knowledge:
            return cached[1]
        value = build(knowledge)
        built[key] = (weakref.ref(knowledge, lambda _: built.pop(key, None)), value)
        return value

    derived.__doc__ = build.__doc__
    return derived


@per_knowledge
def _row_indexes(knowledge: Knowledge) -> dict[str, dict[str, Mapping[str, Any]]]:
    """Table name -> `_index_rows` of it, filled by `Knowledge.row`."""
    return {}


def _index_rows(rows: tuple[Mapping[str, Any], ...]) -> dict[str, Mapping[str, Any]]:
    """Casefolded id or name -> the first row with that id or name (as `Knowledge.row`)."""
    index: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        for n in (row["id"], *row.get("names", ())):
            index.setdefault(str(n).casefold(), row)
    return index


@per_knowledge
def _overrides_view(knowledge: Knowledge) -> Mapping[str, Value]:
    return MappingProxyType(dict(knowledge.overrides))


@per_knowledge
def _provenance_views(knowledge: Knowledge) -> dict[tuple[str, ...], Mapping[str, Value]]:
    """Rule keys -> their values, filled by `Knowledge.provenance` (the callers' rule
    tuples are few and fixed)."""
    return {}
