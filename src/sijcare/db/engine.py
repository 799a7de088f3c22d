"""Engines and sessions for the one database URL the settings name.

SQLite (the default) gets, on every connection: WAL journal (readers do not block the
writer), foreign keys on, a busy timeout, and `BEGIN IMMEDIATE` for every transaction.
The last one takes the write lock at the start, so two transactions can never both read
a free slot and then both book it; SQLite has one writer at a time anyway, and a
deferred transaction that upgrades to a write in WAL mode fails instead of waiting. A
transaction that only reads may begin deferred instead (`read_only`), taking no lock.
PostgreSQL is reached through psycopg 3, with a connect timeout and a lock timeout, so a
request fails fast (and the web app answers 503) when the server is unreachable or a
table stays locked, instead of hanging; `pool_pre_ping` replaces connections that died
while the server was away, so the app recovers by itself when it is back.

JSON documents are written by orjson on both engines: every diary score stores its
diary's reading, and the standard library's encoder cost several times more.

Sessions do not begin transactions by themselves (`autobegin=False`): every use is inside
`with db.begin():`, so a service's writes and its audit event commit or roll back together.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from sijcare.db.checkpoints import Checkpointer
from sijcare.domain.errors import InputError

SQLITE_BUSY_TIMEOUT_MS = 15_000
# An execution option: this SQLite transaction only reads, so it begins deferred (see
# `read_only`). PostgreSQL ignores it.
READ_ONLY = "sijcare_read_only"
POSTGRES_CONNECT_TIMEOUT_S = 5
POSTGRES_LOCK_TIMEOUT_MS = 10_000


def create_engine_for(url: str | URL, **options: Any) -> Engine:
    """An engine for `url`; a SQLite file's folder is created when missing. On SQLite,
    `checkpointer=` a running `checkpoints.Checkpointer` of the file: its connections then
    leave the checkpoints to that thread."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    options.setdefault("json_serializer", json_text)
    # A database error's text would hold the statement's values (names, notes): they
    # are left out, so an error that reaches a log carries no patient data.
    options.setdefault("hide_parameters", True)
    if backend == "sqlite":
        return _sqlite_engine(parsed, **options)
    if backend == "postgresql":
        _cache_batch_statements()
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        connect_args = {
            "connect_timeout": POSTGRES_CONNECT_TIMEOUT_S,
            "options": f"-c lock_timeout={POSTGRES_LOCK_TIMEOUT_MS}",
        }
        return sa.create_engine(
            parsed,
            pool_pre_ping=True,
            connect_args=connect_args | options.pop("connect_args", {}),
            **options,
        )
    raise InputError("SIJCARE_DATABASE_URL", f"{backend!r} is not supported (sqlite, postgresql)")


# psycopg converts a statement's `%(name)s` placeholders with a regular expression and
# caches the result only for statements of at most 4,096 bytes and 50 parameters. A
# batch of score writes inserts up to 64 rows of up to 37 columns in one statement
# (SQLAlchemy's "insertmanyvalues"), so every batch was parsed again: about a tenth of
# the app's interpreter time under load. Cached up to these sizes (one statement per
# batch size and table), alternating 20 s runs on 2 cores gave 880-1,090 -> 1,150-1,280
# writes/s. The limits are psycopg's own module constants, not a public setting:
# `tests/db/test_statement_cache.py` fails if psycopg stops reading them.
POSTGRES_CACHED_STATEMENT_BYTES = 128 * 1024
POSTGRES_CACHED_STATEMENT_PARAMS = 64 * 64


def _cache_batch_statements() -> None:
    from psycopg import _queries

    _queries.MAX_CACHED_STATEMENT_LENGTH = max(
        _queries.MAX_CACHED_STATEMENT_LENGTH, POSTGRES_CACHED_STATEMENT_BYTES
    )
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(
        _queries.MAX_CACHED_STATEMENT_PARAMS, POSTGRES_CACHED_STATEMENT_PARAMS
    )


def plain_rows(connection: sa.Connection, statement: sa.Select[Any]) -> list[tuple[Any, ...]]:
    """The rows of `statement` straight from the driver's cursor, for a large result of
    numbers and text: SQLAlchemy's result rows cost more than the query there (SQLite,
    16,500 rows of a name and a number: 26 ms against 9.5 ms). Only for statements whose
    parameters and columns need no conversion (no times, no JSON)."""
    compiled = statement.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params = compiled.construct_params()
    order = compiled.positiontup
    arguments = params if order is None else tuple(params[name] for name in order)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), arguments)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def json_text(value: Any) -> str:
    """A JSON document's text, as `json.dumps` gives it but for the spacing and the
    characters that it escapes (orjson writes UTF-8)."""
    try:
        return _dumps(value).decode()
    except orjson.JSONEncodeError:
        # A key that is not a string (an id as an int): written as `json.dumps` writes
        # it. Not asked for first: the option makes every document ~25 % slower to write
        # (a stored reading: 8.2 -> 11.2 us).
        return _dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


_dumps = orjson.dumps


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that need an explicit `with db.begin():` and keep loaded values after it."""
    return sessionmaker(bind=engine, autobegin=False, expire_on_commit=False)


def sqlite_file(url: str | URL) -> str:
    """The path of a SQLite database file; "" for an in-memory or URI database, or
    another engine's."""
    url = make_url(url)
    if url.get_backend_name() != "sqlite":
        return ""
    database = url.database or ""
    return "" if database == ":memory:" or database.startswith("file:") else database


def _sqlite_engine(url: URL, **options: Any) -> Engine:
    database = sqlite_file(url)
    if database:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    checkpointer: Checkpointer | None = options.pop("checkpointer", None)
    engine = sa.create_engine(url, **options)
    sa.event.listen(engine, "connect", _configure_sqlite_connection)
    sa.event.listen(engine, "begin", _begin_immediate)
    if checkpointer is not None:

        def leave_checkpoints(dbapi_connection: Any, _record: Any) -> None:
            # Only while the thread runs: a connection made before it started keeps
            # SQLite's own checkpoints, so the log never grows unchecked.
            if checkpointer.running:
                dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

        sa.event.listen(engine, "connect", leave_checkpoints)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def one_writer(db: Session) -> AbstractContextManager[object]:
    """Around a busy write transaction: on SQLite, writers take the write lock in turn.

    SQLite's busy handler makes a writer that finds the lock taken sleep (1, 2, 5 ... up
    to 100 ms) and try again, while the holder's next writer takes the lock at once: under
    many concurrent writers some wait far longer than the lock is held, and one process
    can starve another. So the writers of this process queue on a thread lock, and the
    processes on an exclusive `flock` of a file beside the database (`<file>-writer`):
    both wake a waiter as soon as the lock is free. PostgreSQL locks rows: no-op.
    """
    bind = db.get_bind()
    if bind.dialect.name != "sqlite":
        return nullcontext()
    return _writers(sqlite_file(bind.url))


@contextmanager
def _writers(database: str) -> Iterator[None]:
    gate = _GATES.get(database)
    if gate is None:
        gate = _GATES.setdefault(database, _Gate(database))
    with gate.threads:
        if not database:
            yield
            return
        handle = gate.file()
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _Gate:
    """The writer queue of one SQLite file in this process."""

    def __init__(self, database: str) -> None:
        self.threads = threading.Lock()
        self._path = database + "-writer"
        self._handle: int | None = None
        self._pid = 0

    def file(self) -> int:
        # Opened once per process (a forked child must not share its parent's open file:
        # flock is held per open file, so the two would not exclude each other).
        if self._handle is None or self._pid != os.getpid():
            self._handle = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._handle


_GATES: dict[str, _Gate] = {}


def read_only(db: Session) -> None:
    """Begin the session's transaction as a read-only one; call it first inside
    `with db.begin():`, before any query.

    On SQLite it begins deferred: a WAL reader's snapshot, which neither waits for the
    write lock nor holds it, so a long read does not make writers wait. Nothing may be
    written in it: a write would need the lock that a later writer may already hold.

    On PostgreSQL it runs in autocommit: at READ COMMITTED each statement of a
    transaction sees its own snapshot anyway, and the reads skip a BEGIN and a COMMIT
    (two round trips; `auth.resume` runs on every request). A write in it would commit
    at once, which is another reason not to write.
    """
    if db.get_bind().dialect.name == "postgresql":
        db.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    else:
        db.connection(execution_options={READ_ONLY: True})


def _begin_immediate(connection: sa.Connection) -> None:
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
