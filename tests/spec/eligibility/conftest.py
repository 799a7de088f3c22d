"""Builders for the eligibility spec: a history from one short line per procedure.

A line: `DATE KIND SIDE AGENT BASELINE ENTRY...` with KIND D (diagnostic block) or T
(therapeutic, triamcinolone); DATE is a day (injection at 09:00) or a local date-time
like 2026-01-05T09:20, in America/Los_Angeles;
and diary entries as `30m=2` (minutes after), `6h=3` (hours after), `d5=4` (day 5 at
18:00 local) or `d4..d100=4` (every day from day 4 to day 100 at 18:00 local).
A trailing `gain=yes|no` sets the documented functional gain.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from sijcare.domain.eligibility import History, RecordedProcedure
from sijcare.domain.procedure import Anesthetic, Kind, Procedure, Side, Steroid
from sijcare.domain.relief import PainScore

LA = ZoneInfo("America/Los_Angeles")
BuildHistory = Callable[..., History]


def _scores(at: datetime, token: str) -> list[PainScore]:
    when, pain_text = token.split("=")
    pain = int(pain_text)
    start = at.astimezone(UTC)
    if when.endswith("m"):
        return [PainScore((start + timedelta(minutes=int(when[:-1]))).astimezone(LA), pain)]
    if when.endswith("h"):
        return [PainScore((start + timedelta(hours=int(when[:-1]))).astimezone(LA), pain)]
    first, _, last = when.partition("..")
    days = range(int(first[1:]), int((last or first)[1:]) + 1)
    day0 = at.astimezone(LA).date()
    return [
        PainScore(datetime.combine(day0 + timedelta(days=d), time(18), tzinfo=LA), pain)
        for d in days
    ]


def record(line: str) -> RecordedProcedure:
    """One procedure with its diary from a line (see the module docstring)."""
    day, kind, side, agent, baseline, *tokens = line.split()
    at = (
        datetime.fromisoformat(day).replace(tzinfo=LA)
        if "T" in day
        else datetime.combine(date.fromisoformat(day), time(9), tzinfo=LA)
    )
    gain = None
    diary: list[PainScore] = []
    for token in tokens:
        if token.startswith("gain="):
            gain = token == "gain=yes"
        else:
            diary += _scores(at, token)
    therapeutic = kind == "T"
    procedure = Procedure(
        performed_at=at,
        kind=Kind.THERAPEUTIC if therapeutic else Kind.DIAGNOSTIC,
        side=Side(side),
        anesthetic=Anesthetic(agent, 1.0, 2.0),
        steroid=Steroid("triamcinolone", 40.0) if therapeutic else None,
        baseline_pain=int(baseline),
    )
    return RecordedProcedure(procedure, tuple(diary), gain)


@pytest.fixture
def build_history() -> BuildHistory:
    """A `History` from procedure lines, in time order."""

    def build(*lines: str) -> History:
        return History(tuple(record(line) for line in lines))

    return build
