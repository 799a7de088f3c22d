"""Pages at scale: the clinician's worklist and a patient's chart, server time.

The app runs in this process against the benchmark database, with its clock at the
population's "now"; each page is asked `REQUESTS` times after one warm-up request, and
the time to answer (the app and the database; no network) gives p50 and p95. Pages:
the worklist of the clinic's busiest day around "now" (`/workspace?day=`), a patient's
workspace summary (`/workspace/patients/<id>`), and the patient's own diary chart page
(`/portal/procedures/<id>/chart`) of a therapeutic injection with a full diary.
"""

from __future__ import annotations

import statistics
import time
import warnings
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from sijcare.bench.dashboard import NOW
from sijcare.bench.sessions import open_sessions
from sijcare.db.engine import create_engine_for
from sijcare.db.enums import AppointmentKind, Role
from sijcare.db.models import Appointment, Interpretation, Patient, User
from sijcare.settings import Environment, Secret, Settings

REQUESTS = 40


def run(url: str) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from sijcare.web.app import create_app

    targets = _targets(url)
    settings = Settings(
        database_url=url, env=Environment.TEST, secret_key=Secret("bench-" + "k" * 48)
    )
    app = create_app(settings, clock=lambda: NOW)
    out: dict[str, Any] = {}
    with TestClient(app, base_url="http://127.0.0.1") as client:
        for name, (path, cookie) in targets.items():
            client.cookies.clear()
            client.cookies.set("sijcare_session", cookie)
            first = client.get(path)
            if first.status_code != 200:
                raise RuntimeError(f"{path}: {first.status_code}")
            spent = []
            for _ in range(REQUESTS):
                started = time.perf_counter()
                client.get(path)
                spent.append((time.perf_counter() - started) * 1000)
            spent.sort()
            out[name] = {
                "path": path,
                "p50_ms": round(statistics.median(spent), 1),
                "p95_ms": round(spent[int(len(spent) * 0.95) - 1], 1),
            }
    app.state.platform.engine.dispose()
    return out


def _targets(url: str) -> dict[str, tuple[str, str]]:
    engine = create_engine_for(url)
    try:
        with engine.begin() as connection:
            clinic_id, day = _busiest_day(connection)
            clinician = connection.scalar(
                sa.select(User.id).where(User.clinic_id == clinic_id, User.role == Role.CLINICIAN)
            )
            if clinician is None:
                raise ValueError(f"the busiest clinic ({clinic_id}) has no clinician")
            procedure_id, patient_id = connection.execute(
                sa.select(Interpretation.procedure_id, Interpretation.patient_id)
                .where(
                    sa.literal_column("interpretation.current"),
                    Interpretation.clinic_id == clinic_id,
                    Interpretation.kind == "therapeutic",
                )
                .order_by(Interpretation.scores.desc(), Interpretation.procedure_id)
                .limit(1)
            ).one()
            patient = connection.execute(
                sa.select(Patient.public_id, Patient.user_id).where(Patient.id == patient_id)
            ).one()
            staff, own = open_sessions(connection, [clinician, patient.user_id], NOW)
    finally:
        engine.dispose()
    return {
        "worklist": (f"/workspace?day={day}", staff.token),
        "patient_summary": (f"/workspace/patients/{patient.public_id}", staff.token),
        "diary_chart": (f"/portal/procedures/{procedure_id}/chart", own.token),
    }


def _busiest_day(connection: sa.Connection) -> tuple[int, str]:
    """The clinic and day (within a week of now) with the most procedure appointments."""
    day = sa.func.substr(sa.cast(Appointment.starts_at, sa.String), 1, 10)
    row = connection.execute(
        sa.select(Appointment.clinic_id, day.label("day"), sa.func.count().label("n"))
        .where(
            Appointment.kind == AppointmentKind.PROCEDURE,
            Appointment.starts_at >= NOW - timedelta(days=7),
            Appointment.starts_at < NOW + timedelta(days=7),
        )
        .group_by(Appointment.clinic_id, day)
        .order_by(sa.desc("n"))
        .limit(1)
    ).one()
    return int(row.clinic_id), str(row.day)
