"""An intake with nothing of concern, for the screening's tests: a case changes what it
is about."""

from __future__ import annotations

from typing import Any

from sijcare.domain.intake import Diabetes, Intake, ProcedurePlan


def calm_intake(procedure: ProcedurePlan, **changes: Any) -> Intake:
    """An intake for `procedure` with nothing of concern; keyword arguments replace its
    fields."""
    fields: dict[str, Any] = {
        "procedure": procedure,
        "current_infection": False,
        "immunocompromised": False,
        "possibly_pregnant": False,
        "diabetes": Diabetes(has=False),
        "driver_arranged": True,
    }
    return Intake(**{**fields, **changes})
