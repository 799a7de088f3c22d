"""Properties of synthetic diaries: in order, before `now`, on the scale, flares only in flares."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sijcare.domain.knowledge import Knowledge
from sijcare.synth.parameters import Span, SynthParameters, parameters_from
from sijcare.synth.trajectories import (
    AnestheticResponse,
    SteroidResponse,
    anesthetic_response,
    diary_scores,
    relief_at,
    score,
    steroid_response,
    uniform,
)

START = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)  # the US spring-forward weekend
PROMPTS = [START + timedelta(minutes=m) for m in (15, 30, 60, 120, 240, 24 * 60, 48 * 60)]


def params(knowledge: Knowledge) -> SynthParameters:
    return parameters_from(knowledge)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), baseline=st.integers(1, 10), cut=st.integers(0, 60 * 60))
def test_entries_are_in_order_before_now_and_never_above_baseline_without_flare(
    knowledge: Knowledge, seed: int, baseline: int, cut: int
) -> None:
    p = params(knowledge)
    rng = random.Random(seed)
    now = START + timedelta(minutes=cut)
    numb = anesthetic_response(rng, p, "lidocaine", pain_source=bool(seed % 2))
    entries = diary_scores(
        rng, p, performed_at=START, baseline=baseline, prompts=PROMPTS, anesthetic=numb,
        steroid=None, now=now,
    )  # fmt: skip
    times = [at for at, _ in entries]
    assert times == sorted(set(times))
    assert all(START < at <= now for at in times)
    assert all(0 <= pain <= baseline for _, pain in entries)


def test_a_flare_puts_its_scores_above_baseline(knowledge: Knowledge) -> None:
    p = replace(params(knowledge), missed_entry_share=0.0)
    steroid = SteroidResponse(0.6, 3.0, None, Span(6.0, 48.0), 2)
    numb = AnestheticResponse(0.9, 2.0)
    entries = diary_scores(
        random.Random(1), p, performed_at=START, baseline=6, prompts=PROMPTS,
        anesthetic=numb, steroid=steroid, now=START + timedelta(days=5),
    )  # fmt: skip
    hours = {(at - START) / timedelta(hours=1): pain for at, pain in entries}
    assert all(pain == 8 for h, pain in hours.items() if 6 <= h <= 48)
    assert all(pain <= 6 for h, pain in hours.items() if h < 6 or h > 48)


def test_relief_holds_through_the_anesthetic_then_fades(knowledge: Knowledge) -> None:
    p = params(knowledge)
    numb = AnestheticResponse(0.8, 2.0)
    assert relief_at(1.0, numb, None, p) == 0.8
    assert relief_at(2.0 + p.anesthetic_fade_hours, numb, None, p) == 0.0


def test_steroid_relief_builds_up_to_its_level_by_the_onset_day(knowledge: Knowledge) -> None:
    p = params(knowledge)
    steroid = SteroidResponse(0.6, 4.0, 6.0, None, 1)
    nothing = AnestheticResponse(0.0, 1.0)
    assert relief_at(2 * 24, nothing, steroid, p) == 0.3
    assert relief_at(20 * 24, nothing, steroid, p) == 0.6
    assert relief_at((6 * 7 + p.steroid_fade_days) * 24 + 1, nothing, steroid, p) == 0.0


def test_responder_share_is_drawn_as_given(knowledge: Knowledge) -> None:
    p = replace(params(knowledge), steroid_responder_share=1.0, steroid_durable_share=1.0)
    rng = random.Random(3)
    drawn = [steroid_response(rng, p) for _ in range(50)]
    assert all(s.lasts_weeks is None and s.level >= p.responder_relief.low for s in drawn)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), baseline=st.integers(1, 10), therapeutic=st.booleans())
def test_diary_scores_are_the_scores_of_the_model_drawn_in_order(
    knowledge: Knowledge, seed: int, baseline: int, therapeutic: bool
) -> None:
    # diary_scores hoists its loop's lookups: it must draw and score as `score` does.
    p = replace(params(knowledge), missed_entry_share=0.2)
    rng = random.Random(seed)
    numb = anesthetic_response(rng, p, "bupivacaine", pain_source=seed % 3 == 0)
    steroid = steroid_response(rng, p) if therapeutic else None
    now = START + timedelta(hours=30)
    drawn = random.Random(seed)
    got = diary_scores(
        drawn, p, performed_at=START, baseline=baseline, prompts=PROMPTS,
        anesthetic=numb, steroid=steroid, now=now,
    )  # fmt: skip
    rng, expected = random.Random(seed), []
    for i, due in enumerate(PROMPTS):
        if rng.random() < p.missed_entry_share:
            continue
        delay = timedelta(minutes=uniform(rng, p.entry_delay_minutes))
        if i + 1 < len(PROMPTS):
            delay = min(delay, (PROMPTS[i + 1] - due) * 0.45)
        at = (due + delay).replace(microsecond=0)
        if START < at <= now:
            hours = (at - START).total_seconds() / 3600
            expected.append((at, score(rng, hours, baseline, numb, steroid, p)))
    assert got == expected
    assert drawn.getstate() == rng.getstate()  # what is drawn next is the same too
