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

Every sentence the patient reads is in `domain.triage_words`, kept as `Words` for a page
in the reader's language (ADR 0007) beside its English (`message`, `what_to_do`): the
JSON of a result keeps its shape without them. The clinicians' rationale is English.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

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
from sijcare.domain.triage_words import SITE_SIGNS, clock_on_day, reason_words, step_words
from sijcare.domain.words import Clock, Joined, Words, clock_of, day_of

GLUCOSE_THRESHOLD = "diabetes.glucose_call_threshold_mg_dl"
SUGAR_DAYS = "diabetes.check_more_often_days"
FLARE_FROM = "therapeutic.flare_from_hours"
FLARE_UNTIL = "therapeutic.flare_until_hours"

# Kept for the pages (translated there) and left out of the JSON (`formats.jsonout`).
_PAGES_ONLY = {"json": False}


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
    """One finding: a patient sentence (English, and as `words` for a page in the reader's
    language), the clinician's rationale and its source."""

    disposition: Disposition
    code: str
    message: str
    rationale: str
    source: str
    words: Words = field(compare=False, repr=False, metadata=_PAGES_ONLY)


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
    what_to_do_words: tuple[Words, ...] = field(compare=False, repr=False, metadata=_PAGES_ONLY)


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


# Symptoms that decide on their own: field of SymptomReport (also the reason's code and
# the key of its sentence in `triage_words.REASONS`), disposition, the clinician's
# rationale, the source.
_RED_FLAGS = (
    (
        "trouble_breathing",
        Disposition.EMERGENCY,
        "Dyspnoea after the injection: possible anaphylaxis (contrast, local anesthetic or "
        "steroid) until assessed.",
        "anaphylaxis-signs-common",
    ),
    (
        "face_or_throat_swelling",
        Disposition.EMERGENCY,
        "Facial, lip or throat swelling: angioedema, possible anaphylaxis with airway risk.",
        "anaphylaxis-signs-common",
    ),
    (
        "new_bladder_or_bowel_change",
        Disposition.EMERGENCY,
        "New bladder or bowel dysfunction: cauda equina red flag (haematoma, abscess).",
        "sis-auc",
    ),
    (
        "saddle_numbness",
        Disposition.EMERGENCY,
        "Saddle anaesthesia: cauda equina red flag.",
        "sis-auc",
    ),
    (
        "weakness_both_legs",
        Disposition.EMERGENCY,
        "Bilateral leg weakness: cauda equina or epidural haematoma red flag; not assumed "
        "to be anesthetic spread, even after a bilateral injection.",
        "sis-auc",
    ),
    (
        "new_severe_back_pain",
        Disposition.CALL_NOW,
        "New severe back pain: red flag after a spinal-region procedure (abscess, haematoma).",
        "nhs-bradford-2025",
    ),
    (
        "headache_worse_standing",
        Disposition.CALL_NOW,
        "Orthostatic headache: possible dural puncture (post-dural puncture headache).",
        "nhs-bradford-2025",
    ),
)


def _red_flags(case: ReportContext) -> Iterator[Reason]:
    for name, disposition, rationale, source in _RED_FLAGS:
        if getattr(case.report, name):
            yield _reason(disposition, name, rationale, source)


def _hives(case: ReportContext) -> Iterator[Reason]:
    r = case.report
    if r.hives and not (r.trouble_breathing or r.face_or_throat_swelling):
        yield _reason(
            Disposition.CALL_SOON,
            "hives",
            "Urticaria without respiratory symptoms or angioedema: possible mild reaction to "
            "contrast, anesthetic or steroid; same-day review.",
            "product-default",
        )


def _infection_signs(case: ReportContext) -> Iterator[Reason]:
    r = case.report
    fever = r.temperature_c is not None and r.temperature_c >= case.number("triage.fever_c")
    leg = r.leg_weakness is not None or r.leg_numbness is not None or r.weakness_both_legs
    if fever and r.new_severe_back_pain and leg:
        yield _reason(
            Disposition.EMERGENCY,
            "fever_back_pain_and_leg_signs",
            f"Temperature {r.temperature_c} °C with new severe back pain and leg weakness or "
            "numbness: exclude epidural abscess.",
            "nhs-bradford-2025",
        )
    if fever and r.temperature_c is not None:
        fahrenheit = r.temperature_c * 9 / 5 + 32
        yield _reason(
            Disposition.CALL_NOW,
            "fever",
            f"Temperature {r.temperature_c} °C >= {case.number('triage.fever_c')} °C at "
            f"{case.hours} after the injection.",
            case.knowledge.rule("triage.fever_c").source,
            celsius=r.temperature_c,
            fahrenheit=fahrenheit,
        )


def _site_signs(case: ReportContext) -> Iterator[Reason]:
    signs = [name for name in SITE_SIGNS if getattr(case.report, name)]
    if signs:
        named = [name.removeprefix("site_") for name in signs]
        listed = ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]
        yield _reason(
            Disposition.CALL_NOW,
            "site_infection_signs",
            f"Injection site {listed} at {case.hours}: possible skin or joint infection.",
            "nhs-bradford-2025",
            signs=_listed(signs),
        )


def _listed(signs: list[str]) -> Words | Joined:
    """Like "Redness, swelling and warmth": the first sign, those inside, "and" the last."""
    first = SITE_SIGNS[signs[0]][0]
    if len(signs) == 1:
        return first
    head = Joined((first, *(SITE_SIGNS[name][1] for name in signs[1:-1])), ", ")
    return Joined((head, SITE_SIGNS[signs[-1]][2]), " ")


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
            yield _reason(
                Disposition.CALL_NOW,
                f"leg_{word}_new",
                f"New leg {word} after it had resolved or after the {agent} window of {window} "
                f"(since {symptom.since.isoformat() if symptom.since else 'unknown'}): not "
                "explained by the block; exclude haematoma or nerve injury.",
                "nhs-bradford-2025",
            )
        elif case.elapsed > case.window:
            yield _reason(
                Disposition.CALL_NOW,
                f"leg_{word}_past_window",
                f"Leg {word} persisting at {case.hours}, beyond the {agent} window of {window}.",
                "anesthetic-duration-common",
                when=_local(case, window_end),
            )
        else:
            yield _reason(
                Disposition.EXPECTED,
                f"leg_{word}_in_window",
                f"Leg {word} at {case.hours}, inside the {agent} window of {window}: "
                "consistent with anesthetic spread to the sciatic nerve (fall risk).",
                "anesthetic-duration-common",
                when=_local(case, window_end),
            )


def _local(case: ReportContext, at: datetime) -> Clock | Words:
    """The clock time of `at` as the patient reads it; with its day when that is not the
    day of the report (a window that ended yesterday, or ends after midnight)."""
    local = clinic_local_time(at, case.knowledge)
    if local.date() == clinic_local_time(case.report.reported_at, case.knowledge).date():
        return clock_of(local)
    return clock_on_day(clock_of(local), day_of(local))


def _pain(case: ReportContext) -> Iterator[Reason]:
    r, baseline = case.report, case.procedure.baseline_pain
    severe = case.number("triage.severe_pain_nrs")
    if r.pain_controlled_by_usual_medicines is False:
        yield _reason(
            Disposition.CALL_NOW,
            "pain_not_controlled",
            f"Pain not controlled by usual analgesics (NRS {r.pain}, baseline {baseline})."
            if r.pain is not None
            else "Pain not controlled by usual analgesics (no score given).",
            "clinic-page",
        )
    if r.pain is None:
        return
    if r.pain >= severe:
        yield _reason(
            Disposition.CALL_NOW,
            "severe_pain",
            f"NRS {r.pain} >= severe threshold {severe:g} (baseline {baseline}) at {case.hours}.",
            case.knowledge.rule("triage.severe_pain_nrs").source,
            pain=r.pain,
        )
    elif r.pain > baseline:
        yield _pain_above_baseline(case, r.pain)
    elif r.pain_controlled_by_usual_medicines is not False:
        yield _reason(
            Disposition.EXPECTED,
            "pain_not_above_baseline",
            f"NRS {r.pain} <= baseline {baseline} at {case.hours}.",
            "clinic-page",
        )


def _pain_above_baseline(case: ReportContext, pain: int) -> Reason:
    start = case.number(FLARE_FROM)
    end = case.number(FLARE_UNTIL)
    baseline = case.procedure.baseline_pain
    window = f"flare window {start:g}-{end:g} h"
    if timedelta(hours=start) <= case.elapsed <= timedelta(hours=end):
        return _reason(
            Disposition.EXPECTED,
            "pain_flare",
            f"NRS {pain} > baseline {baseline} at {case.hours}, inside the {window}; not severe.",
            case.knowledge.rule(FLARE_FROM).source,
            pain=pain,
            baseline=baseline,
            days=end / 24,
        )
    return _reason(
        Disposition.CALL_SOON,
        "pain_above_baseline",
        f"NRS {pain} > baseline {baseline} at {case.hours}, outside the {window}; not severe.",
        "product-default",
        pain=pain,
        baseline=baseline,
    )


def _blood_sugar(case: ReportContext) -> Iterator[Reason]:
    sugar = case.report.blood_sugar_mg_dl
    if sugar is None:
        return
    threshold = case.number(GLUCOSE_THRESHOLD)
    low = case.number("triage.glucose_low_mg_dl")
    if sugar > threshold:
        yield _reason(
            Disposition.CALL_NOW,
            "blood_sugar_above_threshold",
            f"Glucose {sugar:g} mg/dL > {threshold:g} mg/dL at {case.hours}.",
            case.knowledge.rule(GLUCOSE_THRESHOLD).source,
            sugar=sugar,
            threshold=threshold,
        )
    elif sugar < low:
        yield _reason(
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
        return _reason(
            Disposition.EXPECTED,
            "blood_sugar_rise_expected",
            f"Glucose below the call threshold on day {case.day_number} after a steroid "
            f"(expected rise through day {days:g}).",
            source,
            sugar=sugar,
            days=days,
        )
    return _reason(
        Disposition.CALL_SOON,
        "blood_sugar_after_expected_rise",
        f"Glucose reported on day {case.day_number}, after the expected steroid rise "
        f"(through day {days:g}).",
        source,
        sugar=sugar,
        days=days,
    )


def _flushing(case: ReportContext) -> Iterator[Reason]:
    if not case.report.facial_flushing:
        return
    days = case.number("triage.flushing_expected_days")
    if case.procedure.steroid is None:
        yield _reason(
            Disposition.CALL_SOON,
            "flushing_without_steroid",
            "Facial flushing after an anesthetic-only block: not the steroid effect; "
            "consider a reaction to contrast or anesthetic.",
            "plastaras-2012",
        )
    elif case.within_days("triage.flushing_expected_days"):
        yield _reason(
            Disposition.EXPECTED,
            "facial_flushing",
            f"Facial flushing at {case.hours}, within {days:g} days of a steroid.",
            "plastaras-2012",
            days=days,
        )
    else:
        yield _reason(
            Disposition.CALL_SOON,
            "flushing_lasting",
            f"Facial flushing at {case.hours}, beyond the expected {days:g} days.",
            case.knowledge.rule("triage.flushing_expected_days").source,
            days=days,
        )


def _soreness(case: ReportContext) -> Iterator[Reason]:
    if not case.report.soreness_at_site:
        return
    days = case.number("triage.soreness_expected_days")
    if case.within_days("triage.soreness_expected_days"):
        yield _reason(
            Disposition.EXPECTED,
            "site_soreness",
            f"Injection-site soreness at {case.hours}: the most common delayed effect.",
            "plastaras-2012",
            days=days,
        )
    else:
        yield _reason(
            Disposition.CALL_SOON,
            "site_soreness_lasting",
            f"Injection-site soreness at {case.hours}, beyond the expected {days:g} days.",
            case.knowledge.rule("triage.soreness_expected_days").source,
            days=days,
        )


def _nothing_of_concern() -> Reason:
    return _reason(
        Disposition.EXPECTED,
        "no_warning_signs",
        "No warning sign reported.",
        "product-default",
    )


def _reason(
    disposition: Disposition, code: str, rationale: str, source: str, **values: Any
) -> Reason:
    """The reason `code`, its sentence from `triage_words.REASONS` filled in with `values`."""
    said = reason_words(code, **values)
    return Reason(disposition, code, str(said), rationale, source, said)


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
