"""A synthetic run: clinics, then patients drawn in worker processes and written in batches.

`synthesize` creates the clinics (a location, a room and an account per physician, an
admin and a scheduler each), then draws the patients (`people.draw_patient`) in batches
of `batch_size`, in `workers` processes when more than one. A batch is drawn and made
into rows (`rows.RowMaker`) where it is drawn; this process settles its booked times
and writes it in one transaction (`writer`), batches in order, while the workers draw
the next ones. A booked appointment whose physician already has one at that time moves
to the next free half hour (its screening and consent follow it). The run refuses a
seed whose clinics are already in the database.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from multiprocessing.pool import AsyncResult
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from sijcare import knowledge as knowledge_loader
from sijcare.db.enums import PractitionerKind, Role
from sijcare.db.models import (
    Clinic,
    Location,
    Practitioner,
    PractitionerLocation,
    Room,
    User,
)
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.services import audit
from sijcare.synth import people, writer
from sijcare.synth.parameters import parameters_from
from sijcare.synth.records import ClinicPlan, Physician
from sijcare.synth.rows import TABLES, Booking, RowBatch, RowMaker

PASSWORD = "sijcare-synth-2026"
QUALIFICATIONS = "Board certified in Anesthesiology\nSubspecialty certification in Pain Medicine"
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Login:
    role: str
    email: str


@dataclass
class SynthSummary:
    """What a run wrote, by table, and some accounts to sign in with (password `PASSWORD`)."""

    seed: int
    now: datetime
    clinics: int
    patients: int
    rows: dict[str, int] = field(default_factory=dict)
    logins: list[Login] = field(default_factory=list)
    password: str = PASSWORD


def clinic_name(seed: int, index: int) -> str:
    return f"Synthetic clinic {index + 1} (seed {seed})"


def synthesize(
    engine: Engine,
    *,
    clinics: int,
    patients: int,
    seed: int,
    now: datetime,
    knowledge: Knowledge,
    password_hash: str,
    clinic_config: Path | None = None,
    workers: int = 1,
    batch_size: int = 500,
    progress: Progress | None = None,
) -> SynthSummary:
    """Write a synthetic population of `patients` spread over `clinics` (see the module).

    `knowledge` must be `knowledge_loader.load(clinic_config)`: worker processes load it
    again from `clinic_config`.
    """
    if clinics < 1:
        raise InputError("--clinics", "must be at least 1")
    if patients < 0:
        raise InputError("--patients", "must not be negative")
    if now.utcoffset() is None:
        raise InputError("now", "needs a time zone")
    ctx = _context(seed, now, knowledge)
    plans = _create_clinics(engine, ctx, clinics, password_hash)
    summary = SynthSummary(seed=seed, now=now, clinics=clinics, patients=patients)
    summary.logins = _logins(engine, plans)
    _populate(
        engine, ctx, plans, patients, password_hash,
        clinic_config, workers, batch_size, summary, progress,
    )  # fmt: skip
    return summary


def synthesize_into(
    engine: Engine,
    *,
    clinic_id: int,
    patients: int,
    seed: int,
    now: datetime,
    knowledge: Knowledge,
    password_hash: str,
) -> SynthSummary:
    """Write `patients` synthetic patients into an existing clinic (the demo's history).

    The clinic's physicians with an account each get a procedure room of their own (the
    first room with fluoroscopy at one of their locations that no other physician took);
    a physician left without a room sees no synthetic patients, so two physicians never
    share a booked room. Patients are spread over the locations of those rooms. Drawn in
    this process; for a small run only (see the module).
    """
    if patients < 0:
        raise InputError("patients", "must not be negative")
    if now.utcoffset() is None:
        raise InputError("now", "needs a time zone")
    ctx = _context(seed, now, knowledge)
    plans = _existing_clinic(engine, clinic_id)
    summary = SynthSummary(seed=seed, now=now, clinics=1, patients=patients)
    _populate(engine, ctx, plans, patients, password_hash, None, 1, max(patients, 1), summary, None)
    with Session(engine) as db, db.begin():
        _load_event(db, ctx, clinic_id)
    return summary


def _context(seed: int, now: datetime, knowledge: Knowledge) -> people.Context:
    zone = ZoneInfo(knowledge.text("clinic.time_zone"))
    return people.Context(seed, now, zone, knowledge, parameters_from(knowledge))


def _populate(
    engine: Engine,
    ctx: people.Context,
    plans: list[ClinicPlan],
    patients: int,
    password_hash: str,
    clinic_config: Path | None,
    workers: int,
    batch_size: int,
    summary: SynthSummary,
    progress: Progress | None,
) -> None:
    tasks = list(_tasks(plans, patients))
    batches = [tasks[i : i + batch_size] for i in range(0, len(tasks), batch_size)]
    postgres = engine.dialect.name == "postgresql"
    maker = RowMaker(ctx, plans, password_hash, postgres)
    booking = Booking(maker)
    setup = _Setup(ctx.seed, ctx.now, clinic_config, plans, password_hash, postgres)
    with engine.connect() as connection, writer.bulk_load(connection):
        ids = writer.Ids(connection, TABLES)
        connection.commit()
        for batch in _draw(maker, setup, batches, workers):
            booking.settle(batch)
            with connection.begin():
                writer.write(connection, batch.rows, maker.layouts, ids)
            for table, rows in batch.rows.items():
                summary.rows[table] = summary.rows.get(table, 0) + len(rows)
            if progress is not None:
                progress(batch.patients)
        with connection.begin():
            writer.finish(connection, TABLES)


def _tasks(plans: list[ClinicPlan], patients: int) -> Iterator[tuple[int, int]]:
    """(clinic index, patient number) for every patient, clinics in turn."""
    share, extra = divmod(patients, len(plans))
    for plan in plans:
        for number in range(share + (1 if plan.index < extra else 0)):
            yield plan.index, number


# -- drawing patients, in this process or in workers ---------------------------------------

Batch = list[tuple[int, int]]


@dataclass(frozen=True)
class _Setup:
    """What a drawing process needs to draw and build rows like this one."""

    seed: int
    now: datetime
    config: Path | None
    plans: list[ClinicPlan]
    password_hash: str
    postgres: bool


_WORKER: dict[str, RowMaker] = {}


def _draw(maker: RowMaker, setup: _Setup, batches: list[Batch], workers: int) -> Iterator[RowBatch]:
    """The batches' rows, in order. Workers draw a few batches ahead of the writer, not
    more, so that a slow disk cannot fill the memory with drawn rows."""
    if workers <= 1:
        for batch in batches:
            yield _rows(maker, batch)
        return
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(workers, initializer=_start_worker, initargs=(setup,)) as pool:
        ahead: deque[AsyncResult[RowBatch]] = deque()
        queued = iter(batches)
        for batch in itertools.islice(queued, 2 * workers):
            ahead.append(pool.apply_async(_draw_in_worker, (batch,)))
        while ahead:
            done = ahead.popleft().get()
            for batch in itertools.islice(queued, 1):
                ahead.append(pool.apply_async(_draw_in_worker, (batch,)))
            yield done


def _rows(maker: RowMaker, batch: Batch) -> RowBatch:
    ctx, plans = maker.ctx, maker.plans
    return maker.batch(people.draw_patient(ctx, plans[index], number) for index, number in batch)


def _start_worker(setup: _Setup) -> None:
    knowledge = knowledge_loader.load(setup.config)
    ctx = _context(setup.seed, setup.now, knowledge)
    _WORKER["maker"] = RowMaker(ctx, setup.plans, setup.password_hash, setup.postgres)


def _draw_in_worker(batch: Batch) -> RowBatch:
    return _rows(_WORKER["maker"], batch)


# -- the clinics ----------------------------------------------------------------------------


def _create_clinics(
    engine: Engine, ctx: people.Context, count: int, password_hash: str
) -> list[ClinicPlan]:
    names = [clinic_name(ctx.seed, i) for i in range(count)]
    with Session(engine) as db, db.begin():
        taken = db.scalar(sa.select(sa.func.count(Clinic.id)).where(Clinic.name.in_(names)))
        if taken:
            raise InputError(
                "--seed", f"the population of seed {ctx.seed} is already in this database"
            )
        return [_clinic(db, ctx, i, names[i], password_hash) for i in range(count)]


def _clinic(
    db: Session, ctx: people.Context, index: int, name: str, password_hash: str
) -> ClinicPlan:
    clinic = Clinic(name=name, time_zone=ctx.zone.key)
    db.add(clinic)
    db.flush()
    location = Location(
        clinic_id=clinic.id,
        name="Main",
        address=f"{index + 1} Synthetic Way",
        time_zone=ctx.zone.key,
    )
    db.add(location)
    db.flush()
    tag = f"{ctx.seed}-{index}"

    def account(role: Role, who: str, display: str) -> User:
        user = User(
            clinic_id=clinic.id,
            email=f"{who}.{tag}@synth.example.org",
            password_hash=password_hash,
            role=role,
            display_name=display,
            created_at=ctx.now - timedelta(days=ctx.params.period_days + 30),
        )
        db.add(user)
        db.flush()
        return user

    account(Role.ADMIN, "admin", f"Admin, clinic {index + 1}")
    account(Role.SCHEDULER, "scheduler", f"Scheduler, clinic {index + 1}")
    physicians = []
    for n in range(ctx.params.physicians_per_clinic):
        display = f"Dr. {people.FIRST_NAMES[(index + n) % 26]} {people.LAST_NAMES[n % 24]}"
        user = account(Role.CLINICIAN, f"physician{n + 1}", display)
        practitioner = Practitioner(
            clinic_id=clinic.id,
            user_id=user.id,
            name=display,
            kind=PractitionerKind.PHYSICIAN,
            specialty="Interventional pain medicine",
            qualifications=QUALIFICATIONS,
        )
        room = Room(location_id=location.id, name=f"Procedure room {n + 1}", fluoroscopy=True)
        db.add_all([practitioner, room])
        db.flush()
        db.add(PractitionerLocation(practitioner_id=practitioner.id, location_id=location.id))
        physicians.append(
            Physician(practitioner.id, user.id, display, room.id, _sentences(QUALIFICATIONS))
        )
    _load_event(db, ctx, clinic.id)
    return ClinicPlan(index, clinic.id, location.id, location.name, tuple(physicians))


def _load_event(db: Session, ctx: people.Context, clinic_id: int) -> None:
    audit.record_system(
        db,
        action="synth.load",
        at=ctx.now,
        clinic_id=clinic_id,
        target_type="clinic",
        target_id=clinic_id,
        detail={"seed": ctx.seed},
    )


def _existing_clinic(engine: Engine, clinic_id: int) -> list[ClinicPlan]:
    """One plan per location of the clinic whose rooms its physicians got (see above)."""
    with Session(engine) as db, db.begin():
        if db.get(Clinic, clinic_id) is None:
            raise InputError("clinic", f"no clinic {clinic_id}")
        practitioners = db.scalars(
            sa.select(Practitioner)
            .where(
                Practitioner.clinic_id == clinic_id,
                Practitioner.kind == PractitionerKind.PHYSICIAN,
                Practitioner.user_id.is_not(None),
            )
            .order_by(Practitioner.id)
        ).all()
        taken: set[int] = set()
        by_location: dict[int, tuple[str, list[Physician]]] = {}
        for practitioner in practitioners:
            rooms = db.execute(
                sa.select(Room.id, Location.id, Location.name)
                .join(Location, Location.id == Room.location_id)
                .join(PractitionerLocation, PractitionerLocation.location_id == Location.id)
                .where(
                    PractitionerLocation.practitioner_id == practitioner.id,
                    Room.fluoroscopy.is_(True),
                )
                .order_by(Location.id, Room.id)
            ).all()
            free = _rooms_not_taken(rooms, taken)
            if not free or practitioner.user_id is None:
                continue
            room_id, location_id, location_name = free[0]
            taken.add(room_id)
            physician = Physician(
                practitioner.id,
                practitioner.user_id,
                practitioner.name,
                room_id,
                _sentences(practitioner.qualifications or ""),
            )
            by_location.setdefault(location_id, (location_name, []))[1].append(physician)
    if not by_location:
        raise InputError("clinic", "has no physician with an account and a procedure room")
    return [
        ClinicPlan(index, clinic_id, location_id, name, tuple(physicians))
        for index, (location_id, (name, physicians)) in enumerate(sorted(by_location.items()))
    ]


def _rooms_not_taken(
    rooms: Sequence[sa.Row[int, int, str]], taken: set[int]
) -> list[tuple[int, int, str]]:
    return [(room, location, name) for room, location, name in rooms if room not in taken]


def _sentences(lines: str) -> str:
    return " ".join(f"{line.strip().rstrip('.')}." for line in lines.splitlines() if line.strip())


def _logins(engine: Engine, plans: list[ClinicPlan]) -> list[Login]:
    with Session(engine) as db, db.begin():
        rows = db.execute(
            sa.select(User.role, User.email)
            .where(User.clinic_id == plans[0].clinic_id)
            .order_by(User.id)
        ).all()
    return [Login(role.value, email) for role, email in rows]
