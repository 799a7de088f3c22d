"""INTAKE.json round-trips, and a recorded clinician decision survives storage."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from sijcare.domain.intake import ClinicianDecision, HoldDecision, with_decision
from sijcare.domain.knowledge import Knowledge
from sijcare.formats.intake import intake_from_dict, intake_to_dict

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("intake-*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_round_trip(knowledge: Knowledge, path: Path) -> None:
    intake = intake_from_dict(json.loads(path.read_text(encoding="utf-8")), knowledge)
    stored = json.loads(json.dumps(intake_to_dict(intake)))
    assert intake_from_dict(stored, knowledge) == intake


def test_a_decision_added_is_stored_and_read_back(knowledge: Knowledge) -> None:
    doc = json.loads((EXAMPLES[0].parent / "intake-blood-thinner.json").read_text(encoding="utf-8"))
    intake = intake_from_dict(doc, knowledge)
    decision = ClinicianDecision(
        "Eliquis 5 mg", HoldDecision.HOLD, True, "Dr. Rivera",
        datetime.fromisoformat("2026-03-02T10:00:00-08:00"),
    )  # fmt: skip
    updated = with_decision(intake, decision)
    again = intake_from_dict(json.loads(json.dumps(intake_to_dict(updated))), knowledge)
    assert again.clinician_decisions == (decision,)
    assert intake.clinician_decisions == ()


def test_plan_scheduled_is_a_planned_procedure(knowledge: Knowledge) -> None:
    doc = json.loads((EXAMPLES[0].parent / "intake-sedation-diabetes.json").read_text("utf-8"))
    plan = intake_from_dict(doc, knowledge).procedure
    at = datetime.fromisoformat("2026-03-10T08:00:00-07:00")
    planned = plan.scheduled(at)
    assert (planned.scheduled_at, planned.steroid_agent, planned.sedation.value) == (
        at,
        "triamcinolone",
        "moderate",
    )
