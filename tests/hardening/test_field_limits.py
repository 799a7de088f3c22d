"""Every API field has explicit limits, read from the app's own OpenAPI description.

A string needs a maximum length, a list of allowed values, a pattern or a date/time
format; a number needs a range; a list needs a maximum number of items. Record numbers
(integer path parameters and `*_id` fields) are exempt: any number is a valid question,
and one past the database's range is a 422, never a crash (`web/errors.py`, checked by
the fuzz test). Free-form objects are refused.

`KNOWN_GAPS` lists the fields still without a limit, each with the module that owns it;
the test fails when a new gap appears and when a listed one is fixed (remove it then).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from sijcare.db.models.patient import new_public_id
from sijcare.domain.knowledge import Knowledge
from sijcare.formats.report import MG_DL_PER_MMOL_L
from sijcare.web import limits

BOUNDED_FORMATS = frozenset({"date", "date-time", "time", "binary"})

# Fields still without a limit, each with the module that owns it, as
# "POST /api/v1/x body.note: string without a maximum length". Keep it empty.
KNOWN_GAPS: frozenset[str] = frozenset()


class Walker:
    def __init__(self, components: dict[str, Any]) -> None:
        self.components = components
        self.gaps: set[str] = set()

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def walk(self, schema: dict[str, Any], where: str, name: str) -> None:
        schema = self.resolve(schema)
        alternatives = [s for key in ("anyOf", "oneOf", "allOf") for s in schema.get(key, [])]
        for alternative in alternatives:
            self.walk(alternative, where, name)
        if alternatives or "enum" in schema or "const" in schema:
            return
        kind = schema.get("type")
        if kind == "string":
            self._string(schema, where)
        elif kind in ("integer", "number"):
            self._number(schema, where, name, kind)
        elif kind == "array":
            if "maxItems" not in schema:
                self.gaps.add(f"{where}: list without a maximum")
            self.walk(schema.get("items", {}), f"{where}[]", name)
        elif kind == "object" or "properties" in schema:
            for key, value in schema.get("properties", {}).items():
                self.walk(value, f"{where}.{key}", key)
            if isinstance(schema.get("additionalProperties"), dict):
                self.gaps.add(f"{where}: free-form object")
        elif kind not in ("boolean", "null"):
            self.gaps.add(f"{where}: any value")

    def _string(self, schema: dict[str, Any], where: str) -> None:
        bounded = (
            "maxLength" in schema or "pattern" in schema or schema.get("format") in BOUNDED_FORMATS
        )
        if not bounded:
            self.gaps.add(f"{where}: string without a maximum length")

    def _number(self, schema: dict[str, Any], where: str, name: str, kind: str) -> None:
        if kind == "integer" and (name == "id" or name.endswith("_id")):
            return
        low = "minimum" in schema or "exclusiveMinimum" in schema
        high = "maximum" in schema or "exclusiveMaximum" in schema
        if not (low and high):
            self.gaps.add(f"{where}: {kind} without a range")


def field_gaps(spec: dict[str, Any]) -> set[str]:
    walker = Walker(spec.get("components", {}).get("schemas", {}))
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            label = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                where = f"{label} {parameter['in']}:{parameter['name']}"
                walker.walk(parameter["schema"], where, parameter["name"])
            for content in operation.get("requestBody", {}).get("content", {}).values():
                walker.walk(content.get("schema", {}), f"{label} body", "body")
    return walker.gaps


def test_every_api_field_has_explicit_limits(app: FastAPI) -> None:
    gaps = field_gaps(app.openapi())
    assert gaps - KNOWN_GAPS == set(), "give these fields a limit (length, range, values)"
    assert KNOWN_GAPS - gaps == set(), "these gaps are fixed: remove them from KNOWN_GAPS"


def test_the_limits_check_finds_a_missing_limit() -> None:
    spec = {
        "paths": {
            "/x": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "note": {"type": "string"},
                                        "pain": {"type": "integer", "minimum": 0},
                                        "item_id": {"type": "integer"},
                                        "tags": {
                                            "type": "array",
                                            "items": {"type": "string", "maxLength": 9},
                                        },
                                    },
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    assert field_gaps(spec) == {
        "POST /x body.note: string without a maximum length",
        "POST /x body.pain: integer without a range",
        "POST /x body.tags: list without a maximum",
    }


def test_patient_id_pattern_matches_how_ids_are_made() -> None:
    for _ in range(50):
        made = new_public_id()
        assert re.fullmatch(limits.PATIENT_ID_PATTERN, made) and len(made) == 17


def test_schema_bounds_hold_every_value_the_core_accepts(knowledge: Knowledge) -> None:
    """The schema refuses only what no configuration accepts; the core checks the rest."""
    for rule, bound in (
        (
            "procedure.anesthetic_concentration_max_percent",
            limits.ANESTHETIC_CONCENTRATION_MAX_PERCENT,
        ),
        ("procedure.anesthetic_volume_max_ml", limits.ANESTHETIC_VOLUME_MAX_ML),
        ("procedure.steroid_dose_max_mg", limits.STEROID_DOSE_MAX_MG),
    ):
        assert knowledge.number(rule) <= bound == knowledge.rule(rule).limits["max"]
    low, high = knowledge.numbers("triage.temperature_c_accepted")
    assert limits.TEMPERATURE_C_MIN < low and high < limits.TEMPERATURE_C_MAX
    assert (
        limits.TEMPERATURE_F_MIN < low * 9 / 5 + 32 and high * 9 / 5 + 32 < limits.TEMPERATURE_F_MAX
    )
    low, high = knowledge.numbers("triage.glucose_mg_dl_accepted")
    assert 0 < low and high < limits.BLOOD_SUGAR_MG_DL_MAX
    assert high / MG_DL_PER_MMOL_L < limits.BLOOD_SUGAR_MMOL_L_MAX
    assert (limits.PAIN_MIN, limits.PAIN_MAX) == (0, 10)
