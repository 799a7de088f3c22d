"""Requests that arrive together, served together (group commit).

Under load, many score requests of one app process are ready in the same turn of the
event loop. `Batches.submit` queues a request's work item and waits for its answer; the
first item of a turn schedules one `serve` call for every item queued by the end of that
turn (at most `limit` at a time, and at most `slots` batches at once). So a quiet server
serves each request alone, with no wait added, and a busy one pays a transaction's fixed
cost once for many requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Each item's answer, or the exception its request raises (answered as it would be alone).
Serve = Callable[[list[T]], Awaitable[Sequence[R | Exception]]]


class Batches(Generic[T, R]):
    def __init__(self, serve: Serve[T, R], *, limit: int, slots: int = 1) -> None:
        self._serve = serve
        self._limit = limit
        # Batches served at once (`Platform.write_slots`); the items that come while
        # every slot is busy wait for the next free one, together.
        self._slots = slots
        self._queued: list[tuple[T, asyncio.Future[R]]] = []
        self._scheduled = False
        # The running batches (the event loop keeps only weak references to tasks).
        self._running: set[asyncio.Task[None]] = set()

    async def submit(self, item: T) -> R:
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queued.append((item, answer))
        self._schedule()
        return await answer

    def _schedule(self) -> None:
        if self._scheduled or not self._queued or len(self._running) >= self._slots:
            return
        # After the callbacks already due in this turn: the other ready requests.
        self._scheduled = True
        asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._scheduled = False
        while self._queued and len(self._running) < self._slots:
            batch, self._queued = self._queued[: self._limit], self._queued[self._limit :]
            task = asyncio.get_running_loop().create_task(self._run(batch))
            self._running.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._schedule()

    async def _run(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            answers = await self._serve([item for item, _ in batch])
        except Exception as exc:  # the whole batch failed (a database error): each request
            answers = [exc] * len(batch)
        for (_, answer), given in zip(batch, answers, strict=True):
            if answer.done():
                continue  # the client went away and its request was cancelled
            if isinstance(given, Exception):
                answer.set_exception(given)
            else:
                answer.set_result(given)
