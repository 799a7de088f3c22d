"""Blood thinners before the SI joint injection (Narouze et al., Reg Anesth Pain Med 2018).

The SI joint injection is a low bleeding-risk procedure (commonly cited). Aspirin and
NSAIDs are not held. Every anticoagulant and P2Y12 inhibitor is flagged for clinician
review: warfarin, the P2Y12 inhibitors, the DOACs and fondaparinux are not held
routinely at low risk (shared assessment with the prescriber), and the heparins are
held in every risk category. The patient is never told to stop one until a clinician
has recorded a hold confirmed with the prescriber; then the last dose is the procedure
time minus the hold and the restart the procedure time plus the restart time (elapsed
time, table `blood_thinners`). A hold given as a range uses its longest value.
Dabigatran's hold depends on kidney function: unknown kidney function gives no dates.
A hold confirmed after the last dose it needs is too late: the patient is not told to
stop, and the finding asks for review (move the procedure or decide again).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sijcare.domain.intake import ClinicianDecision, HoldDecision
from sijcare.domain.medicines import Medicine, Row, choose_regimen
from sijcare.domain.screening_rules import timeline
from sijcare.domain.screening_rules.decisions import decision_for
from sijcare.domain.screening_rules.findings import (
    Action,
    Case,
    Finding,
    Listed,
    Option,
    Severity,
)
from sijcare.domain.screening_words import action_words, finding_words

BLEEDING_RISK = "screening.procedure_bleeding_risk"
_KIDNEY = "hold_days_impaired_kidney"


def assess_blood_thinner(case: Case, listed: Listed, medicine: Medicine) -> Finding:
    """The finding for a listed blood thinner, from the latest clinician decision."""
    decision = decision_for(listed, medicine, case.intake.clinician_decisions, case.index)
    rows = choose_regimen(
        medicine, None if decision is None else decision.regimen, listed.entry.words()
    )
    if decision is not None and decision.decision is HoldDecision.CONTINUE:
        return _continue(case, listed, medicine, decision)
    if decision is None or not decision.confirmed_with_prescriber:
        return _review(case, listed, medicine, rows, decision)
    timings = {_timing(row, case.intake.kidney_function_impaired) for row in rows}
    if len(timings) > 1 or None in timings:
        return _review(case, listed, medicine, rows, decision)
    held = _hold(case, listed, medicine, rows[0])
    last_dose = held.actions[0].at
    if last_dose < decision.at:
        # Confirmed after the time of the last dose it needs: the patient could not have
        # been told in time, and the procedure cannot go ahead with this hold as booked.
        return _too_late(case, listed, medicine, rows, decision, last_dose)
    return held


def no_hold_finding(case: Case, listed: Listed, medicine: Medicine) -> Finding:
    """Aspirin, an NSAID, cilostazol or dipyridamole: keep taking it (low-risk procedure)."""
    row = medicine.rows[0]
    return Finding.of(
        finding_words("medicine.no_hold", medicine=medicine.label()),
        code="medicine.no_hold",
        about=listed.entry.name,
        severity=Severity.INFO,
        clinician_rationale=f"{medicine.generic} ({row['class']}): not held for a "
        f"{case.knowledge.text(BLEEDING_RISK)} bleeding-risk procedure (Narouze 2018). "
        f"{row.get('note', '')}".strip(),
        source=str(row["source"]),
        rule_keys=(BLEEDING_RISK,),
    )


def hold_period(row: Row, kidney_impaired: bool | None) -> timedelta | None:
    """The hold before the procedure (the longest of a range); None when it depends on
    kidney function that is not known."""
    if _KIDNEY in row:
        if kidney_impaired is None:
            return None
        if kidney_impaired:
            return timedelta(days=_longest(row[_KIDNEY]))
    if "hold_days" in row:
        return timedelta(days=_longest(row["hold_days"]))
    return timedelta(hours=_longest(row["hold_hours"]))


def restart_after(row: Row) -> timedelta:
    return timedelta(hours=float(row["restart_hours"]))


def _timing(row: Row, kidney_impaired: bool | None) -> tuple[timedelta, timedelta] | None:
    hold = hold_period(row, kidney_impaired)
    return None if hold is None else (hold, restart_after(row))


def _longest(value: Any) -> float:
    return float(max(value)) if isinstance(value, list) else float(value)


def _review(
    case: Case,
    listed: Listed,
    medicine: Medicine,
    rows: tuple[Row, ...],
    decision: ClinicianDecision | None,
) -> Finding:
    return Finding.of(
        finding_words("blood_thinner.review", medicine=medicine.label()),
        code="blood_thinner.review",
        about=listed.entry.name,
        severity=Severity.REVIEW,
        clinician_rationale=" ".join(
            (
                _guideline(case, medicine, rows),
                _decision_state(medicine, rows, decision),
            )
        ),
        source=str(rows[0]["source"]),
        rule_keys=(BLEEDING_RISK,),
        options=tuple(_hold_options(case, medicine, rows)),
    )


def _too_late(
    case: Case,
    listed: Listed,
    medicine: Medicine,
    rows: tuple[Row, ...],
    decision: ClinicianDecision,
    last_dose: datetime,
) -> Finding:
    hold = _span(hold_period(rows[0], case.intake.kidney_function_impaired))
    return Finding.of(
        finding_words("blood_thinner.hold_too_late", medicine=medicine.label()),
        code="blood_thinner.hold_too_late",
        about=listed.entry.name,
        severity=Severity.REVIEW,
        clinician_rationale=_guideline(case, medicine, rows)
        + f" Hold confirmed by {decision.by} at {decision.at.isoformat()}, after the last "
        f"dose it needs ({last_dose.isoformat()}, {hold} before the procedure): the patient "
        "is not told to stop it. Move the procedure so that the hold fits, or record "
        "another decision.",
        source=str(rows[0]["source"]),
        rule_keys=(BLEEDING_RISK,),
        options=tuple(_hold_options(case, medicine, rows)),
    )


def _guideline(case: Case, medicine: Medicine, rows: tuple[Row, ...]) -> str:
    risk = case.knowledge.text(BLEEDING_RISK)
    row = rows[0]
    routine = (
        "held in every risk category: confirm the hold with the prescriber"
        if row["routine_hold_low_risk"]
        else f"not held routinely for a {risk} bleeding-risk procedure: shared assessment "
        "and risk stratification with the prescriber"
    )
    return f"{medicine.generic} ({row['class']}), Narouze 2018: {routine}."


def _decision_state(
    medicine: Medicine, rows: tuple[Row, ...], decision: ClinicianDecision | None
) -> str:
    if decision is None:
        return (
            "No clinician decision yet. To hold, record a decision confirmed with the "
            "prescriber; the options below show the dates it would give."
        )
    if not decision.confirmed_with_prescriber:
        return (
            f"Hold decided by {decision.by} ({decision.at.isoformat()}) but not yet "
            "confirmed with the prescriber: the patient is not told to stop it."
        )
    if len(rows) > 1:
        names = ", ".join(str(r.get("regimen", r["id"])) for r in rows)
        return f"Hold confirmed, but the regimen decides the times: record one of {names}."
    return (
        f"Hold confirmed, but {medicine.generic}'s hold depends on kidney function, "
        "which is not recorded (kidney_function_impaired)."
    )


def _hold_options(case: Case, medicine: Medicine, rows: tuple[Row, ...]) -> list[Option]:
    """What each regimen (and each kidney case, when unknown but relevant) would give."""
    options = []
    for row in rows:
        for kidney_label, kidney in _kidney_cases(case, row):
            label = ", ".join(p for p in (str(row.get("regimen", "")), kidney_label) if p)
            steps = _hold_steps(case, medicine, row, kidney)
            suffix = f".{kidney_label.split()[0]}_kidney_function" if kidney_label else ""
            options.append(
                Option(
                    code=f"blood_thinner.hold_option.{row['id']}{suffix}",
                    summary=f"If held{f' ({label})' if label else ''}: last dose by "
                    f"{timeline.spoken(steps[0].at)}; restart from {timeline.spoken(steps[1].at)}.",
                    steps=steps,
                )
            )
    return options


def _kidney_cases(case: Case, row: Row) -> tuple[tuple[str, bool | None], ...]:
    known = case.intake.kidney_function_impaired
    if _KIDNEY in row and known is None:
        return (("normal kidney function", False), ("impaired kidney function", True))
    return (("", known),)


def _hold_steps(
    case: Case, medicine: Medicine, row: Row, kidney: bool | None
) -> tuple[Action, ...]:
    """The patient's dated steps for a hold of `row` (the kidney case must be known)."""
    hold = hold_period(row, kidney)
    if hold is None:
        raise ValueError(f"{row['id']}: the hold needs the kidney function")
    name = medicine.label()
    steps = [
        Action.of(
            case.before(hold),
            action_words("blood_thinner.last_dose", medicine=name),
            "blood_thinner.last_dose",
            medicine.generic,
        ),
        Action.of(
            case.after(restart_after(row)),
            action_words("blood_thinner.restart", medicine=name),
            "blood_thinner.restart",
            medicine.generic,
        ),
    ]
    if row["normal_inr_before"]:
        steps.append(
            Action.of(
                case.arrival,
                action_words("blood_thinner.inr_check"),
                "blood_thinner.inr_check",
                medicine.generic,
            )
        )
    return tuple(steps)


def _continue(
    case: Case, listed: Listed, medicine: Medicine, decision: ClinicianDecision
) -> Finding:
    confirmed = "confirmed" if decision.confirmed_with_prescriber else "not confirmed"
    return Finding.of(
        finding_words("blood_thinner.continue", medicine=medicine.label()),
        code="blood_thinner.continue",
        about=listed.entry.name,
        severity=Severity.INFO,
        clinician_rationale=f"Continue {medicine.generic}: decided by {decision.by} "
        f"({decision.at.isoformat()}), {confirmed} with the prescriber. "
        + _guideline(case, medicine, medicine.rows),
        source=str(medicine.rows[0]["source"]),
        rule_keys=(BLEEDING_RISK,),
    )


def _hold(case: Case, listed: Listed, medicine: Medicine, row: Row) -> Finding:
    kidney = case.intake.kidney_function_impaired
    steps = _hold_steps(case, medicine, row, kidney)
    said = finding_words(
        "blood_thinner.hold_with_inr" if row["normal_inr_before"] else "blood_thinner.hold",
        medicine=medicine.label(),
        last_dose=timeline.spoken_words(steps[0].at),
        restart=timeline.spoken_words(steps[1].at),
    )
    return Finding.of(
        said,
        code="blood_thinner.hold",
        about=listed.entry.name,
        severity=Severity.ACTION,
        clinician_rationale=_guideline(case, medicine, (row,))
        + f" Hold confirmed with the prescriber: last dose {_span(hold_period(row, kidney))} "
        f"before, restart {_span(restart_after(row))} after the procedure (row {row['id']}).",
        source=str(row["source"]),
        rule_keys=(BLEEDING_RISK,),
        actions=tuple(replace(step, about=listed.entry.name) for step in steps),
    )


def _span(delta: timedelta | None) -> str:
    """Like "3 days" or "12 h"."""
    hours = 0.0 if delta is None else delta.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours >= 48 and hours % 24 == 0 else f"{hours:g} h"
