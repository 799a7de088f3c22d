"""An open-loop HTTP load generator: requests sent at a fixed rate, each timed from when
it was due. `python -m sijcare.bench.loadgen SPEC.json` prints its figures as JSON.

Why not `wrk` alone: `wrk` keeps a fixed number of requests in flight (a closed loop). At
saturation its mean latency is simply connections / throughput, and a request held up
behind a slow one is sent late and timed from then, so the wait is never counted
(coordinated omission). A target such as "1,000 writes/s with p99 under 50 ms" asks
something else: when requests arrive at 1,000 a second, whatever the server does, how
long does each take? So request k is due at start + k / rate. It goes out on an idle
keep-alive connection (one more is opened when none is idle, up to `max_connections`;
past that it waits in line) and its latency runs from when it was due, so time spent
waiting because the server is behind counts against the server.

SPEC.json: {"host", "port", "rate" (requests/s), "seconds", "connections" (opened at the
start), "max_connections", "requests": [{"method", "path", "headers", "body"}]}. Request
k is `requests[k % len]`, its body formatted with `pain` = k % 11 (the patients' scores
vary as in the `wrk` script). Each response must carry a Content-Length (uvicorn's do).

Run in its own process, on uvloop when installed. Its CPU seconds are reported, so a
reader can see what the generator took from a shared machine.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

# A response that has not come this long after the run's last request is counted as lost.
DRAIN_SECONDS = 10.0


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)  # seconds, from when each was due
    dues: list[float] = field(default_factory=list)  # when each of those was due
    statuses: Counter[int] = field(default_factory=Counter)
    late_sends: int = 0  # sent more than 1 ms after they were due
    connection_errors: int = 0


class _Connection(asyncio.Protocol):
    """One keep-alive connection: one request at a time (no pipelining)."""

    def __init__(self, pool: _Pool) -> None:
        self.pool = pool
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.due: float | None = None  # the request in flight's due time

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transport is no subclass of asyncio.Transport, but has its methods.
        self.transport = cast(asyncio.Transport, transport)
        self.pool.ready(self)

    def send(self, request: bytes, due: float) -> None:
        assert self.transport is not None
        self.due = due
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        start = head.find(b"\r\ncontent-length:")
        if start < 0:
            raise RuntimeError("a response without a Content-Length")
        stop = head.find(b"\r\n", start + 2)
        length = int(head[start + 17 : stop if stop > 0 else None])
        if len(self.buffer) < end + 4 + length:
            return
        status = int(self.buffer[9:12])
        del self.buffer[: end + 4 + length]
        due, self.due = self.due, None
        assert due is not None
        self.pool.done(self, status, due)

    def connection_lost(self, exc: Exception | None) -> None:
        self.pool.lost(self)


class _Pool:
    def __init__(self, loop: asyncio.AbstractEventLoop, spec: dict[str, Any]) -> None:
        self.loop = loop
        self.host, self.port = spec["host"], int(spec["port"])
        self.max_connections = int(spec["max_connections"])
        # Used in turn (oldest idle first), so none sits idle long enough for the
        # server to close it just as a request goes out on it.
        self.idle: deque[_Connection] = deque()
        self.opening = 0
        self.open = 0
        self.waiting: deque[tuple[bytes, float]] = deque()
        self.in_flight = 0
        self.tally = _Tally()
        self.drained = asyncio.Event()

    def connect(self) -> None:
        self.opening += 1
        task = self.loop.create_task(
            self.loop.create_connection(lambda: _Connection(self), self.host, self.port)
        )
        task.add_done_callback(self._connected)

    def _connected(self, task: asyncio.Task[Any]) -> None:
        self.opening -= 1
        if task.exception() is not None:
            self.tally.connection_errors += 1
            if self.waiting and self.open + self.opening == 0:
                raise RuntimeError("cannot connect to the server") from task.exception()
        else:
            self.open += 1

    def dispatch(self, request: bytes, due: float) -> None:
        self.in_flight += 1
        if self.idle:
            self._send(self.idle.popleft(), request, due)
            return
        self.waiting.append((request, due))
        if self.open + self.opening < self.max_connections:
            self.connect()

    def _send(self, connection: _Connection, request: bytes, due: float) -> None:
        if time.perf_counter() - due > 0.001:
            self.tally.late_sends += 1
        connection.send(request, due)

    def ready(self, connection: _Connection) -> None:
        if self.waiting:
            self._send(connection, *self.waiting.popleft())
        else:
            self.idle.append(connection)

    def done(self, connection: _Connection, status: int, due: float) -> None:
        self.tally.latencies.append(time.perf_counter() - due)
        self.tally.dues.append(due)
        self.tally.statuses[status] += 1
        self._finished()
        self.ready(connection)

    def lost(self, connection: _Connection) -> None:
        self.open -= 1
        if connection in self.idle:
            self.idle.remove(connection)
        if connection.due is not None:
            self.tally.connection_errors += 1
            self._finished()

    def _finished(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0:
            self.drained.set()


def _requests(spec: dict[str, Any]) -> list[tuple[bytes, str]]:
    """Each request's head, up to its Content-Length (added once its body is
    formatted), and its body template."""
    out = []
    for r in spec["requests"]:
        headers = "".join(f"{k}: {v}\r\n" for k, v in r["headers"].items())
        head = f"{r['method']} {r['path']} HTTP/1.1\r\nHost: {spec['host']}\r\n{headers}"
        out.append((head.encode(), r["body"]))
    return out


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    pool = _Pool(loop, spec)
    templates = _requests(spec)
    rate, seconds = float(spec["rate"]), float(spec["seconds"])
    for _ in range(int(spec["connections"])):
        pool.connect()
    while pool.open < int(spec["connections"]) and pool.tally.connection_errors == 0:
        await asyncio.sleep(0.01)
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    # Timed with perf_counter: uvloop's loop.time() counts whole milliseconds.
    start = time.perf_counter() + 0.05
    total = int(rate * seconds)
    k = 0
    while k < total:
        now = time.perf_counter()
        # Every request due by now goes out; then sleep until the next one is due.
        while k < total and start + k / rate <= now:
            head, body = templates[k % len(templates)]
            data = body.format(pain=k % 11).encode()
            pool.dispatch(head + b"Content-Length: %d\r\n\r\n" % len(data) + data, start + k / rate)
            k += 1
        if k < total:
            await asyncio.sleep(max(0.0, start + k / rate - time.perf_counter()))
    sent_for = time.perf_counter() - start
    if pool.in_flight:
        pool.drained.clear()
        try:
            await asyncio.wait_for(pool.drained.wait(), DRAIN_SECONDS)
        except TimeoutError:
            pass
    finished = time.perf_counter() - start
    used = resource.getrusage(resource.RUSAGE_SELF)
    return _figures(pool, total, rate, sent_for, finished, used.ru_utime + used.ru_stime
                    - cpu.ru_utime - cpu.ru_stime, start)  # fmt: skip


def _figures(
    pool: _Pool,
    total: int,
    rate: float,
    sent_for: float,
    finished: float,
    cpu: float,
    start: float,
) -> dict[str, Any]:
    latencies = sorted(pool.tally.latencies)
    completed = len(latencies)

    def percentile(p: float) -> float | None:
        if not latencies:
            return None
        return round(latencies[min(completed - 1, int(p / 100 * completed))] * 1000, 2)

    ok = sum(n for status, n in pool.tally.statuses.items() if 200 <= status < 300)
    return {
        "rate_asked": rate,
        "requests": total,
        "completed": completed,
        "lost": total - completed,
        "ok_responses": ok,
        "failed_responses": completed - ok,
        "statuses": {str(s): n for s, n in sorted(pool.tally.statuses.items())},
        # Completed requests over the time from the first due to the last response.
        "requests_per_second": round(completed / finished, 1) if finished else 0.0,
        "seconds_sending": round(sent_for, 2),
        "p50_ms": percentile(50),
        "p90_ms": percentile(90),
        "p99_ms": percentile(99),
        "p999_ms": percentile(99.9),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else None,
        "late_sends": pool.tally.late_sends,
        "connections_used": pool.open,
        "connection_errors": pool.tally.connection_errors,
        "generator_cpu_seconds": round(cpu, 2),
        **_over_time(pool.tally, start),
    }


def _over_time(tally: _Tally, start: float) -> dict[str, Any]:
    """When the slow requests were due: the p99 of each second of the run, and the ten
    slowest (seconds into the run, milliseconds). A tail spread over the run is the
    server's steady state; one bunched in a second or two is a stall (a checkpoint, a
    collector pass, a cold start) worth looking for."""
    seconds: dict[int, list[float]] = {}
    for due, latency in zip(tally.dues, tally.latencies, strict=True):
        seconds.setdefault(int(due - start), []).append(latency)
    p99s = []
    for second in sorted(seconds):
        ordered = sorted(seconds[second])
        p99s.append(round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 1))
    slowest = sorted(zip(tally.latencies, tally.dues, strict=True), reverse=True)[:10]
    return {
        "p99_ms_by_second": p99s,
        "slowest": [[round(due - start, 2), round(latency * 1000, 1)] for latency, due in slowest],
    }


def main(argv: list[str]) -> None:
    spec = json.loads(Path(argv[0]).read_text())
    try:
        import uvloop  # the server's own event loop; optional
    except ImportError:
        result = asyncio.run(run(spec))
    else:
        result = uvloop.run(run(spec))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
