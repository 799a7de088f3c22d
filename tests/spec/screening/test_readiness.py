"""Readiness is the worst finding: postpone > needs_review > ready_with_actions > ready.

Findings are listed worst first; the patient's actions from every finding come in time
order; every result records its provenance (knowledge version, rule values, inputs).
"""

from __future__ import annotations

from typing import Any

import pytest
from screening_helpers import PROCEDURE_TIME, RunScreen, therapeutic

from sijcare import knowledge as loader
from sijcare.domain.intake import Diabetes, MedicineEntry
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Sedation
from sijcare.domain.screening_rules.findings import RANK, Readiness

ACTION = {"driver_arranged": False}
REVIEW = {"possibly_pregnant": True}
STOP = {"current_infection": True}


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        pytest.param({}, Readiness.READY, id="nothing"),
        pytest.param(ACTION, Readiness.READY_WITH_ACTIONS, id="action"),
        pytest.param({**ACTION, **REVIEW}, Readiness.NEEDS_REVIEW, id="review-over-action"),
        pytest.param({**ACTION, **REVIEW, **STOP}, Readiness.POSTPONE, id="stop-over-all"),
    ],
)
def test_status_is_the_worst_finding(
    run_screen: RunScreen, changes: dict[str, Any], status: Readiness
) -> None:
    result = run_screen(**changes)
    assert result.status is status
    ranks = [RANK[f.severity] for f in result.findings]
    assert ranks == sorted(ranks, reverse=True)


def test_actions_are_in_time_order_in_the_clinic_zone(run_screen: RunScreen) -> None:
    result = run_screen(
        procedure=therapeutic(sedation=Sedation.MODERATE),
        diabetes=Diabetes(has=True),
        driver_arranged=False,
        medicines=(MedicineEntry("Ozempic"),),
    )
    times = [a.at for a in result.actions]
    assert times == sorted(times)
    assert {str(a.at.tzinfo) for a in result.actions} == {"America/Los_Angeles"}
    assert result.procedure_time == PROCEDURE_TIME
    assert result.time_zone == "America/Los_Angeles"


def test_provenance_records_version_rules_overrides_and_inputs(
    run_screen: RunScreen, knowledge: Knowledge
) -> None:
    k = loader.apply_overrides(knowledge, {"screening.fever_threshold_c": 38.3})
    result = run_screen(k=k, driver_arranged=False)
    provenance = result.provenance.as_dict()
    assert provenance["knowledge_version"] == knowledge.version
    assert provenance["overrides"] == {"screening.fever_threshold_c": 38.3}
    assert provenance["rules"]["driver.required"] is True
    assert provenance["rules"]["clinic.time_zone"] == "America/Los_Angeles"
    assert provenance["inputs"]["intake"].driver_arranged is False


def test_every_finding_cites_a_known_source(run_screen: RunScreen, knowledge: Knowledge) -> None:
    result = run_screen(
        procedure=therapeutic(sedation=Sedation.MODERATE),
        current_infection=True,
        immunocompromised=True,
        possibly_pregnant=True,
        diabetes=Diabetes(has=True, uses_insulin=True),
        driver_arranged=False,
        medicines=(
            MedicineEntry("Eliquis"),
            MedicineEntry("Ozempic"),
            MedicineEntry("Advil"),
            MedicineEntry("Zorblax"),
        ),
    )
    assert len(result.findings) >= 9
    assert all(f.source in knowledge.sources for f in result.findings)
    assert all(f.patient_message and f.clinician_rationale for f in result.findings)
