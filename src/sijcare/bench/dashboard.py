"""The outcome dashboard at scale: every view and every statement, on SQLite, PostgreSQL
and DuckDB.

A view is what the dashboard shows for one grouping (or none): its groups and the total,
as `services.outcomes.compute` serves them for the whole health system, with the outcome
summary built first (`services.outcome_summary`, timed apart): the settled injections'
figures read from it, the recent months counted. Each view is computed once to warm the
caches, then `REPEATS` times; the median time counts. DuckDB gets the same rows (the
current interpretations' query columns and the symptom reports, copied from SQLite, not
timed) and computes the same views by counting every injection with the dashboard's
statements (PostgreSQL's, values written in); the figures of the three engines are
compared. (PostgreSQL's median referral time is an ordered-set aggregate, SQLite's a
count by day and a ranking of the middle day: DuckDB runs the faster of the two.)

The statements alone, each counting every injection as a filtered view does (main
figures, comparative pairs, two medians for each grouping), are timed the same way on
every engine: shown, not judged.
"""

from __future__ import annotations

import csv
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
from sijcare.bench.machine import median_ms
from sijcare.bench.population import AS_OF, CONFIG
from sijcare.db.base import UTCDateTime
from sijcare.db.engine import create_engine_for, session_factory
from sijcare.db.models import Interpretation, SymptomReport
from sijcare.services import outcome_summary, outcomes

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


Timed = tuple[dict[str, float], dict[str, Any]]


def time_engine(url: str) -> tuple[Timed, Timed, float]:
    """(each view's milliseconds and figures, each statement's milliseconds and rows, the
    seconds the outcome summary took to build)."""
    engine = create_engine_for(url)
    knowledge = knowledge_loader.load(CONFIG)
    try:
        with session_factory(engine)() as db:
            started = time.perf_counter()
            outcome_summary.build(db, knowledge=knowledge, now=NOW)
            built = time.perf_counter() - started
            with db.begin():
                used = outcome_summary.usable(
                    db, knowledge=knowledge, now=NOW, groupings=outcome_summary.GROUPINGS,
                    where=outcomes.OutcomeFilter(),
                )  # fmt: skip
            if used is None:  # the views would count every injection: not what is measured
                raise RuntimeError("the outcome summary just built does not stand")
        with engine.connect() as connection:
            views = _time_views(
                lambda by: outcomes.compute(
                    connection, by=by, where=outcomes.OutcomeFilter(), knowledge=knowledge,
                    now=NOW,
                )
            )  # fmt: skip
            statements = _time_all(
                lambda s: [tuple(r) for r in connection.execute(s)], engine.dialect.name
            )
            return views, statements, built
    finally:
        engine.dispose()


def time_duckdb(sqlite_url: str) -> tuple[Timed, Timed]:
    """Each view and each statement, every injection counted by DuckDB."""
    import duckdb  # a development dependency of the benchmarks only

    database = duckdb.connect()
    _load_duckdb(database, sqlite_url)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it bare
    knowledge = knowledge_loader.load(CONFIG)
    queries = outcomes.Queries(knowledge, NOW, "postgresql")

    def plain(statement: sa.Select[Any]) -> list[tuple[Any, ...]]:
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        return [tuple(r) for r in database.execute(sql).fetchall()]

    def run(statement: sa.Select[Any]) -> list[dict[str, Any]]:
        sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        cursor = database.execute(sql)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def view(by: str | None) -> Any:
        return outcomes.figures(run, plain, queries, by, outcomes.OutcomeFilter())

    try:
        return _time_views(view), _time_all(plain, "postgresql")
    finally:
        database.close()


def _time_views(compute: Callable[[str | None], Any]) -> Timed:
    """Milliseconds per view (median of the repeats), and each view's figures as rows."""
    times, figures = {}, {}
    for by in (None, *outcomes.GROUPS):
        key = by or "all"
        figures[key] = _rows(by, compute(by))
        times[key] = median_ms(lambda: compute(by), REPEATS)  # noqa: B023 (called at once)
    return times, figures


def _rows(by: str | None, found: Any) -> list[dict[str, Any]]:
    """A view's figures as the CSV export's rows (an `Outcomes`, or `outcomes.figures`'s
    groups and total); the clinics' names left out (DuckDB has no clinic table)."""
    if isinstance(found, outcomes.Outcomes):
        groups, total = list(found.groups), found.total
    else:
        groups = [found[0][key] for key in sorted(found[0])]
        total = found[1]
    rows = [outcomes.as_row(g, by or "all") for g in groups if by] + [
        outcomes.as_row(total, "total")
    ]
    return [{k: v for k, v in row.items() if k != "label"} for row in rows]


def _time_all(run: Runner, dialect: str) -> Timed:
    times, rows = {}, {}
    for by, name, statement in statements(dialect):
        key = f"{by}.{name}"
        rows[key] = sorted(run(statement), key=repr)
        times[key] = median_ms(lambda: run(statement), REPEATS)  # noqa: B023 (called at once)
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
