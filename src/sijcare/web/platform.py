"""What the running app holds: settings, database, knowledge, clock and templates.

Built once by `create_app` and kept on `app.state.platform`; routes reach it through
the `Ctx` dependency (`sijcare.web.deps`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from sijcare.domain.knowledge import Knowledge
from sijcare.services.auth import AuthConfig
from sijcare.settings import ScoreWrites, Settings
from sijcare.web.navigation import NavLink
from sijcare.web.templating import Templates

Clock = Callable[[], datetime]
T = TypeVar("T")
# Writer threads per app process when score writes are on threads (a database on
# another machine, `ScoreWrites`). One, not four: the scores that come while the writer
# is busy go together in its next batch (`write_slots`), so under load each batch is
# larger and its ten or so round trips are shared by more scores. Alternating 20 s runs
# on 2 cores, full population: four 815-900, two 930-1,060, one 1,065-1,220 writes/s
# (before batches waited for a free writer, one thread was the slowest).
WRITER_THREADS = 1
# Threads that look up the session of each request (`Platform.look_up`): apart from the
# writers, so that a page's sign-in check never waits behind a queue of score writes.
LOOKUP_THREADS = 2


def writer_threads(settings: Settings) -> ThreadPoolExecutor | None:
    """The threads of `Platform.write`; None runs the writes in the event loop."""
    if settings.score_writes is ScoreWrites.EVENT_LOOP:
        return None
    return ThreadPoolExecutor(WRITER_THREADS, thread_name_prefix="sijcare-writer")


def lookup_threads() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(LOOKUP_THREADS, thread_name_prefix="sijcare-lookup")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Platform:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    knowledge: Knowledge
    auth: AuthConfig
    clock: Clock
    templates: Templates
    # The threads that run diary score writes (`Platform.write`); None: the event loop.
    writers: ThreadPoolExecutor | None
    # The threads that look up each request's session (`Platform.look_up`).
    lookups: ThreadPoolExecutor
    nav: tuple[NavLink, ...] = ()

    async def write(self, work: Callable[[], T]) -> T:
        """Run a busy write (a diary score): in the event loop when the database is on
        this machine, else on this app's writer thread (`ScoreWrites`).

        SQLite works in the process and takes one writer at a time (`db.engine.one_writer`),
        so a thread adds nothing but the hand-over of the interpreter lock, which cost
        about a quarter of a request's CPU: measured with wrk on the full population, two
        alternating pairs of 20 s runs, 274 -> 409 writes/s, 5.7 -> 4.2 ms of server CPU a
        request. PostgreSQL on loopback likewise: the writer thread mostly waited for the
        hand-over ("idle in transaction" between its statements), 609 and 579 -> 763 and
        856 writes/s with the machine 70 -> 95 % busy. The price: while a score waits for
        the writer lock or a row lock (another process's write, about a millisecond) or
        for the process's connection (held by a long query), this process answers
        nothing else. Over the network each round trip would be that wait: there the
        writes stay on a thread (FastAPI's shared pool hands each call to one of up to 40
        threads, and a cold one cost about 1 ms more CPU a score).
        """
        if self.writers is None:
            return work()
        return await asyncio.get_running_loop().run_in_executor(self.writers, work)

    async def look_up(self, work: Callable[[], T]) -> T:
        """Run a request's session lookup on this app's lookup threads.

        Through FastAPI's thread pool (a plain `def` dependency) the lookup landed on one
        of up to 40 threads. Measured with wrk on the full population, SQLite, 4
        alternating pairs of 20 s: 246 -> 310 diary writes/s, 6.1 -> 4.8 ms of server CPU
        a request.
        """
        return await asyncio.get_running_loop().run_in_executor(self.lookups, work)

    @property
    def write_slots(self) -> int:
        """How many `write`s run at once: one in the event loop, or one a writer thread."""
        return 1 if self.writers is None else WRITER_THREADS

    @property
    def session_cookie(self) -> str:
        # The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only
        # and for the whole site, so a sibling domain cannot plant one.
        return "__Host-sijcare_session" if self.settings.secure_cookies else "sijcare_session"

    @property
    def clinic_time_zone(self) -> str:
        return self.knowledge.text("clinic.time_zone")
