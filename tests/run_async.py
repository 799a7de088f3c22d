"""`run_async`: run a coroutine to its end from a test, whatever loop is running."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(work: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on a thread of its own: the browser tests leave an event loop
    running in the main thread, where `asyncio.run` would refuse."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work).result()
