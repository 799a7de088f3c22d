"""Database fixtures shared by the db, services and web tests (a pytest plugin).

`db_url` runs a test once on SQLite and once on PostgreSQL:
- SQLite: a fresh file per test, copied from one migrated template file;
- PostgreSQL: one uniquely named database per test session on 127.0.0.1:5432 (user
  postgres), migrated once, emptied before each test, dropped at the end. When no server
  answers, the PostgreSQL tier is skipped with the reason; under CI=true it fails instead.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from factories import (
    PASSWORD,
    link_practitioner,
    make_clinic,
    make_location,
    make_patient,
    make_practitioner,
    make_room,
    make_user,
)
from sijcare.db import migrate
from sijcare.db.base import Base
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.db.enums import PractitionerKind, Role
from sijcare.db.models import Clinic, Location, Patient, Practitioner, Room, User

__all__ = [
    "Persona",
    "Personas",
    "db",
    "db_url",
    "engine",
    "personas",
    "postgres_database",
    "sqlite_template",
]

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_SERVER = os.environ.get(
    "SIJCARE_TEST_POSTGRES_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432"
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database file to copy for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    # Fold the write-ahead log into the file, so a plain copy holds everything.
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """The URL of a fresh, migrated PostgreSQL database for this test session."""
    admin = sa.create_engine(
        f"{POSTGRES_SERVER}/postgres",
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        reason = f"PostgreSQL tier skipped: no server at {POSTGRES_SERVER} ({exc.orig})"
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL: {reason}")
        pytest.skip(reason)
    name = f"sijcare_test_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = f"{POSTGRES_SERVER}/{name}"
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _empty_postgres(url: str) -> None:
    engine = create_engine_for(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    try:
        with engine.begin() as connection:
            # Replica mode skips triggers, including the audit log's append-only guard.
            connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "sijcare.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    _empty_postgres(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine_for(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session like the app's: no autobegin, so use `with db.begin():`."""
    with session_factory(engine)() as session:
        yield session


@dataclass(frozen=True)
class Persona:
    name: str
    user: User
    patient: Patient | None = None
    practitioner: Practitioner | None = None

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def password(self) -> str:
        return PASSWORD


@dataclass(frozen=True)
class Personas:
    """The fixed cast of the access tests, in two clinics.

    `patient` is the patient whose data is at stake; `other_patient` is another patient
    of the same clinic; `clinician` is a physician of the clinic (the treating one);
    `outsider` is a physician of another clinic; `scheduler` and `admin` work at the
    patient's clinic. `location` and `room` belong to the patient's clinic.
    """

    clinic: Clinic
    other_clinic: Clinic
    location: Location
    room: Room
    patient: Persona
    other_patient: Persona
    clinician: Persona
    outsider: Persona
    scheduler: Persona
    admin: Persona

    NAMES = ("patient", "other_patient", "clinician", "outsider", "scheduler", "admin")

    def __getitem__(self, name: str) -> Persona:
        if name not in self.NAMES:
            raise KeyError(name)
        persona: Persona = getattr(self, name)
        return persona

    def all(self) -> list[Persona]:
        return [self[name] for name in self.NAMES]


def build_personas(db: Session) -> Personas:
    with db.begin():
        clinic = make_clinic(db, name="Westside Spine Clinic")
        other_clinic = make_clinic(db, name="Eastside Pain Center", time_zone="America/New_York")
        location = make_location(db, clinic=clinic, name="Westside Main")
        room = make_room(db, location=location, name="Fluoroscopy 1")

        def patient(name: str, email: str) -> Persona:
            user = make_user(db, clinic=clinic, role=Role.PATIENT, email=email, display_name=name)
            return Persona(
                name, user, patient=make_patient(db, clinic=clinic, user=user, name=name)
            )

        def clinician(name: str, email: str, of: Clinic) -> Persona:
            user = make_user(db, clinic=of, role=Role.CLINICIAN, email=email, display_name=name)
            practitioner = make_practitioner(
                db, clinic=of, user=user, name=name, kind=PractitionerKind.PHYSICIAN
            )
            return Persona(name, user, practitioner=practitioner)

        personas = Personas(
            clinic=clinic,
            other_clinic=other_clinic,
            location=location,
            room=room,
            patient=patient("Pat Patient", "patient@example.org"),
            other_patient=patient("Olive Other", "other.patient@example.org"),
            clinician=clinician("Dr. Casey Clinician", "clinician@example.org", clinic),
            outsider=clinician("Dr. Oscar Outsider", "outsider@example.org", other_clinic),
            scheduler=Persona(
                "Sam Scheduler",
                make_user(
                    db,
                    clinic=clinic,
                    role=Role.SCHEDULER,
                    email="scheduler@example.org",
                    display_name="Sam Scheduler",
                ),
            ),
            admin=Persona(
                "Ada Admin",
                make_user(
                    db,
                    clinic=clinic,
                    role=Role.ADMIN,
                    email="admin@example.org",
                    display_name="Ada Admin",
                ),
            ),
        )
        assert personas.clinician.practitioner is not None
        link_practitioner(db, personas.clinician.practitioner, location)
    db.expunge_all()
    return personas


@pytest.fixture
def personas(db: Session) -> Personas:
    """The access-test cast (see `Personas`), stored in the test's database."""
    return build_personas(db)
