"""Edits of a JSON document that a JSON Schema says break it, or keep it valid.

`test_schemas` applies them to each example file and checks that the parser agrees with
the schema: every break the schema describes is refused by the parser too, and every
edge of what the schema allows is accepted. A path is a tuple of keys and list indexes.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from sijcare.formats.schemas_common import NOT_BLANK

DELETE = object()  # an edit that removes the field
NAIVE = "2026-03-02T09:00:00"  # a date-time without a UTC offset


def breakages(schema: dict[str, Any], doc: Any, root: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """(path, value) edits of `doc` that each break one constraint `schema` states.

    Every required field removed, an unknown field in each closed object, and the bad
    values of `bad_values` for each field (also fields the document leaves out). List
    items are followed when they are objects.
    """
    yield from _breakages(schema, doc, root, ())


def _breakages(
    schema: dict[str, Any], doc: Any, root: dict[str, Any], path: tuple[Any, ...]
) -> Iterator[tuple[Any, Any]]:
    schema = resolved(schema, root)
    if path:
        yield from ((path, bad) for bad in bad_values(schema))
    if isinstance(doc, dict) and "properties" in schema:
        yield from ((path + (key,), DELETE) for key in schema.get("required", ()))
        if schema.get("additionalProperties") is False:
            yield path + ("not_a_field",), True
        for key, sub in schema["properties"].items():
            if key in doc:
                yield from _breakages(sub, doc[key], root, path + (key,))
            else:
                yield from ((path + (key,), bad) for bad in bad_values(resolved(sub, root)))
    items = schema.get("items", {})
    if isinstance(doc, list) and "properties" in resolved(items, root):
        for i, item in enumerate(doc[:2]):
            yield from _breakages(items, item, root, path + (i,))


def bad_values(schema: dict[str, Any]) -> Iterator[Any]:
    """Values `schema` refuses: a wrong choice or kind, null, too long, out of range."""
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    if "enum" in schema:
        yield "not-a-choice"
    if (types or "enum" in schema) and "null" not in types and None not in schema.get("enum", ()):
        yield None
    if types:
        yield {} if "array" in types else []
    if "integer" in types:
        yield 0.5
    if "maxLength" in schema:
        yield "x" * (schema["maxLength"] + 1)
    yield from _bad_texts(schema)
    if "minimum" in schema:
        yield schema["minimum"] - 1
    if "exclusiveMinimum" in schema:
        yield schema["exclusiveMinimum"]
    if "maximum" in schema:
        yield schema["maximum"] + 1
    if "minItems" in schema:
        yield []


def _bad_texts(schema: dict[str, Any]) -> Iterator[str]:
    if schema.get("pattern") == NOT_BLANK:
        yield "   "
    elif schema.get("format") == "date-time":
        yield NAIVE
    elif schema.get("format") == "date":
        yield "2026-02-30"
    elif "pattern" in schema:
        yield "x"


def resolved(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its `$ref` (to `$defs`) merged in."""
    if "$ref" not in schema:
        return schema
    target = root["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    extra = {k: v for k, v in schema.items() if k != "$ref"}
    properties = {**target.get("properties", {}), **extra.get("properties", {})}
    return {**target, **extra, "properties": properties}


def can_hold(holds: str, value: Any) -> bool:
    """Whether the file can carry `value`: a CSV cell holds text, TOML has no null."""
    if value is DELETE:
        return True
    if holds == "text":
        return isinstance(value, str)
    return not (holds == "toml" and value is None)


def edited(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(doc)
    target = out
    for step in path[:-1]:
        target = target[step]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return out


def to_toml(doc: dict[str, Any]) -> str:
    """`doc` as TOML: values first, then one table per object."""
    lines = [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in doc.items() if not _is_table(v)]
    for name, table in doc.items():
        if _is_table(table):
            lines += [f"[{json.dumps(name)}]"]
            lines += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) and bool(value)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    return json.dumps(value)


def allowances(schema: dict[str, Any], doc: Any, root: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    """(path, value) edits of `doc` at the edges of what `schema` allows: an optional
    field left out or null, each choice, the longest text, the lowest and highest number."""
    yield from _allowances(schema, doc, root, ())


def _allowances(
    schema: dict[str, Any], doc: Any, root: dict[str, Any], path: tuple[Any, ...]
) -> Iterator[tuple[Any, Any]]:
    schema = resolved(schema, root)
    if isinstance(doc, dict) and "properties" in schema:
        for key, sub in schema["properties"].items():
            sub = resolved(sub, root)
            if key in doc and key not in schema.get("required", ()):
                yield path + (key,), DELETE
            yield from ((path + (key,), good) for good in edge_values(sub))
            if key in doc:
                yield from _allowances(sub, doc[key], root, path + (key,))
    items = schema.get("items", {})
    if isinstance(doc, list) and "properties" in resolved(items, root):
        for i, item in enumerate(doc[:2]):
            yield from _allowances(items, item, root, path + (i,))


def edge_values(schema: dict[str, Any]) -> Iterator[Any]:
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else types
    yield from schema.get("enum", ())
    if "null" in types:
        yield None
    if "boolean" in types:
        yield from (True, False)
    if "maxLength" in schema:
        yield "x" * schema["maxLength"]
    for bound in ("minimum", "maximum"):
        if bound in schema:
            yield schema[bound]
