"""Sedation: fasting times and GLP-1 agonists (ASA 2017/2023; clinical-defaults.md).

Nothing to eat after midnight (the clinic's instruction, `fasting.solid_food_cutoff_local`)
before the procedure day, never later than 6 h before arrival; clear liquids until 2 h
before ARRIVAL, which is 30 min before the procedure (`instructions.arrive_minutes_before`).
Fasting applies from moderate (IV) sedation. GLP-1 agonists with sedation: review; a
confirmed hold skips a weekly agent for 7 days before, a daily agent on the procedure day.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from screening_helpers import RunScreen, codes, local, only, therapeutic

from sijcare import knowledge as loader
from sijcare.domain.intake import ClinicianDecision, HoldDecision, MedicineEntry
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Sedation
from sijcare.domain.screening_rules.findings import Readiness, Severity

MODERATE = therapeutic(sedation=Sedation.MODERATE)


def fasting_times(run_screen: RunScreen, at: str, **changes: object) -> list[tuple[str, datetime]]:
    result = run_screen(at=local(at), procedure=MODERATE, **changes)
    return [(a.code, a.at) for a in only(result, "fasting").actions]


@pytest.mark.parametrize(
    ("procedure_at", "food", "liquids", "arrival"),
    [
        pytest.param(
            "2026-03-10T08:00:00-07:00",
            "2026-03-10T00:00:00-07:00",
            "2026-03-10T05:30:00-07:00",
            "2026-03-10T07:30:00-07:00",
            id="morning",
        ),
        pytest.param(
            "2026-03-10T14:00:00-07:00",
            "2026-03-10T00:00:00-07:00",
            "2026-03-10T11:30:00-07:00",
            "2026-03-10T13:30:00-07:00",
            id="afternoon",
        ),
        pytest.param(
            "2026-03-10T05:00:00-07:00",
            "2026-03-09T22:30:00-07:00",
            "2026-03-10T02:30:00-07:00",
            "2026-03-10T04:30:00-07:00",
            id="early-keeps-6h-fast",
        ),
        pytest.param(
            "2026-03-08T08:00:00-07:00",
            "2026-03-08T00:00:00-08:00",
            "2026-03-08T05:30:00-07:00",
            "2026-03-08T07:30:00-07:00",
            id="day-the-clocks-go-forward",
        ),
        pytest.param(
            "2026-11-01T08:00:00-08:00",
            "2026-11-01T00:00:00-07:00",
            "2026-11-01T05:30:00-08:00",
            "2026-11-01T07:30:00-08:00",
            id="day-the-clocks-go-back",
        ),
    ],
)
def test_fasting_times(
    run_screen: RunScreen, procedure_at: str, food: str, liquids: str, arrival: str
) -> None:
    assert fasting_times(run_screen, procedure_at) == [
        ("fasting.food_stop", local(food)),
        ("fasting.clear_liquids_stop", local(liquids)),
        ("visit.arrival", local(arrival)),
    ]


def test_fasting_message_names_midnight_unambiguously(run_screen: RunScreen) -> None:
    finding = only(run_screen(procedure=MODERATE), "fasting")
    assert "midnight between Monday, March 9 and Tuesday, March 10" in finding.patient_message
    assert finding.severity is Severity.ACTION


def test_clinic_cutoff_the_evening_before(run_screen: RunScreen, knowledge: Knowledge) -> None:
    k = loader.apply_overrides(knowledge, {"fasting.solid_food_cutoff_local": "22:00"})
    times = fasting_times(run_screen, "2026-03-10T08:00:00-07:00", k=k)
    assert times[0] == ("fasting.food_stop", local("2026-03-09T22:00:00-07:00"))


@pytest.mark.parametrize("sedation", [Sedation.NONE, Sedation.MINIMAL])
def test_no_fasting_below_moderate_sedation(run_screen: RunScreen, sedation: Sedation) -> None:
    result = run_screen(procedure=therapeutic(sedation=sedation))
    assert not [c for c in codes(result) if c.startswith("fasting")]


def test_clinic_may_fast_from_minimal_sedation(run_screen: RunScreen, knowledge: Knowledge) -> None:
    k = loader.apply_overrides(knowledge, {"fasting.lowest_sedation_level": "minimal"})
    result = run_screen(k=k, procedure=therapeutic(sedation=Sedation.MINIMAL))
    assert codes(result) == ["fasting.sedation"]


def hold(name: str, regimen: str | None = None) -> ClinicianDecision:
    at = datetime.fromisoformat("2026-03-01T09:00:00-08:00")
    return ClinicianDecision(name, HoldDecision.HOLD, True, "Dr. Chen", at, regimen)


@pytest.mark.parametrize(
    ("entry", "regimens"),
    [
        pytest.param(MedicineEntry("Ozempic 1 mg"), ["weekly"], id="weekly-brand"),
        pytest.param(MedicineEntry("Rybelsus 7 mg"), ["daily"], id="daily-tablet"),
        pytest.param(MedicineEntry("semaglutide"), ["weekly", "daily"], id="generic-either"),
        pytest.param(
            MedicineEntry("semaglutide", frequency="once weekly"), ["weekly"], id="generic-weekly"
        ),
        pytest.param(MedicineEntry("Mounjaro"), ["weekly"], id="tirzepatide"),
        pytest.param(MedicineEntry("Victoza"), ["daily"], id="liraglutide"),
    ],
)
def test_glp1_with_sedation_is_reviewed(
    run_screen: RunScreen, entry: MedicineEntry, regimens: list[str]
) -> None:
    result = run_screen(procedure=MODERATE, medicines=(entry,))
    finding = only(result, "glp1")
    assert finding.code == "glp1.review"
    assert result.status is Readiness.NEEDS_REVIEW
    shown = [o.summary.removeprefix("If held (").split(")")[0] for o in finding.options]
    assert shown == regimens
    assert not [a for a in result.actions if a.code.startswith("glp1")]


def test_glp1_without_sedation_changes_nothing(run_screen: RunScreen) -> None:
    result = run_screen(medicines=(MedicineEntry("Trulicity"),))
    assert codes(result) == ["glp1.no_sedation"]
    assert result.status is Readiness.READY


@pytest.mark.parametrize(
    ("entry", "decision", "code", "at"),
    [
        pytest.param(
            MedicineEntry("Ozempic"),
            hold("Ozempic"),
            "glp1.last_dose",
            "2026-03-03T07:00:00-08:00",
            id="weekly-7-days",
        ),
        pytest.param(
            MedicineEntry("Byetta"),
            hold("exenatide", "daily"),
            "glp1.skip_procedure_day",
            "2026-03-10T00:00:00-07:00",
            id="daily-on-the-day",
        ),
    ],
)
def test_glp1_confirmed_hold(
    run_screen: RunScreen, entry: MedicineEntry, decision: ClinicianDecision, code: str, at: str
) -> None:
    result = run_screen(procedure=MODERATE, medicines=(entry,), clinician_decisions=(decision,))
    assert only(result, "glp1").code == "glp1.hold"
    assert [(a.code, a.at) for a in result.actions if a.code.startswith("glp1")] == [
        (code, local(at))
    ]
