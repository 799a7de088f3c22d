"""Infection risk before the injection: active infection, fever, recent illness, a weak
immune system (SIS appropriate use criteria red flags; clinical-defaults.md).

An active infection, a fever at or above `screening.fever_threshold_c` (°F converted;
the threshold itself included) or an illness with symptoms within
`screening.recent_illness_lookback_days` before the procedure day postpone the
injection. An illness with no end date is ongoing. An older fever or illness is
recorded for the clinician only. Immunocompromise is reviewed (infection risk).
"""

from __future__ import annotations

from sijcare.domain.errors import InputError
from sijcare.domain.intake import Intake, celsius_to_fahrenheit
from sijcare.domain.knowledge import Knowledge
from sijcare.domain.screening_rules.findings import Case, Finding, Severity
from sijcare.domain.screening_words import finding_words, postponed

FEVER = "screening.fever_threshold_c"
LOOKBACK = "screening.recent_illness_lookback_days"
ACCEPTED = "triage.temperature_c_accepted"


def check_temperature(intake: Intake, knowledge: Knowledge) -> None:
    """Raise `InputError` for a temperature outside `triage.temperature_c_accepted`
    (most likely a typing slip or the wrong unit)."""
    if intake.fever_recent is None:
        return
    low, high = knowledge.numbers(ACCEPTED)
    highest = intake.fever_recent.max_temperature
    if not low <= highest.celsius() <= high:
        raise InputError(
            "fever_recent.max_temperature",
            f"{highest.value:g} °{highest.unit.value} is not a body temperature between "
            f"{low:g} and {high:g} °C: check the number and the unit",
        )


def screen_infection_risk(case: Case) -> list[Finding]:
    return [*_infection(case), *_fever(case), *_illness(case), *_immune_system(case)]


def _infection(case: Case) -> list[Finding]:
    if not case.intake.current_infection:
        return []
    return [
        Finding.of(
            postponed("infection.active"),
            code="infection.active",
            about="infection",
            severity=Severity.STOP,
            clinician_rationale="Active infection: postpone until treated and resolved "
            "(SIS appropriate use criteria: infection is a red flag).",
            source="sis-auc",
        )
    ]


def _fever(case: Case) -> list[Finding]:
    report = case.intake.fever_recent
    if report is None:
        return []
    k = case.knowledge
    threshold, lookback = k.number(FEVER), k.integer(LOOKBACK)
    days = case.days_before(report.on, "fever_recent.on")
    reading = f"{report.max_temperature.value:g} °{report.max_temperature.unit.value}"
    facts = (
        f"Highest temperature {reading} ({report.max_temperature.celsius():.1f} °C) on "
        f"{report.on.isoformat()}, {days} days before the procedure day; threshold "
        f"{threshold:.1f} °C ({celsius_to_fahrenheit(threshold):.1f} °F) within {lookback} days."
    )
    if report.max_temperature.celsius() < threshold:
        code, severity = "fever.below_threshold", Severity.INFO
        said = finding_words(code, reading=reading)
    elif days > lookback:
        code, severity = "fever.not_recent", Severity.INFO
        said = finding_words(code, reading=reading, days=lookback)
    else:
        code, severity = "fever.recent", Severity.STOP
        said = postponed(code, reading=reading)
    return [
        Finding.of(
            said,
            code=code,
            about="fever",
            severity=severity,
            clinician_rationale=facts,
            source=k.rule(FEVER).source,
            rule_keys=(FEVER, LOOKBACK),
        )
    ]


def _illness(case: Case) -> list[Finding]:
    illness = case.intake.recent_illness
    if illness is None:
        return []
    lookback = case.knowledge.integer(LOOKBACK)
    what = f"Recent illness: {illness.description!r}"
    if illness.last_symptoms_on is None:
        code, severity = "illness.current", Severity.STOP
        said = postponed(code)
        rationale = f"{what}, symptoms ongoing: postpone."
    else:
        days = case.days_before(illness.last_symptoms_on, "recent_illness.last_symptoms_on")
        rationale = f"{what}, last symptoms {days} days before the procedure day (look-back {lookback} days)"
        if days <= lookback:
            code, severity = "illness.recent", Severity.STOP
            said = postponed(code)
            rationale += ": postpone."
        else:
            code, severity = "illness.resolved", Severity.INFO
            said = finding_words(code)
            rationale += ": resolved."
    return [
        Finding.of(
            said,
            code=code,
            about="recent illness",
            severity=severity,
            clinician_rationale=rationale,
            source=case.knowledge.rule(LOOKBACK).source,
            rule_keys=(LOOKBACK,),
        )
    ]


def _immune_system(case: Case) -> list[Finding]:
    if not case.intake.immunocompromised:
        return []
    return [
        Finding.of(
            finding_words("immunocompromise"),
            code="immunocompromise",
            about="immune system",
            severity=Severity.REVIEW,
            clinician_rationale="Immunocompromised: higher infection risk. Serious "
            "infections after SI joint injection are case reports, mostly in "
            "immunosuppressed patients; the SIS appropriate use criteria list "
            "immunocompromise as a red flag.",
            source="sis-auc",
        )
    ]
