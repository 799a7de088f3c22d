"""JSON Schemas of the public input files, generated into docs/schemas/.

The parsers are the authority (they give the clear error messages); these schemas
describe the same shapes for other tools, and tests check every example file against
both.
"""

from __future__ import annotations

import json
from typing import Any

_DATETIME = {"type": "string", "format": "date-time", "description": "ISO 8601 with a UTC offset"}
_PAIN = {"type": "integer", "minimum": 0, "maximum": 10, "description": "0-10 numeric rating scale"}

PROCEDURE: dict[str, Any] = {
    "type": "object",
    "required": ["performed_at", "kind", "side", "anesthetic", "steroid", "baseline_pain"],
    "properties": {
        "performed_at": {**_DATETIME, "description": "The injection time, with offset"},
        "kind": {"enum": ["diagnostic", "therapeutic"]},
        "side": {"enum": ["left", "right", "bilateral"]},
        "anesthetic": {
            "type": "object",
            "required": ["agent", "concentration_percent", "volume_ml"],
            "properties": {
                "agent": {"type": "string", "description": "A name in the anesthetics table"},
                "concentration_percent": {"type": "number", "exclusiveMinimum": 0, "maximum": 10},
                "volume_ml": {"type": "number", "exclusiveMinimum": 0, "maximum": 20},
            },
        },
        "steroid": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["agent", "dose_mg"],
                    "properties": {
                        "agent": {"type": "string", "description": "A name in the steroids table"},
                        "dose_mg": {"type": "number", "exclusiveMinimum": 0, "maximum": 200},
                    },
                },
            ]
        },
        "baseline_pain": {**_PAIN, "minimum": 0},
        "guidance": {"enum": ["fluoroscopy", "ct", "ultrasound"]},
        "contrast": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["used"],
                    "properties": {
                        "used": {"type": "boolean"},
                        "agent": {"type": ["string", "null"]},
                        "reason_not_used": {"type": ["string", "null"]},
                    },
                },
            ]
        },
        "sedation": {"enum": ["none", "minimal", "moderate"]},
        "physician": {"type": ["string", "null"], "maxLength": 200},
        "observation_end": {"oneOf": [{"type": "null"}, _DATETIME]},
        "discharged_at": {"oneOf": [{"type": "null"}, _DATETIME]},
        "driver_present": {"type": ["boolean", "null"]},
    },
}

DIARY_ROW: dict[str, Any] = {
    "description": "One row of DIARY.csv (header: recorded_at,pain and optionally note)",
    "type": "object",
    "required": ["recorded_at", "pain"],
    "properties": {
        "recorded_at": _DATETIME,
        "pain": _PAIN,
        "note": {"type": "string"},
    },
}

SCHEMAS: dict[str, tuple[str, dict[str, Any]]] = {
    "procedure.schema.json": ("PROCEDURE.json: one SI joint injection", PROCEDURE),
    "diary-row.schema.json": ("DIARY.csv: one row", DIARY_ROW),
}


def rendered() -> dict[str, str]:
    """Each schema file's name and its JSON text."""
    out = {}
    for name, (title, schema) in SCHEMAS.items():
        doc = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://sijcare.org/schemas/{name}",
            "title": title,
            **schema,
        }
        out[name] = json.dumps(doc, indent=2) + "\n"
    return out
