"""The database stays locked or goes away: requests fail fast with a clear answer, and the
app recovers by itself when the database is back.

- Locked (both engines): another connection holds the write lock (SQLite) or an
  exclusive table lock (PostgreSQL) longer than the app waits (`SQLITE_BUSY_TIMEOUT_MS`,
  `POSTGRES_LOCK_TIMEOUT_MS`, shortened here). Every request answers 503 with
  `Retry-After`, says that nothing could be done and gives the clinic's number at this
  hour (the API in JSON, pages as an error page, never a traceback); after the lock is
  released the same requests succeed.
- Unreachable (PostgreSQL): the app reaches the server through a loopback TCP proxy
  that the test stops (every connection is cut) and starts again.
- A symptom report that cannot be stored: the triage answer is still given, with the
  clinic's number and a 503, and nothing is stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from factories.clinical import make_documented
from fixtures_db import Personas, _empty_postgres, build_personas
from hardening.proxy import TcpProxy
from sijcare.db import engine as engine_module
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.db.models import AuditEvent, SymptomReport
from sijcare.settings import Settings
from sijcare.web.app import create_app
from web.conftest import FrozenClock, Web

HELP_LINE = "+1 310-555-0100"  # the shipped help line; open at the tests' 08:00 PST
EMERGENCY = "911"
URGENT = {"trouble_breathing": True}


@pytest.fixture
def fast_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wait a fraction of a second for a lock, not the production bound (15 s / 10 s)."""
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(engine_module, "POSTGRES_LOCK_TIMEOUT_MS", 300)


@pytest.fixture
def faulty_web(
    fast_timeouts: None, settings: Settings, clock: FrozenClock, personas: Personas
) -> Iterator[Web]:
    app = create_app(settings, clock=clock)
    helper = Web(app, personas)
    yield helper
    helper.close()
    app.state.platform.engine.dispose()


@contextmanager
def locked(db_url: str) -> Iterator[None]:
    """Hold the database's write lock (SQLite) or the tables' locks (PostgreSQL)."""
    if db_url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(db_url).database or "", isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.rollback()
            connection.close()
        return
    engine = create_engine_for(db_url)
    try:
        with engine.connect() as connection, connection.begin():
            connection.execute(
                sa.text("LOCK TABLE web_session, symptom_report IN ACCESS EXCLUSIVE MODE")
            )
            yield
    finally:
        engine.dispose()


def procedure_id(db: Session, personas: Personas) -> int:
    assert personas.patient.patient is not None
    record = make_documented(
        db, patient=personas.patient.patient, clinician=personas.clinician.user
    )
    return record.id


def assert_unavailable(response: Any, *, api: bool) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"] == "60"
    text = response.json()["detail"] if api else response.text
    assert HELP_LINE in text and EMERGENCY in text
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower()


def test_locked_database_answers_503_then_recovers(
    faulty_web: Web, db: Session, db_url: str, clock: FrozenClock
) -> None:
    report_url = (
        f"/api/v1/portal/procedures/{procedure_id(db, faulty_web.personas)}/symptom-reports"
    )
    clock.advance(hours=2)
    patient = faulty_web.as_("patient")
    with locked(db_url):
        me = patient.api("GET", "/api/v1/me")
        if db_url.startswith("sqlite"):
            # Resuming a session only reads: SQLite's write lock, held elsewhere, does not
            # stop it (a WAL reader); what writes (the portal's audit event) must wait.
            assert me.status_code == 200
        else:
            assert_unavailable(me, api=True)  # the session table itself is locked
        assert_unavailable(patient.get("/portal"), api=False)
        assert_unavailable(patient.api("POST", report_url, {"hives": True}), api=True)
    assert patient.api("GET", "/api/v1/me").status_code == 200
    assert patient.get("/portal").status_code == 200
    assert patient.api("POST", report_url, {"hives": True}).status_code == 201


@pytest.mark.postgres
def test_unreachable_postgresql_answers_503_then_recovers(
    postgres_database: str, settings: Settings, clock: FrozenClock
) -> None:
    _empty_postgres(postgres_database)
    engine = create_engine_for(postgres_database)
    with session_factory(engine)() as db:
        personas = build_personas(db)
    engine.dispose()
    upstream = make_url(postgres_database)
    proxy = TcpProxy(upstream.port or 5432)
    proxy.start()
    via_proxy = upstream.set(host="127.0.0.1", port=proxy.port)
    app = create_app(
        replace(settings, database_url=via_proxy.render_as_string(hide_password=False)),
        clock=clock,
    )
    web = Web(app, personas)
    try:
        patient = web.as_("patient")
        assert patient.api("GET", "/api/v1/me").status_code == 200
        proxy.stop()
        assert_unavailable(patient.api("GET", "/api/v1/me"), api=True)
        assert_unavailable(patient.get("/portal"), api=False)
        proxy.start()
        assert patient.api("GET", "/api/v1/me").status_code == 200
        assert patient.get("/portal").status_code == 200
    finally:
        web.close()
        app.state.platform.engine.dispose()
        proxy.stop()


@contextmanager
def refusing_symptom_reports(db: Session, db_url: str) -> Iterator[None]:
    """A trigger that refuses every new symptom report, as a full disk would."""
    if db_url.startswith("sqlite"):
        create = [
            "CREATE TRIGGER refuse_reports BEFORE INSERT ON symptom_report"
            " BEGIN SELECT RAISE(ABORT, 'disk full'); END"
        ]
        drop = ["DROP TRIGGER refuse_reports"]
    else:
        create = [
            "CREATE FUNCTION refuse_reports() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN RAISE EXCEPTION 'disk full' USING ERRCODE = 'disk_full'; END $$",
            "CREATE TRIGGER refuse_reports BEFORE INSERT ON symptom_report"
            " FOR EACH ROW EXECUTE FUNCTION refuse_reports()",
        ]
        drop = ["DROP TRIGGER refuse_reports ON symptom_report", "DROP FUNCTION refuse_reports()"]
    with db.begin():
        for statement in create:
            db.execute(sa.text(statement))
    try:
        yield
    finally:
        with db.begin():
            for statement in drop:
                db.execute(sa.text(statement))


def test_symptom_report_not_stored_tells_the_patient_to_phone(
    web: Web, db: Session, db_url: str, clock: FrozenClock
) -> None:
    procedure = procedure_id(db, web.personas)
    clock.advance(hours=2)
    patient = web.as_("patient")
    with refusing_symptom_reports(db, db_url):
        api = patient.api("POST", f"/api/v1/portal/procedures/{procedure}/symptom-reports", URGENT)
        page = patient.post_form(
            f"/portal/procedures/{procedure}/symptoms", {"trouble_breathing": "yes"}
        )
    assert api.status_code == 503
    body = api.json()
    assert body["stored"] is False and body["report_id"] is None
    assert body["disposition"] == "emergency" and EMERGENCY in body["contact"]["number"]
    assert HELP_LINE in body["detail"]
    assert page.status_code == 503 and EMERGENCY in page.text
    with db.begin():
        assert db.scalar(sa.select(sa.func.count()).select_from(SymptomReport)) == 0
        created = sa.select(sa.func.count()).where(AuditEvent.action == "symptom_report.create")
        assert db.scalar(created) == 0
