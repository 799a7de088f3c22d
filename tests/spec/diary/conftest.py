"""Builders for the diary spec: procedures and diaries from small rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sijcare.domain.procedure import Anesthetic, Kind, Procedure, Side, Steroid
from sijcare.domain.relief import PainScore

LA = ZoneInfo("America/Los_Angeles")

BuildProcedure = Callable[..., Procedure]
ScoresAfter = Callable[[Procedure, Sequence[tuple[float, int]]], tuple[PainScore, ...]]
ScoresOnDays = Callable[[Procedure, Sequence[tuple[int, str, int]]], tuple[PainScore, ...]]


@pytest.fixture
def build_procedure() -> BuildProcedure:
    """A procedure; defaults: diagnostic lidocaine block, left, baseline 8, 2026-03-02 09:00 PST."""

    def build(
        *,
        kind: str = "diagnostic",
        agent: str = "lidocaine",
        baseline: int = 8,
        side: str = "left",
        at: datetime | None = None,
        steroid: str = "triamcinolone",
    ) -> Procedure:
        return Procedure(
            performed_at=at or datetime(2026, 3, 2, 9, 0, tzinfo=LA),
            kind=Kind(kind),
            side=Side(side),
            anesthetic=Anesthetic(agent, 2.0, 2.0),
            steroid=Steroid(steroid, 40.0) if kind == "therapeutic" else None,
            baseline_pain=baseline,
        )

    return build


@pytest.fixture
def scores_after() -> ScoresAfter:
    """Scores from rows (minutes after the injection, pain)."""

    def build(procedure: Procedure, rows: Sequence[tuple[float, int]]) -> tuple[PainScore, ...]:
        start = procedure.performed_at.astimezone(ZoneInfo("UTC"))
        return tuple(
            PainScore((start + timedelta(minutes=m)).astimezone(LA), pain) for m, pain in rows
        )

    return build


@pytest.fixture
def scores_on_days() -> ScoresOnDays:
    """Scores from rows (calendar day after the injection day, local "HH:MM", pain)."""

    def build(procedure: Procedure, rows: Sequence[tuple[int, str, int]]) -> tuple[PainScore, ...]:
        first = procedure.performed_at.astimezone(LA).date()
        return tuple(
            PainScore(
                datetime.combine(first + timedelta(days=d), time.fromisoformat(at), tzinfo=LA),
                pain,
            )
            for d, at, pain in rows
        )

    return build
