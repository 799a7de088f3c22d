"""A tiny synthetic run on SQLite and PostgreSQL: complete, reproducible, read as the product reads.

Big runs are for the benchmarks (`./dev bench`); these runs draw a few dozen patients.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from factories import password_hash
from sijcare import knowledge as knowledge_loader
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.db.enums import AppointmentKind, AppointmentStatus, PathwayStatus
from sijcare.db.models import (
    Appointment,
    DiaryEntry,
    Interpretation,
    Pathway,
    ProcedureRecord,
    SymptomReport,
)
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.services import diary, procedures
from sijcare.synth.rows import TABLES
from sijcare.synth.run import synthesize

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def run(engine: Engine, knowledge: Knowledge, **sizes: int) -> dict[str, int]:
    summary = synthesize(
        engine,
        clinics=sizes.get("clinics", 2),
        patients=sizes.get("patients", 30),
        seed=sizes.get("seed", 7),
        now=NOW,
        knowledge=knowledge,
        password_hash=password_hash(),
        batch_size=sizes.get("batch_size", 7),
    )
    return summary.rows


def test_run_writes_every_kind_of_record(engine: Engine, knowledge: Knowledge) -> None:
    rows = run(engine, knowledge, patients=40)
    assert rows["patient"] == rows["user_account"] == 40
    for table in ("pathway", "procedure_record", "diary_entry", "interpretation", "appointment"):
        assert rows[table] > 0, table
    assert rows["interpretation"] == rows["procedure_record"]


def test_stored_readings_are_what_the_product_computes(
    engine: Engine, db: Session, knowledge: Knowledge
) -> None:
    run(engine, knowledge, patients=25)
    with db.begin():
        records = db.scalars(sa.select(ProcedureRecord).order_by(ProcedureRecord.id)).all()
        assert records
        for record in records:
            stored = db.scalar(
                sa.select(Interpretation).where(
                    Interpretation.procedure_id == record.id, Interpretation.current
                )
            )
            fresh = diary.reinterpret(db, record, knowledge, NOW)
            db.refresh(fresh)  # with what the database computes (generated columns)
            assert stored is not None
            for column in Interpretation.__table__.columns:
                if column.name not in ("id", "computed_at", "current"):
                    assert getattr(stored, column.name) == getattr(fresh, column.name), column
            # The run writes its JSON as text itself (no ORM): the same text as the
            # product's engine writes for the same document.
            texts = dict(
                db.execute(
                    sa.select(Interpretation.id, sa.cast(Interpretation.result, sa.Text)).where(
                        Interpretation.id.in_([stored.id, fresh.id])
                    )
                ).all()
            )
            assert texts[stored.id] == texts[fresh.id]
        db.rollback()


def test_same_seed_gives_the_same_population(tmp_path: Path, knowledge: Knowledge) -> None:
    dumps = []
    for name in ("one", "two"):
        engine = _fresh_sqlite(tmp_path / f"{name}.db")
        run(engine, knowledge, patients=12, seed=11)
        with engine.connect() as connection:
            dumps.append(
                [
                    connection.execute(sa.select(table).order_by(table.c.id)).all()
                    for table in (DiaryEntry.__table__, Interpretation.__table__)
                ]
            )
        engine.dispose()
    assert dumps[0] == dumps[1]


def test_the_population_does_not_depend_on_workers_or_batches(tmp_path: Path) -> None:
    # Crowded bookings, so that appointments move, also across batches and workers; the
    # rows are numbered per batch by the workers and written by this process.
    knowledge = knowledge_loader.load(_crowded(tmp_path, period_days=6))
    dumps = []
    for name, workers, batch_size in (("one", 1, 60), ("two", 2, 7)):
        engine = _fresh_sqlite(tmp_path / f"{name}.db")
        synthesize(
            engine, clinics=2, patients=60, seed=5, now=NOW, knowledge=knowledge,
            password_hash=password_hash(), clinic_config=tmp_path / "crowded.toml",
            workers=workers, batch_size=batch_size,
        )  # fmt: skip
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # as before
            dumps.append(
                [
                    connection.execute(sa.select(table).order_by(table.c.id)).all()
                    for table in TABLES
                ]
            )
        engine.dispose()
    appointments = dumps[0][TABLES.index(Appointment.__table__)]
    assert [row for row in appointments if row.status == "booked"]
    assert dumps[0] == dumps[1]


def test_a_seed_already_written_is_refused(engine: Engine, knowledge: Knowledge) -> None:
    run(engine, knowledge, patients=2)
    with pytest.raises(InputError, match="seed 7 is already in this database") as exc:
        run(engine, knowledge, patients=2)
    assert exc.value.where == "--seed"


def test_booked_appointments_have_complete_consent_for_their_time(
    engine: Engine, db: Session, tmp_path: Path
) -> None:
    # One physician, every referral in the last two days, injections a day or two later:
    # booked times collide and must move with their screening and consent.
    knowledge = knowledge_loader.load(_crowded(tmp_path, period_days=2))
    run(engine, knowledge, clinics=1, patients=40)
    with db.begin():
        booked = db.execute(
            sa.select(
                Appointment.practitioner_id, Appointment.starts_at, Appointment.pathway_id
            ).where(Appointment.status == AppointmentStatus.BOOKED)
        ).all()
        assert len({(p, s) for p, s, _ in booked}) == len(booked)
        procedures_booked = db.scalars(
            sa.select(Appointment.pathway_id).where(
                Appointment.status == AppointmentStatus.BOOKED,
                Appointment.kind == AppointmentKind.PROCEDURE,
            )
        ).all()
        consented = 0
        for pathway_id in procedures_booked:
            pathway = db.get(Pathway, pathway_id)
            assert pathway is not None and pathway.status is PathwayStatus.ACTIVE
            if procedures.latest_consent(db, pathway.id) is not None:
                consented += 1
                state = procedures.consent_status(db, pathway, knowledge).state
                assert state is procedures.ConsentState.COMPLETE
        assert consented > 0


def test_symptom_reports_belong_to_done_injections(engine: Engine, knowledge: Knowledge) -> None:
    run(engine, knowledge, patients=60)
    with engine.connect() as connection:
        late = connection.execute(
            sa.select(sa.func.count())
            .select_from(SymptomReport.__table__.join(ProcedureRecord.__table__))
            .where(SymptomReport.reported_at < ProcedureRecord.performed_at)
        ).scalar_one()
    assert late == 0


def test_a_range_the_wrong_way_round_names_the_rule(engine: Engine, tmp_path: Path) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text('[overrides]\n"synth.flare_hours" = [48.0, 6.0]\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        run(engine, knowledge_loader.load(config), patients=1)
    assert exc.value.where == "synth.flare_hours"


def _crowded(tmp_path: Path, period_days: int) -> Path:
    """One physician a clinic, every referral in the last days, injections a day or two later."""
    config = tmp_path / "crowded.toml"
    config.write_text(
        "[overrides]\n"
        f'"synth.physicians_per_clinic" = 1\n"synth.period_days" = {period_days}\n'
        '"synth.referral_to_procedure_days" = [1, 2]\n',
        encoding="utf-8",
    )
    return config


def _fresh_sqlite(path: Path) -> Engine:
    from sijcare.db import migrate

    migrate.upgrade(f"sqlite:///{path}")
    engine = create_engine_for(f"sqlite:///{path}")
    session_factory(engine)
    return engine
