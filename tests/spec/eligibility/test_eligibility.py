"""Repeat-injection eligibility under a payer profile (knowledge payers.toml).

Medicare LCD: positive block >= 75 %; at most 2 diagnostic sessions; a therapeutic
injection needs a prior positive block; a repeat needs >= 50 % relief (or documented
functional gain) through 3 calendar months after the previous one; at most 4 therapeutic
sessions in a rolling 12 months, both sides counted together.
eviCore CMM-203: the same block rules; a repeat needs >= 75 % relief through 2 weeks
and documented functional gain; >= 2 calendar months between therapeutic sessions; at
most 4 per joint in a rolling 12 months.

A session is a local calendar day (America/Los_Angeles). The rolling window on day D
holds the days after D - 12 months up to D: a session exactly 12 months before is out.
Relief counts after the anesthetic window and the flare time (72 h); its unbroken run
must start by day 14 and last through the needed day (included).

Histories are lines `DATE KIND SIDE AGENT BASELINE ENTRY...` (see conftest.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from sijcare.domain.eligibility import (
    Eligibility,
    add_months,
    assess_eligibility,
    rolling_window_first_day,
)
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Side
from sijcare.domain.referral import Status

BLOCK = "2024-11-04 D left lidocaine 8 30m=1 60m=2"
HELD = "d4..d95=3"  # 62.5 % relief from day 4 to day 95: more than 3 months


def status(result: Eligibility, code: str) -> str:
    return next(c.status.value for c in result.criteria if c.code == code)


# -- the rolling window and the session limit ---------------------------------------------

LIMIT = [
    pytest.param(
        "medicare",
        [
            BLOCK,
            "2025-03-10 T left bupivacaine 8",
            "2025-06-02 T left bupivacaine 8",
            "2025-09-01 T left bupivacaine 8",
            f"2025-12-01 T left bupivacaine 8 {HELD}",
        ],
        date(2026, 3, 10),
        3,
        "met",
        date(2026, 3, 10),
        id="session-exactly-12-months-before-is-out",
    ),
    pytest.param(
        "medicare",
        [
            BLOCK,
            "2025-03-10 T left bupivacaine 8",
            "2025-06-02 T left bupivacaine 8",
            "2025-09-01 T left bupivacaine 8",
            f"2025-12-01 T left bupivacaine 8 {HELD}",
        ],
        date(2026, 3, 9),
        4,
        "unmet",
        date(2026, 3, 10),
        id="session-12-months-less-a-day-before-counts",
    ),
    pytest.param(
        "medicare",
        [
            BLOCK,
            "2025-06-02 T left bupivacaine 8",
            "2025-09-01 T left bupivacaine 8",
            f"2025-12-01 T left bupivacaine 8 {HELD}",
        ],
        date(2026, 3, 9),
        3,
        "met",
        date(2026, 3, 9),
        id="4th-session-allowed",
    ),
    pytest.param(
        "medicare",
        [
            BLOCK,
            "2025-04-07 T left bupivacaine 8",
            "2025-06-02 T left bupivacaine 8",
            "2025-09-01 T left bupivacaine 8",
            f"2025-12-01 T left bupivacaine 8 {HELD}",
        ],
        date(2026, 3, 9),
        4,
        "unmet",
        date(2026, 4, 7),
        id="5th-session-refused-until-the-oldest-leaves",
    ),
    pytest.param(
        "medicare",
        [
            BLOCK,
            "2025-06-02 T right bupivacaine 8",
            "2025-09-01 T right bupivacaine 8",
            "2025-10-01 T left bupivacaine 8",
            f"2025-12-01 T left bupivacaine 8 {HELD}",
        ],
        date(2026, 3, 9),
        4,
        "unmet",
        date(2026, 6, 2),
        id="medicare-both-sides-counted-together",
    ),
    pytest.param(
        "evicore",
        [
            BLOCK,
            "2025-06-02 T right bupivacaine 8",
            "2025-09-01 T right bupivacaine 8",
            "2025-10-01 T left bupivacaine 8",
            "2025-12-01 T left bupivacaine 8 d4..d20=2 gain=yes",
        ],
        date(2026, 3, 9),
        2,
        "met",
        date(2026, 3, 9),
        id="evicore-counted-per-joint",
    ),
    pytest.param(
        "evicore",
        [
            BLOCK,
            "2025-05-05 T bilateral bupivacaine 8",
            "2025-07-07 T bilateral bupivacaine 8",
            "2025-09-08 T left bupivacaine 8",
            "2025-12-01 T left bupivacaine 8 d4..d20=2 gain=yes",
        ],
        date(2026, 3, 9),
        4,
        "unmet",
        date(2026, 5, 5),
        id="evicore-bilateral-counts-for-each-joint",
    ),
]


@pytest.mark.parametrize(("payer", "lines", "today", "in_window", "limit", "earliest"), LIMIT)
def test_therapeutic_session_limit(
    knowledge: Knowledge,
    build_history,
    payer: str,
    lines: list[str],
    today: date,
    in_window: int,
    limit: str,
    earliest: date,
) -> None:
    result = assess_eligibility(build_history(*lines), payer, today, knowledge)
    assert result.therapeutic_sessions_in_window == in_window
    assert status(result, "therapeutic_session_limit") == limit
    assert result.therapeutic_allowed is (limit == "met")
    assert result.earliest_therapeutic == earliest
    assert result.window_last_day == today


def test_bilateral_session_on_the_right_counts_for_the_right_joint(
    knowledge: Knowledge, build_history
) -> None:
    history = build_history(
        "2024-11-04 D bilateral lidocaine 8 30m=1",
        "2025-05-05 T bilateral bupivacaine 8",
        "2025-07-07 T bilateral bupivacaine 8",
        "2025-09-08 T left bupivacaine 8",
        "2025-12-01 T left bupivacaine 8",
    )
    result = assess_eligibility(history, "evicore", date(2026, 3, 9), knowledge, side=Side.RIGHT)
    assert result.therapeutic_sessions_in_window == 2
    assert status(result, "therapeutic_session_limit") == "met"


def test_session_day_is_the_clinic_local_day(knowledge: Knowledge, build_history) -> None:
    """23:30 Pacific on 2025-03-10 is 2025-03-11 in UTC: the local day decides."""
    history = build_history(
        BLOCK,
        "2025-03-10T23:30 T left bupivacaine 8",
        "2025-06-02 T left bupivacaine 8",
        "2025-09-01 T left bupivacaine 8",
        f"2025-12-01 T left bupivacaine 8 {HELD}",
    )
    result = assess_eligibility(history, "medicare", date(2026, 3, 10), knowledge)
    assert result.therapeutic_sessions_in_window == 3


WINDOW = [
    pytest.param(date(2026, 3, 10), 12, date(2025, 3, 11), id="plain"),
    pytest.param(date(2025, 2, 28), 12, date(2024, 2, 29), id="into-a-leap-year"),
    pytest.param(date(2024, 2, 29), 12, date(2023, 3, 1), id="from-a-leap-day"),
]


@pytest.mark.parametrize(("last", "months", "first"), WINDOW)
def test_rolling_window_first_day(last: date, months: int, first: date) -> None:
    assert rolling_window_first_day(last, months) == first


MONTHS = [
    pytest.param(date(2026, 1, 15), 2, date(2026, 3, 15), id="same-day-of-month"),
    pytest.param(date(2025, 12, 31), 2, date(2026, 2, 28), id="clamped-to-month-end"),
    pytest.param(date(2026, 1, 31), -2, date(2025, 11, 30), id="backwards"),
]


@pytest.mark.parametrize(("day", "months", "expected"), MONTHS)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


# -- eviCore: at least 2 months between therapeutic sessions ------------------------------

INTERVAL = [
    pytest.param("2026-01-15", date(2026, 3, 15), "met", date(2026, 3, 15), id="exactly-2-months"),
    pytest.param("2026-01-15", date(2026, 3, 14), "unmet", date(2026, 3, 15), id="a-day-short"),
    pytest.param("2025-12-31", date(2026, 2, 28), "met", date(2026, 2, 28), id="month-end"),
    pytest.param("2025-12-31", date(2026, 2, 27), "unmet", date(2026, 2, 28), id="month-end-short"),
]


@pytest.mark.parametrize(("previous", "today", "expected", "earliest"), INTERVAL)
def test_evicore_interval(
    knowledge: Knowledge,
    build_history,
    previous: str,
    today: date,
    expected: str,
    earliest: date,
) -> None:
    history = build_history(BLOCK, f"{previous} T left bupivacaine 8 d4..d20=2 gain=yes")
    result = assess_eligibility(history, "evicore", today, knowledge)
    assert status(result, "therapeutic_interval") == expected
    assert result.earliest_therapeutic == earliest


def test_medicare_has_no_interval_rule(knowledge: Knowledge, build_history) -> None:
    history = build_history(BLOCK, f"2025-12-01 T left bupivacaine 8 {HELD}")
    result = assess_eligibility(history, "medicare", date(2026, 3, 9), knowledge)
    assert "therapeutic_interval" not in {c.code for c in result.criteria}


# -- sustained relief after the previous injection ----------------------------------------

SUSTAINED = [
    # Medicare: >= 50 % through 3 calendar months (2026-01-12 -> 2026-04-12 = day 90).
    pytest.param(
        "medicare", "8 d4..d90=4 d91=6", "met", id="exactly-50pct-through-exactly-3-months"
    ),
    pytest.param("medicare", "8 d4..d89=4 d90=6", "unmet", id="ends-the-day-before-3-months"),
    pytest.param("medicare", "9 d4..d95=5", "unmet", id="44pct-below-50"),
    pytest.param("medicare", "8 d4..d60=4", "unknown", id="still-holding-diary-short"),
    pytest.param("medicare", "8 d4..d80=4 d95=6", "unmet", id="not-shown-through-the-needed-day"),
    pytest.param("medicare", "8 6h=2 d1=9 d2=7 d3..d95=4", "met", id="flare-does-not-break"),
    pytest.param("medicare", "8 d4..d40=4 d41=7 d42..d95=4", "unmet", id="a-dip-breaks-the-run"),
    pytest.param("medicare", "8 d4..d20=7 d21..d100=4", "unmet", id="relief-starts-after-day-14"),
    pytest.param("medicare", "8 30m=0 2h=1 d1..d95=7", "unmet", id="numbing-relief-only"),
    pytest.param("medicare", "8 30m=0", "unknown", id="no-entry-after-the-flare-time-yet"),
    pytest.param("medicare", "8 d4..d30=4 d31=7 gain=yes", "met", id="functional-gain-instead"),
    pytest.param("medicare", "8 d4..d30=4 d31=7 gain=no", "unmet", id="no-gain-short-relief"),
    # eviCore: >= 75 % through 2 weeks (2026-01-12 -> 2026-01-26 = day 14).
    pytest.param(
        "evicore", "8 d4..d14=2 d15=6 gain=yes", "met", id="evicore-75pct-exactly-2-weeks"
    ),
    pytest.param("evicore", "8 d4..d13=2 d14=6 gain=yes", "unmet", id="evicore-a-day-short"),
    pytest.param("evicore", "8 d4..d95=3 gain=yes", "unmet", id="evicore-62pct-below-75"),
    pytest.param("evicore", "8 d4..d30=3 gain=yes", "unmet", id="evicore-gain-not-instead"),
]


@pytest.mark.parametrize(("payer", "diary", "expected"), SUSTAINED)
def test_repeat_sustained_relief(
    knowledge: Knowledge, build_history, payer: str, diary: str, expected: str
) -> None:
    history = build_history(BLOCK, f"2026-01-12 T left bupivacaine {diary}")
    result = assess_eligibility(history, payer, date(2026, 4, 30), knowledge)
    assert status(result, "repeat_sustained_relief") == expected
    if expected != "met":
        assert result.therapeutic_allowed is False
        assert result.earliest_therapeutic is None


def test_needed_day_is_calendar_months_after_the_injection_day(
    knowledge: Knowledge, build_history
) -> None:
    history = build_history(BLOCK, "2026-01-12 T left bupivacaine 8 d4..d90=4")
    result = assess_eligibility(history, "medicare", date(2026, 4, 30), knowledge)
    assert result.sustained_relief is not None
    assert result.sustained_relief.needed_through == date(2026, 4, 12)
    assert result.previous_therapeutic == date(2026, 1, 12)


GAIN = [
    pytest.param("gain=yes", "met", True, id="documented"),
    pytest.param("", "unknown", False, id="not-documented"),
    pytest.param("gain=no", "unmet", False, id="none"),
]


@pytest.mark.parametrize(("gain", "expected", "allowed"), GAIN)
def test_evicore_needs_functional_gain_too(
    knowledge: Knowledge, build_history, gain: str, expected: str, allowed: bool
) -> None:
    history = build_history(BLOCK, f"2026-01-12 T left bupivacaine 8 d4..d20=2 {gain}")
    result = assess_eligibility(history, "evicore", date(2026, 3, 20), knowledge)
    assert status(result, "repeat_sustained_relief") == "met"
    assert status(result, "repeat_functional_gain") == expected
    assert result.therapeutic_allowed is allowed


# -- diagnostic sessions and the prior positive block ------------------------------------

DIAGNOSTIC = [
    pytest.param(["2026-01-05 D left lidocaine 8 30m=1"], 1, "met", id="one-session-one-more"),
    pytest.param(
        ["2026-01-05 D left lidocaine 8 30m=1", "2026-01-19 D left bupivacaine 8 30m=1"],
        2,
        "unmet",
        id="third-diagnostic-session-refused",
    ),
    pytest.param(
        ["2026-01-05T09:00 D left lidocaine 8 30m=1", "2026-01-05T09:30 D right lidocaine 8 30m=1"],
        1,
        "met",
        id="both-sides-same-day-one-session",
    ),
]


@pytest.mark.parametrize(("lines", "sessions", "expected"), DIAGNOSTIC)
def test_diagnostic_session_limit(
    knowledge: Knowledge, build_history, lines: list[str], sessions: int, expected: str
) -> None:
    for payer in ("medicare", "evicore"):
        result = assess_eligibility(build_history(*lines), payer, date(2026, 2, 1), knowledge)
        assert result.diagnostic_sessions == sessions
        assert status(result, "diagnostic_session_limit") == expected
        assert result.another_diagnostic_allowed is (expected == "met")


PRIOR = [
    pytest.param(["2026-01-05 D left lidocaine 8 30m=2"], Side.LEFT, {"left": "met"}, id="75pct"),
    pytest.param(["2026-01-05 D left lidocaine 7 30m=2"], Side.LEFT, {"left": "unmet"}, id="71pct"),
    pytest.param(["2026-01-05 D left lidocaine 8"], Side.LEFT, {"left": "unknown"}, id="no-diary"),
    pytest.param(
        ["2026-01-05 D right lidocaine 8 30m=1"], Side.LEFT, {"left": "unmet"}, id="other-side"
    ),
    pytest.param(
        ["2026-01-05 D bilateral lidocaine 8 30m=1"],
        Side.LEFT,
        {"left": "met"},
        id="bilateral-covers",
    ),
    pytest.param(
        ["2026-01-05 D left lidocaine 8 30m=1"],
        Side.BILATERAL,
        {"left": "met", "right": "unmet"},
        id="bilateral-plan-needs-both",
    ),
    pytest.param(
        ["2026-01-05 D left lidocaine 8 30m=6", "2026-01-19 D left bupivacaine 8 2h=1"],
        Side.LEFT,
        {"left": "met"},
        id="any-positive-block",
    ),
]


@pytest.mark.parametrize(("lines", "side", "expected"), PRIOR)
def test_prior_positive_block_at_the_payer_threshold(
    knowledge: Knowledge,
    build_history,
    lines: list[str],
    side: Side,
    expected: dict[str, str],
) -> None:
    result = assess_eligibility(
        build_history(*lines), "medicare", date(2026, 2, 1), knowledge, side=side
    )
    for joint, value in expected.items():
        assert status(result, f"prior_positive_diagnostic_{joint}") == value
    assert result.therapeutic_allowed is all(v == "met" for v in expected.values())


def test_therapeutic_without_a_block_is_not_allowed(knowledge: Knowledge, build_history) -> None:
    history = build_history(f"2025-10-06 T left bupivacaine 8 {HELD}")
    result = assess_eligibility(history, "medicare", date(2026, 2, 1), knowledge)
    assert status(result, "prior_positive_diagnostic_left") == "unmet"
    assert status(result, "repeat_sustained_relief") == "met"
    assert result.earliest_therapeutic is None


def test_payer_threshold_not_the_clinics(knowledge: Knowledge, build_history) -> None:
    """A clinic reading blocks at 50 % does not change Medicare's 75 %."""
    from sijcare.knowledge import apply_overrides

    clinic = apply_overrides(knowledge, {"diagnostic.positive_threshold_percent": 50})
    history = build_history("2026-01-05 D left lidocaine 8 30m=3")  # 62.5 %
    result = assess_eligibility(history, "medicare", date(2026, 2, 1), clinic)
    assert status(result, "prior_positive_diagnostic_left") == "unmet"


def test_result_records_payer_and_provenance(knowledge: Knowledge, build_history) -> None:
    result = assess_eligibility(build_history(BLOCK), "Medicare LCD", date(2026, 2, 1), knowledge)
    assert result.payer == "medicare"
    assert result.provenance.inputs["payer_profile"]["max_therapeutic_sessions_in_window"] == 4
    assert result.provenance.inputs["today"] == "2026-02-01"
    assert result.provenance.knowledge_version == knowledge.version
    assert all(c.source == "medicare-lcd-sij" for c in result.criteria)
    assert all(c.status in Status for c in result.criteria)


# -- input errors -------------------------------------------------------------------------


def test_today_before_the_latest_record_is_refused(knowledge: Knowledge, build_history) -> None:
    with pytest.raises(InputError) as exc:
        assess_eligibility(build_history(BLOCK), "medicare", date(2024, 11, 3), knowledge)
    assert exc.value.where == "today"


def test_unknown_payer_is_refused(knowledge: Knowledge, build_history) -> None:
    with pytest.raises(InputError) as exc:
        assess_eligibility(build_history(BLOCK), "acme", date(2026, 2, 1), knowledge)
    assert exc.value.where == "payer"
    assert "medicare" in exc.value.message


def test_unreadable_diary_names_the_procedure(knowledge: Knowledge, build_history) -> None:
    with pytest.raises(InputError) as exc:
        assess_eligibility(
            build_history(BLOCK, "2025-12-01 T left bupivacaine 0 d4=0"),
            "medicare",
            date(2026, 2, 1),
            knowledge,
        )
    assert exc.value.where == "procedures[1].baseline_pain"


def test_history_must_be_in_time_order(build_history) -> None:
    with pytest.raises(InputError) as exc:
        build_history("2026-01-19 D left lidocaine 8", "2026-01-05 D left lidocaine 8")
    assert exc.value.where == "procedures[1].performed_at"
