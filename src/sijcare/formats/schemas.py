"""JSON Schemas (draft 2020-12) of the public input files, generated into docs/schemas/.

The parsers are the authority (they give the clear error messages); these schemas
describe the same shapes for other tools, and tests check every example file, and a set
of broken ones, against both. What needs the knowledge base (agent names, accepted
temperature ranges) or compares fields in time (a diary entry before its injection) is
left to the parsers and said in the descriptions. The schemas are in
`schemas_procedure` (PROCEDURE, DIARY.csv, REPORT, HISTORY), `schemas_planning`
(INTAKE, PLAN, CONSENT) and `schemas_config` (the clinic configuration).
"""

from __future__ import annotations

import json

from sijcare.domain.knowledge import Knowledge
from sijcare.formats import schemas_config, schemas_planning, schemas_procedure
from sijcare.formats.schemas_common import Schema

DIALECT = "https://json-schema.org/draft/2020-12/schema"

SCHEMAS: dict[str, tuple[str, Schema]] = {
    "procedure.schema.json": (
        "PROCEDURE.json: one SI joint injection",
        schemas_procedure.PROCEDURE,
    ),
    "diary-row.schema.json": ("DIARY.csv: one row", schemas_procedure.DIARY_ROW),
    "intake.schema.json": ("INTAKE.json: the screening answers", schemas_planning.INTAKE),
    "report.schema.json": ("REPORT.json: symptoms after the injection", schemas_procedure.REPORT),
    "history.schema.json": (
        "HISTORY.json: the procedures with their pain diaries",
        schemas_procedure.HISTORY,
    ),
    "plan.schema.json": ("PLAN.json: a booked injection, for consent", schemas_planning.PLAN),
    "consent.schema.json": ("CONSENT.json: a consent record", schemas_planning.CONSENT),
}
CLINIC_CONFIG = "clinic-config.schema.json"


def rendered(knowledge: Knowledge | None = None) -> dict[str, str]:
    """Each schema file's name and its JSON text.

    With `knowledge`, also the clinic configuration schema, whose rules come from it.
    """
    schemas = {name: (title, schema) for name, (title, schema) in SCHEMAS.items()}
    if knowledge is not None:
        schemas[CLINIC_CONFIG] = (
            "The clinic configuration file (TOML), as JSON",
            schemas_config.clinic_config(knowledge),
        )
    return {name: _text(name, title, schema) for name, (title, schema) in schemas.items()}


def _text(name: str, title: str, schema: Schema) -> str:
    doc = {"$schema": DIALECT, "$id": f"https://sijcare.org/schemas/{name}", "title": title}
    return json.dumps({**doc, **schema}, indent=2, ensure_ascii=False) + "\n"
