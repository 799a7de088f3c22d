"""Triage's warning signs: anaphylaxis (and hives without it), cauda equina, a dural
puncture, and infection (fever, an epidural abscess, signs at the injection site).

A red flag decides on its own (`_RED_FLAGS`); none of these is ever expected. Fever is
`triage.fever_c` or above (clinical-defaults.md "After the procedure").
"""

from __future__ import annotations

from collections.abc import Iterator

from sijcare.domain.symptoms import ReportContext
from sijcare.domain.triage_reasons import Disposition, Reason
from sijcare.domain.triage_words import SITE_SIGNS
from sijcare.domain.words import Joined, Words

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


def red_flags(case: ReportContext) -> Iterator[Reason]:
    for name, disposition, rationale, source in _RED_FLAGS:
        if getattr(case.report, name):
            yield Reason.of(disposition, name, rationale, source)


def hives(case: ReportContext) -> Iterator[Reason]:
    r = case.report
    if r.hives and not (r.trouble_breathing or r.face_or_throat_swelling):
        yield Reason.of(
            Disposition.CALL_SOON,
            "hives",
            "Urticaria without respiratory symptoms or angioedema: possible mild reaction to "
            "contrast, anesthetic or steroid; same-day review.",
            "product-default",
        )


def infection_signs(case: ReportContext) -> Iterator[Reason]:
    r = case.report
    fever = r.temperature_c is not None and r.temperature_c >= case.number("triage.fever_c")
    leg = r.leg_weakness is not None or r.leg_numbness is not None or r.weakness_both_legs
    if fever and r.new_severe_back_pain and leg:
        yield Reason.of(
            Disposition.EMERGENCY,
            "fever_back_pain_and_leg_signs",
            f"Temperature {r.temperature_c} °C with new severe back pain and leg weakness or "
            "numbness: exclude epidural abscess.",
            "nhs-bradford-2025",
        )
    if fever and r.temperature_c is not None:
        fahrenheit = r.temperature_c * 9 / 5 + 32
        yield Reason.of(
            Disposition.CALL_NOW,
            "fever",
            f"Temperature {r.temperature_c} °C >= {case.number('triage.fever_c')} °C at "
            f"{case.hours} after the injection.",
            case.knowledge.rule("triage.fever_c").source,
            celsius=r.temperature_c,
            fahrenheit=fahrenheit,
        )


def site_signs(case: ReportContext) -> Iterator[Reason]:
    signs = [name for name in SITE_SIGNS if getattr(case.report, name)]
    if signs:
        named = [name.removeprefix("site_") for name in signs]
        listed = ", ".join(named[:-1]) + (" and " if len(named) > 1 else "") + named[-1]
        yield Reason.of(
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
