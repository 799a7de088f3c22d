"""The web app's SQLite log is checkpointed by a thread of its own (`db.checkpoints`), and
its connections leave the checkpoints to that thread only while it runs."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import sqlalchemy as sa

from sijcare.db.checkpoints import Checkpointer
from sijcare.db.engine import create_engine_for


def _autocheckpoint(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


def _write_pages(path: Path, rows: int) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA wal_autocheckpoint=0")
        connection.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
        connection.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * rows)


def test_a_checkpoint_copies_the_whole_log_into_the_database(tmp_path: Path) -> None:
    path = tmp_path / "clinic.db"
    keep = sqlite3.connect(path)  # open, so that the log outlives the writer's connection
    _write_pages(path, 2000)
    busy, logged, copied = Checkpointer(str(path)).checkpoint() or (1, 0, -1)
    keep.close()
    assert busy == 0 and logged > 100 and copied == logged


def test_a_missing_file_is_not_created_and_the_failure_is_told(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    assert Checkpointer(str(path)).checkpoint() is None
    assert not path.exists()


def test_the_thread_checkpoints_until_stopped(tmp_path: Path) -> None:
    path = tmp_path / "clinic.db"
    keep = sqlite3.connect(path)
    _write_pages(path, 2000)
    checkpointer = Checkpointer(str(path), interval=0.01)
    checkpointer.start()
    try:
        assert checkpointer.running
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            # Copied into the database: a checkpoint now finds nothing more to copy.
            with sqlite3.connect(path) as probe:
                _busy, logged, copied = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if logged == copied:
                break
            time.sleep(0.05)
        assert logged == copied
    finally:
        checkpointer.stop()
        keep.close()
    assert not checkpointer.running


def test_connections_leave_checkpoints_to_the_thread_only_while_it_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.db'}"
    checkpointer = Checkpointer(str(tmp_path / "clinic.db"), interval=60)
    before = create_engine_for(url, checkpointer=checkpointer)
    try:
        assert _autocheckpoint(before) == 1000  # SQLite's own, as without the thread
    finally:
        before.dispose()
    checkpointer.start()
    during = create_engine_for(url, checkpointer=checkpointer)
    try:
        assert _autocheckpoint(during) == 0
    finally:
        during.dispose()
        checkpointer.stop()
