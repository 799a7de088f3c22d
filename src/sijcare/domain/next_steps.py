"""The next step after SI joint blocks and injections, from their diaries.

Sources: Medicare LCD and eviCore CMM-203 (through the payer profile, see
`sijcare.domain.eligibility`), comparative blocks (Bogduk; Barnsley 1993), the
multisociety guideline 2025 (sacral lateral branch radiofrequency ablation). The clinic's
choice whether one positive block is enough is the rule
`next_steps.require_confirmatory_block`.

Decisions, on the latest procedure and the joint(s) it treated:
- The latest diary cannot be read (no score in a block's window; a therapeutic relief
  still holding but not yet as long as the payer needs): insufficient_data.
- Diagnostic phase (the blocks after the last therapeutic injection, same side):
  - two blocks, one short- and one long-acting: confirmed -> therapeutic_injection;
    not confirmed -> look_for_another_pain_source; indeterminate -> another block when
    the payer allows one, else look_for_another_pain_source. Two blocks with agents of
    the same action are read as two single blocks: both positive counts as confirmed,
    either negative as not confirmed.
  - one block: positive -> comparative_confirmatory_block when the clinic requires it
    and the payer allows another diagnostic session, else therapeutic_injection;
    indeterminate -> comparative_confirmatory_block when allowed, else
    look_for_another_pain_source; negative -> look_for_another_pain_source.
- After a therapeutic injection, with the payer's sustained-relief criterion:
  met -> repeat_injection (when the pain comes back, from the earliest date);
  unknown -> insufficient_data (keep the diary); unmet -> no_repeat when the patient was
  still a responder at 3 months (the payer's criterion, not the relief, is missing);
  referral_for_other_treatment when the relief was short (a responder at 2 or 6 weeks,
  or relief at the payer's level for a time) and a diagnostic block of that joint was
  positive; otherwise no_repeat (other treatment or another pain source to consider).
The payer's eligibility is attached; a step it does not allow yet says so and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sijcare.domain import comparative, diagnostic, therapeutic
from sijcare.domain.comparative import ComparativeStatus, compare_blocks
from sijcare.domain.contact import clinic_zone
from sijcare.domain.diagnostic import Classification, DiagnosticResult, interpret_diagnostic
from sijcare.domain.eligibility import (
    ELIGIBILITY_RULES,
    Eligibility,
    History,
    RecordedProcedure,
    assess_eligibility,
    located,
    payer_profile,
)
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.procedure import Kind, Side
from sijcare.domain.referral import Status
from sijcare.domain.therapeutic import TherapeuticResult, interpret_therapeutic

RULE_VERSION = "next-steps/1"

NEXT_STEP_RULES = ("next_steps.require_confirmatory_block", "next_steps.radiofrequency_option")


class Step(StrEnum):
    COMPARATIVE_CONFIRMATORY_BLOCK = "comparative_confirmatory_block"
    THERAPEUTIC_INJECTION = "therapeutic_injection"
    REPEAT_INJECTION = "repeat_injection"
    NO_REPEAT = "no_repeat"
    REFERRAL_FOR_OTHER_TREATMENT = "referral_for_other_treatment"
    LOOK_FOR_ANOTHER_PAIN_SOURCE = "look_for_another_pain_source"
    INSUFFICIENT_DATA = "insufficient_data"


@dataclass(frozen=True)
class Reason:
    """Why: a stable `code`, clinician text, and the source id when a rule or policy says so."""

    code: str
    text: str
    source: str | None = None


@dataclass(frozen=True)
class Reading:
    """How one procedure of the history reads (`procedures[index]`)."""

    index: int
    kind: Kind
    side: Side
    performed_on: date
    outcome: str
    rationale: str


@dataclass(frozen=True)
class NextStepPlan:
    """The recommended step, why, and what the payer allows.

    `payer_allows` is None for steps that are not an injection; `earliest_date` is the
    first day the step may be done under the payer (None: not allowed, or no injection).
    """

    step: Step
    side: Side
    reasons: tuple[Reason, ...]
    alternatives: tuple[Step, ...]
    payer_allows: bool | None
    earliest_date: date | None
    today: date
    readings: tuple[Reading, ...]
    eligibility: Eligibility
    rule_version: str
    provenance: Provenance = field(repr=False)


def recommend_next_step(
    history: History, payer: str, today: date, knowledge: Knowledge
) -> NextStepPlan:
    """The next step for the joint(s) of the latest procedure (see the module docstring).

    `today` is the day the plan is for (the core has no clock); no record may be after it.
    Diaries are read with the clinic's thresholds; coverage with the payer's.
    """
    side = history.procedures[-1].procedure.side
    eligibility = assess_eligibility(history, payer, today, knowledge, side=side)
    reader = _Reader(history, knowledge)
    readings = tuple(reader.reading(i) for i in range(len(history.procedures)))
    if history.procedures[-1].procedure.kind is Kind.DIAGNOSTIC:
        decision = _after_blocks(reader, eligibility, knowledge)
    else:
        decision = _after_injection(reader, eligibility, payer, knowledge)
    return NextStepPlan(
        step=decision.step,
        side=side,
        reasons=decision.reasons,
        alternatives=decision.alternatives,
        payer_allows=_payer_allows(decision.step, eligibility),
        earliest_date=_earliest(decision.step, eligibility),
        today=today,
        readings=readings,
        eligibility=eligibility,
        rule_version=RULE_VERSION,
        provenance=_provenance(eligibility, knowledge),
    )


@dataclass(frozen=True)
class _Decision:
    step: Step
    reasons: tuple[Reason, ...]
    alternatives: tuple[Step, ...] = ()


class _Reader:
    """Reads each procedure's diary once, naming errors `procedures[i].<field>`."""

    def __init__(self, history: History, knowledge: Knowledge) -> None:
        self.history = history
        self.knowledge = knowledge
        self._cache: dict[int, DiagnosticResult | TherapeuticResult] = {}

    def record(self, index: int) -> RecordedProcedure:
        return self.history.procedures[index]

    def read(self, index: int) -> DiagnosticResult | TherapeuticResult:
        if index not in self._cache:
            record = self.record(index)
            read = (
                interpret_diagnostic
                if record.procedure.kind is Kind.DIAGNOSTIC
                else interpret_therapeutic
            )
            try:
                self._cache[index] = read(record.procedure, record.diary, self.knowledge)
            except InputError as exc:
                raise located(index, exc) from None
        return self._cache[index]

    def block(self, index: int) -> DiagnosticResult:
        result = self.read(index)
        assert isinstance(result, DiagnosticResult)  # callers pass diagnostic indexes only
        return result

    def injection(self, index: int) -> TherapeuticResult:
        result = self.read(index)
        assert isinstance(result, TherapeuticResult)  # callers pass therapeutic indexes only
        return result

    def reading(self, index: int) -> Reading:
        procedure = self.record(index).procedure
        result = self.read(index)
        if isinstance(result, DiagnosticResult):
            outcome = result.classification.value
        else:
            outcome = _injection_outcome(result)
        return Reading(
            index=index,
            kind=procedure.kind,
            side=procedure.side,
            performed_on=procedure.performed_at.astimezone(clinic_zone(self.knowledge)).date(),
            outcome=outcome,
            rationale=result.rationale,
        )

    def current_blocks(self) -> list[int]:
        """Diagnostic blocks of the latest side after the last therapeutic injection."""
        procedures = self.history.procedures
        side = procedures[-1].procedure.side
        last_injection = max(
            (i for i, r in enumerate(procedures) if r.procedure.kind is Kind.THERAPEUTIC),
            default=-1,
        )
        return [
            i
            for i, r in enumerate(procedures)
            if i > last_injection
            and r.procedure.kind is Kind.DIAGNOSTIC
            and r.procedure.side is side
        ]

    def positive_block_for(self, side: Side) -> bool:
        """Whether any diagnostic block touching `side` was positive (clinic threshold)."""
        return any(
            self.block(i).classification is Classification.POSITIVE
            for i, r in enumerate(self.history.procedures)
            if r.procedure.kind is Kind.DIAGNOSTIC
            and (r.procedure.side is side or Side.BILATERAL in (r.procedure.side, side))
        )


def _injection_outcome(result: TherapeuticResult) -> str:
    known = {name: r for name, r in result.responders.items() if r is not None}
    if not known:
        return "not_yet_assessable"
    responded = [name for name, r in known.items() if r]
    return f"responder at {', '.join(responded)}" if responded else "non_responder"


# -- after diagnostic blocks --------------------------------------------------------------


def _after_blocks(reader: _Reader, eligibility: Eligibility, knowledge: Knowledge) -> _Decision:
    blocks = reader.current_blocks()
    latest = reader.block(blocks[-1])
    if latest.classification is Classification.INSUFFICIENT_DATA:
        return _Decision(
            Step.INSUFFICIENT_DATA,
            (
                Reason(
                    "block_diary_incomplete",
                    f"The latest block (procedures[{blocks[-1]}]) has no pain score in its "
                    f"{latest.anesthetic} window, so it cannot be read. {latest.rationale}",
                ),
            ),
        )
    # An earlier block that cannot be read is no evidence either way: only its session counts.
    readable = [
        i
        for i in blocks[:-1]
        if reader.block(i).classification is not Classification.INSUFFICIENT_DATA
    ]
    if readable:
        return _after_pair(reader, readable[-1], blocks[-1], eligibility)
    return _after_single(latest, eligibility, knowledge)


def _after_single(
    block: DiagnosticResult, eligibility: Eligibility, knowledge: Knowledge
) -> _Decision:
    seen = Reason(f"block_{block.classification.value}", block.rationale, "medicare-lcd-sij")
    another = eligibility.another_diagnostic_allowed
    if block.classification is Classification.NEGATIVE:
        return _look_elsewhere((seen,))
    if block.classification is Classification.INDETERMINATE:
        if another:
            why = Reason(
                "second_block_to_decide",
                "A second (comparative) block can settle an indeterminate result.",
                str(payer_profile(eligibility.payer, knowledge)["source"]),
            )
            return _Decision(
                Step.COMPARATIVE_CONFIRMATORY_BLOCK,
                (seen, why, _second_agent(block, knowledge)),
                (Step.LOOK_FOR_ANOTHER_PAIN_SOURCE,),
            )
        return _look_elsewhere((seen, _no_more_blocks(eligibility)))
    required = knowledge.flag("next_steps.require_confirmatory_block")
    if required and another:
        why = Reason(
            "confirmatory_block_required",
            "The clinic asks for a comparative block to confirm one positive block "
            "(single blocks have 25-41% false positives).",
            knowledge.rule("next_steps.require_confirmatory_block").source,
        )
        return _Decision(
            Step.COMPARATIVE_CONFIRMATORY_BLOCK,
            (seen, why, _second_agent(block, knowledge)),
            (Step.THERAPEUTIC_INJECTION,),
        )
    why = (
        Reason(
            "one_positive_block_enough",
            "The clinic does not require a second block after one positive block.",
            knowledge.rule("next_steps.require_confirmatory_block").source,
        )
        if not required
        else _no_more_blocks(eligibility)
    )
    return _Decision(Step.THERAPEUTIC_INJECTION, (seen, why))


def _after_pair(reader: _Reader, first: int, second: int, eligibility: Eligibility) -> _Decision:
    one, two = reader.block(first), reader.block(second)
    if one.anesthetic_action != two.anesthetic_action:
        a, b = reader.record(first), reader.record(second)
        result = compare_blocks((a.procedure, a.diary), (b.procedure, b.diary), reader.knowledge)
        status = result.status
        seen = [Reason(f"comparative_{status.value}", result.rationale, "medicare-lcd-sij")]
        if status is ComparativeStatus.CONFIRMED:
            seen.append(Reason("comparative_caveat", result.caveat, result.caveat_source))
    else:
        status = _same_action_status(one, two)
        seen = [
            Reason(
                f"two_blocks_{status.value}",
                f"Two blocks with {one.anesthetic_action}-acting anesthetics "
                f"({one.anesthetic}, {two.anesthetic}), read as single blocks: "
                f"{one.classification.value} and {two.classification.value}.",
            )
        ]
    if status is ComparativeStatus.CONFIRMED:
        return _Decision(Step.THERAPEUTIC_INJECTION, tuple(seen))
    if status is ComparativeStatus.NOT_CONFIRMED:
        return _look_elsewhere(tuple(seen))
    if eligibility.another_diagnostic_allowed:
        return _Decision(
            Step.COMPARATIVE_CONFIRMATORY_BLOCK,
            tuple(seen),
            (Step.LOOK_FOR_ANOTHER_PAIN_SOURCE,),
        )
    return _look_elsewhere((*seen, _no_more_blocks(eligibility)))


def _same_action_status(one: DiagnosticResult, two: DiagnosticResult) -> ComparativeStatus:
    both = (one.classification, two.classification)
    if all(c is Classification.POSITIVE for c in both):
        return ComparativeStatus.CONFIRMED
    if Classification.NEGATIVE in both:
        return ComparativeStatus.NOT_CONFIRMED
    return ComparativeStatus.INDETERMINATE


def _look_elsewhere(reasons: Sequence[Reason]) -> _Decision:
    why = Reason(
        "sij_not_shown",
        "The blocks do not show the SI joint as the pain source: look for another source "
        "(hip, lumbar facet or disc, nerve root).",
    )
    return _Decision(Step.LOOK_FOR_ANOTHER_PAIN_SOURCE, (*reasons, why))


def _no_more_blocks(eligibility: Eligibility) -> Reason:
    limit = next(c for c in eligibility.criteria if c.code == "diagnostic_session_limit")
    return Reason("diagnostic_limit_reached", limit.reason, limit.source)


def _second_agent(block: DiagnosticResult, knowledge: Knowledge) -> Reason:
    other = [
        str(row["id"])
        for row in knowledge.table("anesthetics")
        if row.get("action") != block.anesthetic_action
    ]
    action = "long" if block.anesthetic_action == "short" else "short"
    return Reason(
        "second_block_agent",
        f"The first block used {block.anesthetic} ({block.anesthetic_action}-acting): "
        f"use a {action}-acting anesthetic for the second ({' or '.join(other)}).",
        "comparative-blocks-bogduk",
    )


# -- after a therapeutic injection ---------------------------------------------------------


def _after_injection(
    reader: _Reader, eligibility: Eligibility, payer: str, knowledge: Knowledge
) -> _Decision:
    index = len(reader.history.procedures) - 1
    result = reader.injection(index)
    sustained = eligibility.sustained_relief
    assert sustained is not None  # the latest procedure is a therapeutic one of this side
    relief = Reason(
        f"sustained_relief_{sustained.status.value}",
        f"{eligibility.payer_title} needs {eligibility.sustained_relief_needed}. {sustained.reason}",
        str(payer_profile(payer, knowledge)["source"]),
    )
    seen = Reason("injection_diary", result.rationale)
    if sustained.status is Status.MET:
        when = Reason(
            "repeat_when_pain_returns",
            "Repeat when the pain comes back, not on a fixed schedule.",
        )
        return _Decision(Step.REPEAT_INJECTION, (relief, seen, when))
    if sustained.status is Status.UNKNOWN:
        keep = Reason(
            "keep_diary",
            f"Keep the diary through {sustained.needed_through.isoformat()} to show "
            "how long the relief lasts.",
        )
        return _Decision(Step.INSUFFICIENT_DATA, (relief, seen, keep))
    if result.responders.get("3m"):
        covered = Reason(
            "repeat_not_covered",
            "The injection helped at 3 months, but the diary does not meet this payer's "
            "repeat criterion: a repeat would not be covered.",
        )
        return _Decision(Step.NO_REPEAT, (relief, seen, covered))
    short = any(r for r in result.responders.values()) or sustained.span is not None
    if short and reader.positive_block_for(eligibility.side):
        return _Decision(
            Step.REFERRAL_FOR_OTHER_TREATMENT,
            (relief, seen, *_radiofrequency(payer, knowledge)),
            (Step.NO_REPEAT,),
        )
    other = Reason(
        "consider_other_treatment",
        "The injection did not give the relief needed for a repeat: consider other "
        "treatment, or another pain source.",
    )
    return _Decision(
        Step.NO_REPEAT,
        (relief, seen, other),
        (Step.REFERRAL_FOR_OTHER_TREATMENT, Step.LOOK_FOR_ANOTHER_PAIN_SOURCE),
    )


def _radiofrequency(payer: str, knowledge: Knowledge) -> tuple[Reason, ...]:
    option = knowledge.rule("next_steps.radiofrequency_option")
    profile = payer_profile(payer, knowledge)
    offer = Reason(
        "consider_radiofrequency",
        f"The blocks were positive but the steroid's relief was short: consider {option.value}.",
        option.source,
    )
    coverage = str(profile["radiofrequency_ablation_coverage"])
    if coverage == "not_covered":
        note = Reason(
            "radiofrequency_not_covered",
            f"{profile['title']} does not cover SI joint radiofrequency ablation.",
            "aapm-lcd-alert-2023",
        )
    else:
        note = Reason(
            "radiofrequency_coverage_not_stated",
            f"{profile['title']}: coverage of SI joint radiofrequency ablation is not "
            "stated in the summary; check with the payer.",
            str(profile["source"]),
        )
    return (offer, note)


# -- payer, dates, provenance ----------------------------------------------------------------


def _payer_allows(step: Step, eligibility: Eligibility) -> bool | None:
    if step is Step.COMPARATIVE_CONFIRMATORY_BLOCK:
        return eligibility.another_diagnostic_allowed
    if step in (Step.THERAPEUTIC_INJECTION, Step.REPEAT_INJECTION):
        return eligibility.therapeutic_allowed
    return None


def _earliest(step: Step, eligibility: Eligibility) -> date | None:
    if step is Step.COMPARATIVE_CONFIRMATORY_BLOCK:
        return eligibility.today if eligibility.another_diagnostic_allowed else None
    if step in (Step.THERAPEUTIC_INJECTION, Step.REPEAT_INJECTION):
        return eligibility.earliest_therapeutic
    return None


def _provenance(eligibility: Eligibility, knowledge: Knowledge) -> Provenance:
    keys = dict.fromkeys(
        (
            *NEXT_STEP_RULES,
            *ELIGIBILITY_RULES,
            *diagnostic.RULES,
            *therapeutic.RULES,
        )
    )
    inputs: dict[str, Any] = dict(eligibility.provenance.inputs)
    inputs["rule_versions"] = {
        "next_steps": RULE_VERSION,
        "diagnostic": diagnostic.RULE_VERSION,
        "comparative": comparative.RULE_VERSION,
        "therapeutic": therapeutic.RULE_VERSION,
    }
    return knowledge.provenance(tuple(keys), inputs)
