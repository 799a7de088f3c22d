"""One server process of the write benchmark: `python -m sijcare.bench.server FACTORY PORT`.

The benchmark starts `writes.WORKERS` of these on one port, each with a listening socket
of its own (`SO_REUSEPORT`), so that the kernel spreads the load generator's connections
over the processes. With `uvicorn --workers 2` the processes share one socket, and the
first to wake accepts every connection waiting: `wrk` opens its 32 keep-alive connections
at once, and in the rounds looked at (`ss`, 2026-11-26) all 32 went to one process, so a
round measured one process or two by chance (SQLite 603-992 writes/s in one run).

The app is built before the socket listens, and "listening" is printed once the app has
started (its lifespan: the SQLite checkpoint thread running), so the
benchmark starts its load only when every process can answer at once.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import uvicorn


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on `host:port` beside the other processes' (`SO_REUSEPORT`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def main(argv: list[str]) -> None:
    factory, port = argv
    config = uvicorn.Config(
        factory, factory=True, host="127.0.0.1", port=int(port), access_log=False,
        log_level="warning",
    )  # fmt: skip
    config.load()  # the app, built before any connection can come
    sock = listening_socket(config.host, config.port)
    serving = uvicorn.Server(config)

    async def serve() -> None:
        announce = asyncio.create_task(_announce(serving))
        await serving.serve(sockets=[sock])
        announce.cancel()

    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(serve())


async def _announce(serving: uvicorn.Server) -> None:
    while not serving.started:
        await asyncio.sleep(0.01)
    print("listening", flush=True)


@contextmanager
def running(
    factory: str, port: int, count: int, env: Mapping[str, str]
) -> Iterator[list[subprocess.Popen[str]]]:
    """`count` processes of this module serving `factory` on `port`, once every one of
    them listens; stopped afterwards."""
    command = [sys.executable, "-m", "sijcare.bench.server", factory, str(port)]
    processes = [
        subprocess.Popen(command, env=dict(env), stdout=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    try:
        for process in processes:
            _wait_listening(process)
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
            if process.stdout is not None:
                process.stdout.close()


def _wait_listening(process: subprocess.Popen[str], timeout: float = 240) -> None:
    """Until `process` says it listens; imports are slow on a busy machine."""
    ready = threading.Event()

    def read() -> None:
        if process.stdout is not None and process.stdout.readline().strip() == "listening":
            ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(timeout):
        raise RuntimeError(f"a server process did not start (exit code {process.poll()})")


if __name__ == "__main__":
    main(sys.argv[1:])
