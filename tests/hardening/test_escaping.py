"""HTML output is escaped everywhere: script tags written into every free-text field never
come back as markup.

Every text or JSON column of the schema is classified below: free text (a person typed
it, or it is built from what a person typed) or not (codes, hashes, ids, validated
values). A new column that is not classified fails `test_every_text_column_is_classified`.

The page test writes a distinct hostile value into each free-text column (directly for
plain columns, through the JSON API for the free text inside JSON documents), signs in
as each role, requests every page of the route table (with hostile query parameters too)
and checks that no hostile value appears as markup, and that each one does appear,
escaped, on at least one page (so the field is really shown and the check can fail).
"""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from factories import make_availability, make_exception
from factories.clinical import make_planned_pathway
from fixtures_db import Personas
from sijcare.db.base import Base
from sijcare.web.app import ROUTE_MODULES
from web.access_matrix import PATIENT_SCOPED, World
from web.conftest import Browser, FrozenClock, Web

# Plain columns that hold free text, seeded by an UPDATE of every row.
FREE_TEXT = frozenset(
    {
        ("clinic", "name"),
        ("location", "name"),
        ("location", "address"),
        ("user_account", "display_name"),
        ("patient", "name"),
        ("patient", "phone"),
        ("practitioner", "name"),
        ("practitioner", "specialty"),
        ("practitioner", "qualifications"),
        ("room", "name"),
        ("availability_exception", "reason"),
        ("pathway", "close_reason"),
        ("appointment", "note"),
        ("appointment", "cancel_reason"),
        ("clinician_decision", "about"),
        ("driver", "name"),
        ("driver", "phone"),
        ("driver", "relationship"),
        ("diary_entry", "note"),
        ("symptom_report", "acknowledged_note"),
        ("interpretation", "physician"),
        ("outbox_message", "to_address"),
        ("outbox_message", "subject"),
        ("outbox_message", "body"),
        ("outbox_message", "last_error"),
        ("outbox_message", "result"),
    }
)
# JSON documents with free text inside, seeded through the API (see `seed_documents`).
JSON_FREE_TEXT = frozenset(
    {
        ("screening_response", "answers"),
        ("clinician_decision", "decision"),
        ("symptom_report", "report"),
        ("procedure_record", "data"),
        ("screening_response", "result"),  # quotes the medicine names
        ("interpretation", "result"),
        ("symptom_report", "result"),
        ("consent_record", "plan_snapshot"),
        ("consent_record", "confirmed"),
        ("audit_event", "detail"),  # ids and field names only, never values
        ("outcome_summary", "groups"),  # the physicians' names as documented, as keys
    }
)
# Codes, hashes, ids, enums, versions, and values checked against a list or a format.
NOT_FREE_TEXT = frozenset(
    {
        ("audit_event", "actor_role"),
        ("audit_event", "action"),
        ("audit_event", "target_type"),
        ("audit_event", "target_id"),
        ("audit_event", "ip"),
        ("audit_event", "user_agent_hash"),
        ("clinic", "time_zone"),
        ("consent_record", "language"),  # a shipped locale (a CHECK keeps it to them)
        ("location", "time_zone"),
        ("login_attempt", "email_hash"),
        ("login_attempt", "ip"),
        ("user_account", "email"),
        ("user_account", "password_hash"),
        ("user_account", "role"),
        ("user_account", "locale"),
        ("user_account", "time_zone"),
        ("patient", "public_id"),
        ("practitioner", "kind"),
        ("web_session", "token_hash"),
        ("web_session", "csrf_token"),
        ("pathway", "side"),
        ("pathway", "kind"),
        ("pathway", "status"),
        ("reminder_preference", "detail"),
        ("appointment", "kind"),
        ("appointment", "mode"),
        ("appointment", "status"),
        ("appointment", "idempotency_key"),
        ("clinician_decision", "idempotency_key"),
        ("screening_response", "status"),
        ("screening_response", "knowledge_version"),
        ("procedure_record", "kind"),
        ("procedure_record", "side"),
        ("procedure_record", "idempotency_key"),
        ("diary_entry", "idempotency_key"),
        ("symptom_report", "idempotency_key"),
        ("interpretation", "kind"),
        ("interpretation", "classification"),
        ("interpretation", "knowledge_version"),
        ("interpretation", "performed_month"),
        ("interpretation", "side"),
        ("interpretation", "anesthetic"),
        ("interpretation", "anesthetic_action"),
        ("interpretation", "steroid"),
        ("outbox_message", "kind"),
        ("outbox_message", "locale"),
        ("outbox_message", "status"),
        ("outbox_message", "reason"),
        ("outbox_message", "idempotency_key"),
        ("symptom_report", "disposition"),
        ("symptom_report", "knowledge_version"),
        ("outcome_summary", "grouping"),
        ("outcome_summary", "knowledge_version"),
        ("outcome_summary", "settled_before"),  # a month, YYYY-MM
    }
)
# Free text this world stores but no page shows (each with the reason).
NOT_SHOWN = {
    ("pathway", "close_reason"): "shown only for a closed pathway; the world's is open",
    ("outbox_message", "to_address"): "no reminder is queued in this world",
    ("outbox_message", "subject"): "no reminder is queued in this world",
    ("outbox_message", "body"): "no reminder is queued in this world",
    ("outbox_message", "last_error"): "no reminder is queued in this world",
    ("outbox_message", "result"): "no reminder is queued in this world",
    ("appointment", "cancel_reason"): "shown only for a cancelled appointment",
    ("interpretation", "physician"): "a query column; pages show the procedure's own record",
    ("clinician_decision", "about"): "pages show the decision document's medicine",
    ("clinic", "name"): "only the printed documents show it (same autoescaping templates)",
}
ROLES = ("patient", "clinician", "scheduler", "admin")
HOSTILE_QUERY = ("next", "search", "day", "q", "kind", "payer")
_PARAM = re.compile(r"{([^}:]+)(?::[^}]+)?}")


def hostile(tag: str) -> str:
    """A value that would run a script if a page put it into markup unescaped."""
    return f'"><script>{tag}</script>'


def escaped(tag: str) -> str:
    return f"&lt;script&gt;{tag}&lt;/script&gt;"


def tag_of(table: str, column: str) -> str:
    return f"x{zlib.crc32(f'{table}.{column}'.encode()):08x}"


def test_every_text_column_is_classified() -> None:
    text_columns = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String | sa.Text) or "JSON" in type(column.type).__name__
    }
    classified = FREE_TEXT | JSON_FREE_TEXT | NOT_FREE_TEXT
    assert text_columns - classified == set(), "classify these columns in test_escaping.py"
    assert classified - text_columns == set(), "these classified columns no longer exist"


def build_world(db: Session, personas: Personas) -> dict[str, Any]:
    world = World(db, personas)
    practitioner = personas.clinician.practitioner
    assert practitioner is not None and personas.patient.patient is not None
    # The patient's pathway is planned and its injection booked, so screening can start.
    world.cache["pathway"] = make_planned_pathway(
        db,
        patient=personas.patient.patient,
        clinician=personas.clinician.user,
        practitioner=practitioner,
        location=personas.location,
        room=personas.room,
        starts_at=datetime(2026, 3, 12, 17, 0, tzinfo=UTC),
    )
    ids = {name: resolve(world) for name, resolve in PATIENT_SCOPED.items()}
    make_availability(db, practitioner=practitioner, location=personas.location)
    make_exception(db, practitioner=practitioner)
    ids["practitioner_id"] = str(practitioner.id)
    ids["user_id"] = str(personas.patient.user.id)
    return ids


def seed_documents(browsers: dict[str, Browser], ids: dict[str, str]) -> set[str]:
    """Free text inside JSON documents, written through the API; returns the tags used."""
    patient, clinician = browsers["patient"], browsers["clinician"]
    tags = {name: f"j{name}" for name in ("medicine", "allergy", "driver", "note", "ack")}
    # The driver's answers are kept in the driver table too, and the acknowledgement note
    # is a plain column: pages show (and `seed_columns` seeds) those copies.
    shown = {tag for name, tag in tags.items() if name not in ("driver", "ack")}
    pathway = ids["pathway_id"]
    answers = {
        "current_infection": False,
        "immunocompromised": False,
        "possibly_pregnant": False,
        "diabetes": {"has": False},
        "driver_arranged": True,
        "driver": {"name": hostile(tags["driver"]), "phone": "+1 310 555 0111"},
        "medicines": [{"name": hostile(tags["medicine"])}],
        "allergies": [{"substance": hostile(tags["allergy"]), "kind": "other"}],
    }
    response = patient.api("POST", f"/api/v1/portal/pathways/{pathway}/screening", answers)
    assert response.status_code in (200, 201), response.text
    procedure = ids["procedure_id"]
    report = patient.api(
        "POST",
        f"/api/v1/portal/procedures/{procedure}/symptom-reports",
        {"trouble_breathing": True, "note": hostile(tags["note"])},
    )
    assert report.status_code == 201, report.text
    ack = clinician.api(
        "POST",
        f"/api/v1/workspace/reports/{report.json()['report_id']}/acknowledgement",
        {"note": hostile(tags["ack"])},
    )
    assert ack.status_code == 200, ack.text
    ids["report_id"] = str(report.json()["report_id"])
    return shown


def seed_columns(db: Session) -> set[str]:
    """Every plain free-text column of every row; returns the tags of columns with rows."""
    seeded = set()
    with db.begin():
        for table, column in sorted(FREE_TEXT):
            tag = tag_of(table, column)
            # The row's id keeps unique columns (a clinic's name) unique.
            update = (
                f"UPDATE {table} SET {column} = :value || CAST(id AS VARCHAR(12))"
                f" WHERE {column} IS NOT NULL"
            )
            result = db.execute(sa.text(update), {"value": hostile(tag)})
            if result.rowcount and (table, column) not in NOT_SHOWN:  # type: ignore[attr-defined]
                seeded.add(tag)
    return seeded


def page_paths(ids: dict[str, str]) -> list[str]:
    paths = []
    for module in ROUTE_MODULES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            if "GET" not in route.methods or route.path.startswith(("/api/", "/fhir/")):
                continue
            if route.path.endswith((".pdf", ".csv", ".svg")):
                continue
            params = _PARAM.findall(route.path)
            if all(p in ids for p in params):
                paths.append(_PARAM.sub(lambda m: ids[m.group(1)], route.path))
    # Pages that show more for a chosen record.
    paths.append(f"/availability?practitioner_id={ids['practitioner_id']}")
    return paths


def test_pages_escape_every_free_text_field(web: Web, db: Session, clock: FrozenClock) -> None:
    ids = build_world(db, web.personas)
    clock.advance(hours=3)
    browsers = {role: web.as_(role) for role in ROLES}
    expected = seed_documents(browsers, ids) | seed_columns(db)
    seen: set[str] = set()
    pages = 0
    query = "&".join(f"{name}={hostile('q' + name)}" for name in HOSTILE_QUERY)
    browsers["anonymous"] = web.browser()
    for role, browser in browsers.items():
        for path in page_paths(ids):
            # Hostile query parameters (reflected input) for a patient and a clinician.
            reflect = role in ("patient", "clinician", "anonymous")
            with_query = f"{path}{'&' if '?' in path else '?'}{query}"
            for url in (path, with_query) if reflect else (path,):
                response = browser.get(url)
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue
                pages += 1
                assert "<script>" not in response.text, f"{role} GET {url}: unescaped markup"
                seen |= {tag for tag in expected if escaped(tag) in response.text}
    assert pages > 50
    assert expected - seen == set(), "these free-text values are shown on no page"
