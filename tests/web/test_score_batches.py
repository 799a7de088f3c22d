"""Score requests that arrive together are recorded together (`web.batches`), and each
still gets the answer it would get alone."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from run_async import run_async
from sijcare.db.enums import Kind
from sijcare.db.models import DiaryEntry, WebSession
from sijcare.services import diary
from sijcare.settings import ScoreWrites, Settings
from sijcare.web.batches import Batches
from web.conftest import FrozenClock, Web
from web.test_portal_api import documented

# -- the batches themselves ------------------------------------------------------------------


def _recorder(calls: list[list[int]]) -> Any:
    async def serve(items: list[int]) -> list[int | Exception]:
        calls.append(items)
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]

    return serve


def test_items_of_one_turn_are_served_together_and_answered_each() -> None:
    calls: list[list[int]] = []

    async def main() -> list[Any]:
        batches: Batches[int, int] = Batches(_recorder(calls), limit=3)
        return await asyncio.gather(*(batches.submit(i) for i in range(7)), return_exceptions=True)

    answers = run_async(main())
    assert calls == [[0, 1, 2], [3, 4, 5], [6]]  # at most `limit` at a time, in order
    assert [a if isinstance(a, int) else str(a) for a in answers] == [
        0, "odd 1", 20, "odd 3", 40, "odd 5", 60,
    ]  # fmt: skip


def test_a_quiet_item_is_served_alone_at_once() -> None:
    calls: list[list[int]] = []

    async def main() -> list[int]:
        batches: Batches[int, int] = Batches(_recorder(calls), limit=3)
        return [await batches.submit(2), await batches.submit(4)]

    assert run_async(main()) == [20, 40]
    assert calls == [[2], [4]]


@pytest.mark.parametrize("slots", [1, 2])
def test_items_that_come_while_every_slot_is_busy_wait_and_go_together(slots: int) -> None:
    calls: list[list[int]] = []

    async def main() -> list[int]:
        release = asyncio.Event()

        async def serve(items: list[int]) -> list[int | Exception]:
            calls.append(items)
            await release.wait()
            return [i * 10 for i in items]

        batches: Batches[int, int] = Batches(serve, limit=10, slots=slots)
        busy = []
        for i in range(slots):  # one batch a slot, each still running
            busy.append(asyncio.ensure_future(batches.submit(i)))
            for _ in range(3):
                await asyncio.sleep(0)
        waiting = [asyncio.ensure_future(batches.submit(i)) for i in (7, 8)]
        for _ in range(3):
            await asyncio.sleep(0)
        assert calls == [[i] for i in range(slots)]  # 7 and 8 wait for a free slot
        release.set()
        return await asyncio.gather(*busy, *waiting)

    assert run_async(main()) == [*(i * 10 for i in range(slots)), 70, 80]
    assert calls == [*([i] for i in range(slots)), [7, 8]]


def test_a_failed_batch_fails_each_of_its_requests() -> None:
    async def broken(items: list[int]) -> list[int | Exception]:
        raise RuntimeError("the database is gone")

    async def main() -> list[Any]:
        batches: Batches[int, int] = Batches(broken, limit=10)
        return await asyncio.gather(*(batches.submit(i) for i in range(3)), return_exceptions=True)

    assert [str(a) for a in run_async(main())] == ["the database is gone"] * 3


def test_a_cancelled_request_does_not_stop_the_others() -> None:
    calls: list[list[int]] = []

    async def main() -> list[Any]:
        batches: Batches[int, int] = Batches(_recorder(calls), limit=10)
        gone = asyncio.ensure_future(batches.submit(8))
        kept = asyncio.ensure_future(batches.submit(6))
        await asyncio.sleep(0)  # both are queued
        gone.cancel()
        return await asyncio.gather(gone, kept, return_exceptions=True)

    gone, kept = run_async(main())
    assert isinstance(gone, asyncio.CancelledError) and kept == 60
    assert calls == [[8, 6]]


# -- through the app --------------------------------------------------------------------------


@pytest.fixture(params=list(ScoreWrites))
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The app's settings with each place its score writes can run (`ScoreWrites`)."""
    return dataclasses.replace(settings, score_writes=request.param)


def test_concurrent_scores_are_recorded_together_each_answered_as_alone(
    web: Web, db: Session, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    on_thread = web.app.state.platform.writers is not None
    assert on_thread is (settings.score_writes is ScoreWrites.THREAD)
    procedure_id = documented(db, web.personas, kind=Kind.THERAPEUTIC)
    patient, other = web.as_("patient"), web.as_("other_patient")
    clock.advance(minutes=2)  # the sessions are marked seen again, with the scores
    batch_sizes: list[int] = []
    threads: set[bool] = set()  # whether each batch ran on a writer thread
    record_entries = diary.record_entries

    def spy(db: Session, requests: Any, knowledge: Any, **options: Any) -> Any:
        batch_sizes.append(len(requests))
        threads.add(threading.current_thread().name.startswith("sijcare-writer"))
        return record_entries(db, requests, knowledge, **options)

    monkeypatch.setattr(diary, "record_entries", spy)
    url = f"/api/v1/portal/procedures/{procedure_id}/diary-entries"
    at = "2026-03-02T15:{:02d}:00+00:00"  # the injection was at 15:00, it is 16:00 now
    sends = [
        (patient, {"pain": 3, "recorded_at": at.format(10)}, True),
        (other, {"pain": 3}, True),  # not her diary: 403
        (patient, {"pain": 12}, True),  # out of range: 422 from the body's check
        (patient, {"pain": 5, "recorded_at": at.format(20)}, False),  # no CSRF token: 403
        (patient, {"pain": 4, "recorded_at": at.format(30)}, True),
        (patient, {"pain": 2, "recorded_at": at.format(10)}, True),  # that time is taken: 422
    ]

    async def send_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=web.app)
        clients = [
            httpx.AsyncClient(
                transport=transport,
                base_url="https://testserver",
                cookies=dict(browser.client.cookies),
                headers={"X-CSRF-Token": browser.csrf_token} if csrf else {},
            )
            for browser, _, csrf in sends
        ]
        try:
            return await asyncio.gather(
                *(c.post(url, json=body) for c, (_, body, _) in zip(clients, sends, strict=True))
            )
        finally:
            for client in clients:
                await client.aclose()

    answers = run_async(send_all())
    assert [a.status_code for a in answers] == [201, 403, 422, 403, 201, 422]
    assert answers[5].json()["errors"][0]["field"] == "recorded_at"
    assert max(batch_sizes) > 1, batch_sizes  # they were recorded together
    assert threads == {on_thread}
    with db.begin():
        stored = db.scalars(
            sa.select(DiaryEntry.pain)
            .where(DiaryEntry.procedure_id == procedure_id)
            .order_by(DiaryEntry.recorded_at)
        ).all()
    assert stored == [3, 4]
    with db.begin():
        seen = db.scalars(sa.select(WebSession.last_seen_at)).all()
    assert seen and set(seen) == {clock()}
