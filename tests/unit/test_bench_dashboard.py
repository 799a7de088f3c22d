"""The dashboard benchmark computes every view with the outcome summary on SQLite, and
the same views by counting every injection on DuckDB, and their figures agree (the
benchmark reports the comparison; this checks it on a small population)."""

from __future__ import annotations

from pathlib import Path

import pytest

from factories.bench import small_population
from sijcare.bench import dashboard

pytest.importorskip("duckdb")


def test_every_view_has_duckdbs_figures(tmp_path: Path) -> None:
    url = small_population(tmp_path / "health.db")
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
