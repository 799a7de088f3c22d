"""Shared pieces of the screening spec: the plans, the procedure time, finding lookups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sijcare.domain.intake import Intake, ProcedurePlan
from sijcare.domain.procedure import Kind, Side
from sijcare.domain.screening import Finding, ScreeningResult

BuildIntake = Callable[..., Intake]
RunScreen = Callable[..., ScreeningResult]

# Two days after the US clocks went forward (2026-03-08): holds of days cross the change.
PROCEDURE_TIME = datetime.fromisoformat("2026-03-10T08:00:00-07:00")


def therapeutic(**changes: Any) -> ProcedurePlan:
    """Bupivacaine and triamcinolone, left side, fluoroscopy with contrast, no sedation."""
    fields: dict[str, Any] = {
        "kind": Kind.THERAPEUTIC,
        "side": Side.LEFT,
        "anesthetic_agent": "bupivacaine",
        "steroid_agent": "triamcinolone",
    }
    return ProcedurePlan(**{**fields, **changes})


def diagnostic(**changes: Any) -> ProcedurePlan:
    """Lidocaine only, right side, fluoroscopy with contrast, no sedation."""
    fields: dict[str, Any] = {
        "kind": Kind.DIAGNOSTIC,
        "side": Side.RIGHT,
        "anesthetic_agent": "lidocaine",
    }
    return ProcedurePlan(**{**fields, **changes})


def only(result: ScreeningResult, code_prefix: str) -> Finding:
    """The single finding whose code starts with `code_prefix`."""
    found = [f for f in result.findings if f.code.startswith(code_prefix)]
    assert len(found) == 1, [f.code for f in result.findings]
    return found[0]


def codes(result: ScreeningResult) -> list[str]:
    return [f.code for f in result.findings]


def local(text: str) -> datetime:
    """An expected time, written with its offset."""
    return datetime.fromisoformat(text)
