"""Builders for the triage spec: an injection and a symptom report some hours after it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sijcare.domain.procedure import Anesthetic, Kind, Procedure, Side, Steroid
from sijcare.domain.symptoms import SymptomReport

LA = ZoneInfo("America/Los_Angeles")
INJECTED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=LA)  # a Monday, Pacific Standard Time

# The injections the rows name: diagnostic blocks carry no steroid.
INJECTIONS = {
    "lido-dx": ("diagnostic", "lidocaine", None),
    "bupi-dx": ("diagnostic", "bupivacaine", None),
    "lido-tx": ("therapeutic", "lidocaine", "methylprednisolone"),
    "bupi-tx": ("therapeutic", "bupivacaine", "triamcinolone"),
}

BuildProcedure = Callable[..., Procedure]
BuildReport = Callable[..., SymptomReport]


@pytest.fixture
def build_procedure() -> BuildProcedure:
    """An injection from its name in INJECTIONS; baseline pain 6, 2026-03-02 09:00 PST."""

    def build(name: str = "lido-dx", *, baseline: int = 6, side: str = "right") -> Procedure:
        kind, agent, steroid = INJECTIONS[name]
        return Procedure(
            performed_at=INJECTED_AT,
            kind=Kind(kind),
            side=Side(side),
            anesthetic=Anesthetic(agent, 2.0, 2.0),
            steroid=None if steroid is None else Steroid(steroid, 40.0),
            baseline_pain=baseline,
        )

    return build


@pytest.fixture
def build_report() -> BuildReport:
    """A report `hours` after the injection (or at `at`), with the symptoms given."""

    def build(hours: float = 2, *, at: datetime | None = None, **symptoms: Any) -> SymptomReport:
        # In UTC: adding to a ZoneInfo time adds wall-clock time.
        when = at or (INJECTED_AT.astimezone(UTC) + timedelta(hours=hours)).astimezone(LA)
        return SymptomReport(reported_at=when, **symptoms)

    return build
