"""Symptom triage after the injection: one row per rule and boundary.

Rules (clinical-defaults.md "After the procedure"; knowledge triage.toml, diary.toml,
screening.toml, anesthetics.toml):
- emergency: trouble breathing; face, lips or throat swelling; new bladder or bowel
  change; saddle numbness; weakness in both legs; fever with new severe back pain and a
  leg weakness or numbness;
- call_now: fever >= 38.0 °C; redness, swelling, warmth or oozing at the site; leg
  weakness or numbness past the anesthetic window (lidocaine 4 h, bupivacaine 8 h, the
  end included in the window) or new after it had gone; pain >= 9 or not controlled by
  the usual medicines; blood sugar above 300 mg/dL or below 70; a headache worse
  standing up; new severe back pain;
- call_soon: hives alone; pain above baseline outside the flare window (6-72 h,
  both ends included) when not severe; flushing after 2 days or with no steroid;
  soreness after 3 days; blood sugar after the steroid's expected rise (through day 2);
- expected: everything else that was reported, or nothing at all.

Rows: injection (conftest INJECTIONS, baseline pain 6), hours after the injection,
symptoms, expected disposition, expected reason code (one of the reasons).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sijcare import knowledge as loader
from sijcare.domain.errors import InputError
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.symptoms import LegSymptom
from sijcare.domain.triage import Disposition, triage

LA = ZoneInfo("America/Los_Angeles")
LEG = LegSymptom()
AGAIN = LegSymptom(started_after_it_had_gone=True)
MINUTE = 1 / 60

E, NOW, SOON, OK = "emergency", "call_now", "call_soon", "expected"

RULES = [
    # emergency
    pytest.param("lido-dx", 2, {"trouble_breathing": True}, E, "trouble_breathing", id="breathing"),
    pytest.param("lido-dx", 2, {"face_or_throat_swelling": True}, E, "face_or_throat_swelling", id="swelling"),
    pytest.param("lido-dx", 30, {"new_bladder_or_bowel_change": True}, E, "new_bladder_or_bowel_change", id="bladder-bowel"),
    pytest.param("lido-dx", 30, {"saddle_numbness": True}, E, "saddle_numbness", id="saddle"),
    pytest.param("lido-dx", 1, {"weakness_both_legs": True}, E, "weakness_both_legs", id="both-legs-even-in-window"),
    pytest.param("bupi-tx", 60, {"temperature_c": 38.0, "new_severe_back_pain": True, "leg_numbness": LEG}, E, "fever_back_pain_and_leg_signs", id="fever-back-pain-numb-leg"),
    pytest.param("lido-dx", 2, {"temperature_c": 38.0, "new_severe_back_pain": True, "leg_weakness": LEG}, E, "fever_back_pain_and_leg_signs", id="fever-back-pain-weak-leg-in-window"),
    pytest.param("bupi-tx", 60, {"temperature_c": 38.0, "new_severe_back_pain": True}, NOW, "fever", id="fever-back-pain-no-leg-sign"),
    pytest.param("bupi-tx", 60, {"temperature_c": 37.9, "new_severe_back_pain": True, "leg_numbness": LEG}, NOW, "new_severe_back_pain", id="no-fever-back-pain-numb-leg"),
    # call now: fever
    pytest.param("bupi-tx", 30, {"temperature_c": 38.0}, NOW, "fever", id="38.0-fever"),
    pytest.param("bupi-tx", 30, {"temperature_c": 37.9}, OK, "no_warning_signs", id="37.9-no-fever"),
    # call now: the injection site
    pytest.param("bupi-tx", 48, {"site_redness": True}, NOW, "site_infection_signs", id="redness"),
    pytest.param("bupi-tx", 48, {"site_swelling": True}, NOW, "site_infection_signs", id="site-swelling"),
    pytest.param("bupi-tx", 48, {"site_warmth": True}, NOW, "site_infection_signs", id="warmth"),
    pytest.param("bupi-tx", 48, {"site_oozing": True}, NOW, "site_infection_signs", id="oozing"),
    # the anesthetic window: lidocaine 4 h, bupivacaine 8 h, the end included
    pytest.param("lido-dx", 4, {"leg_weakness": LEG}, OK, "leg_weakness_in_window", id="lidocaine-weakness-at-4h"),
    pytest.param("lido-dx", 4 + MINUTE, {"leg_weakness": LEG}, NOW, "leg_weakness_past_window", id="lidocaine-weakness-4h01"),
    pytest.param("lido-dx", 5, {"leg_numbness": LEG}, NOW, "leg_numbness_past_window", id="lidocaine-numbness-at-5h"),
    pytest.param("bupi-dx", 5, {"leg_numbness": LEG}, OK, "leg_numbness_in_window", id="bupivacaine-numbness-at-5h"),
    pytest.param("bupi-tx", 8, {"leg_weakness": LEG}, OK, "leg_weakness_in_window", id="bupivacaine-weakness-at-8h"),
    pytest.param("bupi-tx", 8 + MINUTE, {"leg_weakness": LEG}, NOW, "leg_weakness_past_window", id="bupivacaine-weakness-8h01"),
    pytest.param("lido-dx", 2, {"leg_weakness": AGAIN}, NOW, "leg_weakness_new", id="weakness-back-after-gone"),
    pytest.param("bupi-dx", 3, {"leg_numbness": AGAIN}, NOW, "leg_numbness_new", id="numbness-back-after-gone"),
    # call now: pain
    pytest.param("bupi-tx", 24, {"pain": 9}, NOW, "severe_pain", id="nrs-9-severe"),
    pytest.param("bupi-tx", 24, {"pain": 8}, OK, "pain_flare", id="nrs-8-flare-not-severe"),
    pytest.param("bupi-tx", 100, {"pain": 10}, NOW, "severe_pain", id="nrs-10-severe"),
    pytest.param("bupi-tx", 24, {"pain": 5, "pain_controlled_by_usual_medicines": False}, NOW, "pain_not_controlled", id="not-controlled"),
    pytest.param("bupi-tx", 24, {"pain_controlled_by_usual_medicines": False}, NOW, "pain_not_controlled", id="not-controlled-no-score"),
    pytest.param("bupi-tx", 24, {"pain": 8, "pain_controlled_by_usual_medicines": True}, OK, "pain_flare", id="controlled-flare"),
    # call now: other signs
    pytest.param("bupi-tx", 30, {"headache_worse_standing": True}, NOW, "headache_worse_standing", id="headache-standing"),
    pytest.param("bupi-tx", 30, {"new_severe_back_pain": True}, NOW, "new_severe_back_pain", id="new-severe-back-pain"),
    # blood sugar: above 300 (strictly) calls; below 70 calls; else expected after a steroid
    pytest.param("bupi-tx", 12, {"blood_sugar_mg_dl": 301}, NOW, "blood_sugar_above_threshold", id="sugar-301"),
    pytest.param("bupi-tx", 12, {"blood_sugar_mg_dl": 300}, OK, "blood_sugar_rise_expected", id="sugar-300"),
    pytest.param("lido-dx", 12, {"blood_sugar_mg_dl": 301}, NOW, "blood_sugar_above_threshold", id="sugar-301-no-steroid"),
    pytest.param("bupi-tx", 12, {"blood_sugar_mg_dl": 69}, NOW, "blood_sugar_low", id="sugar-69-low"),
    pytest.param("bupi-tx", 12, {"blood_sugar_mg_dl": 70}, OK, "blood_sugar_rise_expected", id="sugar-70"),
    pytest.param("lido-dx", 12, {"blood_sugar_mg_dl": 250}, OK, "no_warning_signs", id="sugar-250-no-steroid"),
    # call soon
    pytest.param("lido-dx", 2, {"hives": True}, SOON, "hives", id="hives-alone"),
    pytest.param("bupi-tx", 5, {"pain": 7}, SOON, "pain_above_baseline", id="above-baseline-5h"),
    pytest.param("bupi-tx", 6, {"pain": 7}, OK, "pain_flare", id="above-baseline-6h-flare"),
    pytest.param("bupi-tx", 7, {"pain": 7}, OK, "pain_flare", id="above-baseline-7h-flare"),
    pytest.param("bupi-tx", 72, {"pain": 8}, OK, "pain_flare", id="above-baseline-72h-flare"),
    pytest.param("bupi-tx", 72 + MINUTE, {"pain": 8}, SOON, "pain_above_baseline", id="above-baseline-72h01"),
    pytest.param("bupi-tx", 48, {"facial_flushing": True}, OK, "facial_flushing", id="flushing-48h"),
    pytest.param("bupi-tx", 48 + MINUTE, {"facial_flushing": True}, SOON, "flushing_lasting", id="flushing-48h01"),
    pytest.param("lido-dx", 5, {"facial_flushing": True}, SOON, "flushing_without_steroid", id="flushing-no-steroid"),
    pytest.param("bupi-tx", 72, {"soreness_at_site": True}, OK, "site_soreness", id="soreness-72h"),
    pytest.param("bupi-tx", 72 + MINUTE, {"soreness_at_site": True}, SOON, "site_soreness_lasting", id="soreness-72h01"),
    # expected
    pytest.param("lido-dx", 3, {"pain": 6}, OK, "pain_not_above_baseline", id="pain-back-to-baseline"),
    pytest.param("lido-dx", 1, {"pain": 1}, OK, "pain_not_above_baseline", id="pain-relieved"),
    pytest.param("lido-dx", 1, {}, OK, "no_warning_signs", id="nothing-reported"),
]  # fmt: skip


@pytest.mark.parametrize(("injection", "hours", "symptoms", "disposition", "code"), RULES)
def test_rule(
    build_procedure: Any,
    build_report: Any,
    knowledge: Knowledge,
    injection: str,
    hours: float,
    symptoms: dict[str, Any],
    disposition: str,
    code: str,
) -> None:
    result = triage(build_procedure(injection), build_report(hours, **symptoms), knowledge)
    assert result.disposition == disposition
    assert code in [r.code for r in result.reasons]
    assert result.reasons[0].disposition == disposition  # the most urgent reason comes first


def test_hives_with_breathing_trouble_is_an_emergency_not_a_call_today(
    build_procedure: Any, build_report: Any, knowledge: Knowledge
) -> None:
    report = build_report(1, hives=True, trouble_breathing=True)
    result = triage(build_procedure(), report, knowledge)
    assert result.disposition is Disposition.EMERGENCY
    assert "hives" not in [r.code for r in result.reasons]


def test_glucose_rise_is_expected_through_day_2_by_local_date(
    build_procedure: Any, build_report: Any, knowledge: Knowledge
) -> None:
    """Injection Monday 09:00; day 2 ends Wednesday 23:59 local, 62.98 h later."""
    procedure = build_procedure("bupi-tx")
    late_day_2 = build_report(62.9, blood_sugar_mg_dl=250)
    day_3 = build_report(63.1, blood_sugar_mg_dl=250)
    assert triage(procedure, late_day_2, knowledge).reasons[0].code == "blood_sugar_rise_expected"
    late = triage(procedure, day_3, knowledge)
    assert late.disposition is Disposition.CALL_SOON
    assert late.reasons[0].code == "blood_sugar_after_expected_rise"


def test_leg_numbness_that_began_after_the_window_is_new(
    build_procedure: Any, build_report: Any, knowledge: Knowledge
) -> None:
    procedure = build_procedure("lido-dx")
    since = build_report(5).reported_at
    result = triage(procedure, build_report(6, leg_numbness=LegSymptom(since=since)), knowledge)
    assert [r.code for r in result.reasons] == ["leg_numbness_new"]


def test_window_is_measured_in_real_time_across_the_spring_clock_change(
    build_procedure: Any, build_report: Any, knowledge: Knowledge
) -> None:
    """00:30 PST to 05:00 PDT on 2026-03-08 is 3.5 h, not the 4.5 h the wall clock shows."""
    procedure = replace(
        build_procedure("lido-dx"), performed_at=datetime(2026, 3, 8, 0, 30, tzinfo=LA)
    )
    report = build_report(at=datetime(2026, 3, 8, 5, 0, tzinfo=LA), leg_weakness=LEG)
    result = triage(procedure, report, knowledge)
    assert result.reasons[0].code == "leg_weakness_in_window"
    assert result.elapsed.total_seconds() == 3.5 * 3600


def test_a_clinic_threshold_changes_the_result_and_is_recorded(
    build_procedure: Any, build_report: Any, knowledge: Knowledge
) -> None:
    clinic = loader.apply_overrides(knowledge, {"triage.fever_c": 38.3})
    report = build_report(30, temperature_c=38.0)
    result = triage(build_procedure("bupi-tx"), report, clinic)
    assert result.disposition is Disposition.EXPECTED
    assert result.provenance.overrides == {"triage.fever_c": 38.3}
    assert result.provenance.rules["triage.fever_c"] == 38.3


def test_provenance_names_the_rules_and_inputs_used(
    build_procedure: Any, build_report: Any, knowledge: Knowledge
) -> None:
    report = build_report(12, pain=7, blood_sugar_mg_dl=180, note="private words")
    result = triage(build_procedure("bupi-tx"), report, knowledge)
    rules = result.provenance.rules
    assert rules["therapeutic.flare_from_hours"] == 6
    assert rules["diabetes.glucose_call_threshold_mg_dl"] == 300
    assert rules["clinic.help_line_opens"] == "06:00"
    inputs = result.provenance.inputs
    assert inputs["symptoms.pain"] == 7
    assert inputs["anesthetic_window_hours"] == 8
    assert "symptoms.note" not in inputs  # free text does not decide anything


def test_every_reason_has_a_known_source(
    build_procedure: Any, build_report: Any, knowledge: Knowledge
) -> None:
    report = build_report(
        80,
        trouble_breathing=True,
        temperature_c=38.5,
        site_oozing=True,
        pain=7,
        blood_sugar_mg_dl=320,
        soreness_at_site=True,
        facial_flushing=True,
        leg_numbness=LEG,
    )
    result = triage(build_procedure("bupi-tx"), report, knowledge)
    assert len(result.reasons) >= 7
    assert all(r.source in knowledge.sources for r in result.reasons)
    assert all(r.rationale and r.message for r in result.reasons)


@pytest.mark.parametrize(
    ("symptoms", "hours", "where"),
    [
        pytest.param({}, -MINUTE, "reported_at", id="report-before-injection"),
        pytest.param({"temperature_c": 100.4}, 2, "temperature_c", id="fahrenheit-in-celsius"),
        pytest.param({"temperature_c": 29.9}, 2, "temperature_c", id="too-cold"),
        pytest.param({"blood_sugar_mg_dl": 9}, 2, "blood_sugar_mg_dl", id="sugar-too-low"),
        pytest.param({"blood_sugar_mg_dl": 1501}, 2, "blood_sugar_mg_dl", id="sugar-too-high"),
    ],
)
def test_report_that_cannot_be_assessed(
    build_procedure: Any,
    build_report: Any,
    knowledge: Knowledge,
    symptoms: dict[str, Any],
    hours: float,
    where: str,
) -> None:
    with pytest.raises(InputError) as exc:
        triage(build_procedure("lido-dx"), build_report(hours, **symptoms), knowledge)
    assert exc.value.where == where


@pytest.mark.parametrize(
    ("symptoms", "where"),
    [
        pytest.param({"pain": 11}, "pain", id="pain-11"),
        pytest.param({"pain": True}, "pain", id="pain-bool"),
        pytest.param(
            {"leg_weakness": LegSymptom(since=datetime(2026, 3, 3, tzinfo=UTC))},
            "leg_weakness.since",
            id="since-after-report",
        ),
    ],
)
def test_symptom_report_refuses_bad_values(
    build_report: Any, symptoms: dict[str, Any], where: str
) -> None:
    with pytest.raises(InputError) as exc:
        build_report(2, **symptoms)
    assert exc.value.where == where


def test_naive_times_are_refused(build_report: Any) -> None:
    with pytest.raises(InputError, match="reported_at"):
        build_report(at=datetime(2026, 3, 2, 12, 0))
    with pytest.raises(InputError, match="since"):
        LegSymptom(since=datetime(2026, 3, 2, 12, 0))


@pytest.mark.parametrize(
    ("local", "symptoms", "contact", "step"),
    [
        pytest.param("2026-03-02T20:59:00-08:00", {"site_redness": True}, "help_line", "open now", id="call-now-20:59"),
        pytest.param("2026-03-02T21:01:00-08:00", {"site_redness": True}, "after_hours", "doctor on call", id="call-now-21:01"),
        pytest.param("2026-03-03T05:59:00-08:00", {"hives": True}, "after_hours", "when it opens", id="call-soon-05:59"),
        pytest.param("2026-03-03T06:00:00-08:00", {"hives": True}, "help_line", "today", id="call-soon-06:00"),
        pytest.param("2026-03-02T14:00:00-08:00", {"saddle_numbness": True}, "emergency", "Call 911 now", id="emergency-14:00"),
    ],
)  # fmt: skip
def test_contact_follows_the_disposition_and_the_hour(
    build_procedure: Any,
    build_report: Any,
    knowledge: Knowledge,
    local: str,
    symptoms: dict[str, Any],
    contact: str,
    step: str,
) -> None:
    report = build_report(at=datetime.fromisoformat(local), **symptoms)
    result = triage(build_procedure("lido-dx"), report, knowledge)
    assert result.contact.kind == contact
    assert step in result.what_to_do[0]
    assert result.contact.local_time == datetime.fromisoformat(local)


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        # Lidocaine's window ends at 1:00 pm on the injection day (Monday).
        pytest.param(3, "should wear off by about 1:00 pm.", id="same-day-clock-alone"),
        pytest.param(5, "lasted past 1:00 pm,", id="later-that-day"),
        pytest.param(24, "lasted past 1:00 pm on Monday, March 2,", id="next-day-names-the-day"),
    ],
)
def test_the_end_of_the_numbing_window_names_its_day_when_read_another_day(
    build_procedure: Any, build_report: Any, knowledge: Knowledge, hours: float, words: str
) -> None:
    result = triage(build_procedure("lido-dx"), build_report(hours, leg_numbness=LEG), knowledge)
    assert words in result.reasons[0].message
