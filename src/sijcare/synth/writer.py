"""Writing synthetic records fast: rows built as tuples, numbered per batch, inserted in bulk.

A batch's rows are built (in a drawing process) with ids numbered from 0 in each table,
and the references between them numbered the same way; when the batch is written, each
table's next free id is added to them, so the writer never touches a row in Python on
SQLite: one `executemany` per table whose statement adds the ids (`? + 1200`).
PostgreSQL gets one `COPY` per table, the ids added in Python.
Values are converted when a row is built, the way the models' column types store them
(UTC times, JSON text, enum values), and a column the synth does not set gets its
model default. So a synthetic run must be the only writer of the database while it runs
(it is for benchmarks, tests and demos); afterwards PostgreSQL's id sequences are moved
past the new rows (`finish`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa

from sijcare.db.base import UTCDateTime
from sijcare.db.engine import json_text

Convert = Callable[[Any], Any]
Row = tuple[Any, ...]
# A bulk load's SQLite settings for the writing connection, put back afterwards: no
# waiting for the disk at checkpoints (an OS crash or power cut during the load may
# corrupt the file; a crash of the process cannot) and a page cache that holds the
# index pages being appended to.
_BULK_PRAGMAS = {"synchronous": "OFF", "cache_size": "-65536"}


class Ids:
    """The next free id of each table, read once when a run starts."""

    def __init__(self, connection: sa.Connection, tables: Iterable[sa.Table]) -> None:
        self.next = {
            table.name: int(connection.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1
            for table in tables
        }

    def advance(self, counts: Mapping[str, int]) -> None:
        for name, count in counts.items():
            self.next[name] += count


class Layout:
    """How the synth writes one table: the columns its rows give, in order, with the
    tables whose batch numbering each id column holds; then every other column the
    model has a default for, set to it (in the statement on SQLite, in each row for
    PostgreSQL's COPY). Generated columns are left to the database."""

    def __init__(
        self,
        table: sa.Table,
        names: Sequence[str],
        numbered: Mapping[str, str],
        postgres: bool,
    ) -> None:
        columns = [table.c[name] for name in names]
        rest = [c for c in table.columns if c.name not in names and c.computed is None]
        for column in rest:
            if _default(column) is None and not column.nullable:
                raise ValueError(f"{table.name}.{column.name} needs a value from the synth")
        self.table = table.name
        self.names = list(names)
        self.converters = tuple(_converter(c, postgres) for c in columns)
        self._converting = [(i, c) for i, c in enumerate(self.converters) if c is not _same]
        self.numbered = [(names.index(column), to) for column, to in numbered.items()]
        defaults = {c.name: _converter(c, postgres)(_default(c)) for c in rest}
        self.defaults: Row = tuple(defaults.values()) if postgres else ()
        self.default_names = list(defaults)
        self.default_sql = [_literal(value) for value in defaults.values()]

    def row(self, values: Sequence[Any]) -> Row:
        """A row from the values of the layout's columns (ids numbered in the batch)."""
        if len(values) != len(self.converters):
            raise ValueError(f"{self.table}: {len(values)} values for {len(self.converters)}")
        out = list(values)
        for position, convert in self._converting:
            out[position] = convert(out[position])
        return (*out, *self.defaults)


def write(
    connection: sa.Connection,
    batch: Mapping[str, list[Row]],
    layouts: Mapping[str, Layout],
    ids: Ids,
) -> None:
    """Insert a batch's rows (by table, in foreign-key order) inside the connection's
    open transaction, numbered from `ids`, which then moves past them."""
    postgres = connection.dialect.name == "postgresql"
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        for name, rows in batch.items():
            if not rows:
                continue
            layout = layouts[name]
            shifts = [(position, ids.next[to]) for position, to in layout.numbered]
            if postgres:
                _copy(cursor, layout, _shifted(rows, shifts))
            else:
                cursor.executemany(_insert(layout, dict(shifts)), rows)
    finally:
        cursor.close()
    ids.advance({name: len(rows) for name, rows in batch.items()})


@contextmanager
def bulk_load(connection: sa.Connection) -> Iterator[None]:
    """The connection set up for a bulk load while inside (SQLite; see `_BULK_PRAGMAS`)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    # On the driver's connection, which is in autocommit: no transaction is begun.
    driver = connection.connection.driver_connection
    assert driver is not None
    before = {name: driver.execute(f"PRAGMA {name}").fetchone()[0] for name in _BULK_PRAGMAS}
    for name, value in _BULK_PRAGMAS.items():
        driver.execute(f"PRAGMA {name}={value}")
    try:
        yield
    finally:
        for name, value in before.items():
            driver.execute(f"PRAGMA {name}={int(value)}")


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


def _insert(layout: Layout, shifts: Mapping[int, int]) -> str:
    # The shifts are ints of this run and the defaults the models': safe in the text.
    marks = [f"? + {int(shifts[i])}" if i in shifts else "?" for i in range(len(layout.names))]
    names = ", ".join([*layout.names, *layout.default_names])
    return f"INSERT INTO {layout.table} ({names}) VALUES ({', '.join(marks + layout.default_sql)})"


def _literal(value: Any) -> str:
    """An SQL literal of a converted default value."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise ValueError(f"no literal for a default of {type(value).__name__}")


def _shifted(rows: list[Row], shifts: list[tuple[int, int]]) -> Iterator[list[Any]]:
    for row in rows:
        values = list(row)
        for position, base in shifts:
            if values[position] is not None:
                values[position] += base
        yield values


def _copy(cursor: Any, layout: Layout, rows: Iterable[Sequence[Any]]) -> None:
    names = ", ".join([*layout.names, *layout.default_names])
    with cursor.copy(f"COPY {layout.table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _default(column: sa.Column[Any]) -> Any:
    default = column.default
    if default is None or not getattr(default, "is_scalar", False):
        return None
    return default.arg  # type: ignore[attr-defined]


def _converter(column: sa.Column[Any], postgres: bool) -> Convert:
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return time_converter(postgres)
    if isinstance(kind, sa.JSON) or isinstance(getattr(kind, "impl", None), sa.JSON):
        return _json
    if isinstance(kind, sa.Enum):
        return _enum_value
    if isinstance(kind, sa.Boolean) and not postgres:
        return _int
    if isinstance(kind, sa.Date) and not postgres:
        return _date_text
    return _same


def time_converter(postgres: bool) -> Convert:
    """How a time is written on this engine (see `_converter`)."""
    return utc_time if postgres else sqlite_time


def _same(value: Any) -> Any:
    return value


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _date_text(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def utc_time(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} cannot be stored: add a zone")
    return value.astimezone(UTC)


def sqlite_time(value: datetime | None) -> str | None:
    """As SQLAlchemy stores a DateTime in SQLite: the UTC wall time, with microseconds."""
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC) if value.utcoffset() is not None else utc_time(value)
    # "YYYY-MM-DD HH:MM:SS.ffffff" without the "+00:00" of the zone.
    return value.isoformat(" ", "microseconds")[:26]  # type: ignore[union-attr]


# The text the product's engines store (`db.engine.json_text`): compact, UTF-8.
compact_json = json_text


def _json(value: Any) -> str | None:
    # A document already serialised (a large result) is written as it is.
    if value is None or isinstance(value, str):
        return value
    return compact_json(value)
