"""The outcome dashboard at scale: every query, on SQLite, PostgreSQL and DuckDB.

For the whole health system and for each grouping, each of the dashboard's statements
(`services.outcomes.Queries`: main figures, comparative pairs, two medians) is run once
to warm the caches, then `REPEATS` times; the median time counts. DuckDB gets the same
rows (the current interpretations' query columns and the symptom reports, copied from
SQLite, not timed) and runs the same statements, compiled for PostgreSQL with their
values written in: so it computes the same figures, which are compared.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from datetime import time as clock_time
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from sijcare import knowledge as knowledge_loader
from sijcare.bench.population import AS_OF, CONFIG
from sijcare.db.base import UTCDateTime
from sijcare.db.engine import create_engine_for
from sijcare.db.models import Interpretation, SymptomReport
from sijcare.services import outcomes

REPEATS = 3
QUERIES = ("main", "pairs", "median_relief", "median_referral")
NOW = datetime.combine(datetime.fromisoformat(AS_OF).date(), clock_time(12), tzinfo=UTC)
Runner = Callable[[sa.Select[Any]], list[tuple[Any, ...]]]


def statements() -> list[tuple[str, str, sa.Select[Any]]]:
    """(grouping, query name, statement) for every grouping and the whole system."""
    queries = outcomes.Queries(knowledge_loader.load(CONFIG), NOW)
    where = outcomes.OutcomeFilter()
    return [
        (by or "all", name, getattr(queries, name)(by, where))
        for by in (None, *outcomes.GROUPS)
        for name in QUERIES
    ]


def time_engine(url: str) -> tuple[dict[str, float], dict[str, list[tuple[Any, ...]]]]:
    """Milliseconds per statement (median of the repeats), and each statement's rows."""
    engine = create_engine_for(url)
    try:
        with engine.connect() as connection:
            return _time_all(lambda s: [tuple(r) for r in connection.execute(s)])
    finally:
        engine.dispose()


def time_duckdb(sqlite_url: str) -> tuple[dict[str, float], dict[str, list[tuple[Any, ...]]]]:
    import duckdb  # a development dependency of the benchmarks only

    database = duckdb.connect()
    _load_duckdb(database, sqlite_url)
    dialect = postgresql.dialect()

    def run(statement: sa.Select[Any]) -> list[tuple[Any, ...]]:
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        return [tuple(r) for r in database.execute(sql).fetchall()]

    try:
        return _time_all(run)
    finally:
        database.close()


def _time_all(run: Runner) -> tuple[dict[str, float], dict[str, list[tuple[Any, ...]]]]:
    times, rows = {}, {}
    for by, name, statement in statements():
        key = f"{by}.{name}"
        rows[key] = sorted(run(statement), key=repr)
        spent = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            run(statement)
            spent.append((time.perf_counter() - started) * 1000)
        times[key] = round(statistics.median(spent), 1)
    return times, rows


def _load_duckdb(database: Any, sqlite_url: str) -> None:
    """The current interpretations' query columns and the symptom reports, as DuckDB tables."""
    engine = create_engine_for(sqlite_url)
    readings = Interpretation.__table__
    columns = [c for c in readings.columns if c.name not in ("result",)]
    reports = SymptomReport.__table__
    try:
        with engine.connect() as connection:
            kept = connection.execute(
                sa.select(*columns).where(sa.literal_column("interpretation.current"))
            ).all()
            report_rows = connection.execute(
                sa.select(reports.c.id, reports.c.procedure_id, reports.c.disposition)
            ).all()
    finally:
        engine.dispose()
    database.execute(f"CREATE TABLE interpretation ({_ddl(columns)})")
    database.executemany(
        f"INSERT INTO interpretation VALUES ({', '.join('?' for _ in columns)})",
        [tuple(row) for row in kept],
    )
    database.execute(
        "CREATE TABLE symptom_report (id INTEGER, procedure_id INTEGER, disposition VARCHAR)"
    )
    database.executemany(
        "INSERT INTO symptom_report VALUES (?, ?, ?)", [tuple(r) for r in report_rows]
    )


def _ddl(columns: list[sa.Column[Any]]) -> str:
    kinds = []
    for column in columns:
        kind = column.type
        if isinstance(kind, sa.Boolean):
            name = "BOOLEAN"
        elif isinstance(kind, sa.Integer):
            name = "BIGINT"
        elif isinstance(kind, sa.Float):
            name = "DOUBLE"
        elif isinstance(kind, sa.DateTime | UTCDateTime):
            name = "TIMESTAMPTZ"
        else:
            name = "VARCHAR"
        kinds.append(f'"{column.name}" {name}')
    return ", ".join(kinds)
