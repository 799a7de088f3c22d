"""The code systems, codes and extension addresses of `sijcare/interop/codes.toml`.

Read once. Mapping code asks for codes by name (`coding("si-joint")`), so no code or
system address is written out anywhere else; every entry of the file names its source.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Code:
    system: str
    code: str
    display: str | None
    source: str

    def coding(self) -> dict[str, Any]:
        """The FHIR Coding (display only where the file gives one)."""
        out = {"system": self.system, "code": self.code}
        if self.display:
            out["display"] = self.display
        return out


@dataclass(frozen=True)
class ConditionRule:
    """A condition the import may pre-fill: the INTAKE.json `field` and its codes."""

    name: str
    field: str
    snomed: frozenset[str]
    icd10cm_categories: tuple[str, ...]


@dataclass(frozen=True)
class Codes:
    canonical_base: str
    systems: Mapping[str, str]
    codes: Mapping[str, Code]
    urls: Mapping[str, str]  # extensions and profiles
    local_systems: frozenset[str]
    conditions: tuple[ConditionRule, ...]
    sources: frozenset[str]


def codes() -> Codes:
    """The parsed file (cached)."""
    return _load()


def system(name: str) -> str:
    """The address of code system `name` (`snomed`) or of sijcare's own (`allergy-kind`)."""
    table = codes()
    if name in table.local_systems:
        return f"{table.canonical_base}/CodeSystem/{name}"
    return table.systems[name]


def code(name: str) -> Code:
    return codes().codes[name]


def coding(name: str) -> dict[str, Any]:
    """The FHIR Coding of the named fixed code."""
    return code(name).coding()


def local(system_name: str, value: str, display: str | None = None) -> dict[str, Any]:
    """A Coding of one of sijcare's own code systems."""
    if system_name not in codes().local_systems:
        raise KeyError(f"no local code system {system_name!r} in codes.toml")
    out = {"system": system(system_name), "code": value}
    if display:
        out["display"] = display
    return out


def url(name: str) -> str:
    """The address of the named extension or profile."""
    return codes().urls[name]


def canonical(resource_type: str, name: str) -> str:
    """The canonical address of one of sijcare's definitions (`Questionnaire`, `screening`)."""
    return f"{codes().canonical_base}/{resource_type}/{name}"


@cache
def _load() -> Codes:
    text = resources.files("sijcare.interop").joinpath("codes.toml").read_text(encoding="utf-8")
    return parse_codes(tomllib.loads(text))


def parse_codes(doc: Mapping[str, Any]) -> Codes:
    """The codes of a decoded codes.toml; a missing source or system is an error."""
    base = str(doc["canonical_base"]).rstrip("/")
    sources = frozenset(doc["sources"])
    systems = {
        name: str(_sourced(spec, sources, name)["url"]) for name, spec in doc["systems"].items()
    }
    table = {
        name: Code(
            system=systems[str(_sourced(spec, sources, name)["system"])],
            code=str(spec["code"]),
            display=spec.get("display"),
            source=str(spec["source"]),
        )
        for name, spec in doc["codes"].items()
    }
    urls = {
        name: str(_sourced(spec, sources, name)["url"]).replace("{base}", base)
        for section in ("extensions", "profiles")
        for name, spec in doc[section].items()
    }
    conditions = tuple(
        ConditionRule(
            name=name,
            field=str(_sourced(spec, sources, name)["field"]),
            snomed=frozenset(str(c) for c in spec["snomed"]),
            icd10cm_categories=tuple(str(c) for c in spec["icd10cm_categories"]),
        )
        for name, spec in doc["import"]["conditions"].items()
    )
    return Codes(
        canonical_base=base,
        systems=systems,
        codes=table,
        urls=urls,
        local_systems=frozenset(doc["local"]["code_systems"]),
        conditions=conditions,
        sources=sources,
    )


def _sourced(spec: Mapping[str, Any], sources: frozenset[str], name: str) -> Mapping[str, Any]:
    if spec.get("source") not in sources:
        raise ValueError(f"codes.toml: {name} needs a source listed under [sources]")
    return spec
