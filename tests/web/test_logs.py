"""Logs without patient data (`web.logs`).

- The access log: one line a request, the route's template and never its path; in
  process, through the app's middleware, then `sijcare serve` as a real subprocess,
  whose output has the app's line and not uvicorn's (which wrote the path and query).
- A logged exception is written without its message, and a database error without the
  statement's values.
"""

from __future__ import annotations

import io
import logging
import os
import pydoc
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from uvicorn.config import LOGGING_CONFIG

from fixtures_db import Personas
from sijcare.cli.app import log_config
from sijcare.db.engine import create_engine_for
from sijcare.web.logs import UNMATCHED, PrivateFormatter
from web.conftest import Web
from web.serving import answers, free_port

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"(GET|POST|PUT|PATCH|DELETE|HEAD) (\S+) (\d{3}) \d+\.\d ms")


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "sijcare.access"]


def test_a_request_is_logged_as_its_route_template(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    patient = web.personas.patient.patient
    assert patient is not None
    clinician = web.as_("clinician")
    caplog.set_level(logging.INFO, logger="sijcare.access")
    clinician.get("/patients", params={"search": patient.name})
    clinician.get(f"/api/v1/patients/{patient.public_id}")
    web.browser().get(f"/no-such-page/{patient.public_id}")
    lines = _access_lines(caplog)
    assert [LINE.fullmatch(line) is not None for line in lines] == [True, True, True], lines
    assert [line.rsplit(" ", 2)[0] for line in lines] == [
        "GET /patients 200",
        "GET /api/v1/patients/{patient_id} 200",
        f"GET {UNMATCHED} 404",
    ]
    logged = "\n".join(lines)
    assert patient.name not in logged
    assert patient.public_id not in logged


def test_a_refused_request_is_logged_with_its_status(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    other = web.personas.other_patient.patient
    assert other is not None
    patient = web.as_("patient")
    caplog.set_level(logging.INFO, logger="sijcare.access")
    answer = patient.get(f"/api/v1/patients/{other.public_id}")
    assert answer.status_code in (403, 404)
    assert [line.rsplit(" ", 2)[0] for line in _access_lines(caplog)] == [
        f"GET /api/v1/patients/{{patient_id}} {answer.status_code}"
    ]


def test_nothing_is_logged_unless_logging_asks_for_it(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="sijcare.access")
    web.browser().get("/login")
    assert _access_lines(caplog) == []


def test_serve_sets_up_the_apps_loggers_on_uvicorns_handler() -> None:
    config = log_config()
    assert config["loggers"]["sijcare"]["level"] == "INFO"
    assert config["loggers"]["sijcare"]["handlers"] == ["default"]
    assert pydoc.locate(config["formatters"]["default"]["()"]) is PrivateFormatter
    assert config["handlers"]["default"]["formatter"] == "default"
    assert "sijcare" not in LOGGING_CONFIG["loggers"]  # uvicorn's own is left as it was


def test_serve_writes_the_apps_access_log_and_not_uvicorns(
    db_url: str, personas: Personas, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "SIJCARE_DATABASE_URL": db_url,
        "SIJCARE_ENV": "development",
        "PYTHONPATH": str(ROOT / "src"),
    }
    output = tmp_path / "serve.log"
    with output.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "sijcare", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 240  # imports are slow on a busy machine
            while not answers(f"{base}/login"):
                assert process.poll() is None, output.read_text()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
            httpx.get(f"{base}/patients", params={"search": "Zebedee Quixote"}, timeout=10)
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=30)
    text = output.read_text()
    assert re.search(r"GET /patients 3\d\d \d+\.\d ms", text), text
    assert "Zebedee" not in text
    assert "HTTP/1.1" not in text  # uvicorn's own access line


PATIENT = "Pat Patient 1960-01-01"  # out here: a traceback shows the lines it passes


def _check(value: str) -> None:
    if value:
        raise ValueError(f"refused: {value}")


def _read_record(value: str) -> None:
    try:
        {}[value]
    except KeyError as exc:
        raise RuntimeError(f"no record for {value}") from exc


def test_an_exception_is_logged_without_its_message() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(PrivateFormatter("%(levelprefix)s %(message)s", use_colors=False))
    log = logging.getLogger("sijcare.tests.private")
    log.addHandler(handler)
    log.propagate = False
    try:
        for fault in (_check, _read_record):
            try:
                fault(PATIENT)
            except Exception:
                log.exception("A request failed.")
    finally:
        log.removeHandler(handler)
    text = out.getvalue()
    assert "Pat Patient" not in text and "1960" not in text, text
    assert "ERROR:    A request failed." in text
    assert "builtins.ValueError (message not logged)" in text
    # The chain and the frames are kept: enough to find the fault.
    assert "builtins.KeyError (message not logged)" in text
    assert "direct cause of the following exception" in text
    assert "builtins.RuntimeError (message not logged)" in text
    assert 'in _check\n    raise ValueError(f"refused: {value}")' in text


def test_a_database_error_leaves_out_the_statements_values(db_url: str) -> None:
    engine = create_engine_for(db_url)
    try:
        with engine.connect() as connection, pytest.raises(sa.exc.DBAPIError) as raised:
            connection.execute(
                sa.text("SELECT id FROM no_such_table WHERE name = :name"),
                {"name": "Pat Patient"},
            )
    finally:
        engine.dispose()
    assert "no_such_table" in str(raised.value)
    assert "Pat Patient" not in str(raised.value)
