"""How relief after a synthetic injection unfolds, and the diary scores it becomes.

Pure functions of a seeded `random.Random` and the parameters (`synth.*` rules):
- The anesthetic gives its peak relief from the injection until its duration has
  passed, then pain returns over `anesthetic_fade_hours`. A joint that is the pain
  source gets relief around `block_relief_mean` lasting the agent's typical relief
  (anesthetics table), sometimes prolonged; another joint gets a placebo response (the
  same relief, a duration unrelated to the agent) or little relief.
- The steroid's relief builds up evenly to its level by the onset day, holds (a
  durable responder's to the end of the diary; others' for `short_relief_weeks`), then
  fades over `steroid_fade_days`. A flare puts the scores above baseline in its hours.
- A score is the baseline less the larger relief, plus noise, rounded, from 0 up to the
  baseline: only a flare takes a score above the baseline (the product reads any score
  above baseline in the flare hours as a flare, so noise must not fake one). Each
  prompt is skipped with `missed_entry_share`, else answered a little after it (never
  as late as halfway to the next prompt), and never after `now`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sijcare.synth.parameters import Span, SynthParameters

_HOUR = 3600.0


@dataclass(frozen=True)
class AnestheticResponse:
    """Peak relief as a fraction of baseline pain, held for `hours` after the injection."""

    peak: float
    hours: float


@dataclass(frozen=True)
class SteroidResponse:
    """Steady relief `level` reached on `onset_days`; held `lasts_weeks` (None: throughout)."""

    level: float
    onset_days: float
    lasts_weeks: float | None
    flare: Span | None  # hours after the injection with pain above baseline
    flare_points: int


def uniform(rng: random.Random, span: Span) -> float:
    return rng.uniform(span.low, span.high)


def fraction(value: float) -> float:
    return min(1.0, max(0.0, value))


def anesthetic_response(
    rng: random.Random, p: SynthParameters, agent: str, *, pain_source: bool
) -> AnestheticResponse:
    """The relief one anesthetic injection gives (see the module docstring)."""
    typical = p.typical_relief_hours[agent]
    if pain_source:
        peak = fraction(rng.gauss(p.block_relief_mean, p.block_relief_sd))
        hours = uniform(rng, typical)
        if rng.random() < p.prolonged_response_share:
            hours *= p.prolonged_response_factor
        return AnestheticResponse(peak, hours)
    if rng.random() < p.placebo_response_share:
        peak = fraction(rng.gauss(p.block_relief_mean, p.block_relief_sd))
        return AnestheticResponse(peak, uniform(rng, p.placebo_relief_hours))
    peak = fraction(rng.gauss(p.no_source_relief_mean, p.block_relief_sd))
    return AnestheticResponse(peak, uniform(rng, typical))


def steroid_response(rng: random.Random, p: SynthParameters) -> SteroidResponse:
    """The relief one steroid injection gives, and its flare if it has one."""
    onset = rng.uniform(*p.steroid_onset_days)
    if rng.random() < p.steroid_responder_share:
        level = uniform(rng, p.responder_relief)
        durable = rng.random() < p.steroid_durable_share
        lasts = None if durable else uniform(rng, p.short_relief_weeks)
    else:
        level = uniform(rng, p.non_responder_relief)
        lasts = uniform(rng, p.short_relief_weeks)
    flare = p.flare_hours if rng.random() < p.flare_share else None
    return SteroidResponse(level, onset, lasts, flare, rng.randint(*p.flare_points))


def relief_at(
    hours: float,
    anesthetic: AnestheticResponse,
    steroid: SteroidResponse | None,
    p: SynthParameters,
) -> float:
    """Relief (fraction of baseline pain) `hours` after the injection, flare aside."""
    if hours <= anesthetic.hours:
        numb = anesthetic.peak
    elif p.anesthetic_fade_hours > 0:
        numb = anesthetic.peak * fraction(1 - (hours - anesthetic.hours) / p.anesthetic_fade_hours)
    else:
        numb = 0.0
    return max(numb, 0.0 if steroid is None else _steroid_relief(hours / 24, steroid, p))


def _steroid_relief(days: float, steroid: SteroidResponse, p: SynthParameters) -> float:
    if days < steroid.onset_days:
        return steroid.level * days / steroid.onset_days
    if steroid.lasts_weeks is None or days <= steroid.lasts_weeks * 7:
        return steroid.level
    if p.steroid_fade_days <= 0:
        return 0.0
    faded = (days - steroid.lasts_weeks * 7) / p.steroid_fade_days
    return steroid.level * fraction(1 - faded)


def in_flare(hours: float, steroid: SteroidResponse | None) -> bool:
    return (
        steroid is not None
        and steroid.flare is not None
        and steroid.flare.low <= hours <= steroid.flare.high
    )


def score(
    rng: random.Random,
    hours: float,
    baseline: int,
    anesthetic: AnestheticResponse,
    steroid: SteroidResponse | None,
    p: SynthParameters,
) -> int:
    """One 0-10 score `hours` after the injection."""
    if in_flare(hours, steroid):
        assert steroid is not None
        return min(10, baseline + steroid.flare_points)
    pain = baseline * (1 - relief_at(hours, anesthetic, steroid, p))
    return min(baseline, max(0, round(pain + rng.gauss(0, p.score_noise_sd))))


def diary_scores(
    rng: random.Random,
    p: SynthParameters,
    *,
    performed_at: datetime,
    baseline: int,
    prompts: Sequence[datetime],
    anesthetic: AnestheticResponse,
    steroid: SteroidResponse | None,
    now: datetime,
) -> list[tuple[datetime, int]]:
    """The (time, score) entries a patient records for `prompts` (times in order), in UTC.

    Draws and computes exactly what `score` would for each answered prompt, with the
    loop's lookups hoisted (a diary has about 30 prompts and a run draws 100,000)."""
    # In UTC: arithmetic on two times of one zone is wall-clock arithmetic in Python.
    prompts = [due.astimezone(UTC) for due in prompts]
    performed_at = performed_at.astimezone(UTC)
    draw, gauss = rng.random, rng.gauss
    missed, noise = p.missed_entry_share, p.score_noise_sd
    delay_low, delay_width = p.entry_delay_minutes.low, p.entry_delay_minutes.high
    delay_width -= delay_low
    flare = None if steroid is None else steroid.flare
    flare_pain = 0 if steroid is None else min(10, baseline + steroid.flare_points)
    last = len(prompts) - 1
    out = []
    for i, due in enumerate(prompts):
        if draw() < missed:
            continue
        # As `uniform`: low + (high - low) * random().
        delay = timedelta(minutes=delay_low + delay_width * draw())
        if i < last:
            limit = (prompts[i + 1] - due) * 0.45
            if limit < delay:
                delay = limit
        at = (due + delay).replace(microsecond=0)
        if at <= performed_at or at > now:
            continue
        hours = (at - performed_at).total_seconds() / _HOUR
        if flare is not None and flare.low <= hours <= flare.high:
            out.append((at, flare_pain))
            continue
        pain = round(baseline * (1 - relief_at(hours, anesthetic, steroid, p)) + gauss(0, noise))
        out.append((at, baseline if pain > baseline else 0 if pain < 0 else pain))
    return out
