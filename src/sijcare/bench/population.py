"""The benchmark's health system: generated once on SQLite, copied as it is to PostgreSQL.

`build` runs `sijcare.bench.generate` in a child process and measures its wall time and
the peak memory of it and its workers together (the sum of their resident sets, sampled
from /proc every 0.2 s). The database file and a JSON note of the measurement are kept
under bench/results/data/ and reused by later runs with the same size, seed and
synthetic parameters (the note says when and how it was measured), migrated first if
the schema has changed since. `copy_to_postgres`
loads the same rows into a fresh PostgreSQL database (COPY), so both engines answer
from identical data.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sijcare import knowledge as knowledge_loader
from sijcare.db import migrate
from sijcare.db.base import Base
from sijcare.db.engine import create_engine_for

CONFIG = Path(__file__).with_name("population.toml")
AS_OF = "2026-03-02"


@dataclass(frozen=True)
class Size:
    name: str
    clinics: int
    patients: int


SIZES = {
    "full": Size("full", 20, 97_000),  # about 100,000 procedures and 3,000,000 scores
    "small": Size("small", 4, 2_000),
}


def build(results: Path, size: Size, seed: int) -> tuple[Path, dict[str, Any]]:
    """The population's SQLite file and the note of its generation (made if missing)."""
    data = results / "data"
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"health-{size.name}-seed{seed}-{_parameters_key(size)}.db"
    note = path.with_suffix(".json")
    if path.exists() and note.exists():
        if _migrated(f"sqlite:///{path}"):
            with sqlite3.connect(path) as connection:
                connection.execute("ANALYZE")
        return path, json.loads(note.read_text())
    path.unlink(missing_ok=True)
    workers = os.cpu_count() or 1
    argv = [
        sys.executable, "-m", "sijcare.bench.generate", f"sqlite:///{path}", str(CONFIG),
        str(size.clinics), str(size.patients), str(seed), AS_OF, str(workers),
    ]  # fmt: skip
    started = time.perf_counter()
    peak, output = _run_measured(argv)
    seconds = time.perf_counter() - started
    summary = json.loads(output)
    with sqlite3.connect(path) as connection:
        connection.execute("ANALYZE")
    measured = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "size": size.name,
        "seed": seed,
        "workers": workers,
        "seconds": round(seconds, 1),
        "peak_memory_mb": round(peak / 1024 / 1024),
        "rows": summary["rows"],
        "logins": summary["logins"],
        "file_mb": round(path.stat().st_size / 1024 / 1024),
    }
    note.write_text(json.dumps(measured, indent=2))
    return path, measured


def _parameters_key(size: Size) -> str:
    """A short fingerprint of what shapes the population: its size and the synth rules."""
    knowledge = knowledge_loader.load(CONFIG)
    shape = {
        "size": [size.clinics, size.patients],
        "rules": {k: r.value for k, r in knowledge.rules.items() if k.startswith("synth.")},
        "tables": {
            name: [dict(row) for row in table.rows]
            for name, table in knowledge.tables.items()
            if name.startswith("synth_")
        },
    }
    digest = hashlib.sha256(json.dumps(shape, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:12]


def _run_measured(argv: list[str]) -> tuple[int, str]:
    """Run `argv`; the largest sum of resident memory of it and its descendants, and stdout."""
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": _src()}
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"generating the population failed (exit {process.returncode})")
    return peak, output.decode()


def _src() -> str:
    return str(Path(__file__).resolve().parents[2])


def _tree_rss(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields.get("PPid", "0").strip())
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [p for p, parent in parents.items() if parent == pid]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree)


def on_postgres(sqlite_path: Path, server: str, name: str) -> tuple[str, float]:
    """The PostgreSQL copy of the population: reused when it has the same diary, else made."""
    url = f"{server}/{name}"
    try:
        engine = create_engine_for(url)
        with engine.connect() as connection:
            there = connection.execute(sa.text("SELECT count(*) FROM diary_entry")).scalar_one()
        engine.dispose()
    except sa.exc.SQLAlchemyError:
        there = -1
    with sqlite3.connect(sqlite_path) as source:
        here = source.execute("SELECT count(*) FROM diary_entry").fetchone()[0]
    if there == here:
        if _migrated(url):
            engine = create_engine_for(url)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
            engine.dispose()
        return url, 0.0
    return copy_to_postgres(sqlite_path, server, name)


def _migrated(url: str) -> bool:
    """Bring a kept population's schema up to date (a migration came since it was made);
    whether one ran, so that the caller gathers the planner's statistics again."""
    if migrate.current_revision(url) == migrate.head_revision():
        return False
    migrate.upgrade(url)
    return True


def copy_to_postgres(sqlite_path: Path, server: str, name: str) -> tuple[str, float]:
    """A fresh PostgreSQL database `name` with the SQLite file's rows; its URL and seconds."""
    admin = sa.create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = f"{server}/{name}"
    migrate.upgrade(url)
    started = time.perf_counter()
    engine = create_engine_for(url)
    source = sqlite3.connect(sqlite_path)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("SET LOCAL TIME ZONE 'UTC'"))
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            # The rows come with what the triggers would set (`current`, `referral_days`).
            # Left on, the superseding trigger's plan, made while the table was empty,
            # reads the whole table for each row: 96,000 readings took 11 minutes.
            for table in Base.metadata.sorted_tables:
                connection.execute(sa.text(f"ALTER TABLE {table.name} DISABLE TRIGGER USER"))
            for table in Base.metadata.sorted_tables:
                _copy_table(source, cursor, table)
            for table in Base.metadata.sorted_tables:
                connection.execute(sa.text(f"ALTER TABLE {table.name} ENABLE TRIGGER USER"))
            for table in Base.metadata.sorted_tables:
                if "id" in table.c and isinstance(table.c.id.type, sa.Integer):
                    connection.execute(
                        sa.text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                            f" (SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                        )
                    )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    finally:
        source.close()
        engine.dispose()
    return url, time.perf_counter() - started


def _copy_table(source: sqlite3.Connection, cursor: Any, table: sa.Table) -> None:
    names = [column.name for column in table.columns]
    booleans = {i for i, c in enumerate(table.columns) if isinstance(c.type, sa.Boolean)}
    rows = source.execute(f"SELECT {', '.join(names)} FROM {table.name}")
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            if booleans:
                row = tuple(
                    (None if v is None else bool(v)) if i in booleans else v
                    for i, v in enumerate(row)
                )
            copy.write_row(row)


@contextmanager
def scratch_copy(url: str) -> Iterator[str]:
    """A throw-away copy of the population at `url` (SQLite file or PostgreSQL database)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        source = Path(parsed.database or "")
        target = source.with_name(source.stem + "-scratch.db")
        target.unlink(missing_ok=True)
        with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
            origin.backup(copy)
        try:
            yield f"sqlite:///{target}"
        finally:
            for path in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
                path.unlink(missing_ok=True)
        return
    name = f"{parsed.database}_scratch"
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            # A template copy is a file copy on the server: seconds, not a reload.
            connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
