"""Diagnostic block: what the diary of an anesthetic-only block shows.

Rules (knowledge diary.toml and anesthetics.toml):
- relief % = (baseline - score) / baseline x 100;
- only scores with 0 < time since the injection <= the anesthetic's window count
  (lidocaine 4 h, bupivacaine and ropivacaine 8 h); the window's end is inside;
- positive: peak >= 75 % (clinic threshold); indeterminate: 50 % <= peak < threshold;
  negative: peak < 50 %; insufficient_data: no score in the window;
- warnings: fewer than 3 scores in the window, baseline below 4;
- relief at or above the threshold lasts, after the injection, at least until the last
  entry of the first unbroken qualifying run and less than until the next entry below.

Rows: anesthetic, baseline, scores as (minutes after the injection, pain), expected.
On a 0-10 integer scale no relief falls in 74-75 % or 49-50 % (no k/b with b <= 10
does), so those boundaries are checked on the classifier itself.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from sijcare import knowledge as loader
from sijcare.domain.diagnostic import Classification, classify_peak, interpret_diagnostic
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge

HOUR = 60

CLASSIFICATION = [
    pytest.param("lidocaine", 8, [(30, 2)], "positive", 75.0, id="exactly-75-positive"),
    pytest.param("lidocaine", 6, [(30, 0)], "positive", 100.0, id="complete-relief-positive"),
    pytest.param("lidocaine", 7, [(30, 2)], "indeterminate", 500 / 7, id="71.4-indeterminate"),
    pytest.param("lidocaine", 10, [(30, 5)], "indeterminate", 50.0, id="exactly-50-indeterminate"),
    pytest.param("lidocaine", 9, [(30, 5)], "negative", 400 / 9, id="44.4-negative"),
    pytest.param("lidocaine", 6, [(30, 7)], "negative", -100 / 6, id="worse-than-baseline"),
    pytest.param("lidocaine", 8, [], "insufficient_data", None, id="no-scores"),
    pytest.param("lidocaine", 8, [(0, 0)], "insufficient_data", None, id="at-injection-not-used"),
    pytest.param(
        "lidocaine", 8, [(4 * HOUR, 2)], "positive", 75.0, id="lidocaine-window-end-inside"
    ),
    pytest.param(
        "lidocaine", 8, [(4 * HOUR + 1, 2)], "insufficient_data", None, id="lidocaine-just-after"
    ),
    pytest.param(
        "bupivacaine", 8, [(8 * HOUR, 2)], "positive", 75.0, id="bupivacaine-window-end-inside"
    ),
    pytest.param(
        "bupivacaine", 8, [(8 * HOUR + 1, 2)], "insufficient_data", None, id="bupivacaine-after"
    ),
    pytest.param("Naropin", 8, [(6 * HOUR, 1)], "positive", 87.5, id="ropivacaine-brand-name"),
    pytest.param(
        "lidocaine", 8, [(15, 4), (30, 1), (60, 3), (5 * HOUR, 0)], "positive", 87.5, id="peak"
    ),
]


@pytest.mark.parametrize(("agent", "baseline", "rows", "expected", "peak"), CLASSIFICATION)
def test_classification(
    knowledge: Knowledge,
    build_procedure,
    scores_after,
    agent: str,
    baseline: int,
    rows: list[tuple[int, int]],
    expected: str,
    peak: float | None,
) -> None:
    procedure = build_procedure(agent=agent, baseline=baseline)
    result = interpret_diagnostic(procedure, scores_after(procedure, rows), knowledge)
    assert result.classification == expected
    assert result.peak_relief_percent == pytest.approx(peak)


CLASSIFIER = [
    pytest.param(75.0, 75, 50, Classification.POSITIVE, id="75-at-75"),
    pytest.param(74.99, 75, 50, Classification.INDETERMINATE, id="74.99-at-75"),
    pytest.param(50.0, 75, 50, Classification.INDETERMINATE, id="50-at-75"),
    pytest.param(49.99, 75, 50, Classification.NEGATIVE, id="49.99-at-75"),
    pytest.param(50.0, 50, 50, Classification.POSITIVE, id="50-at-50"),
    pytest.param(49.99, 50, 50, Classification.NEGATIVE, id="49.99-at-50"),
    pytest.param(77.78, 80, 50, Classification.INDETERMINATE, id="77.8-at-80-asipp"),
    pytest.param(80.0, 80, 50, Classification.POSITIVE, id="80-at-80-asipp"),
    pytest.param(99.9, 100, 50, Classification.INDETERMINATE, id="99.9-at-100-strict"),
    pytest.param(None, 75, 50, Classification.INSUFFICIENT_DATA, id="no-peak"),
]


@pytest.mark.parametrize(("peak", "threshold", "floor", "expected"), CLASSIFIER)
def test_classify_peak(
    peak: float | None, threshold: float, floor: float, expected: Classification
) -> None:
    assert classify_peak(peak, threshold_percent=threshold, floor_percent=floor) is expected


def test_threshold_50_leaves_nothing_indeterminate() -> None:
    for tenth in range(0, 1001):
        peak = tenth / 10
        assert (
            classify_peak(peak, threshold_percent=50, floor_percent=50)
            is not Classification.INDETERMINATE
        )


def test_clinic_threshold_is_used_and_recorded(
    knowledge: Knowledge, build_procedure, scores_after
) -> None:
    clinic = loader.apply_overrides(knowledge, {"diagnostic.positive_threshold_percent": 50})
    procedure = build_procedure(baseline=10)
    result = interpret_diagnostic(procedure, scores_after(procedure, [(30, 5)]), clinic)
    assert result.classification is Classification.POSITIVE
    assert result.threshold_percent == 50
    assert result.provenance.overrides == {"diagnostic.positive_threshold_percent": 50}
    assert result.provenance.rules["diagnostic.positive_threshold_percent"] == 50


WARNINGS = [
    pytest.param(8, [(15, 2), (30, 2)], {"few_scores_in_window"}, id="two-scores-warn"),
    pytest.param(8, [(15, 2), (30, 2), (60, 2)], set(), id="three-scores-no-warning"),
    pytest.param(3, [(15, 0), (30, 0), (60, 0)], {"low_baseline"}, id="baseline-3-warns"),
    pytest.param(4, [(15, 0), (30, 0), (60, 0)], set(), id="baseline-4-no-warning"),
    pytest.param(8, [], {"no_scores_in_window"}, id="no-scores-in-window"),
    pytest.param(
        8,
        [(0, 2), (15, 2), (30, 2), (60, 2)],
        {"scores_at_injection_time"},
        id="score-at-injection-moment",
    ),
]


@pytest.mark.parametrize(("baseline", "rows", "codes"), WARNINGS)
def test_warnings(
    knowledge: Knowledge,
    build_procedure,
    scores_after,
    baseline: int,
    rows: list[tuple[int, int]],
    codes: set[str],
) -> None:
    procedure = build_procedure(baseline=baseline)
    result = interpret_diagnostic(procedure, scores_after(procedure, rows), knowledge)
    assert {w.code for w in result.warnings} == codes


def test_result_names_scores_used_and_the_peak_time(
    knowledge: Knowledge, build_procedure, scores_after
) -> None:
    procedure = build_procedure()
    scores = scores_after(procedure, [(15, 4), (30, 1), (60, 1), (5 * HOUR, 0)])
    result = interpret_diagnostic(procedure, scores, knowledge)
    assert [p.recorded_at for p in result.scores_used] == [s.recorded_at for s in scores[:3]]
    assert [p.recorded_at for p in result.scores_after_window] == [scores[3].recorded_at]
    assert result.peak_at == scores[1].recorded_at  # the first time the peak was reached
    assert result.peak_elapsed == timedelta(minutes=30)
    assert result.window == timedelta(hours=4)


DURATION = [
    pytest.param(
        [(15, 2), (30, 1), (60, 2), (120, 4)], (60, 120), id="ended-before-next-entry-below"
    ),
    pytest.param([(15, 2), (30, 2)], (30, None), id="open-no-later-entry"),
    pytest.param([(15, 2), (30, 5), (60, 2)], (15, 30), id="first-run-only"),
    pytest.param([(15, 5), (30, 2), (45, 3)], (30, 45), id="run-starts-at-first-qualifying"),
    pytest.param(
        [(60, 2), (5 * HOUR, 2), (24 * HOUR, 8)], (5 * HOUR, 24 * HOUR), id="runs-past-window"
    ),
    pytest.param([(30, 4)], None, id="not-positive-no-duration"),
]


@pytest.mark.parametrize(("rows", "bounds"), DURATION)
def test_duration_at_or_above_threshold(
    knowledge: Knowledge,
    build_procedure,
    scores_after,
    rows: list[tuple[int, int]],
    bounds: tuple[int, int | None] | None,
) -> None:
    procedure = build_procedure(baseline=8)
    result = interpret_diagnostic(procedure, scores_after(procedure, rows), knowledge)
    if bounds is None:
        assert result.relief_duration is None
        return
    assert result.relief_duration is not None
    span = result.relief_duration.since_injection
    low, high = bounds
    assert span.at_least == timedelta(minutes=low)
    assert span.less_than == (None if high is None else timedelta(minutes=high))


def test_baseline_zero_is_an_input_error(knowledge: Knowledge, build_procedure) -> None:
    with pytest.raises(InputError) as exc:
        interpret_diagnostic(build_procedure(baseline=0), [], knowledge)
    assert exc.value.where == "baseline_pain"


def test_unknown_anesthetic_is_an_input_error(knowledge: Knowledge, build_procedure) -> None:
    with pytest.raises(InputError) as exc:
        interpret_diagnostic(build_procedure(agent="procaine"), [], knowledge)
    assert exc.value.where == "anesthetic.agent"


def test_therapeutic_procedure_is_refused(knowledge: Knowledge, build_procedure) -> None:
    with pytest.raises(InputError) as exc:
        interpret_diagnostic(build_procedure(kind="therapeutic"), [], knowledge)
    assert exc.value.where == "kind"


def test_entry_before_injection_is_refused(
    knowledge: Knowledge, build_procedure, scores_after
) -> None:
    procedure = build_procedure()
    with pytest.raises(InputError, match="before the injection"):
        interpret_diagnostic(procedure, scores_after(procedure, [(-1, 2)]), knowledge)


def test_two_entries_at_one_instant_are_refused(
    knowledge: Knowledge, build_procedure, scores_after
) -> None:
    procedure = build_procedure()
    with pytest.raises(InputError, match="same time"):
        interpret_diagnostic(procedure, scores_after(procedure, [(30, 2), (30, 3)]), knowledge)


def test_provenance_records_inputs_and_rule_version(
    knowledge: Knowledge, build_procedure, scores_after
) -> None:
    procedure = build_procedure()
    result = interpret_diagnostic(procedure, scores_after(procedure, [(30, 2)]), knowledge)
    assert result.rule_version == "diagnostic-block/1"
    assert result.provenance.knowledge_version == knowledge.version
    assert result.provenance.inputs["anesthetic"] == "lidocaine"
    assert result.provenance.inputs["window_hours"] == 4
    assert result.provenance.rules["diagnostic.positive_threshold_percent"] == 75
