"""The next step after SI joint blocks and injections (knowledge payers.toml, diary.toml).

After diagnostic blocks (same side, since the last therapeutic injection):
- no score in the latest block's window -> insufficient_data;
- one block: positive -> comparative_confirmatory_block when the clinic requires it
  (`next_steps.require_confirmatory_block`, default true) and the payer allows another
  session, else therapeutic_injection; indeterminate -> comparative_confirmatory_block
  when allowed, else look_for_another_pain_source; negative -> look elsewhere;
- two blocks: confirmed -> therapeutic_injection; not confirmed -> look elsewhere;
  indeterminate -> another block if allowed, else look elsewhere.
After a therapeutic injection, with the payer's sustained-relief criterion:
- met -> repeat_injection (earliest date from the payer's limits);
- unknown -> insufficient_data;
- unmet: responder at 3 months -> no_repeat (not covered); short relief with a
  positive block -> referral_for_other_treatment (radiofrequency; Medicare does not
  cover it); otherwise no_repeat.

Histories are lines `DATE KIND SIDE AGENT BASELINE ENTRY...` (see conftest.py).
"""

from __future__ import annotations

from datetime import date

import pytest

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.next_steps import Step, recommend_next_step
from sijcare.knowledge import apply_overrides

LIDO_POS = "2025-12-01 D left lidocaine 8 30m=1 60m=2"
BUPI_POS = "2025-12-15 D left bupivacaine 8 30m=1 4h=1 7h=2"
TODAY = date(2026, 4, 30)

C = Step.COMPARATIVE_CONFIRMATORY_BLOCK
T = Step.THERAPEUTIC_INJECTION
L = Step.LOOK_FOR_ANOTHER_PAIN_SOURCE

BLOCKS = [
    pytest.param([LIDO_POS], C, (T,), True, "second_block_agent", id="one-positive-confirm"),
    pytest.param(
        ["2025-12-01 D left lidocaine 8 30m=6"], L, (), None, "sij_not_shown", id="one-negative"
    ),
    pytest.param(
        ["2025-12-01 D left lidocaine 8 30m=4"],
        C,
        (L,),
        True,
        "second_block_to_decide",
        id="one-indeterminate-another-block",
    ),
    pytest.param(
        ["2025-12-01 D left lidocaine 8 30m=6", "2025-12-15 D left bupivacaine 8 30m=4"],
        L,
        (),
        None,
        "sij_not_shown",
        id="pair-not-confirmed",
    ),
    pytest.param([LIDO_POS, BUPI_POS], T, (), True, "comparative_caveat", id="pair-confirmed"),
    pytest.param(
        [LIDO_POS, "2025-12-15 D left bupivacaine 8 30m=4"],
        L,
        (),
        None,
        "diagnostic_limit_reached",
        id="pair-indeterminate-no-sessions-left",
    ),
    pytest.param(
        [LIDO_POS, "2025-12-15 D left lidocaine 8 30m=2"],
        T,
        (),
        True,
        "two_blocks_confirmed",
        id="two-short-acting-both-positive",
    ),
    pytest.param(
        ["2025-12-01 D left lidocaine 8", "2025-12-15 D left bupivacaine 8 2h=1"],
        T,
        (),
        True,
        "diagnostic_limit_reached",
        id="positive-after-unreadable-no-sessions-left",
    ),
    pytest.param(
        ["2025-12-01 D left lidocaine 8 5h=1"],
        Step.INSUFFICIENT_DATA,
        (),
        None,
        "block_diary_incomplete",
        id="no-score-in-the-window",
    ),
    pytest.param(
        ["2025-12-01 D right lidocaine 8 30m=6", "2025-12-15 D left lidocaine 8 30m=1"],
        T,
        (),
        True,
        "diagnostic_limit_reached",
        id="other-side-block-not-compared",
    ),
]


@pytest.mark.parametrize(("lines", "step", "alternatives", "allows", "reason"), BLOCKS)
def test_after_blocks(
    knowledge: Knowledge,
    build_history,
    lines: list[str],
    step: Step,
    alternatives: tuple[Step, ...],
    allows: bool | None,
    reason: str,
) -> None:
    plan = recommend_next_step(build_history(*lines), "medicare", TODAY, knowledge)
    assert plan.step is step
    assert plan.alternatives == alternatives
    assert plan.payer_allows is allows
    assert reason in [r.code for r in plan.reasons]
    assert plan.earliest_date == (TODAY if allows else None)


def test_one_positive_block_enough_when_the_clinic_says_so(
    knowledge: Knowledge, build_history
) -> None:
    clinic = apply_overrides(knowledge, {"next_steps.require_confirmatory_block": False})
    plan = recommend_next_step(build_history(LIDO_POS), "medicare", TODAY, clinic)
    assert plan.step is T
    assert "one_positive_block_enough" in [r.code for r in plan.reasons]
    assert plan.provenance.overrides == {"next_steps.require_confirmatory_block": False}


def test_second_block_uses_the_other_kind_of_anesthetic(
    knowledge: Knowledge, build_history
) -> None:
    plan = recommend_next_step(build_history(LIDO_POS), "medicare", TODAY, knowledge)
    agent = next(r for r in plan.reasons if r.code == "second_block_agent")
    assert "bupivacaine or ropivacaine" in agent.text


AFTER_INJECTION = [
    pytest.param(
        "medicare", "d4..d95=3", Step.REPEAT_INJECTION, "repeat_when_pain_returns", id="responder"
    ),
    pytest.param(
        "medicare", "d4..d60=3", Step.INSUFFICIENT_DATA, "keep_diary", id="relief-still-holding"
    ),
    pytest.param(
        "medicare",
        "d4..d20=3 d21..d95=7",
        Step.REFERRAL_FOR_OTHER_TREATMENT,
        "radiofrequency_not_covered",
        id="short-relief-medicare-rfa-not-covered",
    ),
    pytest.param(
        "evicore",
        "d4..d12=2 d13..d95=7 gain=yes",
        Step.REFERRAL_FOR_OTHER_TREATMENT,
        "radiofrequency_coverage_not_stated",
        id="short-relief-evicore",
    ),
    pytest.param(
        "medicare", "d4..d95=6", Step.NO_REPEAT, "consider_other_treatment", id="non-responder"
    ),
    pytest.param(
        "evicore",
        "d4..d95=3 gain=yes",
        Step.NO_REPEAT,
        "repeat_not_covered",
        id="responder-below-evicore-75",
    ),
]


@pytest.mark.parametrize(("payer", "diary", "step", "reason"), AFTER_INJECTION)
def test_after_a_therapeutic_injection(
    knowledge: Knowledge, build_history, payer: str, diary: str, step: Step, reason: str
) -> None:
    history = build_history(LIDO_POS, BUPI_POS, f"2026-01-12 T left bupivacaine 8 {diary}")
    plan = recommend_next_step(history, payer, TODAY, knowledge)
    assert plan.step is step
    assert reason in [r.code for r in plan.reasons]


def test_repeat_has_the_earliest_date(knowledge: Knowledge, build_history) -> None:
    history = build_history(LIDO_POS, BUPI_POS, "2026-01-12 T left bupivacaine 8 d4..d95=3")
    plan = recommend_next_step(history, "medicare", TODAY, knowledge)
    assert plan.payer_allows is True
    assert plan.earliest_date == TODAY


def test_repeat_waits_for_a_session_slot(knowledge: Knowledge, build_history) -> None:
    history = build_history(
        "2024-11-04 D left lidocaine 8 30m=1",
        "2025-04-07 T left bupivacaine 8",
        "2025-06-02 T left bupivacaine 8",
        "2025-09-01 T left bupivacaine 8",
        "2025-12-01 T left bupivacaine 8 d4..d95=3",
    )
    plan = recommend_next_step(history, "medicare", date(2026, 3, 9), knowledge)
    assert plan.step is Step.REPEAT_INJECTION
    assert plan.payer_allows is False
    assert plan.earliest_date == date(2026, 4, 7)


def test_non_responder_without_a_positive_block(knowledge: Knowledge, build_history) -> None:
    history = build_history("2026-01-12 T left bupivacaine 8 d4..d20=3 d21..d95=7")
    plan = recommend_next_step(history, "medicare", TODAY, knowledge)
    assert plan.step is Step.NO_REPEAT
    assert plan.alternatives == (Step.REFERRAL_FOR_OTHER_TREATMENT, L)


def test_plan_reads_every_procedure(knowledge: Knowledge, build_history) -> None:
    history = build_history(LIDO_POS, BUPI_POS, "2026-01-12 T left bupivacaine 8 d4..d95=3")
    plan = recommend_next_step(history, "medicare", TODAY, knowledge)
    assert [(r.index, r.outcome) for r in plan.readings] == [
        (0, "positive"),
        (1, "positive"),
        (2, "responder at 2w, 6w, 3m"),
    ]
    assert plan.readings[2].performed_on == date(2026, 1, 12)


def test_plan_records_provenance(knowledge: Knowledge, build_history) -> None:
    plan = recommend_next_step(build_history(LIDO_POS), "evicore", TODAY, knowledge)
    assert plan.eligibility.payer == "evicore"
    assert plan.provenance.rules["next_steps.require_confirmatory_block"] is True
    assert plan.provenance.rules["diagnostic.positive_threshold_percent"] == 75
    assert plan.provenance.inputs["rule_versions"]["next_steps"] == plan.rule_version
    assert plan.provenance.inputs["payer"] == "evicore"


def test_unreadable_block_names_the_procedure(knowledge: Knowledge, build_history) -> None:
    with pytest.raises(InputError) as exc:
        recommend_next_step(
            build_history("2025-12-01 D left lidocaine 0 30m=0"), "medicare", TODAY, knowledge
        )
    assert exc.value.where == "procedures[0].baseline_pain"
