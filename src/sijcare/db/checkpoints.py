"""SQLite's write-ahead log copied back into the database by a thread of its own.

By default SQLite checkpoints inside a commit: once the log holds 1,000 pages, the
connection that commits copies them into the database file and syncs it before the
commit returns. The web app runs SQLite's score writes in its event loop, so such a
commit held up every request of that process, and under load it came every hundred or so
writes. In the write benchmark's open-loop runs (1,000 scores a second) the slowest
requests came in bunches, one of them 1.5 s long.

So the web app's connections do not checkpoint (`PRAGMA wal_autocheckpoint=0`, set by
`db.engine` when the engine is made with `background_checkpoints`), and this thread runs
a PASSIVE checkpoint every `interval` seconds on a connection of its own: it copies what
no reader still needs, without taking the write lock, so writers and readers go on (the
sqlite3 module lets go of the interpreter while SQLite works). Each app process runs one;
SQLite lets one checkpoint run at a time, and a second finds nothing left to copy.

If the thread cannot checkpoint (the file is gone, a disk error), it says so in the log
(the error's kind only) and tries again at the next interval; the log then grows until it
can, as it would with a long reader.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_S = 1.0


class Checkpointer:
    """A daemon thread checkpointing the SQLite file at `path` every `interval` s."""

    def __init__(self, path: str, interval: float = DEFAULT_INTERVAL_S) -> None:
        self.path = path
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: sqlite3.Connection | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sijcare-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def checkpoint(self) -> tuple[int, int, int] | None:
        """One PASSIVE checkpoint: (busy, pages in the log, pages copied), or None when it
        could not run."""
        try:
            if self._connection is None:
                # mode=rw: a missing file is an error, not a new empty database.
                uri = f"file:{quote(str(Path(self.path).resolve()))}?mode=rw"
                self._connection = sqlite3.connect(uri, uri=True, check_same_thread=False)
            row = self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as error:
            log.warning("SQLite checkpoint failed: %s", type(error).__name__)
            self._close()
            return None
        return (int(row[0]), int(row[1]), int(row[2]))

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                self.checkpoint()
        finally:
            self._close()

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
