"""Triage of the steroid's effects, facial flushing and a rise in blood sugar, and of the
blood sugar readings that call the clinic whatever was given.

Above `diabetes.glucose_call_threshold_mg_dl` (strictly) or below
`triage.glucose_low_mg_dl` calls now; below the threshold after a steroid it is expected
through `diabetes.check_more_often_days` calendar days after the injection day. Flushing
is expected through `triage.flushing_expected_days` after a steroid, never without one.
"""

from __future__ import annotations

from collections.abc import Iterator

from sijcare.domain.symptoms import ReportContext
from sijcare.domain.triage_reasons import Disposition, Reason

GLUCOSE_THRESHOLD = "diabetes.glucose_call_threshold_mg_dl"
SUGAR_DAYS = "diabetes.check_more_often_days"


def blood_sugar(case: ReportContext) -> Iterator[Reason]:
    sugar = case.report.blood_sugar_mg_dl
    if sugar is None:
        return
    threshold = case.number(GLUCOSE_THRESHOLD)
    low = case.number("triage.glucose_low_mg_dl")
    if sugar > threshold:
        yield Reason.of(
            Disposition.CALL_NOW,
            "blood_sugar_above_threshold",
            f"Glucose {sugar:g} mg/dL > {threshold:g} mg/dL at {case.hours}.",
            case.knowledge.rule(GLUCOSE_THRESHOLD).source,
            sugar=sugar,
            threshold=threshold,
        )
    elif sugar < low:
        yield Reason.of(
            Disposition.CALL_NOW,
            "blood_sugar_low",
            f"Glucose {sugar:g} mg/dL < {low:g} mg/dL (hypoglycaemia) at {case.hours}.",
            case.knowledge.rule("triage.glucose_low_mg_dl").source,
            sugar=sugar,
        )
    elif case.procedure.steroid is not None:
        yield _sugar_after_steroid(case, sugar)


def _sugar_after_steroid(case: ReportContext, sugar: float) -> Reason:
    """Expected through `diabetes.check_more_often_days` calendar days after the injection
    day (local dates), the days the patient was told to check more often."""
    days = case.number(SUGAR_DAYS)
    source = case.knowledge.rule(SUGAR_DAYS).source
    if case.day_number <= days:
        return Reason.of(
            Disposition.EXPECTED,
            "blood_sugar_rise_expected",
            f"Glucose below the call threshold on day {case.day_number} after a steroid "
            f"(expected rise through day {days:g}).",
            source,
            sugar=sugar,
            days=days,
        )
    return Reason.of(
        Disposition.CALL_SOON,
        "blood_sugar_after_expected_rise",
        f"Glucose reported on day {case.day_number}, after the expected steroid rise "
        f"(through day {days:g}).",
        source,
        sugar=sugar,
        days=days,
    )


def flushing(case: ReportContext) -> Iterator[Reason]:
    if not case.report.facial_flushing:
        return
    days = case.number("triage.flushing_expected_days")
    if case.procedure.steroid is None:
        yield Reason.of(
            Disposition.CALL_SOON,
            "flushing_without_steroid",
            "Facial flushing after an anesthetic-only block: not the steroid effect; "
            "consider a reaction to contrast or anesthetic.",
            "plastaras-2012",
        )
    elif case.within_days("triage.flushing_expected_days"):
        yield Reason.of(
            Disposition.EXPECTED,
            "facial_flushing",
            f"Facial flushing at {case.hours}, within {days:g} days of a steroid.",
            "plastaras-2012",
            days=days,
        )
    else:
        yield Reason.of(
            Disposition.CALL_SOON,
            "flushing_lasting",
            f"Facial flushing at {case.hours}, beyond the expected {days:g} days.",
            case.knowledge.rule("triage.flushing_expected_days").source,
            days=days,
        )
