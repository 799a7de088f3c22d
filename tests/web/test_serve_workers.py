"""`sijcare serve --workers 2`: one user's session works on both app processes.

The server runs as a real subprocess on loopback against the test database. After
signing in, one worker is paused (SIGSTOP) so the other must answer, then the other way
round: both see the session, because sessions, login throttling and the outbox live in
the database, not in a process, and both workers sign with the same key.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures_db import Personas
from web.serving import answers, free_port

ROOT = Path(__file__).resolve().parents[2]


def _children(pid: int) -> list[int]:
    """The app worker processes of the server (spawned, not the resource tracker)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = next(line for line in status.splitlines() if line.startswith("PPid:"))
        if int(parent.split()[1]) == pid and "spawn_main" in command:
            out.append(int(entry.name))
    return sorted(out)


@pytest.fixture
def server(db_url: str, personas: Personas) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {
        **os.environ,
        "SIJCARE_DATABASE_URL": db_url,
        "SIJCARE_ENV": "development",
        "PYTHONPATH": str(ROOT / "src"),
    }
    env.pop("SIJCARE_SECRET_KEY", None)  # a development key made up at start, shared
    process = subprocess.Popen(
        [sys.executable, "-m", "sijcare", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 240  # imports are slow on a busy machine
        while len(_children(process.pid)) < 2 or not answers(f"http://127.0.0.1:{port}/login"):
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def _get(base: str, path: str, cookies: dict[str, str]) -> httpx.Response:
    # A new connection each time: the kernel hands it to a worker that is not paused.
    with httpx.Client(base_url=base, cookies=cookies, timeout=10) as client:
        return client.get(path, headers={"Connection": "close"})


def test_a_session_is_seen_by_both_workers(
    server: tuple[str, subprocess.Popen[bytes]], personas: Personas
) -> None:
    base, process = server
    with httpx.Client(base_url=base, timeout=10) as client:
        csrf = client.get("/api/v1/session/csrf").json()["csrf_token"]
        answer = client.post(
            "/api/v1/session",
            json={"email": personas.patient.email, "password": personas.patient.password},
            headers={"X-CSRF-Token": csrf},
        )
        assert answer.status_code == 200, answer.text
        cookies = dict(client.cookies)
    workers = _children(process.pid)
    assert len(workers) == 2
    for paused in workers:
        os.kill(paused, signal.SIGSTOP)
        try:
            me = _get(base, "/api/v1/me", cookies)
            assert me.status_code == 200
            assert me.json()["display_name"] == personas.patient.name
        finally:
            os.kill(paused, signal.SIGCONT)
