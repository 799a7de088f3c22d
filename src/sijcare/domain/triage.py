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
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sijcare.domain.contact import (
    CONTACT_RULES,
    Contact,
    ContactKind,
    clinic_local_time,
    day_text,
    who_to_call,
)
from sijcare.domain.knowledge import Knowledge, Provenance
from sijcare.domain.procedure import Procedure, anesthetic_window
from sijcare.domain.symptoms import LegSymptom, ReportContext, SymptomReport, check_report

GLUCOSE_THRESHOLD = "diabetes.glucose_call_threshold_mg_dl"
SUGAR_DAYS = "diabetes.check_more_often_days"
FLARE_FROM = "therapeutic.flare_from_hours"
FLARE_UNTIL = "therapeutic.flare_until_hours"
_PRESSURE = "It can mean pressure on the nerves in your back. You need help right away."


class Disposition(StrEnum):
    EMERGENCY = "emergency"
    CALL_NOW = "call_now"
    CALL_SOON = "call_soon"
    EXPECTED = "expected"


URGENCY = {
    Disposition.EMERGENCY: 3,
    Disposition.CALL_NOW: 2,
    Disposition.CALL_SOON: 1,
    Disposition.EXPECTED: 0,
}


@dataclass(frozen=True)
class Reason:
    """One finding: a patient sentence, the clinician's rationale and its source."""

    disposition: Disposition
    code: str
    message: str
    rationale: str
    source: str


@dataclass(frozen=True)
class TriageResult:
    disposition: Disposition
    reasons: tuple[Reason, ...]
    contact: Contact
    what_to_do: tuple[str, ...]
    reported_at: datetime
    elapsed: timedelta  # from the injection to the report
    provenance: Provenance


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
    return TriageResult(
        disposition=disposition,
        reasons=tuple(reasons),
        contact=contact,
        what_to_do=_what_to_do(disposition, contact, case),
        reported_at=report.reported_at,
        elapsed=case.elapsed,
        provenance=knowledge.provenance((*CONTACT_RULES, *case.rules_used), case.inputs()),
    )


# Symptoms that decide on their own: field of SymptomReport (also the reason's code),
# disposition, the patient's sentence, the clinician's rationale, the source.
_RED_FLAGS = (
    (
        "trouble_breathing",
        Disposition.EMERGENCY,
        "Trouble breathing can be a serious allergic reaction. You need help right away.",
        "Dyspnoea after the injection: possible anaphylaxis (contrast, local anesthetic or "
        "steroid) until assessed.",
        "anaphylaxis-signs-common",
    ),
    (
        "face_or_throat_swelling",
        Disposition.EMERGENCY,
        "Swelling of your face, lips or throat can be a serious allergic reaction. "
        "You need help right away.",
        "Facial, lip or throat swelling: angioedema, possible anaphylaxis with airway risk.",
        "anaphylaxis-signs-common",
    ),
    (
        "new_bladder_or_bowel_change",
        Disposition.EMERGENCY,
        f"You have a new problem holding or passing urine or stool. {_PRESSURE}",
        "New bladder or bowel dysfunction: cauda equina red flag (haematoma, abscess).",
        "sis-auc",
    ),
    (
        "saddle_numbness",
        Disposition.EMERGENCY,
        f"You have new numbness between your legs or around your bottom. {_PRESSURE}",
        "Saddle anaesthesia: cauda equina red flag.",
        "sis-auc",
    ),
    (
        "weakness_both_legs",
        Disposition.EMERGENCY,
        f"You have weakness in both legs. {_PRESSURE}",
        "Bilateral leg weakness: cauda equina or epidural haematoma red flag; not assumed "
        "to be anesthetic spread, even after a bilateral injection.",
        "sis-auc",
    ),
    (
        "new_severe_back_pain",
        Disposition.CALL_NOW,
        "New, bad back pain after the injection needs a doctor to check it.",
        "New severe back pain: red flag after a spinal-region procedure (abscess, haematoma).",
        "nhs-bradford-2025",
    ),
    (
        "headache_worse_standing",
        Disposition.CALL_NOW,
        "A headache that gets worse when you stand up needs a doctor to check it.",
        "Orthostatic headache: possible dural puncture (post-dural puncture headache).",
        "nhs-bradford-2025",
    ),
)


def _red_flags(case: ReportContext) -> Iterator[Reason]:
    for name, disposition, message, rationale, source in _RED_FLAGS:
        if getattr(case.report, name):
            yield Reason(disposition, name, message, rationale, source)


def _hives(case: ReportContext) -> Iterator[Reason]:
    r = case.report
    if r.hives and not (r.trouble_breathing or r.face_or_throat_swelling):
        yield Reason(
            Disposition.CALL_SOON,
            "hives",
            "An itchy rash with raised bumps (hives) can be a mild allergic reaction. "
            "Tell the clinic today. If your breathing gets hard or your face swells, "
            "get emergency help.",
            "Urticaria without respiratory symptoms or angioedema: possible mild reaction to "
            "contrast, anesthetic or steroid; same-day review.",
            "product-default",
        )


def _infection_signs(case: ReportContext) -> Iterator[Reason]:
    r = case.report
    fever = r.temperature_c is not None and r.temperature_c >= case.number("triage.fever_c")
    leg = r.leg_weakness is not None or r.leg_numbness is not None or r.weakness_both_legs
    if fever and r.new_severe_back_pain and leg:
        yield Reason(
            Disposition.EMERGENCY,
            "fever_back_pain_and_leg_signs",
            "A fever with new, bad back pain and a weak or numb leg can mean a serious "
            "infection near the spine. You need help right away.",
            f"Temperature {r.temperature_c} °C with new severe back pain and leg weakness or "
            "numbness: exclude epidural abscess.",
            "nhs-bradford-2025",
        )
    if fever and r.temperature_c is not None:
        fahrenheit = r.temperature_c * 9 / 5 + 32
        yield Reason(
            Disposition.CALL_NOW,
            "fever",
            f"Your temperature is {r.temperature_c:.1f} °C ({fahrenheit:.1f} °F). "
            "A fever after the injection can be a sign of infection.",
            f"Temperature {r.temperature_c} °C >= {case.number('triage.fever_c')} °C at "
            f"{case.hours} after the injection.",
            case.knowledge.rule("triage.fever_c").source,
        )


def _site_signs(case: ReportContext) -> Iterator[Reason]:
    r = case.report
    signs = [
        word
        for word, present in (
            ("redness", r.site_redness),
            ("swelling", r.site_swelling),
            ("warmth", r.site_warmth),
            ("oozing", r.site_oozing),
        )
        if present
    ]
    if signs:
        listed = ", ".join(signs[:-1]) + (" and " if len(signs) > 1 else "") + signs[-1]
        yield Reason(
            Disposition.CALL_NOW,
            "site_infection_signs",
            f"{listed.capitalize()} where the needle went in can be a sign of infection.",
            f"Injection site {listed} at {case.hours}: possible skin or joint infection.",
            "nhs-bradford-2025",
        )


def _leg_symptoms(case: ReportContext) -> Iterator[Reason]:
    window_end = case.injected_at + case.window
    agent = case.procedure.anesthetic.agent
    window = f"{case.window.total_seconds() / 3600:g} h"
    for word, symptom in (
        ("weakness", case.report.leg_weakness),
        ("numbness", case.report.leg_numbness),
    ):
        if symptom is None:
            continue
        began_late = symptom.since is not None and symptom.since > window_end
        if symptom.started_after_it_had_gone or began_late:
            yield Reason(
                Disposition.CALL_NOW,
                f"leg_{word}_new",
                f"Your leg {word} came back, or started after the numbing medicine wore "
                "off. A doctor needs to check it.",
                f"New leg {word} after it had resolved or after the {agent} window of {window} "
                f"(since {symptom.since.isoformat() if symptom.since else 'unknown'}): not "
                "explained by the block; exclude haematoma or nerve injury.",
                "nhs-bradford-2025",
            )
        elif case.elapsed > case.window:
            yield Reason(
                Disposition.CALL_NOW,
                f"leg_{word}_past_window",
                f"Your leg {word} has lasted past {case.local(window_end)}, when the numbing "
                "medicine should have worn off. A doctor needs to check it.",
                f"Leg {word} persisting at {case.hours}, beyond the {agent} window of {window}.",
                "anesthetic-duration-common",
            )
        else:
            yield Reason(
                Disposition.EXPECTED,
                f"leg_{word}_in_window",
                f"Some leg {word} can happen while the numbing medicine works. It should "
                f"wear off by about {case.local(window_end)}. Until then, do not walk alone "
                "or drive.",
                f"Leg {word} at {case.hours}, inside the {agent} window of {window}: "
                "consistent with anesthetic spread to the sciatic nerve (fall risk).",
                "anesthetic-duration-common",
            )


def _pain(case: ReportContext) -> Iterator[Reason]:
    r, baseline = case.report, case.procedure.baseline_pain
    severe = case.number("triage.severe_pain_nrs")
    if r.pain_controlled_by_usual_medicines is False:
        yield Reason(
            Disposition.CALL_NOW,
            "pain_not_controlled",
            "Your usual pain medicines are not easing your pain. The clinic needs to know now.",
            f"Pain not controlled by usual analgesics (NRS {r.pain}, baseline {baseline})."
            if r.pain is not None
            else "Pain not controlled by usual analgesics (no score given).",
            "clinic-page",
        )
    if r.pain is None:
        return
    if r.pain >= severe:
        yield Reason(
            Disposition.CALL_NOW,
            "severe_pain",
            f"Your pain is {r.pain} out of 10. That is severe, and the clinic needs to know now.",
            f"NRS {r.pain} >= severe threshold {severe:g} (baseline {baseline}) at {case.hours}.",
            case.knowledge.rule("triage.severe_pain_nrs").source,
        )
    elif r.pain > baseline:
        yield _pain_above_baseline(case, r.pain)
    elif r.pain_controlled_by_usual_medicines is not False:
        yield Reason(
            Disposition.EXPECTED,
            "pain_not_above_baseline",
            "Your pain is no worse than before the injection. Pain often comes back as "
            "the numbing medicine wears off. That is normal.",
            f"NRS {r.pain} <= baseline {baseline} at {case.hours}.",
            "clinic-page",
        )


def _pain_above_baseline(case: ReportContext, pain: int) -> Reason:
    start = case.number(FLARE_FROM)
    end = case.number(FLARE_UNTIL)
    baseline = case.procedure.baseline_pain
    worse = f"Your pain is worse than before the injection ({pain} out of 10, up from {baseline})."
    window = f"flare window {start:g}-{end:g} h"
    if timedelta(hours=start) <= case.elapsed <= timedelta(hours=end):
        return Reason(
            Disposition.EXPECTED,
            "pain_flare",
            f"{worse} A short flare of pain can happen in the first {end / 24:g} days. "
            "It should ease. Your usual pain medicines can help.",
            f"NRS {pain} > baseline {baseline} at {case.hours}, inside the {window}; not severe.",
            case.knowledge.rule(FLARE_FROM).source,
        )
    return Reason(
        Disposition.CALL_SOON,
        "pain_above_baseline",
        f"{worse} This is not the usual pattern at this time. Tell the clinic today.",
        f"NRS {pain} > baseline {baseline} at {case.hours}, outside the {window}; not severe.",
        "product-default",
    )


def _blood_sugar(case: ReportContext) -> Iterator[Reason]:
    sugar = case.report.blood_sugar_mg_dl
    if sugar is None:
        return
    threshold = case.number(GLUCOSE_THRESHOLD)
    low = case.number("triage.glucose_low_mg_dl")
    reading = f"Your blood sugar is {sugar:g} mg/dL."
    if sugar > threshold:
        yield Reason(
            Disposition.CALL_NOW,
            "blood_sugar_above_threshold",
            f"{reading} That is above {threshold:g}, so call now. "
            "Also tell the doctor who looks after your diabetes.",
            f"Glucose {sugar:g} mg/dL > {threshold:g} mg/dL at {case.hours}.",
            case.knowledge.rule(GLUCOSE_THRESHOLD).source,
        )
    elif sugar < low:
        yield Reason(
            Disposition.CALL_NOW,
            "blood_sugar_low",
            f"{reading} That is low. Treat it the way your diabetes team taught you. Then call.",
            f"Glucose {sugar:g} mg/dL < {low:g} mg/dL (hypoglycaemia) at {case.hours}.",
            case.knowledge.rule("triage.glucose_low_mg_dl").source,
        )
    elif case.procedure.steroid is not None:
        yield _sugar_after_steroid(case, reading)


def _sugar_after_steroid(case: ReportContext, reading: str) -> Reason:
    """Expected through `diabetes.check_more_often_days` calendar days after the injection
    day (local dates), the days the patient was told to check more often."""
    days = case.number(SUGAR_DAYS)
    source = case.knowledge.rule(SUGAR_DAYS).source
    if case.day_number <= days:
        return Reason(
            Disposition.EXPECTED,
            "blood_sugar_rise_expected",
            f"{reading} A steroid can raise blood sugar for about {days:g} days. Your reading "
            "is below the level that needs a call. Keep checking it more often than usual.",
            f"Glucose below the call threshold on day {case.day_number} after a steroid "
            f"(expected rise through day {days:g}).",
            source,
        )
    return Reason(
        Disposition.CALL_SOON,
        "blood_sugar_after_expected_rise",
        f"{reading} A steroid can raise blood sugar for about {days:g} days, and that time "
        "has passed. If it is still higher than usual for you, tell the clinic today.",
        f"Glucose reported on day {case.day_number}, after the expected steroid rise "
        f"(through day {days:g}).",
        source,
    )


def _flushing(case: ReportContext) -> Iterator[Reason]:
    if not case.report.facial_flushing:
        return
    days = f"{case.number('triage.flushing_expected_days'):g}"
    if case.procedure.steroid is None:
        yield Reason(
            Disposition.CALL_SOON,
            "flushing_without_steroid",
            "Red, warm skin on your face (flushing) is not a usual effect of this injection. "
            "Tell the clinic today.",
            "Facial flushing after an anesthetic-only block: not the steroid effect; "
            "consider a reaction to contrast or anesthetic.",
            "plastaras-2012",
        )
    elif case.within_days("triage.flushing_expected_days"):
        yield Reason(
            Disposition.EXPECTED,
            "facial_flushing",
            f"Red, warm skin on your face (flushing) can happen for up to {days} days after "
            "a steroid. It goes away by itself.",
            f"Facial flushing at {case.hours}, within {days} days of a steroid.",
            "plastaras-2012",
        )
    else:
        yield Reason(
            Disposition.CALL_SOON,
            "flushing_lasting",
            f"Flushing of your face has lasted more than {days} days. Tell the clinic today.",
            f"Facial flushing at {case.hours}, beyond the expected {days} days.",
            case.knowledge.rule("triage.flushing_expected_days").source,
        )


def _soreness(case: ReportContext) -> Iterator[Reason]:
    if not case.report.soreness_at_site:
        return
    days = f"{case.number('triage.soreness_expected_days'):g}"
    if case.within_days("triage.soreness_expected_days"):
        yield Reason(
            Disposition.EXPECTED,
            "site_soreness",
            f"Soreness where the needle went in is common. It should ease within {days} days.",
            f"Injection-site soreness at {case.hours}: the most common delayed effect.",
            "plastaras-2012",
        )
    else:
        yield Reason(
            Disposition.CALL_SOON,
            "site_soreness_lasting",
            f"Soreness where the needle went in has lasted more than {days} days. "
            "Tell the clinic today.",
            f"Injection-site soreness at {case.hours}, beyond the expected {days} days.",
            case.knowledge.rule("triage.soreness_expected_days").source,
        )


def _nothing_of_concern() -> Reason:
    return Reason(
        Disposition.EXPECTED,
        "no_warning_signs",
        "Nothing you told us needs a call right now.",
        "No warning sign reported.",
        "product-default",
    )


_RULES = (
    _red_flags,
    _hives,
    _infection_signs,
    _site_signs,
    _leg_symptoms,
    _pain,
    _blood_sugar,
    _flushing,
    _soreness,
)


def _what_to_do(disposition: Disposition, contact: Contact, case: ReportContext) -> tuple[str, ...]:
    knowledge = case.knowledge
    when = day_text(clinic_local_time(case.procedure.performed_at, knowledge))
    emergency = knowledge.text("clinic.emergency_phone")
    if disposition is Disposition.EMERGENCY:
        return (
            contact.message,
            f"Tell them you had an injection in your lower back (SI joint) on {when}.",
            "Let the clinic know when you can.",
        )
    if disposition is Disposition.CALL_NOW:
        return (contact.message, f"If you get much worse before you reach us, call {emergency}.")
    if disposition is Disposition.CALL_SOON:
        return _call_soon_steps(contact, knowledge)
    return (
        "What you told us is expected after this injection.",
        "Keep filling in your pain diary.",
        "Call the clinic if something new happens or you are worried.",
        contact.message,
    )


def _call_soon_steps(contact: Contact, knowledge: Knowledge) -> tuple[str, ...]:
    help_line = knowledge.text("clinic.help_line_phone")
    if contact.kind is ContactKind.HELP_LINE:
        return (
            f"Call the clinic help line today at {help_line}. It is open from {contact.help_line_hours}.",
            "If you get worse, call now rather than later.",
        )
    return (
        f"Call the clinic help line at {help_line} when it opens. It is open from "
        f"{contact.help_line_hours}.",
        f"If you get worse or are worried before then, call {contact.number} now.",
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
