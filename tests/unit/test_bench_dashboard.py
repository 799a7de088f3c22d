"""The dashboard benchmark computes every view with the outcome summary on SQLite, and
the same views by counting every injection on DuckDB, and their figures agree (the
benchmark reports the comparison; this checks it on a small population)."""

from __future__ import annotations

from pathlib import Path

import pytest

from factories import password_hash
from sijcare import knowledge as knowledge_loader
from sijcare.bench import dashboard
from sijcare.bench.population import CONFIG
from sijcare.db import migrate
from sijcare.db.engine import create_engine_for
from sijcare.synth.run import synthesize

pytest.importorskip("duckdb")


def test_every_view_has_duckdbs_figures(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'health.db'}"
    migrate.upgrade(url)
    engine = create_engine_for(url)
    synthesize(
        engine, clinics=2, patients=30, seed=3, now=dashboard.NOW,
        knowledge=knowledge_loader.load(CONFIG), password_hash=password_hash(),
    )  # fmt: skip
    engine.dispose()
    (views, view_figures), (statements, _rows), built = dashboard.time_engine(url)
    (duck_views, duck_figures), (duck_statements, _duck_rows) = dashboard.time_duckdb(url)
    assert (
        set(views)
        == set(duck_views)
        == {"all", "clinic", "physician", "side", "anesthetic", "steroid", "month"}
    )
    assert len(statements) == len(duck_statements) == 28 and built > 0
    assert view_figures == duck_figures
    assert (
        view_figures["side"][-1]["group"] == "total" and view_figures["side"][-1]["procedures"] > 0
    )
