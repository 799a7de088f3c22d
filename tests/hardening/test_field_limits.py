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

from typing import Any

from fastapi import FastAPI

BOUNDED_FORMATS = frozenset({"date", "date-time", "time", "binary"})

KNOWN_GAPS = frozenset(
    {
        # web/routes/auth_api.py (Preferences): checked against the locales and zoneinfo.
        "PATCH /api/v1/me body.locale: string without a maximum length",
        "PATCH /api/v1/me body.time_zone: string without a maximum length",
        # web/routes/portal_screening_api.py
        "POST /api/v1/portal/pathways/{pathway_id}/screening body.fever_recent.max_temperature: number without a range",
        "POST /api/v1/portal/pathways/{pathway_id}/screening body.medicines: list without a maximum",
        "POST /api/v1/portal/pathways/{pathway_id}/screening body.allergies: list without a maximum",
        "POST /api/v1/portal/pathways/{pathway_id}/screening body.past_reactions: list without a maximum",
        # web/routes/portal_consent.py
        "POST /api/v1/portal/pathways/{pathway_id}/consent body.confirmed: list without a maximum",
        # web/routes/portal_symptoms.py: readings are range-checked by formats/report.py.
        "POST /api/v1/portal/procedures/{procedure_id}/symptom-reports body.temperature_c: number without a range",
        "POST /api/v1/portal/procedures/{procedure_id}/symptom-reports body.temperature_f: number without a range",
        "POST /api/v1/portal/procedures/{procedure_id}/symptom-reports body.blood_sugar_mg_dl: number without a range",
        "POST /api/v1/portal/procedures/{procedure_id}/symptom-reports body.blood_sugar_mmol_l: number without a range",
        # web/routes/workspace_api.py: doses are range-checked by formats/procedure.py.
        "GET /api/v1/workspace/patients/{patient_id} path:patient_id: string without a maximum length",
        "GET /api/v1/workspace/patients/{patient_id}/timeline path:patient_id: string without a maximum length",
        "GET /api/v1/workspace/patients/{patient_id}/next-step path:patient_id: string without a maximum length",
        "GET /api/v1/workspace/patients/{patient_id}/next-step query:payer: string without a maximum length",
        "POST /api/v1/workspace/pathways/{pathway_id}/procedure body.anesthetic.concentration_percent: number without a range",
        "POST /api/v1/workspace/pathways/{pathway_id}/procedure body.anesthetic.volume_ml: number without a range",
        "POST /api/v1/workspace/pathways/{pathway_id}/procedure body.steroid.dose_mg: number without a range",
        "POST /api/v1/workspace/pathways/{pathway_id}/procedure body.baseline_pain: integer without a range",
        # web/routes/patients_api.py
        "GET /api/v1/patients query:search: string without a maximum length",
        "GET /api/v1/patients/{patient_id} path:patient_id: string without a maximum length",
        "GET /api/v1/patients/{patient_id}/appointments path:patient_id: string without a maximum length",
        "POST /api/v1/patients/{patient_id}/appointments path:patient_id: string without a maximum length",
        # web/routes/availability_api.py
        "POST /api/v1/availability body.slot_minutes: integer without a range",
        # web/routes/admin_api.py
        "GET /api/v1/admin/audit query:action: string without a maximum length",
        "GET /api/v1/admin/audit query:offset: integer without a range",
        "GET /api/v1/admin/audit.csv query:action: string without a maximum length",
        # I2's routes: reminders, the calendar file, the diary CSV upload (a text/csv body).
        "GET /api/v1/patients/{patient_id}/reminders path:patient_id: string without a maximum length",
        "GET /api/v1/patients/{patient_id}/reminder-preferences path:patient_id: string without a maximum length",
        "PUT /api/v1/patients/{patient_id}/reminder-preferences path:patient_id: string without a maximum length",
        "GET /api/v1/patients/{patient_id}/calendar.ics path:patient_id: string without a maximum length",
        "POST /api/v1/procedures/{procedure_id}/diary.csv body: any value",
        # web/routes/fhir_api.py
        "GET /api/v1/patients/{patient_id}/fhir path:patient_id: string without a maximum length",
        "GET /api/v1/patients/{patient_id}/fhir query:payer: string without a maximum length",
        "POST /api/v1/patients/{patient_id}/fhir/import path:patient_id: string without a maximum length",
    }
)


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
