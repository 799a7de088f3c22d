"""Diabetes before the SI joint injection.

With a steroid planned, blood sugar rises for about 2 days after the injection and
peaks on the day after (Even 2012; Shin 2020): check it more often from the injection
through `diabetes.check_more_often_days` after the procedure day, expect the peak on
day `diabetes.glucose_peak_day`, and call the doctor who manages the diabetes above
`diabetes.glucose_call_threshold_mg_dl` (commonly cited). A diagnostic block has no
steroid: no glucose action. With fasting for sedation, a clinician sets the plan for
insulin and diabetes pills (`diabetes.review_fasting_plan`). A listed diabetes medicine
counts as diabetes even when the diabetes question was answered no.
"""

from __future__ import annotations

from datetime import timedelta

from sijcare.domain.medicines import Category
from sijcare.domain.screening_rules import timeline
from sijcare.domain.screening_rules.fasting import fasting_applies
from sijcare.domain.screening_rules.findings import Action, Case, Finding, Severity
from sijcare.domain.screening_words import action_words, finding_words
from sijcare.domain.words import day_of

CALL = "diabetes.glucose_call_threshold_mg_dl"
CHECK_DAYS = "diabetes.check_more_often_days"
PEAK_DAY = "diabetes.glucose_peak_day"
FASTING_PLAN = "diabetes.review_fasting_plan"
# mg/dL per mmol/L of glucose (its molar mass, 180.16 g/mol, over 10): a unit conversion.
MG_DL_PER_MMOL_L = 18.016


def screen_diabetes(case: Case) -> list[Finding]:
    """Glucose advice with a steroid, and the fasting plan with sedation; none without diabetes."""
    medicines = diabetes_medicines(case)
    if not (case.intake.diabetes.has or medicines):
        return []
    findings = [_steroid_glucose(case, medicines)]
    if fasting_applies(case) and case.knowledge.flag(FASTING_PLAN):
        findings.append(_fasting_plan(case, medicines))
    return findings


def diabetes_medicines(case: Case) -> list[str]:
    """The listed entries that are diabetes medicines, as the patient wrote them."""
    return [
        item.entry.name
        for item in case.listed
        if any(m.category is Category.DIABETES for m in item.medicines)
    ]


def call_threshold_text(case: Case) -> str:
    """Like "300 mg/dL (16.7 mmol/L)"."""
    mg_dl = case.knowledge.number(CALL)
    return f"{mg_dl:g} mg/dL ({mg_dl / MG_DL_PER_MMOL_L:.1f} mmol/L)"


def _uses_insulin(case: Case) -> bool:
    listed_insulin = any(
        row.get("insulin") is True
        for item in case.listed
        for m in item.medicines
        if m.category is Category.DIABETES
        for row in m.rows
    )
    return bool(case.intake.diabetes.uses_insulin) or listed_insulin


def _inferred(case: Case, medicines: list[str]) -> str:
    if case.intake.diabetes.has:
        return ""
    return f" Diabetes inferred from the medicine list ({', '.join(medicines)})."


def _steroid_glucose(case: Case, medicines: list[str]) -> Finding:
    steroid = case.intake.procedure.steroid_agent
    if steroid is None:
        return Finding.of(
            finding_words("diabetes.no_steroid"),
            code="diabetes.no_steroid",
            about="diabetes",
            severity=Severity.INFO,
            clinician_rationale="Diabetes; diagnostic block without steroid: no glucose "
            "action." + _inferred(case, medicines),
            source=case.knowledge.rule(CHECK_DAYS).source,
        )
    k = case.knowledge
    days, peak = k.integer(CHECK_DAYS), k.integer(PEAK_DAY)
    peak_start = timeline.start_of_day(case.day + timedelta(days=peak), case.zone)
    back_to_usual = timeline.start_of_day(case.day + timedelta(days=days + 1), case.zone)
    call = call_threshold_text(case)
    said = finding_words(
        "diabetes.steroid_glucose",
        last_day=day_of(back_to_usual - timedelta(days=1)),
        peak_day=day_of(peak_start),
        call=call,
    )
    return Finding.of(
        said,
        code="diabetes.steroid_glucose",
        about="diabetes",
        severity=Severity.ACTION,
        clinician_rationale=(
            f"Diabetes with {steroid} planned: expected glucose rise for about {days} days, "
            f"peak on day {peak} (Even 2012, Shin 2020); call threshold {call} (commonly "
            "cited)." + _inferred(case, medicines)
        ),
        source=k.rule(CHECK_DAYS).source,
        rule_keys=(CALL, CHECK_DAYS, PEAK_DAY),
        actions=(
            Action.of(
                case.at,
                action_words("diabetes.check_glucose_often", call=call),
                "diabetes.check_glucose_often",
                "diabetes",
            ),
            Action.of(
                peak_start,
                action_words("diabetes.glucose_peak_day"),
                "diabetes.glucose_peak_day",
                "diabetes",
            ),
            Action.of(
                back_to_usual,
                action_words("diabetes.usual_checks"),
                "diabetes.usual_checks",
                "diabetes",
            ),
        ),
    )


def _fasting_plan(case: Case, medicines: list[str]) -> Finding:
    insulin = _uses_insulin(case)
    listed = ", ".join(medicines) or "none listed"
    return Finding.of(
        finding_words("diabetes.fasting_plan_insulin" if insulin else "diabetes.fasting_plan"),
        code="diabetes.fasting_plan",
        about="diabetes",
        severity=Severity.REVIEW,
        clinician_rationale=(
            f"Fasting for sedation with diabetes{' on insulin' if insulin else ''}: set the "
            "dose plan for the fasting period (risk of low blood sugar). Diabetes "
            f"medicines listed: {listed}." + _inferred(case, medicines)
        ),
        source=case.knowledge.rule(FASTING_PLAN).source,
        rule_keys=(FASTING_PLAN,),
    )
