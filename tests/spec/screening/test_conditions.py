"""Pregnancy, a driver home, and unknown medicines (clinical-defaults.md).

Possible pregnancy: review (fluoroscopy). A driver home is required for every
procedure: without one the patient must arrange it (ready_with_actions), and with any
sedation it is a hard stop (postpone). A medicine name the knowledge base does not know
is flagged for review, never passed.
"""

from __future__ import annotations

import pytest
from screening_helpers import RunScreen, codes, local, only, therapeutic

from sijcare import knowledge as loader
from sijcare.domain.intake import MedicineEntry
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Sedation
from sijcare.domain.screening_rules.findings import Readiness, Severity


def test_possible_pregnancy_is_reviewed(run_screen: RunScreen) -> None:
    result = run_screen(possibly_pregnant=True)
    assert codes(result) == ["pregnancy.possible"]
    assert result.status is Readiness.NEEDS_REVIEW


@pytest.mark.parametrize(
    ("sedation", "code", "status"),
    [
        pytest.param(
            Sedation.NONE, "driver.missing", Readiness.READY_WITH_ACTIONS, id="no-sedation"
        ),
        pytest.param(
            Sedation.MINIMAL,
            "driver.missing_with_sedation",
            Readiness.POSTPONE,
            id="minimal-sedation",
        ),
        pytest.param(
            Sedation.MODERATE,
            "driver.missing_with_sedation",
            Readiness.POSTPONE,
            id="moderate-sedation",
        ),
    ],
)
def test_no_driver(run_screen: RunScreen, sedation: Sedation, code: str, status: Readiness) -> None:
    result = run_screen(procedure=therapeutic(sedation=sedation), driver_arranged=False)
    assert only(result, "driver").code == code
    assert result.status is status


def test_no_driver_without_sedation_is_an_action_for_arrival(run_screen: RunScreen) -> None:
    result = run_screen(driver_arranged=False)
    assert [(a.code, a.at) for a in result.actions] == [
        ("driver.arrange", local("2026-03-10T07:30:00-07:00"))
    ]


def test_clinic_may_drop_the_sedation_hard_stop(
    run_screen: RunScreen, knowledge: Knowledge
) -> None:
    k = loader.apply_overrides(knowledge, {"driver.hard_stop_with_sedation": False})
    result = run_screen(
        k=k, procedure=therapeutic(sedation=Sedation.MINIMAL), driver_arranged=False
    )
    assert only(result, "driver").severity is Severity.ACTION


@pytest.mark.parametrize(
    "name",
    ["Frobnazol", "fish oil", "Eliquiss", "herbal tea blend", "12 mg", "???"],
)
def test_unknown_medicine_is_reviewed_never_passed(run_screen: RunScreen, name: str) -> None:
    result = run_screen(medicines=(MedicineEntry(name),))
    assert codes(result) == ["medicine.unknown"]
    assert result.status is Readiness.NEEDS_REVIEW


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("fish oil with vitamin D", ["medicine.unknown"], id="unknown-beside-known"),
        pytest.param(
            "Xarelto and ginkgo",
            ["blood_thinner.review", "medicine.unknown"],
            id="unknown-beside-blood-thinner",
        ),
        pytest.param("Vitamin D3 2000 IU daily", [], id="dose-text-only"),
    ],
)
def test_words_beside_a_known_name_are_not_passed(
    run_screen: RunScreen, name: str, expected: list[str]
) -> None:
    result = run_screen(medicines=(MedicineEntry(name),))
    assert sorted(codes(result)) == expected


def test_unknown_medicine_suggests_a_close_name_to_the_clinician(run_screen: RunScreen) -> None:
    finding = only(run_screen(medicines=(MedicineEntry("Eliquiss"),)), "medicine.unknown")
    assert "Eliquis" in finding.clinician_rationale
    assert "Eliquis" not in finding.patient_message.replace("Eliquiss", "")


def test_known_medicines_need_no_finding(run_screen: RunScreen) -> None:
    names = ("Tylenol 500 mg", "gabapentin 300mg", "Lyrica", "tizanidine", "Lipitor")
    result = run_screen(medicines=tuple(MedicineEntry(n) for n in names))
    assert result.findings == ()
    assert result.status is Readiness.READY
