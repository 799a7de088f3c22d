"""What every mapping shares: stable ids, references and small FHIR data types.

Resource ids are UUIDs (version 5) made from the patient's public id, the resource type
and the record's key, so exporting the same records twice gives the same ids, and a
receiver can recognise a resource it already has. Every reference inside a bundle is
the `urn:uuid:` full URL of another entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from sijcare.interop.fhir import codes
from sijcare.interop.fhir.records import Agent, AgentKind

M = TypeVar("M", bound=BaseModel)
Json = dict[str, Any]


def _namespace() -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, codes.codes().canonical_base)


@dataclass(frozen=True)
class Ids:
    """The ids of one patient's export (`scope` is the patient's public id)."""

    scope: str

    def id(self, resource_type: str, key: object) -> str:
        return str(uuid.uuid5(_namespace(), f"{self.scope}/{resource_type}/{key}"))

    def url(self, resource_type: str, key: object) -> str:
        return "urn:uuid:" + self.id(resource_type, key)

    def ref(self, resource_type: str, key: object, display: str | None = None) -> Json:
        out: Json = {"reference": self.url(resource_type, key)}
        if display:
            out["display"] = display
        return out

    @property
    def patient(self) -> Json:
        return self.ref("Patient", self.scope)

    def agent(self, agent: Agent | None) -> Json | None:
        """A reference to who acted: the patient, a practitioner, or a name only."""
        if agent is None:
            return None
        if agent.kind is AgentKind.PATIENT:
            return self.ref("Patient", self.scope, agent.name)
        if agent.kind is AgentKind.PRACTITIONER and agent.key:
            return self.ref("Practitioner", agent.key, agent.name)
        return {"display": agent.name} if agent.name else None


def build(model: type[M], doc: Mapping[str, Any]) -> M:
    """`doc` (a resource as JSON, without empty values) validated as the R4B `model`."""
    return model.model_validate(compact(doc))


def compact(value: Any) -> Any:
    """`value` without None, empty text, empty lists and empty objects (FHIR forbids them)."""
    if isinstance(value, Mapping):
        out = {k: compact(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if not _empty(v)}
    if isinstance(value, list | tuple):
        items = [compact(v) for v in value]
        return [v for v in items if not _empty(v)]
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def instant(at: datetime) -> str:
    """An ISO 8601 date-time with its offset (naive times never reach here)."""
    if at.utcoffset() is None:
        raise ValueError(f"{at.isoformat()} has no UTC offset")
    return at.isoformat()


def day(on: date) -> str:
    return on.isoformat()


def cc(*codings: Json, text: str | None = None) -> Json:
    """A CodeableConcept of `codings` with an optional `text`."""
    return {"coding": list(codings), "text": text}


def named(name: str, text: str | None = None) -> Json:
    """The CodeableConcept of a fixed code of codes.toml."""
    return cc(codes.coding(name), text=text)


def local_cc(system_name: str, value: str, text: str | None = None) -> Json:
    return cc(codes.local(system_name, value), text=text)


def quantity(value: float, unit: str, ucum: str) -> Json:
    return {"value": value, "unit": unit, "system": codes.system("ucum"), "code": ucum}


def percent(value: float) -> Json:
    """A percentage, rounded to 0.1 (as the readings show it)."""
    return quantity(round(value, 1), "%", "%")


def extension(name: str, **value: Any) -> Json:
    """An extension of codes.toml with one `value[x]` (`valueCodeableConcept=...`)."""
    return {"url": codes.url(name), **value}


def laterality(side: str) -> Json:
    """The body site: the SI joint, with the side as a laterality qualifier (mCODE)."""
    return {
        **named("si-joint", text=f"{side} sacroiliac joint".capitalize()),
        "extension": [extension("laterality", valueCodeableConcept=named(side))],
    }


def scalar_value(value: Any) -> Json:
    """The `value[x]` of a component for a plain JSON value (a rule value or an input)."""
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueQuantity": {"value": value}}
    if isinstance(value, str):
        return {"valueString": value}
    return {"valueString": _flat(value)}


def _flat(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return "null" if value is None else str(value)
