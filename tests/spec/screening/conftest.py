"""Builders for the screening spec: an intake that is ready unless a case changes it.

Every result screened here is checked for its patient sentences kept for translation
(ADR 0007): each finding's and each action's `words` read as its English.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from screening_helpers import PROCEDURE_TIME, BuildIntake, RunScreen, therapeutic

from factories.screening import calm_intake
from sijcare.domain.intake import Intake
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.screening import ScreeningResult, screen


@pytest.fixture
def build_intake() -> BuildIntake:
    """An intake with nothing of concern; keyword arguments replace its fields."""

    def build(**changes: Any) -> Intake:
        return calm_intake(changes.pop("procedure", therapeutic()), **changes)

    return build


@pytest.fixture
def run_screen(knowledge: Knowledge, build_intake: BuildIntake) -> RunScreen:
    """Screen an intake built from keyword arguments, at PROCEDURE_TIME unless `at=`,
    with the shipped knowledge unless `k=`."""

    def run(
        *, at: datetime = PROCEDURE_TIME, k: Knowledge | None = None, **changes: Any
    ) -> ScreeningResult:
        result = screen(build_intake(**changes), at, k or knowledge)
        check_words(result)
        return result

    return run


def check_words(result: ScreeningResult) -> None:
    """Each patient sentence of `result` is kept as `Words` that read as its English."""
    for finding in result.findings:
        assert finding.words is not None, finding.code
        assert str(finding.words) == finding.patient_message, finding.code
    for action in (*result.actions, *(a for f in result.findings for a in f.actions)):
        assert action.words is not None, action.code
        assert str(action.words) == action.what, action.code
