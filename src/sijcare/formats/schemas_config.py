"""The JSON Schema of the clinic configuration file (TOML), built from the knowledge base.

The file is TOML; the schema describes the same document as JSON (`[overrides]` becomes
the object `overrides`). Each rule of the knowledge base is one optional property of
`overrides`, of the rule's kind and within its `min`, `max` and `choices`, so the list
cannot drift from the rules. `sijcare.knowledge.load` reads only `overrides`: it refuses
an unknown rule or a value of the wrong kind or out of bounds, and ignores other tables.
"""

from __future__ import annotations

import json
from typing import Any

from sijcare.domain.knowledge import Knowledge, Rule
from sijcare.formats.schemas_common import Schema


def clinic_config(knowledge: Knowledge) -> Schema:
    """The schema of a clinic configuration file overriding the rules of `knowledge`."""
    rules = {key: override(knowledge.rules[key]) for key in sorted(knowledge.rules)}
    return {
        "description": "A clinic's configuration: its own values for rules of the knowledge "
        f"base (version {knowledge.version}). In TOML, quote each rule name, because it "
        'holds dots: "clinic.help_line_phone" = "+1 555-0100".',
        "type": "object",
        "properties": {
            "clinic": {
                "description": "Notes about the clinic for the people who keep this file "
                "(name, address). sijcare ignores this table, as it ignores every table but "
                "overrides: the clinic settings it uses (time zone, phone numbers, help-line "
                "hours) are the clinic.* rules under overrides.",
            },
            "overrides": {
                "description": "Rule name -> the clinic's value. Each result records the "
                "overrides it used.",
                "type": "object",
                "properties": rules,
                "additionalProperties": False,
            },
        },
    }


def override(rule: Rule) -> Schema:
    """The values a clinic may give `rule`: its kind, then its `min`/`max`/`choices`."""
    unit = f" Unit: {rule.unit}." if rule.unit else ""
    schema: Schema = {
        "description": f"{rule.summary}{unit} Shipped: {json.dumps(rule.value)}.",
        **_kind(rule.value),
    }
    for limit, keyword in (("min", "minimum"), ("max", "maximum"), ("choices", "enum")):
        if limit in rule.limits:
            schema[keyword] = rule.limits[limit]
    return schema


def _kind(value: Any) -> Schema:
    # bool first: in Python a bool is also an int. The loader takes only a whole number
    # where the shipped value is one.
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, list):
        # The rules read a list as numbers (`Knowledge.numbers`) or as texts.
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        return {"type": "array", "items": {"type": "number" if numeric else "string"}}
    return {"type": "string"}
