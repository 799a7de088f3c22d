"""Comparative (dual) diagnostic blocks of one SI joint.

Rules:
- one short-acting (lidocaine) and one long-acting (bupivacaine, ropivacaine) block of
  the same side, in either order; anything else is an input error;
- confirmed: both positive; not_confirmed: either negative; otherwise indeterminate;
- when confirmed, concordant when the long-acting relief (>= threshold, measured from
  each injection) certainly lasted longer than the short-acting one (Barnsley 1993):
  its lower bound reaches the short one's upper bound; discordant when its upper bound
  is at most the short one's lower bound; cannot_tell when the intervals overlap or the
  short relief has no known end;
- the caveat of the 2022 diary study is always reported.

Rows: short-acting diary, long-acting diary as (minutes after the injection, pain) with
baseline 8 (75 % relief = pain 2), expected status and concordance.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sijcare.domain.comparative import (
    CAVEAT_SOURCE,
    Concordance,
    compare_blocks,
    compare_durations,
)
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.relief import BoundedDuration

LA = ZoneInfo("America/Los_Angeles")
FIRST_AT = datetime(2026, 3, 2, 9, 0, tzinfo=LA)
SECOND_AT = datetime(2026, 3, 16, 9, 0, tzinfo=LA)
H = 60

PAIRS = [
    pytest.param(
        [(30, 1), (90, 6)],
        [(30, 1), (4 * H, 1), (6 * H, 6)],
        "confirmed",
        "concordant",
        id="long-lasted-longer",
    ),
    pytest.param(
        [(30, 1), (3 * H, 1), (4 * H, 6)],
        [(30, 1), (60, 6)],
        "confirmed",
        "discordant",
        id="long-ended-sooner",
    ),
    pytest.param(
        [(30, 1), (2 * H, 6)],
        [(30, 1), (60, 1), (3 * H, 6)],
        "confirmed",
        "cannot_tell",
        id="intervals-overlap",
    ),
    pytest.param(
        [(30, 1), (2 * H, 6)],
        [(30, 1), (2 * H, 1), (3 * H, 6)],
        "confirmed",
        "concordant",
        id="long-lower-bound-equals-short-upper-bound",
    ),
    pytest.param(
        [(30, 1)],
        [(30, 1), (8 * H, 1)],
        "confirmed",
        "cannot_tell",
        id="short-relief-end-unknown",
    ),
    pytest.param([(30, 6)], [(30, 1)], "not_confirmed", None, id="short-negative"),
    pytest.param([(30, 1)], [(30, 6)], "not_confirmed", None, id="long-negative"),
    pytest.param([], [(30, 6)], "not_confirmed", None, id="negative-and-no-data"),
    pytest.param([(30, 3)], [(30, 1)], "indeterminate", None, id="one-indeterminate"),
    pytest.param([(30, 1)], [], "indeterminate", None, id="one-without-data"),
]


@pytest.mark.parametrize(("short_rows", "long_rows", "status", "concordance"), PAIRS)
@pytest.mark.parametrize("short_first", [True, False], ids=["short-first", "long-first"])
def test_comparative_blocks(
    knowledge: Knowledge,
    build_procedure,
    scores_after,
    short_rows: list[tuple[int, int]],
    long_rows: list[tuple[int, int]],
    status: str,
    concordance: str | None,
    short_first: bool,
) -> None:
    short_at, long_at = (FIRST_AT, SECOND_AT) if short_first else (SECOND_AT, FIRST_AT)
    short = build_procedure(agent="lidocaine", at=short_at)
    long = build_procedure(agent="bupivacaine", at=long_at)
    blocks = [(short, scores_after(short, short_rows)), (long, scores_after(long, long_rows))]
    if not short_first:
        blocks.reverse()
    result = compare_blocks(blocks[0], blocks[1], knowledge)
    assert result.status == status
    assert result.concordance == concordance
    assert result.short_acting.anesthetic == "lidocaine"
    assert result.long_acting.anesthetic == "bupivacaine"
    assert result.short_acting_was_first is short_first
    assert result.caveat_source == CAVEAT_SOURCE
    assert "2022" in result.caveat


DURATIONS = [
    pytest.param((4, 6), (1, 2), Concordance.CONCORDANT, id="clearly-longer"),
    pytest.param((2, 3), (1, 2), Concordance.CONCORDANT, id="touching-bounds"),
    pytest.param((1, 2), (2, 3), Concordance.DISCORDANT, id="clearly-shorter"),
    pytest.param((1, 2), (1, 3), Concordance.CANNOT_TELL, id="overlap"),
    pytest.param((4, None), (1, 2), Concordance.CONCORDANT, id="long-open"),
    pytest.param((4, 6), (1, None), Concordance.CANNOT_TELL, id="short-open"),
    pytest.param((0.5, 1), (1, None), Concordance.DISCORDANT, id="short-open-but-long-ended"),
]


@pytest.mark.parametrize(("long", "short", "expected"), DURATIONS)
def test_compare_durations(
    long: tuple[float, float | None], short: tuple[float, float | None], expected: Concordance
) -> None:
    def hours(pair: tuple[float, float | None]) -> BoundedDuration:
        low, high = pair
        return BoundedDuration(
            timedelta(hours=low), None if high is None else timedelta(hours=high)
        )

    assert compare_durations(hours(long), hours(short)) is expected


REFUSED = [
    pytest.param(
        dict(agent="lidocaine"), dict(agent="lidocaine"), "second.anesthetic.agent", id="both-short"
    ),
    pytest.param(
        dict(agent="bupivacaine"),
        dict(agent="ropivacaine"),
        "second.anesthetic.agent",
        id="both-long",
    ),
    pytest.param(dict(agent="lidocaine"), dict(side="right"), "second.side", id="other-side"),
    pytest.param(dict(kind="therapeutic"), dict(), "first.kind", id="therapeutic-first"),
    pytest.param(dict(), dict(agent="procaine"), "second.anesthetic.agent", id="unknown-agent"),
    pytest.param(dict(baseline=0), dict(), "first.baseline_pain", id="baseline-zero"),
    pytest.param(dict(), dict(at=FIRST_AT), "second.performed_at", id="same-time"),
]


@pytest.mark.parametrize(("first", "second", "where"), REFUSED)
def test_refused_pairs(
    knowledge: Knowledge, build_procedure, first: dict, second: dict, where: str
) -> None:
    one = build_procedure(**{"agent": "lidocaine", "at": FIRST_AT} | first)
    two = build_procedure(**{"agent": "bupivacaine", "at": SECOND_AT} | second)
    with pytest.raises(InputError) as exc:
        compare_blocks((one, ()), (two, ()), knowledge)
    assert exc.value.where == where
