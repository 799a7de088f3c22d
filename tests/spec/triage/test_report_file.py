"""REPORT.json: units the patient may use, and how they meet the thresholds.

Rules: °F converts to °C (rounded to 0.01 °C), so 100.4 °F is the 38.0 °C fever
threshold; mmol/L converts to mg/dL (x 18.016), so 16.7 mmol/L is just above 300 mg/dL
(300.9) and calls, 16.6 mmol/L (299.1) does not. A leg symptom is false, true or an
object with `since` and `started_after_it_had_gone`.
"""

from __future__ import annotations

from typing import Any

import pytest

from sijcare.domain.knowledge import Knowledge
from sijcare.domain.triage import triage
from sijcare.formats.report import report_from_dict, report_to_dict

PROCEDURE = {
    "performed_at": "2026-03-02T09:00:00-08:00",
    "kind": "therapeutic",
    "side": "left",
    "anesthetic": {"agent": "bupivacaine", "concentration_percent": 0.25, "volume_ml": 2},
    "steroid": {"agent": "triamcinolone", "dose_mg": 40},
    "baseline_pain": 6,
}


def report(
    symptoms: dict[str, Any], reported_at: str = "2026-03-02T21:00:00-08:00"
) -> dict[str, Any]:
    return {"procedure": PROCEDURE, "reported_at": reported_at, "symptoms": symptoms}


UNITS = [
    pytest.param({"temperature_f": 100.4}, 38.0, None, "call_now", id="100.4F-is-38.0C-fever"),
    pytest.param({"temperature_f": 100.3}, 37.94, None, "expected", id="100.3F-no-fever"),
    pytest.param({"temperature_c": 38.0}, 38.0, None, "call_now", id="38.0C"),
    pytest.param({"blood_sugar_mmol_l": 16.7}, None, 300.9, "call_now", id="16.7-mmol-calls"),
    pytest.param({"blood_sugar_mmol_l": 16.6}, None, 299.1, "expected", id="16.6-mmol"),
    pytest.param({"blood_sugar_mg_dl": 301}, None, 301, "call_now", id="301-mg-dl"),
]


@pytest.mark.parametrize(("symptoms", "celsius", "mg_dl", "disposition"), UNITS)
def test_units_are_converted(
    knowledge: Knowledge,
    symptoms: dict[str, Any],
    celsius: float | None,
    mg_dl: float | None,
    disposition: str,
) -> None:
    procedure, parsed = report_from_dict(report(symptoms), knowledge)
    assert parsed.temperature_c == celsius
    assert parsed.blood_sugar_mg_dl == mg_dl
    assert triage(procedure, parsed, knowledge).disposition == disposition


@pytest.mark.parametrize(
    ("value", "present", "again"),
    [
        pytest.param(False, False, False, id="false"),
        pytest.param(None, False, False, id="null"),
        pytest.param(True, True, False, id="true"),
        pytest.param({"started_after_it_had_gone": True}, True, True, id="came-back"),
        pytest.param({"since": "2026-03-02T10:00:00-08:00"}, True, False, id="since"),
    ],
)
def test_leg_symptom_forms(knowledge: Knowledge, value: Any, present: bool, again: bool) -> None:
    _, parsed = report_from_dict(report({"leg_weakness": value}), knowledge)
    assert (parsed.leg_weakness is not None) is present
    if parsed.leg_weakness is not None:
        assert parsed.leg_weakness.started_after_it_had_gone is again


def test_report_round_trips(knowledge: Knowledge) -> None:
    symptoms = {
        "pain": 7,
        "pain_controlled_by_usual_medicines": True,
        "leg_numbness": {"since": "2026-03-02T10:00:00-08:00", "started_after_it_had_gone": False},
        "temperature_c": 37.2,
        "blood_sugar_mg_dl": 180,
        "site_redness": True,
        "note": "A bit sore.",
    }
    procedure, parsed = report_from_dict(report(symptoms), knowledge)
    again = report_from_dict(report_to_dict(PROCEDURE, parsed), knowledge)
    assert again == (procedure, parsed)
