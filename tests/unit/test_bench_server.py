"""The write benchmark's server processes (`bench.server`) share the load generator's
connections: each listens on the port with a socket of its own, so the kernel spreads
new connections over them (with one shared socket, the first to wake took them all)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx

from sijcare.bench import server, writes

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[1] / "src"
CONNECTIONS = 32  # all on one process by chance: 2 x 2**-32


async def _pid_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = str(os.getpid()).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", str(len(body)).encode())]})  # fmt: skip
    await send({"type": "http.response.body", "body": body})


def pid_app() -> Any:
    """The factory the servers run: each answer is the process's id."""
    return _pid_app


def test_the_connections_are_spread_over_every_server_process() -> None:
    port = writes._free_port()
    env = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{SRC}"}
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}") for _ in range(CONNECTIONS)]
    try:
        with server.running("test_bench_server:pid_app", port, 2, env) as processes:
            # Each client keeps its connection, as wrk's do: the two answers on one
            # connection come from one process.
            answered = [{client.get("/").text for _ in range(2)} for client in clients]
            assert all(len(pids) == 1 for pids in answered)
            assert set().union(*answered) == {str(process.pid) for process in processes}
    finally:
        for client in clients:
            client.close()
