"""GLP-1 receptor agonists before a procedure with sedation (ASA 2023 consensus,
commonly cited: not confirmed from the primary document).

They slow stomach emptying, which matters under sedation (aspiration). With sedation
at or above the fasting level, each is flagged for clinician review: the guidance holds
a weekly agent `glp1.weekly_agent_hold_days` before the procedure and a daily agent on
the procedure day (`glp1.daily_agent_hold_on_procedure_day`). As with blood thinners,
the patient is told to skip a dose only after a clinician recorded a hold confirmed
with the prescriber. Without sedation nothing changes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sijcare.domain.intake import ClinicianDecision, HoldDecision
from sijcare.domain.medicines import Medicine, Row, choose_regimen
from sijcare.domain.screening_rules import timeline
from sijcare.domain.screening_rules.decisions import decision_for
from sijcare.domain.screening_rules.fasting import LOWEST_LEVEL, fasting_applies
from sijcare.domain.screening_rules.findings import (
    Action,
    Case,
    Finding,
    Listed,
    Option,
    Severity,
)
from sijcare.domain.screening_words import GLP1_HOLDS, action_words, finding_words
from sijcare.domain.words import Words, day_of

WEEKLY_HOLD = "glp1.weekly_agent_hold_days"
DAILY_HOLD = "glp1.daily_agent_hold_on_procedure_day"
RULES = (LOWEST_LEVEL, WEEKLY_HOLD, DAILY_HOLD)


def assess_glp1(case: Case, listed: Listed, medicine: Medicine) -> Finding:
    """The finding for a listed GLP-1 agonist, from the sedation and the latest decision."""
    if not fasting_applies(case):
        return _finding(
            listed,
            "glp1.no_sedation",
            Severity.INFO,
            finding_words("glp1.keep_taking", medicine=medicine.label()),
            f"No sedation at or above {case.knowledge.text(LOWEST_LEVEL)}: the GLP-1 "
            "guidance for sedation does not apply.",
        )
    decision = decision_for(listed, medicine, case.intake.clinician_decisions, case.index)
    requested = None if decision is None else decision.regimen
    rows = choose_regimen(medicine, requested, listed.entry.words())
    if decision is not None and decision.decision is HoldDecision.CONTINUE:
        return _finding(
            listed,
            "glp1.continue",
            Severity.INFO,
            finding_words("glp1.continue", medicine=medicine.label()),
            f"Continue decided by {decision.by} ({decision.at.isoformat()}).",
        )
    regimens = {str(r["regimen"]) for r in rows}
    if decision is None or not decision.confirmed_with_prescriber or len(regimens) > 1:
        return _review(case, listed, medicine, rows, decision)
    return _hold(case, listed, medicine, rows[0])


def _guidance(case: Case, regimen: str) -> str:
    if regimen == "weekly":
        return f"weekly agent: hold {case.knowledge.integer(WEEKLY_HOLD)} days before"
    if case.knowledge.flag(DAILY_HOLD):
        return "daily agent: not taken on the procedure day"
    return "daily agent: no hold (clinic setting)"


def _steps(case: Case, medicine: Medicine, row: Row) -> tuple[Action, ...]:
    name = medicine.label()
    if row["regimen"] == "weekly":
        at = case.before(timedelta(days=case.knowledge.integer(WEEKLY_HOLD)))
        what = action_words("glp1.last_dose", medicine=name)
        return (Action.of(at, what, "glp1.last_dose", medicine.generic),)
    if not case.knowledge.flag(DAILY_HOLD):
        return ()
    start = timeline.start_of_day(case.day, case.zone)
    what = action_words("glp1.skip_procedure_day", medicine=name)
    return (Action.of(start, what, "glp1.skip_procedure_day", medicine.generic),)


def _when(row: Row, steps: tuple[Action, ...]) -> str:
    """The hold in words, like "last weekly dose no later than Tuesday, March 3 at 8:00 am"."""
    if not steps:
        return "no change (the clinic's rules hold no such agent)."
    return str(_hold_words(row, steps))


def _hold_words(row: Row, steps: tuple[Action, ...]) -> Words:
    """The hold of `steps` (at least one) for the patient, like "Take your last weekly
    dose no later than Tuesday, March 3 at 8:00 am."."""
    if row["regimen"] == "weekly":
        return GLP1_HOLDS["weekly"].filled(when=timeline.spoken_words(steps[0].at))
    return GLP1_HOLDS["daily"].filled(day=day_of(steps[0].at))


def _review(
    case: Case,
    listed: Listed,
    medicine: Medicine,
    rows: tuple[Row, ...],
    decision: ClinicianDecision | None,
) -> Finding:
    if decision is None:
        state = "No clinician decision yet."
    elif not decision.confirmed_with_prescriber:
        state = f"Hold decided by {decision.by} but not yet confirmed with the prescriber."
    else:
        state = "Hold confirmed, but the regimen is unclear: record weekly or daily."
    guidance = "; ".join(f"{_guidance(case, str(r['regimen']))}" for r in rows)
    options = tuple(
        Option(
            code=f"glp1.hold_option.{row['id']}",
            summary=f"If held ({row['regimen']}): {_when(row, steps)}",
            steps=steps,
        )
        for row in rows
        for steps in (_steps(case, medicine, row),)
    )
    finding = _finding(
        listed,
        "glp1.review",
        Severity.REVIEW,
        finding_words("glp1.review", medicine=medicine.label()),
        f"GLP-1 agonist with {case.intake.procedure.sedation.value} sedation "
        f"(aspiration risk). ASA 2023 consensus, commonly cited: {guidance}. Decide with "
        f"the prescriber (glucose control) and record the decision. {state}",
    )
    return replace(finding, options=options)


def _hold(case: Case, listed: Listed, medicine: Medicine, row: Row) -> Finding:
    steps = _steps(case, medicine, row)
    if not steps:
        return _finding(
            listed,
            "glp1.no_hold",
            Severity.INFO,
            finding_words("glp1.keep_taking", medicine=medicine.label()),
            f"Hold confirmed, but the clinic's rules hold no {row['regimen']} agent.",
        )
    finding = _finding(
        listed,
        "glp1.hold",
        Severity.ACTION,
        finding_words("glp1.hold", medicine=medicine.label(), when=_hold_words(row, steps)),
        f"Hold confirmed with the prescriber: {_guidance(case, str(row['regimen']))} "
        f"(row {row['id']}).",
    )
    return replace(finding, actions=tuple(replace(s, about=listed.entry.name) for s in steps))


def _finding(
    listed: Listed,
    code: str,
    severity: Severity,
    patient: Words,
    clinician: str,
) -> Finding:
    return Finding.of(
        patient,
        code=code,
        about=listed.entry.name,
        severity=severity,
        clinician_rationale=clinician,
        source="asa-glp1-2023",
        rule_keys=RULES,
    )
