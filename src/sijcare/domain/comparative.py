"""Comparative (dual) diagnostic blocks: one short- and one long-acting anesthetic.

Sources: Barnsley 1993 (a true positive needs longer relief with the long-acting agent);
the 2022 four-centre diary study (inpm-2022-diary) found the duration difference
unreliable, so every result carries that caveat.

Decisions:
- Both blocks are read with `interpret_diagnostic` and the same knowledge.
- They must be of the same joint (same side) and of different actions (one "short",
  one "long" in the `anesthetics` table), in either order.
- confirmed: both positive; not_confirmed: either negative; otherwise indeterminate
  (also when either block has no score in its window).
- Concordance (only when confirmed) compares how long after the injection relief at or
  above the threshold lasted, each known only as a bounded interval:
  concordant when the long-acting block's lower bound is at least the short-acting
  block's upper bound (it certainly lasted longer); discordant when the long-acting
  block's upper bound is at most the short-acting block's lower bound (it certainly did
  not); cannot_tell when the intervals overlap or the short-acting relief has no known
  end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sijcare.domain.diagnostic import (
    RULES,
    Classification,
    DiagnosticResult,
    interpret_diagnostic,
)
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.procedure import Procedure, Side
from sijcare.domain.relief import BoundedDuration, DiaryWarning, PainScore

RULE_VERSION = "comparative-blocks/1"

CAVEAT = (
    "A 2022 four-centre diary study found no reliable difference in how long lidocaine "
    "and bupivacaine relief lasted: weigh duration concordance with caution."
)
CAVEAT_SOURCE = "inpm-2022-diary"
CONCORDANCE_SOURCE = "barnsley-1993"

Block = tuple[Procedure, Sequence[PainScore]]


class ComparativeStatus(StrEnum):
    CONFIRMED = "confirmed"
    NOT_CONFIRMED = "not_confirmed"
    INDETERMINATE = "indeterminate"


class Concordance(StrEnum):
    CONCORDANT = "concordant"
    DISCORDANT = "discordant"
    CANNOT_TELL = "cannot_tell"


@dataclass(frozen=True)
class ComparativeResult:
    """Two diagnostic blocks of one joint read together."""

    status: ComparativeStatus
    concordance: Concordance | None
    side: Side
    short_acting: DiagnosticResult
    long_acting: DiagnosticResult
    short_acting_was_first: bool
    caveat: str
    caveat_source: str
    concordance_source: str
    warnings: tuple[DiaryWarning, ...]
    rationale: str
    rule_version: str
    provenance: Provenance


def compare_durations(long: BoundedDuration, short: BoundedDuration) -> Concordance:
    """Whether the long-acting relief certainly lasted longer, certainly not, or cannot tell."""
    if short.less_than is not None and long.at_least >= short.less_than:
        return Concordance.CONCORDANT
    if long.less_than is not None and long.less_than <= short.at_least:
        return Concordance.DISCORDANT
    return Concordance.CANNOT_TELL


def compare_blocks(first: Block, second: Block, knowledge: Knowledge) -> ComparativeResult:
    """Read a comparative pair of diagnostic blocks (see the module docstring).

    Raises `InputError` (located at `first.` or `second.`) when a block cannot be read,
    the sides differ, both agents have the same action, or both share one time.
    """
    one = _read("first", first, knowledge)
    two = _read("second", second, knowledge)
    if two.side is not one.side:
        raise InputError("second.side", f"must be the same joint as the first block ({one.side})")
    if two.performed_at == one.performed_at:
        raise InputError("second.performed_at", "is the same time as the first block")
    if one.anesthetic_action == two.anesthetic_action:
        raise InputError(
            "second.anesthetic.agent",
            f"both blocks used a {one.anesthetic_action}-acting anesthetic "
            f"({one.anesthetic}, {two.anesthetic}): a comparative pair needs one short- "
            "and one long-acting",
        )
    short, long = (one, two) if one.anesthetic_action == "short" else (two, one)
    status = _status(short.classification, long.classification)
    concordance = _concordance(status, short, long)
    return ComparativeResult(
        status=status,
        concordance=concordance,
        side=one.side,
        short_acting=short,
        long_acting=long,
        short_acting_was_first=short.performed_at < long.performed_at,
        caveat=CAVEAT,
        caveat_source=CAVEAT_SOURCE,
        concordance_source=CONCORDANCE_SOURCE,
        warnings=tuple(
            DiaryWarning(w.code, f"{label} block: {w.message}")
            for label, block in (("Short-acting", short), ("Long-acting", long))
            for w in block.warnings
        ),
        rationale=_rationale(status, concordance, short, long),
        rule_version=RULE_VERSION,
        provenance=knowledge.provenance(
            RULES,
            {
                "short_acting": short.provenance.inputs,
                "long_acting": long.provenance.inputs,
            },
        ),
    )


def _read(label: str, block: Block, knowledge: Knowledge) -> DiagnosticResult:
    procedure, scores = block
    try:
        return interpret_diagnostic(procedure, scores, knowledge)
    except InputError as exc:
        raise InputError(f"{label}.{exc.where}", exc.message) from None


def _status(short: Classification, long: Classification) -> ComparativeStatus:
    both = (short, long)
    if all(c is Classification.POSITIVE for c in both):
        return ComparativeStatus.CONFIRMED
    if Classification.NEGATIVE in both:
        return ComparativeStatus.NOT_CONFIRMED
    return ComparativeStatus.INDETERMINATE


def _concordance(
    status: ComparativeStatus, short: DiagnosticResult, long: DiagnosticResult
) -> Concordance | None:
    if status is not ComparativeStatus.CONFIRMED:
        return None
    # Both blocks are positive, so both have a relief duration.
    assert short.relief_duration is not None and long.relief_duration is not None
    return compare_durations(
        long.relief_duration.since_injection, short.relief_duration.since_injection
    )


def _rationale(
    status: ComparativeStatus,
    concordance: Concordance | None,
    short: DiagnosticResult,
    long: DiagnosticResult,
) -> str:
    blocks = (
        f"{short.anesthetic} block {short.classification}, {long.anesthetic} block "
        f"{long.classification}"
    )
    if status is ComparativeStatus.CONFIRMED:
        duration = {
            Concordance.CONCORDANT: "the long-acting relief lasted longer (concordant)",
            Concordance.DISCORDANT: "the long-acting relief did not last longer (discordant)",
            Concordance.CANNOT_TELL: "the diary cannot tell which relief lasted longer",
        }[concordance or Concordance.CANNOT_TELL]
        return f"Both blocks positive ({blocks}); {duration}."
    if status is ComparativeStatus.NOT_CONFIRMED:
        return f"At least one block negative ({blocks}): SI joint pain not confirmed."
    return f"Neither confirmed nor excluded ({blocks})."
