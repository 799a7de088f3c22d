"""Checks every FHIR test shares: each resource validates with the R4B models, every
reference resolves inside its bundle, and a few lookups by type and code."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.resource import Resource

Json = dict[str, Any]


def as_json(resource: Resource) -> Json:
    doc: Json = json.loads(resource.model_dump_json(exclude_none=True))
    return doc


def checked(bundle: Bundle | Json | str) -> Json:
    """The bundle as JSON, after checking every entry and every reference."""
    if isinstance(bundle, Bundle):
        doc = as_json(bundle)
    elif isinstance(bundle, str):
        doc = json.loads(bundle)
    else:
        doc = bundle
    Bundle.model_validate(doc)  # the whole bundle, read back from its JSON
    for entry in doc.get("entry", []):
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    assert dangling(doc) == [], "every reference must point at an entry of the bundle"
    return doc


def references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                yield item
            else:
                yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def dangling(doc: Json) -> list[str]:
    urls = {entry["fullUrl"] for entry in doc.get("entry", [])}
    return [ref for ref in references(doc) if ref not in urls]


def of_type(doc: Json, resource_type: str) -> list[Json]:
    return [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == resource_type]


def types(doc: Json) -> Counter[str]:
    return Counter(e["resource"]["resourceType"] for e in doc["entry"])


def by_url(doc: Json) -> dict[str, Json]:
    return {entry["fullUrl"]: entry["resource"] for entry in doc["entry"]}


def codes_of(concept: Json | None) -> set[tuple[str, str]]:
    """The (system, code) pairs of a CodeableConcept."""
    return {(c["system"], c["code"]) for c in (concept or {}).get("coding", [])}
