"""A profile of what a drawing process does, in one process: drawing synthetic patients
and making their rows (the generation's work; the writing process only inserts them)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sijcare import knowledge as knowledge_loader
from sijcare.bench import profiles
from sijcare.bench.population import CONFIG
from sijcare.synth import people
from sijcare.synth.parameters import parameters_from
from sijcare.synth.records import ClinicPlan, Physician
from sijcare.synth.rows import RowMaker

PATIENTS = 150


def profile_drawing() -> str:
    knowledge = knowledge_loader.load(CONFIG)
    ctx = people.Context(
        seed=99,
        now=datetime(2026, 3, 2, 12, tzinfo=UTC),
        zone=ZoneInfo(knowledge.text("clinic.time_zone")),
        knowledge=knowledge,
        params=parameters_from(knowledge),
    )
    doctors = tuple(Physician(n, n, f"Dr. Bench {n}", n, "Board certified.") for n in (1, 2))
    clinic = ClinicPlan(0, 1, 1, "Main", doctors)
    maker = RowMaker(ctx, [clinic], password_hash="-", postgres=False)
    return profiles.profile(
        lambda: maker.batch(people.draw_patient(ctx, clinic, n) for n in range(PATIENTS))
    )
