"""Infection risk: fever, active infection, recent illness, immunocompromise.

clinical-defaults.md "Other screening rules": a fever at or above 38.0 °C (100.4 °F),
an active infection or a recent illness postpone the injection; immunocompromise is
reviewed. Recent = on any of the `screening.recent_illness_lookback_days` (7) days
before the procedure day, or on the day. The procedure is on 2026-03-10.
"""

from __future__ import annotations

from datetime import date

import pytest
from screening_helpers import RunScreen, codes, only

from sijcare.domain.errors import InputError
from sijcare.domain.intake import FeverReport, RecentIllness, Temperature, TemperatureUnit
from sijcare.domain.screening_rules.findings import Readiness, Severity

C, F = TemperatureUnit.CELSIUS, TemperatureUnit.FAHRENHEIT


def fever(value: float, unit: TemperatureUnit, on: str) -> FeverReport:
    return FeverReport(Temperature(value, unit), date.fromisoformat(on))


@pytest.mark.parametrize(
    ("report", "code", "status"),
    [
        pytest.param(
            fever(37.9, C, "2026-03-08"), "fever.below_threshold", Readiness.READY, id="37.9C-below"
        ),
        pytest.param(
            fever(38.0, C, "2026-03-08"),
            "fever.recent",
            Readiness.POSTPONE,
            id="38.0C-at-threshold",
        ),
        pytest.param(
            fever(100.4, F, "2026-03-08"),
            "fever.recent",
            Readiness.POSTPONE,
            id="100.4F-at-threshold",
        ),
        pytest.param(
            fever(100.3, F, "2026-03-08"),
            "fever.below_threshold",
            Readiness.READY,
            id="100.3F-below",
        ),
        pytest.param(
            fever(39.5, C, "2026-03-10"), "fever.recent", Readiness.POSTPONE, id="on-the-day"
        ),
        pytest.param(
            fever(38.5, C, "2026-03-03"),
            "fever.recent",
            Readiness.POSTPONE,
            id="7-days-before-included",
        ),
        pytest.param(
            fever(38.5, C, "2026-03-02"),
            "fever.not_recent",
            Readiness.READY,
            id="8-days-before-not-recent",
        ),
    ],
)
def test_fever(run_screen: RunScreen, report: FeverReport, code: str, status: Readiness) -> None:
    result = run_screen(fever_recent=report)
    assert codes(result) == [code]
    assert result.status is status


def test_fever_message_names_both_units(run_screen: RunScreen) -> None:
    finding = only(run_screen(fever_recent=fever(38.2, C, "2026-03-09")), "fever")
    assert "38.0 °C (100.4 °F)" in finding.clinician_rationale
    assert "must wait" in finding.patient_message


@pytest.mark.parametrize(
    ("report", "where"),
    [
        pytest.param(
            fever(38.0, F, "2026-03-08"),
            "fever_recent.max_temperature",
            id="celsius-value-in-fahrenheit",
        ),
        pytest.param(fever(380, C, "2026-03-08"), "fever_recent.max_temperature", id="typing-slip"),
        pytest.param(fever(38.5, C, "2026-03-11"), "fever_recent.on", id="after-the-procedure"),
    ],
)
def test_impossible_fever_is_an_input_error(
    run_screen: RunScreen, report: FeverReport, where: str
) -> None:
    with pytest.raises(InputError) as exc:
        run_screen(fever_recent=report)
    assert exc.value.where == where


def test_active_infection_postpones(run_screen: RunScreen) -> None:
    result = run_screen(current_infection=True)
    assert only(result, "infection.active").severity is Severity.STOP
    assert result.status is Readiness.POSTPONE


@pytest.mark.parametrize(
    ("last_symptoms_on", "code", "status"),
    [
        pytest.param(None, "illness.current", Readiness.POSTPONE, id="still-unwell"),
        pytest.param(
            "2026-03-03", "illness.recent", Readiness.POSTPONE, id="7-days-before-included"
        ),
        pytest.param("2026-03-02", "illness.resolved", Readiness.READY, id="8-days-before"),
    ],
)
def test_recent_illness(
    run_screen: RunScreen, last_symptoms_on: str | None, code: str, status: Readiness
) -> None:
    day = None if last_symptoms_on is None else date.fromisoformat(last_symptoms_on)
    result = run_screen(recent_illness=RecentIllness("a cold", day))
    assert codes(result) == [code]
    assert result.status is status


def test_immunocompromise_is_reviewed(run_screen: RunScreen) -> None:
    result = run_screen(immunocompromised=True)
    assert codes(result) == ["immunocompromise"]
    assert result.status is Readiness.NEEDS_REVIEW
