"""Allergies and past reactions (clinical-defaults.md "Other screening rules").

A prior allergic-like reaction to iodinated contrast, with contrast planned: review, with
the options computed from the procedure time (ACR regimen 1: prednisone 50 mg at 13, 7
and 1 h before plus diphenhydramine 50 mg 1 h before; regimen 2: methylprednisolone
32 mg at 12 and 2 h before; or ultrasound guidance without contrast), never gadolinium.
Shellfish allergy alone is not a contrast allergy. Allergy to a local anesthetic or to
the planned steroid: review. The procedure is on 2026-03-10 08:00 PDT.
"""

from __future__ import annotations

import pytest
from screening_helpers import RunScreen, codes, diagnostic, local, only, therapeutic

from sijcare.domain.intake import Allergy, AllergyKind, PastReaction, ReactionTo
from sijcare.domain.procedure import Guidance
from sijcare.domain.screening_rules.findings import Readiness

K = AllergyKind


@pytest.mark.parametrize(
    ("allergy", "code", "status"),
    [
        pytest.param(
            Allergy("shellfish", K.FOOD, "hives"),
            "allergy.shellfish_not_contrast",
            Readiness.READY,
            id="shellfish-alone",
        ),
        pytest.param(
            Allergy("Shrimp and crab", K.OTHER),
            "allergy.shellfish_not_contrast",
            Readiness.READY,
            id="shellfish-as-other",
        ),
        pytest.param(
            Allergy("peanuts", K.FOOD), "allergy.recorded", Readiness.READY, id="unrelated-food"
        ),
        pytest.param(
            Allergy("penicillin", K.MEDICINE),
            "allergy.recorded",
            Readiness.READY,
            id="unrelated-medicine",
        ),
        pytest.param(
            Allergy("IV contrast", K.CONTRAST),
            "contrast.prior_reaction",
            Readiness.NEEDS_REVIEW,
            id="contrast",
        ),
        pytest.param(
            Allergy("Omnipaque", K.MEDICINE),
            "contrast.prior_reaction",
            Readiness.NEEDS_REVIEW,
            id="contrast-agent-filed-as-medicine",
        ),
        pytest.param(
            Allergy("lidocaine", K.MEDICINE),
            "allergy.anesthetic",
            Readiness.NEEDS_REVIEW,
            id="anesthetic-by-name",
        ),
        pytest.param(
            Allergy("novocaine", K.ANESTHETIC),
            "allergy.anesthetic",
            Readiness.NEEDS_REVIEW,
            id="anesthetic",
        ),
        pytest.param(
            Allergy("Kenalog", K.MEDICINE),
            "allergy.steroid",
            Readiness.NEEDS_REVIEW,
            id="planned-steroid-by-brand",
        ),
        pytest.param(
            Allergy("steroids", K.STEROID),
            "allergy.steroid",
            Readiness.NEEDS_REVIEW,
            id="any-steroid",
        ),
        pytest.param(
            Allergy("latex", K.OTHER), "allergy.latex", Readiness.NEEDS_REVIEW, id="latex"
        ),
        pytest.param(
            Allergy("Betadine", K.OTHER),
            "allergy.skin-antiseptic",
            Readiness.NEEDS_REVIEW,
            id="skin-antiseptic",
        ),
    ],
)
def test_allergy(run_screen: RunScreen, allergy: Allergy, code: str, status: Readiness) -> None:
    result = run_screen(allergies=(allergy,))
    assert codes(result) == [code]
    assert result.status is status


def test_contrast_allergy_options_are_timed_from_the_procedure(run_screen: RunScreen) -> None:
    result = run_screen(allergies=(Allergy("contrast dye", K.CONTRAST, "hives"),))
    finding = only(result, "contrast")
    regimen_1, regimen_2, ultrasound = finding.options
    assert [(s.what.split()[0], s.at) for s in regimen_1.steps] == [
        ("prednisone", local("2026-03-09T19:00:00-07:00")),  # 13 h before
        ("prednisone", local("2026-03-10T01:00:00-07:00")),  # 7 h before
        ("prednisone", local("2026-03-10T07:00:00-07:00")),  # 1 h before
        ("diphenhydramine", local("2026-03-10T07:00:00-07:00")),
    ]
    assert all("50 mg" in s.what for s in regimen_1.steps)
    assert [(s.what, s.at) for s in regimen_2.steps] == [
        ("methylprednisolone 32 mg by mouth", local("2026-03-09T20:00:00-07:00")),
        ("methylprednisolone 32 mg by mouth", local("2026-03-10T06:00:00-07:00")),
    ]
    assert "ultrasound" in ultrasound.summary and ultrasound.steps == ()
    assert "gadolinium" not in " ".join(o.summary for o in finding.options).lower()
    # Premedication is a clinician's choice: nothing is told to the patient to take yet.
    assert result.actions == ()


def test_premedication_across_the_clock_change(run_screen: RunScreen) -> None:
    at = local("2026-03-08T09:00:00-07:00")  # the clocks went forward at 02:00 that day
    finding = only(run_screen(at=at, allergies=(Allergy("contrast", K.CONTRAST),)), "contrast")
    assert finding.options[0].steps[0].at == local("2026-03-07T19:00:00-08:00")


def test_past_contrast_reaction_counts_like_an_allergy(run_screen: RunScreen) -> None:
    result = run_screen(past_reactions=(PastReaction(ReactionTo.CONTRAST, "hives after a CT"),))
    assert codes(result) == ["contrast.prior_reaction"]


def test_allergy_and_past_reaction_to_contrast_give_one_finding(run_screen: RunScreen) -> None:
    result = run_screen(
        allergies=(Allergy("x-ray dye", K.CONTRAST),),
        past_reactions=(PastReaction(ReactionTo.CONTRAST, "rash"),),
    )
    assert codes(result) == ["contrast.prior_reaction"]


def test_contrast_allergy_without_contrast_planned_is_only_recorded(run_screen: RunScreen) -> None:
    plan = therapeutic(guidance=Guidance.ULTRASOUND, contrast_planned=False)
    result = run_screen(procedure=plan, allergies=(Allergy("contrast", K.CONTRAST),))
    assert codes(result) == ["contrast.not_planned"]
    assert result.status is Readiness.READY


def test_contrast_with_shellfish_is_still_a_contrast_allergy(run_screen: RunScreen) -> None:
    result = run_screen(allergies=(Allergy("shellfish", K.CONTRAST),))
    assert codes(result) == ["contrast.prior_reaction"]


def test_steroid_allergy_without_a_planned_steroid_is_only_recorded(run_screen: RunScreen) -> None:
    result = run_screen(procedure=diagnostic(), allergies=(Allergy("triamcinolone", K.STEROID),))
    assert codes(result) == ["allergy.steroid_not_planned"]
    assert result.status is Readiness.READY


def test_steroid_allergy_is_weighed_in_the_premedication(run_screen: RunScreen) -> None:
    allergies = (Allergy("contrast", K.CONTRAST), Allergy("prednisone", K.MEDICINE))
    finding = only(run_screen(allergies=allergies), "contrast")
    assert "steroid allergy" in finding.clinician_rationale


@pytest.mark.parametrize(
    ("to", "code"),
    [
        pytest.param(ReactionTo.ANESTHETIC, "allergy.anesthetic", id="anesthetic"),
        pytest.param(ReactionTo.STEROID, "allergy.steroid", id="steroid"),
        pytest.param(ReactionTo.INJECTION, "reaction.injection", id="earlier-injection"),
        pytest.param(ReactionTo.OTHER, "reaction.other", id="other"),
    ],
)
def test_other_past_reactions_are_reviewed(
    run_screen: RunScreen, to: ReactionTo, code: str
) -> None:
    result = run_screen(past_reactions=(PastReaction(to, "fainted"),))
    assert codes(result) == [code]
    assert result.status is Readiness.NEEDS_REVIEW
