"""`one_writer`: SQLite writers queue on a thread lock and, across processes, on an
exclusive lock of a file beside the database, instead of meeting SQLite's busy handler."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from sijcare.db.engine import create_engine_for, one_writer, session_factory

_TRY_LOCK = """
import fcntl, os, sys
handle = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    sys.exit(3)
"""


def other_process_can_lock(path: Path) -> bool:
    done = subprocess.run([sys.executable, "-c", _TRY_LOCK, str(path)], check=False)
    assert done.returncode in (0, 3)
    return done.returncode == 0


def test_writers_of_one_file_take_turns_across_threads_and_processes(tmp_path: Path) -> None:
    database = tmp_path / "clinic.db"
    engine = create_engine_for(f"sqlite:///{database}")
    sessions = session_factory(engine)
    try:
        with sessions() as db:
            with one_writer(db):
                lock_file = Path(f"{database}-writer")
                assert lock_file.exists()
                assert not other_process_can_lock(lock_file)
                entered: list[float] = []

                def second_writer() -> None:
                    with sessions() as other, one_writer(other):
                        entered.append(time.monotonic())

                thread = threading.Thread(target=second_writer)
                thread.start()
                time.sleep(0.2)
                assert entered == []  # it waits for this writer
                released = time.monotonic()
            thread.join(timeout=5)
            assert entered and entered[0] >= released
            assert other_process_can_lock(lock_file)
    finally:
        engine.dispose()
