"""What machine a benchmark ran on: CPU, cores, memory, Python, SQLite and PostgreSQL,
and how fast it ran two fixed tasks that do not depend on sijcare's code.

Two machines of the same kind, with the same CPU name, ran the same code 35-40 % apart
(2026-11-26: the bare endpoint 8,490 against 5,171 writes/s). The fixed tasks say which
part of a change between two runs is the machine's.
"""

from __future__ import annotations

import os
import platform
import sqlite3
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

# Each fixed task is timed this many times; the median counts.
SPEED_REPEATS = 5
SPEED_ROWS = 100_000


def describe(postgres_url: str | None) -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gb": _memory_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _postgres_version(postgres_url),
        "speed_ms": speed(),
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _postgres_version(url: str | None) -> str | None:
    if url is None:
        return None
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.execute(sa.text("SHOW server_version")).scalar_one())
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()


def speed() -> dict[str, float]:
    """Milliseconds for each fixed task on one core (median of `SPEED_REPEATS`): lower is
    faster. `python`: draw, sort and count 100,000 numbers and format them; `sqlite`:
    insert them into an in-memory table and group them."""
    return {
        "python": median_ms(_python_task),
        "sqlite": median_ms(_sqlite_task),
    }


def _numbers() -> list[int]:
    # A linear congruential sequence: the same numbers on every machine, no `random`.
    out, x = [], 1
    for _ in range(SPEED_ROWS):
        x = (x * 1103515245 + 12345) % 2**31
        out.append(x)
    return out


def _python_task() -> None:
    numbers = _numbers()
    counts: dict[int, int] = {}
    for n in sorted(numbers):
        counts[n % 1000] = counts.get(n % 1000, 0) + 1
    ",".join(f"{k}:{v}" for k, v in counts.items())


def _sqlite_task() -> None:
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, s TEXT)")
        connection.executemany(
            "INSERT INTO t (n, s) VALUES (?, ?)", ((n, str(n)) for n in range(SPEED_ROWS))
        )
        connection.execute("CREATE INDEX ix_t_n ON t (n)")
        connection.execute("SELECT n % 1000, count(*), max(s) FROM t GROUP BY 1").fetchall()
    finally:
        connection.close()


def median_ms(task: Callable[[], object], repeats: int = SPEED_REPEATS) -> float:
    """The median milliseconds of `repeats` runs of `task` (the dashboard's timings too)."""
    spent = []
    for _ in range(repeats):
        started = time.perf_counter()
        task()
        spent.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(spent), 1)
