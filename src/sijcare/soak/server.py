"""The app as a real server process on the loopback address, for the fault and load runs.

`LiveServer(database_url)` runs `sijcare serve` in a child process (uvicorn, one worker)
on 127.0.0.1 and a free port, with the test environment's fast password hashing. It can
be killed without warning (`kill()`, SIGKILL: no shutdown code runs, as in a power cut
of the process) and started again on the same port and database (`start()`). `rss_kb()`
reads the process's resident memory from /proc (Linux).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

SECRET = "soak-and-fault-runs-secret-key-0123456789abcdef"
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class LiveServer:
    def __init__(self, database_url: str, *, log: Path | None = None) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self._output: Any = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "SIJCARE_DATABASE_URL": self.database_url,
            "SIJCARE_ENV": "test",
            "SIJCARE_SECRET_KEY": SECRET,
            "SIJCARE_SECURE_COOKIES": "false",
        }
        self._close_output()
        self._output = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        output = self._output
        command = [sys.executable, "-m", "sijcare", "serve", "--host", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.port)], env=env, stdout=output, stderr=output
        )
        self.starts += 1
        self._wait_until_ready()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/session/csrf", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError(f"the server did not answer within {START_TIMEOUT_S} s")

    def kill(self) -> None:
        """SIGKILL: the process ends at once, in the middle of whatever it was doing."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self._close_output()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self._close_output()

    def _close_output(self) -> None:
        if self._output is not None and self._output != subprocess.DEVNULL:
            self._output.close()
        self._output = None

    def rss_kb(self) -> int:
        """The server process's resident memory in KiB."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="utf-8")
        line = next(row for row in status.splitlines() if row.startswith("VmRSS:"))
        return int(line.split()[1])
