"""What a load run cost in CPU, read from Linux's /proc: the app's processes, the
database server's (PostgreSQL on this machine; SQLite works inside the app), and the
whole machine's busy share.

At a fixed rate a latency target is met only with CPU to spare: when the app, the
database and the load generator together keep both cores busy, requests queue and the
p99 follows. These figures say how near that the machine was, and what a write cost
each side.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROC = Path("/proc")
# The command name of PostgreSQL's server processes (the postmaster and its backends).
DATABASE_COMMANDS = frozenset({"postgres", "postmaster"})


def _ticks_per_second() -> int:
    return os.sysconf("SC_CLK_TCK")


def parse_stat(text: str) -> tuple[str, int]:
    """The command name and the CPU ticks (user + system) of a /proc/PID/stat line."""
    # The name sits in parentheses and may hold spaces or parentheses itself.
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text[text.rindex(")") + 2 :].split()
    # After the name: state is field 3 of the line; utime and stime are fields 14 and 15.
    return name, int(fields[11]) + int(fields[12])


def _stat(pid: str) -> tuple[str, int] | None:
    try:
        return parse_stat((PROC / pid / "stat").read_text())
    except (OSError, ValueError, IndexError):
        return None  # gone since the listing, or not readable


def process_ticks(pids: Iterable[int]) -> dict[int, int]:
    """CPU ticks of each of `pids` that still runs."""
    out = {}
    for pid in pids:
        found = _stat(str(pid))
        if found is not None:
            out[pid] = found[1]
    return out


def database_ticks() -> dict[int, int]:
    """CPU ticks of each PostgreSQL server process on this machine."""
    out = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            found = _stat(entry.name)
            if found is not None and found[0] in DATABASE_COMMANDS:
                out[int(entry.name)] = found[1]
    return out


def machine_ticks() -> tuple[int, int]:
    """All CPU ticks of the machine so far, and the idle ones (/proc/stat's first line)."""
    fields = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(f) for f in fields[:8]]  # user nice system idle iowait irq softirq steal
    return sum(ticks), ticks[3] + ticks[4]


def _grown(before: dict[int, int], after: dict[int, int]) -> int:
    # A process that began during the run counts from 0; one that ended is not seen.
    return sum(ticks - before.get(pid, 0) for pid, ticks in after.items())


@contextmanager
def measured(app_pids: Iterable[int]) -> Iterator[dict[str, Any]]:
    """Fills the yielded dict on exit: CPU seconds of the app's processes and of the
    database server, and the machine's busy share over the block."""
    pids = list(app_pids)
    used: dict[str, Any] = {}
    app, database, machine = process_ticks(pids), database_ticks(), machine_ticks()
    yield used
    app_after, database_after, machine_after = (
        process_ticks(pids),
        database_ticks(),
        machine_ticks(),
    )
    hz = _ticks_per_second()
    total = machine_after[0] - machine[0]
    idle = machine_after[1] - machine[1]
    used["app_cpu_seconds"] = round(_grown(app, app_after) / hz, 2)
    used["database_cpu_seconds"] = round(_grown(database, database_after) / hz, 2)
    used["machine_busy_share"] = round((total - idle) / total, 3) if total else None


def per_request_ms(used: dict[str, Any], requests: int) -> dict[str, float | None]:
    """The CPU milliseconds a request cost the app and the database."""

    def each(seconds: float | None) -> float | None:
        return None if seconds is None or not requests else round(seconds / requests * 1000, 3)

    return {
        "app_cpu_ms_per_request": each(used.get("app_cpu_seconds")),
        "database_cpu_ms_per_request": each(used.get("database_cpu_seconds")),
    }
