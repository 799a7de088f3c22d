"""Building blocks of the JSON Schemas (draft 2020-12) in `formats.schemas`.

Each helper mirrors one parsing helper of `formats.common`, so a schema states what the
parser does: `require` treats null as missing (so required fields are never nullable),
`parse_datetime` refuses a time without a UTC offset, and `parse_enum` lists its values.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

Schema = dict[str, Any]

# RFC 3339 with the offset Python's parser reads ("Z" or +HH:MM). The pattern refuses a
# time without an offset even in a validator that does not check `format`.
DATETIME_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
)
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# At least one character that is not white space: the parsers refuse blank text.
NOT_BLANK = r"\S"


def datetime_field(description: str) -> Schema:
    """A date-time text with a UTC offset, like 2026-03-02T09:00:00-08:00."""
    return {
        "description": f"{description} (ISO 8601 with a UTC offset, like 2026-03-02T09:00:00-08:00)",
        "type": "string",
        "format": "date-time",
        "pattern": DATETIME_PATTERN,
    }


def date_field(description: str) -> Schema:
    """A calendar day written YYYY-MM-DD."""
    return {
        "description": f"{description} (YYYY-MM-DD)",
        "type": "string",
        "format": "date",
        "pattern": DATE_PATTERN,
    }


def text(max_length: int, description: str) -> Schema:
    """Any text up to `max_length` characters (the empty text too)."""
    return {"description": description, "type": "string", "maxLength": max_length}


def filled_text(max_length: int, description: str) -> Schema:
    """Text up to `max_length` characters that is not blank."""
    return {**text(max_length, description), "pattern": NOT_BLANK}


def flag(description: str) -> Schema:
    return {"description": description, "type": "boolean"}


def choice(enum: type[Enum], description: str) -> Schema:
    """One of the values of `enum` (the parser's `parse_enum`)."""
    return {"description": description, "enum": [member.value for member in enum]}


def nullable(schema: Schema) -> Schema:
    """`schema`, or null: the parser reads a null optional field as "not given"."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*types, "null"]}


def obj(
    description: str,
    properties: Schema,
    *,
    required: tuple[str, ...] = (),
    closed: bool,
    rules: tuple[Schema, ...] = (),
) -> Schema:
    """An object; `closed` when the parser refuses a field it does not know.

    `rules` are conditions between fields (`if`/`then`, `not`) that the parser or the
    domain checks too.
    """
    schema: Schema = {"description": description, "type": "object"}
    if required:
        schema["required"] = list(required)
    schema["properties"] = properties
    if closed:
        schema["additionalProperties"] = False
    if rules:
        schema["allOf"] = list(rules)
    return schema


def array(description: str, items: Schema, *, min_items: int = 0) -> Schema:
    schema: Schema = {"description": description, "type": "array", "items": items}
    if min_items:
        schema["minItems"] = min_items
    return schema


def when(field: str, matches: Schema, then: Schema, comment: str) -> Schema:
    """A rule: an object whose `field` is given and matches `matches` must match `then`."""
    return {
        "$comment": comment,
        "if": {"required": [field], "properties": {field: matches}},
        "then": then,
    }


def equals(value: Any) -> Schema:
    return {"const": value}
