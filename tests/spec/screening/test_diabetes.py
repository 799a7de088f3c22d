"""Diabetes (clinical-defaults.md "Other screening rules").

With a steroid planned: check blood sugar more often for 2 days after the procedure day,
expect the peak on day 1, call the doctor who manages the diabetes above 300 mg/dL
(16.7 mmol/L). A diagnostic block has no steroid: no glucose action. Fasting for
sedation with diabetes: a clinician sets the medicine plan (review). The procedure is on
Tuesday 2026-03-10 08:00 PDT.
"""

from __future__ import annotations

import pytest
from screening_helpers import RunScreen, codes, diagnostic, local, only, therapeutic

from sijcare import knowledge as loader
from sijcare.domain.intake import Diabetes, MedicineEntry
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Sedation
from sijcare.domain.screening_rules.findings import Readiness


def test_diabetes_with_steroid_gives_dated_glucose_actions(run_screen: RunScreen) -> None:
    result = run_screen(diabetes=Diabetes(has=True, uses_insulin=False))
    finding = only(result, "diabetes")
    assert finding.code == "diabetes.steroid_glucose"
    assert result.status is Readiness.READY_WITH_ACTIONS
    assert [(a.code, a.at) for a in result.actions] == [
        ("diabetes.check_glucose_often", local("2026-03-10T08:00:00-07:00")),
        ("diabetes.glucose_peak_day", local("2026-03-11T00:00:00-07:00")),  # day 1
        ("diabetes.usual_checks", local("2026-03-13T00:00:00-07:00")),  # after day 2
    ]
    assert "300 mg/dL (16.7 mmol/L)" in finding.patient_message
    assert "Wednesday, March 11" in finding.patient_message
    assert "Thursday, March 12" in finding.patient_message


def test_diagnostic_block_without_steroid_needs_no_glucose_action(run_screen: RunScreen) -> None:
    result = run_screen(procedure=diagnostic(), diabetes=Diabetes(has=True))
    assert codes(result) == ["diabetes.no_steroid"]
    assert result.actions == ()
    assert result.status is Readiness.READY


def test_no_diabetes_no_finding(run_screen: RunScreen) -> None:
    assert run_screen().findings == ()


def test_diabetes_medicine_counts_as_diabetes(run_screen: RunScreen) -> None:
    result = run_screen(medicines=(MedicineEntry("Metformin ER 500 mg"),))
    finding = only(result, "diabetes")
    assert finding.code == "diabetes.steroid_glucose"
    assert "inferred from the medicine list" in finding.clinician_rationale


def test_clinic_threshold_shows_in_both_units(run_screen: RunScreen, knowledge: Knowledge) -> None:
    k = loader.apply_overrides(knowledge, {"diabetes.glucose_call_threshold_mg_dl": 250})
    finding = only(run_screen(k=k, diabetes=Diabetes(has=True)), "diabetes")
    assert "250 mg/dL (13.9 mmol/L)" in finding.patient_message


@pytest.mark.parametrize(
    ("entry", "insulin"),
    [
        pytest.param(MedicineEntry("Lantus 20 units"), True, id="insulin-by-brand"),
        pytest.param(MedicineEntry("glipizide"), False, id="pill"),
    ],
)
def test_fasting_with_diabetes_is_reviewed(
    run_screen: RunScreen, entry: MedicineEntry, insulin: bool
) -> None:
    result = run_screen(procedure=therapeutic(sedation=Sedation.MODERATE), medicines=(entry,))
    finding = only(result, "diabetes.fasting_plan")
    assert ("insulin" in finding.patient_message) is insulin
    assert result.status is Readiness.NEEDS_REVIEW
