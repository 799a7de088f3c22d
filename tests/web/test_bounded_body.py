"""`web.limits.bounded_body`: an upload's body (DIARY.csv, a FHIR Bundle) is read only a
little past its limit, so an oversized one is refused without being held whole."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from run_async import run_async
from sijcare.web.limits import bounded_body

CHUNK = 1000


def _read(chunks: int, limit: int) -> tuple[bytes, int]:
    """The body read from a client sending `chunks` chunks, and how many were taken."""
    taken = 0

    async def receive() -> dict[str, Any]:
        nonlocal taken
        taken += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": taken < chunks}

    async def read() -> bytes:
        return await bounded_body(Request({"type": "http", "method": "POST"}, receive), limit)

    return run_async(read()), taken


def test_a_body_within_the_limit_is_read_whole() -> None:
    assert _read(chunks=3, limit=3 * CHUNK) == (b"x" * 3 * CHUNK, 3)


def test_a_longer_body_is_read_only_past_the_limit() -> None:
    body, taken = _read(chunks=10_000, limit=2_500)  # 10 MB sent
    assert taken == 3 and len(body) == 3 * CHUNK  # the caller sees it is too long
