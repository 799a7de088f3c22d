"""A small health system drawn as the benchmarks draw theirs, for their tests."""

from __future__ import annotations

from pathlib import Path

from factories import password_hash
from sijcare import knowledge as knowledge_loader
from sijcare.bench import dashboard
from sijcare.bench.population import CONFIG
from sijcare.db import migrate
from sijcare.db.engine import create_engine_for
from sijcare.synth.run import synthesize


def small_population(path: Path) -> str:
    """A migrated SQLite file at `path` with 2 clinics and 30 patients, drawn with the
    benchmark's knowledge and day; its URL."""
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    engine = create_engine_for(url)
    try:
        synthesize(
            engine, clinics=2, patients=30, seed=3, now=dashboard.NOW,
            knowledge=knowledge_loader.load(CONFIG), password_hash=password_hash(),
        )  # fmt: skip
    finally:
        engine.dispose()
    return url
