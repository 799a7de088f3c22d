"""Symptom triage after the SI joint injection.

Sorts what a patient reports after the injection into one disposition, following
clinical-defaults.md "After the procedure"; the most urgent reason decides:

- emergency (emergency services now): trouble breathing; swelling of the face, lips or
  throat; a new bladder or bowel change or saddle numbness; weakness in both legs; fever
  with new severe back pain and a leg weakness or numbness.
- call_now (the clinic now, the after-hours number outside its hours): fever; redness,
  swelling, warmth or oozing at the site; leg weakness or numbness past the anesthetic
  window, or back after it had gone; severe pain or pain the usual medicines do not
  control; blood sugar above the diabetes threshold; a headache worse standing up.
  Added by the product: new severe back pain alone, and a low blood sugar.
- call_soon (the clinic the same day; the product's choice): hives without breathing
  trouble or swelling; pain above baseline outside the flare window when not severe;
  flushing past its expected days or with no steroid given; soreness past its expected
  days; a blood sugar reading after the steroid's expected rise has passed.
- expected: soreness at the site; pain no worse than before; leg weakness or numbness
  inside the anesthetic window; flushing and a higher blood sugar (below the threshold)
  in the first days after a steroid; pain above baseline inside the flare window.

Every threshold is a rule in `triage.toml`, except the anesthetic's `window_hours`
(`anesthetics` table), the flare window (`therapeutic.flare_from_hours` to
`therapeutic.flare_until_hours`, both included), the blood sugar threshold
(`diabetes.glucose_call_threshold_mg_dl`, strictly above) and the days of the steroid's
expected rise in blood sugar (`diabetes.check_more_often_days`, calendar days after the
injection day, as the patient was told). The window's end is included: weakness at
exactly 4 h after lidocaine is still expected, a minute later it is not.

This module runs the rules (`_RULES`) and says what to do; the rules are in modules by
topic: `triage_red_flags` (red flags, hives, fever and site signs), `triage_legs` (leg
weakness or numbness and the anesthetic's window), `triage_pain` (pain, the flare,
soreness) and `triage_steroid` (flushing and blood sugar); `Reason` and `Disposition`
are in `triage_reasons`.

Every sentence the patient reads is in `domain.triage_words`, kept as `Words` for a page
in the reader's language (ADR 0007) beside its English (`message`, `what_to_do`): the
JSON of a result keeps its shape without them. The clinicians' rationale is English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sijcare.domain.contact import (
    CONTACT_RULES,
    Contact,
    ContactKind,
    clinic_local_time,
    help_line_hours_words,
    who_to_call,
)
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.procedure import Procedure, anesthetic_window
from sijcare.domain.symptoms import LegSymptom, ReportContext, SymptomReport, check_report
from sijcare.domain.triage_legs import leg_symptoms
from sijcare.domain.triage_pain import pain, soreness
from sijcare.domain.triage_reasons import Disposition, Reason
from sijcare.domain.triage_red_flags import hives, infection_signs, red_flags, site_signs
from sijcare.domain.triage_steroid import blood_sugar, flushing
from sijcare.domain.triage_words import step_words
from sijcare.domain.words import PAGES_ONLY, Words, day_of

URGENCY = {
    Disposition.EMERGENCY: 3,
    Disposition.CALL_NOW: 2,
    Disposition.CALL_SOON: 1,
    Disposition.EXPECTED: 0,
}


@dataclass(frozen=True)
class TriageResult:
    disposition: Disposition
    reasons: tuple[Reason, ...]
    contact: Contact
    what_to_do: tuple[str, ...]
    reported_at: datetime
    elapsed: timedelta  # from the injection to the report
    provenance: Provenance
    # `what_to_do` as `Words`, for a page in the reader's language.
    what_to_do_words: tuple[Words, ...] = field(compare=False, repr=False, metadata=PAGES_ONLY)


def triage(procedure: Procedure, report: SymptomReport, knowledge: Knowledge) -> TriageResult:
    """The disposition of `report` about `procedure`, with reasons, contact and provenance.

    The report must not be before the injection (`InputError` on `reported_at`). Symptoms
    not reported are taken as absent; with nothing of concern the result is expected.
    """
    check_report(procedure, report, knowledge)
    case = ReportContext(procedure, report, knowledge, anesthetic_window(procedure, knowledge))
    reasons = [reason for rule in _RULES for reason in rule(case)]
    if not reasons:
        reasons.append(_nothing_of_concern())
    reasons.sort(key=lambda r: -URGENCY[r.disposition])
    disposition = reasons[0].disposition
    contact = who_to_call(
        report.reported_at, knowledge, emergency=disposition is Disposition.EMERGENCY
    )
    steps = _what_to_do(disposition, contact, case)
    return TriageResult(
        disposition=disposition,
        reasons=tuple(reasons),
        contact=contact,
        what_to_do=tuple(str(step) for step in steps),
        reported_at=report.reported_at,
        elapsed=case.elapsed,
        provenance=knowledge.provenance((*CONTACT_RULES, *case.rules_used), case.inputs()),
        what_to_do_words=steps,
    )


def _nothing_of_concern() -> Reason:
    return Reason.of(
        Disposition.EXPECTED,
        "no_warning_signs",
        "No warning sign reported.",
        "product-default",
    )


_RULES = (
    red_flags,
    hives,
    infection_signs,
    site_signs,
    leg_symptoms,
    pain,
    blood_sugar,
    flushing,
    soreness,
)


def _what_to_do(
    disposition: Disposition, contact: Contact, case: ReportContext
) -> tuple[Words, ...]:
    knowledge = case.knowledge
    when = day_of(clinic_local_time(case.procedure.performed_at, knowledge))
    emergency = knowledge.text("clinic.emergency_phone")
    if disposition is Disposition.EMERGENCY:
        return (
            contact.words,
            step_words("tell_them", when=when),
            step_words("let_the_clinic_know"),
        )
    if disposition is Disposition.CALL_NOW:
        return (contact.words, step_words("much_worse", number=emergency))
    if disposition is Disposition.CALL_SOON:
        return _call_soon_steps(contact, knowledge)
    return (
        step_words("expected"),
        step_words("keep_the_diary"),
        step_words("call_if_new"),
        contact.words,
    )


def _call_soon_steps(contact: Contact, knowledge: Knowledge) -> tuple[Words, ...]:
    help_line = knowledge.text("clinic.help_line_phone")
    hours = help_line_hours_words(knowledge)
    if contact.kind is ContactKind.HELP_LINE:
        return (
            step_words("call_today", number=help_line, hours=hours),
            step_words("worse_call_now"),
        )
    return (
        step_words("call_when_it_opens", number=help_line, hours=hours),
        step_words("worse_before_then", number=contact.number),
    )


__all__ = [
    "Disposition",
    "LegSymptom",
    "Reason",
    "SymptomReport",
    "TriageResult",
    "check_report",
    "triage",
]
