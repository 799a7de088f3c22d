"""Writing synthetic records fast: ids numbered here, rows inserted in bulk.

Rows are numbered from the table's largest id, so a batch is written without a round
trip per row: SQLite gets one `executemany` per table, PostgreSQL one `COPY` per table.
Values are converted here the way the models' column types store them (UTC times,
JSON text, enum values), and a column the caller leaves out gets its model default.
So a synthetic run must be the only writer of the database while it runs (it is for
benchmarks, tests and demos); afterwards PostgreSQL's id sequences are moved past the
new rows (`finish`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa

from sijcare.db.base import UTCDateTime

Convert = Callable[[Any], Any]
_SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


class Ids:
    """The next free id of each table, read once when a run starts."""

    def __init__(self, connection: sa.Connection, tables: Iterable[sa.Table]) -> None:
        self._next = {
            table.name: int(connection.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
            for table in tables
        }

    def take(self, table: sa.Table) -> int:
        value = self._next[table.name]
        self._next[table.name] = value + 1
        return value


class Batch:
    """Rows waiting to be written, by table, in the order the tables were first used."""

    def __init__(self) -> None:
        self.rows: dict[sa.Table, list[Mapping[str, Any]]] = {}

    def add(self, table: sa.Table, row: Mapping[str, Any]) -> None:
        self.rows.setdefault(table, []).append(row)

    def count(self, table: sa.Table) -> int:
        return len(self.rows.get(table, ()))


def write(connection: sa.Connection, batch: Batch) -> None:
    """Insert every row of `batch` inside the connection's open transaction."""
    postgres = connection.dialect.name == "postgresql"
    for table, rows in batch.rows.items():
        columns = list(table.columns)
        converters = [_converter(column, postgres) for column in columns]
        defaults = [_default(column) for column in columns]
        values = [
            tuple(
                convert(row.get(column.name, default))
                for column, convert, default in zip(columns, converters, defaults, strict=True)
            )
            for row in rows
        ]
        names = [column.name for column in columns]
        (_copy if postgres else _executemany)(connection, table.name, names, values)


def finish(connection: sa.Connection, tables: Iterable[sa.Table]) -> None:
    """Move PostgreSQL's id sequences past the rows written with numbered ids."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        connection.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                f" (SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
            )
        )


def _executemany(
    connection: sa.Connection, table: str, names: Sequence[str], values: list[tuple[Any, ...]]
) -> None:
    marks = ", ".join("?" for _ in names)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", values)
    finally:
        cursor.close()


def _copy(
    connection: sa.Connection, table: str, names: Sequence[str], values: list[tuple[Any, ...]]
) -> None:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    finally:
        cursor.close()


def _default(column: sa.Column[Any]) -> Any:
    default = column.default
    if default is None or not getattr(default, "is_scalar", False):
        return None
    return default.arg  # type: ignore[attr-defined]


def _converter(column: sa.Column[Any], postgres: bool) -> Convert:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return _pass_none(_utc) if postgres else _pass_none(_sqlite_time)
    if isinstance(kind, sa.JSON) or isinstance(getattr(kind, "impl", None), sa.JSON):
        return _pass_none(_json)
    if isinstance(kind, sa.Enum):
        return _pass_none(lambda v: v.value if isinstance(v, Enum) else v)
    if isinstance(kind, sa.Boolean) and not postgres:
        return _pass_none(int)
    if isinstance(kind, sa.Date) and not postgres:
        return _pass_none(date.isoformat)
    return _same


def _pass_none(convert: Convert) -> Convert:
    return lambda value: None if value is None else convert(value)


def _same(value: Any) -> Any:
    return value


def _utc(value: datetime) -> datetime:
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} cannot be stored: add a zone")
    return value.astimezone(UTC)


def _sqlite_time(value: datetime) -> str:
    return _utc(value).strftime(_SQLITE_TIME)


def _json(value: Any) -> str:
    # A document already serialised (a large result) is written as it is.
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
