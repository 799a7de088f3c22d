"""The synthetic population's parameters, read from the knowledge rules `synth.*`.

Every number lives in `data/synth.toml` with its source (clinical-facts.md) or, where
the literature gives none, as a product default; a clinic configuration file may
override any of them like any rule. Shares of a mix or a table are normalised to add up
to 1. A range whose first value is above its second is an input error naming the rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge

FLOWS = ("therapeutic_only", "block_then_therapeutic", "comparative", "block_only")
SIDES = ("left", "right", "bilateral")


@dataclass(frozen=True)
class Span:
    """A range of values, both ends included: a value is drawn evenly from it."""

    low: float
    high: float


@dataclass(frozen=True)
class Choice:
    """One option of a weighted choice: a steroid's dose, an anesthetic's strength."""

    id: str
    weight: float
    dose_mg: float | None = None
    concentration_percent: float | None = None
    volume_ml: float | None = None


@dataclass(frozen=True)
class SynthParameters:
    sij_pain_share: float
    baseline_pain: tuple[int, int]
    flow_weights: tuple[float, ...]
    side_weights: tuple[float, ...]
    block_relief_mean: float
    block_relief_sd: float
    no_source_relief_mean: float
    placebo_response_share: float
    placebo_relief_hours: Span
    prolonged_response_share: float
    prolonged_response_factor: float
    anesthetic_fade_hours: float
    steroid_responder_share: float
    steroid_durable_share: float
    responder_relief: Span
    non_responder_relief: Span
    short_relief_weeks: Span
    steroid_onset_days: tuple[int, int]
    flare_share: float
    flare_hours: Span
    flare_points: tuple[int, int]
    steroid_fade_days: float
    missed_entry_share: float
    score_noise_sd: float
    entry_delay_minutes: Span
    blood_thinner_share: float
    diabetes_share: float
    insulin_share: float
    contrast_allergy_share: float
    site_soreness_share: float
    pain_flare_report_share: float
    flushing_share: float
    leg_numbness_share: float
    infection_share: float
    report_soreness_days: tuple[int, int]
    report_numbness_hours: Span
    report_infection_days: tuple[int, int]
    report_infection_temperature_c: Span
    period_days: int
    referral_to_procedure_days: tuple[int, int]
    comparative_gap_days: tuple[int, int]
    therapeutic_after_block_days: tuple[int, int]
    follow_up_share: float
    follow_up_after_days: tuple[int, int]
    physicians_per_clinic: int
    procedure_minutes: int
    anesthetics: tuple[Choice, ...]
    steroids: tuple[Choice, ...]
    blood_thinners: tuple[Choice, ...]
    # From the anesthetics table: typical relief [from, to] hours and action per agent id.
    typical_relief_hours: Mapping[str, Span]
    action: Mapping[str, str]

    def short_and_long(self) -> tuple[str, str]:
        """The anesthetics of a comparative pair: the most used short- and long-acting."""
        ranked = sorted(self.anesthetics, key=lambda c: -c.weight)
        short = next(c.id for c in ranked if self.action[c.id] == "short")
        long = next(c.id for c in ranked if self.action[c.id] == "long")
        return short, long


def parameters_from(knowledge: Knowledge) -> SynthParameters:
    """The `synth.*` rules and tables of `knowledge`, checked."""
    k = knowledge
    anesthetics = _choices(k, "synth_block_anesthetics")
    actions = {str(row["id"]): str(row["action"]) for row in k.table("anesthetics")}
    for choice in anesthetics:
        k.row("anesthetics", choice.id, where=f"synth_block_anesthetics.{choice.id}")
    if {actions[c.id] for c in anesthetics} != {"short", "long"}:
        raise InputError("synth_block_anesthetics", "needs a short- and a long-acting anesthetic")
    steroids = _choices(k, "synth_steroids")
    for choice in steroids:
        k.row("steroids", choice.id, where=f"synth_steroids.{choice.id}")
    return SynthParameters(
        sij_pain_share=_share(k, "synth.sij_pain_share"),
        baseline_pain=_whole_range(k, "synth.baseline_pain", 0, 10),
        flow_weights=_weights(k, "synth.pathway_mix", len(FLOWS)),
        side_weights=_weights(k, "synth.side_mix", len(SIDES)),
        block_relief_mean=k.number("synth.block_relief_mean"),
        block_relief_sd=k.number("synth.block_relief_sd"),
        no_source_relief_mean=k.number("synth.no_source_relief_mean"),
        placebo_response_share=_share(k, "synth.placebo_response_share"),
        placebo_relief_hours=_span(k, "synth.placebo_relief_hours"),
        prolonged_response_share=_share(k, "synth.prolonged_response_share"),
        prolonged_response_factor=k.number("synth.prolonged_response_factor"),
        anesthetic_fade_hours=k.number("synth.anesthetic_fade_hours"),
        steroid_responder_share=_share(k, "synth.steroid_responder_share"),
        steroid_durable_share=_share(k, "synth.steroid_durable_share"),
        responder_relief=_span(k, "synth.responder_relief"),
        non_responder_relief=_span(k, "synth.non_responder_relief"),
        short_relief_weeks=_span(k, "synth.short_relief_weeks"),
        steroid_onset_days=_whole_range(k, "synth.steroid_onset_days", 0, 60),
        flare_share=_share(k, "synth.flare_share"),
        flare_hours=_span(k, "synth.flare_hours"),
        flare_points=_whole_range(k, "synth.flare_points", 1, 10),
        steroid_fade_days=k.number("synth.steroid_fade_days"),
        missed_entry_share=_share(k, "synth.missed_entry_share"),
        score_noise_sd=k.number("synth.score_noise_sd"),
        entry_delay_minutes=_span(k, "synth.entry_delay_minutes"),
        blood_thinner_share=_share(k, "synth.blood_thinner_share"),
        diabetes_share=_share(k, "synth.diabetes_share"),
        insulin_share=_share(k, "synth.insulin_share"),
        contrast_allergy_share=_share(k, "synth.contrast_allergy_share"),
        site_soreness_share=_share(k, "synth.site_soreness_share"),
        pain_flare_report_share=_share(k, "synth.pain_flare_report_share"),
        flushing_share=_share(k, "synth.flushing_share"),
        leg_numbness_share=_share(k, "synth.leg_numbness_share"),
        infection_share=_share(k, "synth.infection_share"),
        report_soreness_days=_whole_range(k, "synth.report_soreness_days", 0, 60),
        report_numbness_hours=_span(k, "synth.report_numbness_hours"),
        report_infection_days=_whole_range(k, "synth.report_infection_days", 0, 60),
        report_infection_temperature_c=_span(k, "synth.report_infection_temperature_c"),
        period_days=k.integer("synth.period_days"),
        referral_to_procedure_days=_whole_range(k, "synth.referral_to_procedure_days", 0, 3650),
        comparative_gap_days=_whole_range(k, "synth.comparative_gap_days", 1, 365),
        therapeutic_after_block_days=_whole_range(k, "synth.therapeutic_after_block_days", 1, 365),
        follow_up_share=_share(k, "synth.follow_up_share"),
        follow_up_after_days=_whole_range(k, "synth.follow_up_after_days", 1, 365),
        physicians_per_clinic=k.integer("synth.physicians_per_clinic"),
        procedure_minutes=k.integer("synth.procedure_minutes"),
        anesthetics=anesthetics,
        steroids=steroids,
        blood_thinners=_choices(k, "synth_blood_thinners"),
        typical_relief_hours={
            str(row["id"]): Span(*map(float, row["typical_relief_hours"]))
            for row in k.table("anesthetics")
        },
        action=actions,
    )


def _share(k: Knowledge, key: str) -> float:
    value = k.number(key)
    if not 0 <= value <= 1:
        raise InputError(key, "must be a share from 0 to 1")
    return value


def _span(k: Knowledge, key: str) -> Span:
    values = k.numbers(key)
    if len(values) != 2 or values[0] > values[1] or values[0] < 0:
        raise InputError(key, "must be [lowest, highest] with lowest <= highest, not negative")
    return Span(values[0], values[1])


def _whole_range(k: Knowledge, key: str, lowest: int, highest: int) -> tuple[int, int]:
    span = _span(k, key)
    if span.low != int(span.low) or span.high != int(span.high):
        raise InputError(key, "must be whole numbers")
    if span.low < lowest or span.high > highest:
        raise InputError(key, f"must lie within {lowest}-{highest}")
    return int(span.low), int(span.high)


def _weights(k: Knowledge, key: str, count: int) -> tuple[float, ...]:
    values = k.numbers(key)
    return _normalised(values, key, count)


def _normalised(values: Sequence[float], where: str, count: int | None = None) -> tuple[float, ...]:
    if count is not None and len(values) != count:
        raise InputError(where, f"must have {count} shares")
    if any(v < 0 for v in values) or sum(values) <= 0:
        raise InputError(where, "shares must not be negative and must not all be 0")
    total = sum(values)
    return tuple(v / total for v in values)


def _choices(k: Knowledge, table: str) -> tuple[Choice, ...]:
    rows = k.table(table)
    weights = _normalised([float(row["share"]) for row in rows], table)
    return tuple(
        Choice(
            id=str(row["id"]),
            weight=weight,
            dose_mg=_optional(row, "dose_mg"),
            concentration_percent=_optional(row, "concentration_percent"),
            volume_ml=_optional(row, "volume_ml"),
        )
        for row, weight in zip(rows, weights, strict=True)
    )


def _optional(row: Mapping[str, object], key: str) -> float | None:
    value = row.get(key)
    return None if value is None else float(str(value))
