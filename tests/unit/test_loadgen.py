"""The benchmark's open-loop load generator (`sijcare.bench.loadgen`) measures what it
claims: every request sent, bodies as specified, failures counted, and a request that
waits behind a stalled one timed from when it was due (no coordinated omission).

Only lower bounds on latencies are asserted: a slow machine can only make them larger.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from run_async import run_async
from sijcare.bench import loadgen


class _Server:
    """A keep-alive HTTP/1.1 server answering one request at a time: 500 for /fail,
    else 201; request number `stall_at` holds every later request up for `stall` s."""

    def __init__(self, stall_at: int = -1, stall: float = 0.0) -> None:
        self.stall_at, self.stall = stall_at, stall
        self.bodies: list[str] = []
        self.lock = asyncio.Lock()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while head := await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b"":
            length = int(re.search(rb"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
            body = await reader.readexactly(length)
            async with self.lock:
                number = len(self.bodies)
                self.bodies.append(body.decode())
                if number == self.stall_at:
                    await asyncio.sleep(self.stall)
            status = b"500 Internal Server Error" if b" /fail " in head else b"201 Created"
            writer.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: 2\r\n\r\n{}")
            await writer.drain()


def _spec(port: int, paths: list[str], **options: Any) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": port,
        "rate": 100,
        "seconds": 1,
        "connections": 4,
        "max_connections": 4,
        "requests": [
            {"method": "POST", "path": p, "headers": {}, "body": '{{"pain": {pain}}}'}
            for p in paths
        ],
        **options,
    }


async def _against(server: _Server, paths: list[str], **options: Any) -> dict[str, Any]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await server.handle(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    listening = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        return await loadgen.run(_spec(port, paths, **options))


def test_every_request_is_sent_with_its_body_and_failures_are_counted() -> None:
    server = _Server()
    figures = run_async(_against(server, ["/ok", "/fail"]))
    assert figures["requests"] == figures["completed"] == 100 and figures["lost"] == 0
    assert figures["statuses"] == {"201": 50, "500": 50}
    assert figures["ok_responses"] == 50 and figures["failed_responses"] == 50
    # Request k carries pain k % 11, as the wrk script's do.
    assert sorted(server.bodies) == sorted(f'{{"pain": {k % 11}}}' for k in range(100))


def test_a_request_waiting_behind_a_stall_is_timed_from_when_it_was_due() -> None:
    # One connection, 100 requests a second; the 50th holds the server up 0.3 s. About
    # 15 requests fall due in its first 0.15 s: each waits at least 0.15 s from its due
    # time. Timed from when it went out instead, only the stalled one would be slow.
    server = _Server(stall_at=50, stall=0.3)
    figures = run_async(_against(server, ["/ok"], connections=1, max_connections=1))
    assert figures["completed"] == 100 and figures["ok_responses"] == 100
    assert figures["p90_ms"] >= 150
    assert figures["max_ms"] >= 300
    assert figures["late_sends"] >= 15
    # The slowest requests are the stalled one (due at 0.50 s) and those due behind it,
    # so the figures say when the stall was.
    dues = [due for due, _latency in figures["slowest"]]
    assert len(dues) == 10 and all(0.49 <= due < 0.8 for due in dues)
    assert figures["slowest"][0][0] < 0.52 and figures["slowest"][0][1] >= 300
    assert len(figures["p99_ms_by_second"]) == 1 and figures["p99_ms_by_second"][0] >= 250
