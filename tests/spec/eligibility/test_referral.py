"""Entry criteria worth checking at referral (Medicare LCD; knowledge `referral.*`).

- pain below L5;
- pain for at least 3 calendar months (the same day of the month 3 months on counts);
- at least 3 of the 5 Laslett provocation tests positive (Laslett 2005); tests not done
  leave the criterion unknown while they could still reach 3;
- at least 4 weeks of failed conservative care;
- fluoroscopy or CT guidance with contrast; ultrasound without contrast only with a
  contrast allergy or a pregnancy.
A fact the referral does not give is unknown. The result is met only when all are met.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.procedure import Guidance
from sijcare.domain.referral import ReferralInput, Status, assess_referral
from sijcare.knowledge import apply_overrides

THREE = {"distraction": True, "thigh_thrust": True, "compression": True, "sacral_thrust": False}
COMPLETE = ReferralInput(
    assessed_on=date(2026, 3, 1),
    pain_below_l5=True,
    pain_started_on=date(2025, 12, 1),
    provocation_tests={**THREE, "gaenslen": False},
    conservative_care_weeks=4,
    guidance=Guidance.FLUOROSCOPY,
    contrast_planned=True,
)

CASES = [
    pytest.param({}, "pain_below_l5", "met", id="all-met"),
    pytest.param({"pain_below_l5": False}, "pain_below_l5", "unmet", id="pain-above-l5"),
    pytest.param({"pain_below_l5": None}, "pain_below_l5", "unknown", id="location-not-given"),
    pytest.param({}, "pain_duration", "met", id="exactly-3-months"),
    pytest.param(
        {"pain_started_on": date(2025, 12, 2)}, "pain_duration", "unmet", id="3-months-less-a-day"
    ),
    pytest.param(
        {"pain_started_on": date(2025, 11, 30), "assessed_on": date(2026, 2, 28)},
        "pain_duration",
        "met",
        id="3-months-to-a-shorter-month",
    ),
    pytest.param({"pain_started_on": None}, "pain_duration", "unknown", id="start-not-given"),
    pytest.param({}, "provocation_tests", "met", id="3-of-5-positive"),
    pytest.param(
        {"provocation_tests": {**THREE, "compression": False, "gaenslen": False}},
        "provocation_tests",
        "unmet",
        id="2-of-5-positive",
    ),
    pytest.param(
        {"provocation_tests": {"distraction": True, "Gaenslen": True}},
        "provocation_tests",
        "unknown",
        id="2-positive-3-not-done",
    ),
    pytest.param(
        {"provocation_tests": {"distraction": True, "thigh thrust": False, "sacral thrust": None}},
        "provocation_tests",
        "unknown",
        id="names-and-not-done",
    ),
    pytest.param(
        {
            "provocation_tests": {
                "distraction": True,
                "thigh_thrust": False,
                "compression": False,
                "sacral_thrust": False,
            }
        },
        "provocation_tests",
        "unmet",
        id="1-positive-1-not-done-cannot-reach-3",
    ),
    pytest.param({"conservative_care_weeks": 3}, "conservative_care", "unmet", id="3-weeks-care"),
    pytest.param({"conservative_care_weeks": None}, "conservative_care", "unknown", id="no-weeks"),
    pytest.param({"guidance": Guidance.CT}, "image_guidance", "met", id="ct-with-contrast"),
    pytest.param(
        {"contrast_planned": False}, "image_guidance", "unmet", id="fluoroscopy-without-contrast"
    ),
    pytest.param({"contrast_planned": None}, "image_guidance", "unknown", id="contrast-not-given"),
    pytest.param(
        {"guidance": Guidance.ULTRASOUND, "contrast_planned": False},
        "image_guidance",
        "unmet",
        id="ultrasound-without-a-reason",
    ),
    pytest.param(
        {"guidance": Guidance.ULTRASOUND, "contrast_planned": False, "contrast_allergy": True},
        "image_guidance",
        "met",
        id="ultrasound-contrast-allergy",
    ),
    pytest.param(
        {"guidance": Guidance.ULTRASOUND, "contrast_planned": False, "pregnant": True},
        "image_guidance",
        "met",
        id="ultrasound-pregnancy",
    ),
    pytest.param({"guidance": None}, "image_guidance", "unknown", id="guidance-not-given"),
]


@pytest.mark.parametrize(("changes", "code", "expected"), CASES)
def test_referral_criterion(
    knowledge: Knowledge, changes: dict[str, object], code: str, expected: str
) -> None:
    result = assess_referral(replace(COMPLETE, **changes), knowledge)  # type: ignore[arg-type]
    criterion = next(c for c in result.criteria if c.code == code)
    assert criterion.status == expected
    others = [c.status for c in result.criteria if c.code != code]
    assert others == [Status.MET] * len(others)
    assert result.status == expected


def test_every_criterion_names_its_source(knowledge: Knowledge) -> None:
    result = assess_referral(COMPLETE, knowledge)
    assert {c.source for c in result.criteria} == {"medicare-lcd-sij", "laslett-2005"}
    assert result.positive_provocation_tests == 3
    assert result.provenance.rules["referral.min_positive_provocation_tests"] == 3


def test_unmet_wins_over_unknown(knowledge: Knowledge) -> None:
    result = assess_referral(
        replace(COMPLETE, pain_below_l5=False, conservative_care_weeks=None), knowledge
    )
    assert result.status is Status.UNMET


def test_clinic_override_of_the_test_count(knowledge: Knowledge) -> None:
    clinic = apply_overrides(knowledge, {"referral.min_positive_provocation_tests": 4})
    result = assess_referral(COMPLETE, clinic)
    assert result.status is Status.UNMET
    assert result.provenance.overrides == {"referral.min_positive_provocation_tests": 4}


BAD = [
    pytest.param(
        {"provocation_tests": {"faber": True}}, "provocation_tests.faber", id="unknown-test"
    ),
    pytest.param(
        {"provocation_tests": {"distraction": "yes"}},
        "provocation_tests.distraction",
        id="test-result-not-bool",
    ),
    pytest.param(
        {"provocation_tests": {"thigh_thrust": True, "P4": True}},
        "provocation_tests.P4",
        id="one-test-twice",
    ),
    pytest.param({"pain_started_on": date(2026, 3, 2)}, "pain_started_on", id="pain-after-today"),
    pytest.param({"conservative_care_weeks": -1}, "conservative_care_weeks", id="negative-weeks"),
    pytest.param({"conservative_care_weeks": 4.5}, "conservative_care_weeks", id="half-week"),
]


@pytest.mark.parametrize(("changes", "where"), BAD)
def test_bad_referral_input(knowledge: Knowledge, changes: dict[str, object], where: str) -> None:
    with pytest.raises(InputError) as exc:
        assess_referral(replace(COMPLETE, **changes), knowledge)  # type: ignore[arg-type]
    assert exc.value.where == where
