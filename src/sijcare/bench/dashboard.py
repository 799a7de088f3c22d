"""The outcome dashboard at scale: every query, on SQLite, PostgreSQL and DuckDB.

For the whole health system and for each grouping, each of the dashboard's statements
(`services.outcomes.Queries` for the engine: main figures, comparative pairs, two
medians) is run once to warm the caches, then `REPEATS` times; the median time counts.
DuckDB gets the same rows (the current interpretations' query columns and the symptom
reports, copied from SQLite, not timed) and runs PostgreSQL's statements with their
values written in: so it computes the same figures, which are compared. (PostgreSQL's
median referral time is an ordered-set aggregate, SQLite's a count by day and a ranking
of the middle day: DuckDB runs the faster of the two.)
"""

from __future__ import annotations

import csv
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path
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
_NULL = r"\N"


def statements(dialect: str) -> list[tuple[str, str, sa.Select[Any]]]:
    """(grouping, query name, statement) for every grouping and the whole system, as the
    dashboard runs them on `dialect` (SQLAlchemy's name of the database)."""
    queries = outcomes.Queries(knowledge_loader.load(CONFIG), NOW, dialect)
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
            return _time_all(
                lambda s: [tuple(r) for r in connection.execute(s)], engine.dialect.name
            )
    finally:
        engine.dispose()


def time_duckdb(sqlite_url: str) -> tuple[dict[str, float], dict[str, list[tuple[Any, ...]]]]:
    import duckdb  # a development dependency of the benchmarks only

    database = duckdb.connect()
    _load_duckdb(database, sqlite_url)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it bare

    def run(statement: sa.Select[Any]) -> list[tuple[Any, ...]]:
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        return [tuple(r) for r in database.execute(sql).fetchall()]

    try:
        return _time_all(run, "postgresql")
    finally:
        database.close()


def _time_all(
    run: Runner, dialect: str
) -> tuple[dict[str, float], dict[str, list[tuple[Any, ...]]]]:
    times, rows = {}, {}
    for by, name, statement in statements(dialect):
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
    readings, reports = Interpretation.__table__, SymptomReport.__table__
    tables: dict[str, tuple[list[Any], sa.ColumnElement[bool]]] = {
        "interpretation": (
            [c for c in readings.columns if c.name != "result"],
            sa.literal_column("interpretation.current"),
        ),
        "symptom_report": (
            [reports.c.id, reports.c.procedure_id, reports.c.disposition],
            sa.true(),
        ),
    }
    engine = create_engine_for(sqlite_url)
    try:
        with engine.connect() as connection, tempfile.TemporaryDirectory() as folder:
            for name, (columns, where) in tables.items():
                database.execute(f"CREATE TABLE {name} ({_ddl(columns)})")
                rows = connection.execute(sa.select(*columns).where(where))
                _copy_into(database, name, rows, Path(folder) / f"{name}.csv")
    finally:
        engine.dispose()


def _copy_into(database: Any, table: str, rows: Iterable[Sequence[Any]], path: Path) -> None:
    """Rows into a DuckDB table through a CSV file: DuckDB inserts row by row from Python
    (minutes for the full population), but reads a file at once. Times are written with
    their offset, so DuckDB reads them as the instants they are."""
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        for row in rows:
            writer.writerow([_NULL if value is None else value for value in row])
    database.execute(f"COPY {table} FROM '{path}' (HEADER false, NULLSTR '{_NULL}')")


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
