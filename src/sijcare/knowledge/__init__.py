"""Loading the versioned knowledge files and a clinic's overrides.

The files live in `data/` beside this module, one file per clinical topic, plus
`sources.toml` (the citations) and `manifest.toml` (the knowledge version). Loading is
the only I/O here; the result is the pure `sijcare.domain.knowledge.Knowledge`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Evidence, Knowledge, Rule, Source, Table, Value

_RULE_FIELDS = {"value", "unit", "summary", "source", "evidence", "note", "min", "max", "choices"}


def load(clinic_config: Path | None = None) -> Knowledge:
    """The shipped knowledge with the overrides of `clinic_config` (a TOML file) applied."""
    base = _shipped()
    if clinic_config is None:
        return base
    try:
        raw = tomllib.loads(clinic_config.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(str(clinic_config), f"cannot read the file ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(clinic_config), f"not valid TOML ({exc})") from None
    unknown = sorted(set(raw) - {"clinic", "overrides"})
    if unknown:
        raise InputError(f"{clinic_config}: {unknown[0]}", "is not a section (use [overrides])")
    overrides = raw.get("overrides", {})
    if not isinstance(overrides, dict):
        raise InputError(f"{clinic_config}: overrides", "must be a table of rule = value")
    try:
        return apply_overrides(base, overrides)
    except InputError as exc:
        raise exc.within(str(clinic_config)) from None


@cache
def _shipped() -> Knowledge:
    data = resources.files(__package__).joinpath("data")
    manifest = tomllib.loads(data.joinpath("manifest.toml").read_text(encoding="utf-8"))
    docs = {
        entry.name: tomllib.loads(entry.read_text(encoding="utf-8"))
        for entry in sorted(data.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml") and entry.name != "manifest.toml"
    }
    # Sources are shared: sources.toml holds the common ones, a topic file may add its own.
    sources: dict[str, Source] = {}
    for name, doc in docs.items():
        for id_, source in _sources(doc).items():
            if id_ in sources:
                raise ValueError(f"{name}: source {id_} is defined twice")
            sources[id_] = source
    rules: dict[str, Rule] = {}
    tables: dict[str, Table] = {}
    for file, doc in docs.items():
        if file == "sources.toml":
            continue
        topic = doc.get("topic")
        if not isinstance(topic, str):
            raise ValueError(f"{file}: needs a topic")
        for key, spec in doc.get("rules", {}).items():
            if key in rules:
                raise ValueError(f"{file}: rule {key} is defined twice")
            rules[key] = _rule(file, key, spec, topic, sources)
        for name, spec in doc.get("tables", {}).items():
            if name in tables:
                raise ValueError(f"{file}: table {name} is defined twice")
            tables[name] = _table(file, name, spec, topic, sources)
    return Knowledge(
        version=str(manifest["version"]),
        rules=MappingProxyType(rules),
        tables=MappingProxyType(tables),
        sources=MappingProxyType(sources),
    )


def apply_overrides(base: Knowledge, overrides: Mapping[str, Any]) -> Knowledge:
    """`base` with `overrides` (rule key -> value) applied, each checked against its rule."""
    rules = dict(base.rules)
    for key, value in overrides.items():
        if key not in rules:
            raise InputError(f"overrides.{key}", "is not a rule of the knowledge base")
        rules[key] = _overridden(rules[key], value)
    return Knowledge(
        version=base.version,
        rules=MappingProxyType(rules),
        tables=base.tables,
        sources=base.sources,
        overrides=MappingProxyType({**base.overrides, **overrides}),
    )


def _overridden(rule: Rule, value: Any) -> Rule:
    limits = rule.limits
    where = f"overrides.{rule.key}"
    shipped = rule.value
    numeric = isinstance(shipped, int | float) and not isinstance(shipped, bool)
    if numeric and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise InputError(where, f"must be a number like the shipped {shipped!r}")
    if isinstance(shipped, int) and not isinstance(shipped, bool) and not isinstance(value, int):
        raise InputError(where, "must be a whole number")
    if not numeric and type(value) is not type(shipped):
        raise InputError(where, f"must be of the same kind as the shipped {shipped!r}")
    if isinstance(shipped, list):
        _check_list(value, shipped, where)
    if "min" in limits and value < limits["min"]:
        raise InputError(where, f"must be at least {limits['min']}")
    if "max" in limits and value > limits["max"]:
        raise InputError(where, f"must be at most {limits['max']}")
    if "choices" in limits and value not in limits["choices"]:
        raise InputError(where, f"must be one of {', '.join(map(str, limits['choices']))}")
    return Rule(
        key=rule.key,
        value=value,
        unit=rule.unit,
        summary=rule.summary,
        source="clinic-configuration",
        evidence=Evidence.CLINIC_DEFAULT,
        topic=rule.topic,
        note=f"shipped value {shipped!r} ({rule.source}, {rule.evidence.value})",
        limits=limits,
    )


def _check_list(value: list[Any], shipped: list[Any], where: str) -> None:
    """A list override has the shipped list's length and item kinds (numbers stay numbers)."""
    if len(value) != len(shipped):
        raise InputError(where, f"must have {len(shipped)} items like the shipped {shipped!r}")
    for item, model in zip(value, shipped, strict=True):
        model_numeric = isinstance(model, int | float) and not isinstance(model, bool)
        item_numeric = isinstance(item, int | float) and not isinstance(item, bool)
        if model_numeric != item_numeric or (not model_numeric and type(item) is not type(model)):
            raise InputError(where, f"items must be of the same kind as in {shipped!r}")


def _sources(doc: Mapping[str, Any]) -> dict[str, Source]:
    out = {}
    for id_, spec in doc.get("sources", {}).items():
        out[id_] = Source(
            id=id_, citation=spec["citation"], url=spec.get("url"), kind=Evidence(spec["kind"])
        )
    return out


def _rule(
    file: str, key: str, spec: Mapping[str, Any], topic: str, sources: Mapping[str, Source]
) -> Rule:
    unknown = set(spec) - _RULE_FIELDS
    if unknown:
        raise ValueError(f"{file}: rule {key} has unknown fields {sorted(unknown)}")
    for needed in ("value", "summary", "source", "evidence"):
        if needed not in spec:
            raise ValueError(f"{file}: rule {key} needs {needed}")
    if spec["source"] not in sources:
        raise ValueError(f"{file}: rule {key} cites unknown source {spec['source']!r}")
    value: Value = spec["value"]
    return Rule(
        key=key,
        value=value,
        unit=spec.get("unit", ""),
        summary=spec["summary"],
        source=spec["source"],
        evidence=Evidence(spec["evidence"]),
        topic=topic,
        note=spec.get("note", ""),
        limits=MappingProxyType({k: spec[k] for k in ("min", "max", "choices") if k in spec}),
    )


def _table(
    file: str, name: str, spec: Mapping[str, Any], topic: str, sources: Mapping[str, Source]
) -> Table:
    rows = spec.get("rows", [])
    for i, row in enumerate(rows, 1):
        for needed in ("id", "source", "evidence"):
            if needed not in row:
                raise ValueError(f"{file}: table {name} row {i} needs {needed}")
        if row["source"] not in sources:
            raise ValueError(f"{file}: table {name} row {i} cites unknown source {row['source']!r}")
        Evidence(row["evidence"])
    return Table(
        name=name,
        summary=spec.get("summary", ""),
        topic=topic,
        rows=tuple(MappingProxyType(dict(r)) for r in rows),
    )
